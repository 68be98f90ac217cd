package org.jioth.linux.unix;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
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
    private static final MethodHandle GETGRNAM = NativeSupport.downcallNoErrno("getgrnam", FunctionDescriptor.of(ADDRESS, ADDRESS));
    private static final Object GRP_LOCK = new Object();
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

    /**
     * The group id of {@code group}: a number as is, else looked up by name ({@code getgrnam}); an
     * {@link ErrnoException} (EINVAL) names an unknown group.
     */
    @SuppressWarnings("restricted") // reading the struct libc returned
    public static int groupId(String group) throws ErrnoException {
        if (!group.isEmpty() && group.chars().allMatch(c -> c >= '0' && c <= '9')) {
            try {
                return Integer.parseInt(group);
            } catch (NumberFormatException e) {
                throw new ErrnoException("group id", org.jioth.Errno.EINVAL.value(), group);
            }
        }
        synchronized (GRP_LOCK) { // getgrnam returns a static buffer
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment g = (MemorySegment) GETGRNAM.invokeExact(arena.allocateFrom(group));
                if (g.equals(MemorySegment.NULL)) {
                    throw new ErrnoException("getgrnam", org.jioth.Errno.EINVAL.value(), "no group named " + group);
                }
                // struct group { char *gr_name; char *gr_passwd; gid_t gr_gid; ... }
                return g.reinterpret(2 * ADDRESS.byteSize() + 4).get(JAVA_INT, 2 * ADDRESS.byteSize());
            } catch (ErrnoException e) {
                throw e;
            } catch (Throwable t) {
                throw UnixNative.fatal(t);
            }
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
