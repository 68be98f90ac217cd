package org.jioth.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * poll(2) on one descriptor, for the platform threads that wait on a single descriptor (tap
 * readers, the vdestack helper). Threads that watch many descriptors use the shared reactor.
 */
public final class Poll {
    private static final MethodHandle POLL = NativeSupport.downcall("poll",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final short POLLIN = 0x1;

    private Poll() {
    }

    /**
     * Waits at most {@code timeoutMillis} (-1: no limit) for input on {@code fd}. {@code state} is
     * a call-state segment ({@link NativeSupport#newCallState}) and {@code pollfd} an 8-byte segment,
     * both reused by the caller. Returns the revents, 0 on timeout, or -errno.
     */
    public static int pollIn(MemorySegment state, MemorySegment pollfd, int fd, int timeoutMillis) {
        pollfd.set(JAVA_INT, 0, fd);
        pollfd.set(JAVA_SHORT, 4, POLLIN);
        pollfd.set(JAVA_SHORT, 6, (short) 0);
        int n;
        try {
            n = (int) POLL.invokeExact(state, pollfd, 1L, timeoutMillis);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("poll failed unexpectedly", t);
        }
        if (n < 0) {
            return -NativeSupport.errno(state);
        }
        return n == 0 ? 0 : pollfd.get(JAVA_SHORT, 6) & 0xffff;
    }
}
