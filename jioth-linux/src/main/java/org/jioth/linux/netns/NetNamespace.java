package org.jioth.linux.netns;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import org.jioth.linux.ErrnoException;
import org.jioth.linux.NativeSupport;

/**
 * Moves the calling thread into a network namespace (setns(2) on a file such as
 * {@code /var/run/netns/NAME}). Sockets and taps that thread creates afterwards live in that
 * namespace for good, whichever thread uses them later, so a test can own kernel peers in a
 * namespace without a child process. Only the calling thread moves; it needs CAP_SYS_ADMIN.
 */
public final class NetNamespace {
    private static final int O_RDONLY = 0;
    private static final int O_CLOEXEC = 0x80000;
    private static final int CLONE_NEWNET = 0x40000000;

    private static final MethodHandle OPEN =
            NativeSupport.downcall("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SETNS =
            NativeSupport.downcall("setns", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle CLOSE =
            NativeSupport.downcallNoErrno("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    private NetNamespace() {
    }

    /** Moves the current (platform) thread into the network namespace of {@code nsFile}. */
    public static void enter(Path nsFile) throws ErrnoException {
        if (Thread.currentThread().isVirtual()) {
            throw new IllegalStateException("a virtual thread cannot own a namespace: its carrier changes");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = NativeSupport.newCallState(arena);
            int fd = (int) OPEN.invokeExact(state, arena.allocateFrom(nsFile.toString()), O_RDONLY | O_CLOEXEC);
            if (fd < 0) {
                throw new ErrnoException("open", NativeSupport.errno(state), nsFile.toString());
            }
            try {
                int rc = (int) SETNS.invokeExact(state, fd, CLONE_NEWNET);
                if (rc < 0) {
                    throw new ErrnoException("setns", NativeSupport.errno(state), nsFile.toString());
                }
            } finally {
                int ignored = (int) CLOSE.invokeExact(fd);
            }
        } catch (ErrnoException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }
}
