package org.jioth.linux.unix;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.invoke.MethodHandle;
import org.jioth.linux.ErrnoException;
import org.jioth.linux.NativeSupport;

/**
 * File calls the JDK lacks: {@code chmod} with the set-group-ID and sticky bits, the effective uid.
 * {@link #chmod} follows symbolic links: use it only on paths no other user can replace, otherwise
 * {@link PinnedFile#chmod}.
 */
public final class UnixFiles {
    private static final MethodHandle CHMOD = NativeSupport.downcall("chmod", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle GETEUID = NativeSupport.downcallNoErrno("geteuid", FunctionDescriptor.of(JAVA_INT));

    private UnixFiles() {
    }

    /** geteuid(). */
    public static int effectiveUid() {
        try {
            return (int) GETEUID.invokeExact();
        } catch (Throwable t) {
            throw UnixNative.fatal(t);
        }
    }

    /** chmod(path, mode), all 12 bits (e.g. 02700 for a switch directory). */
    public static void chmod(String path, int mode) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            int r = (int) CHMOD.invokeExact(UnixNative.state(), arena.allocateFrom(path), mode);
            if (r < 0) {
                throw new ErrnoException("chmod", UnixNative.errno(), path);
            }
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw UnixNative.fatal(t);
        }
    }
}
