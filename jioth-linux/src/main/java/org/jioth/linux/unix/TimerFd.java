package org.jioth.linux.unix;

import static org.jioth.linux.unix.UnixNative.*;

import java.io.Closeable;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.jioth.linux.ErrnoException;

/**
 * A non-blocking one-shot timerfd on {@code CLOCK_MONOTONIC}: readable once armed time has passed,
 * so a thread sleeping in an epoll that watches it wakes then; any thread may re-arm it, which moves
 * a sleeper's deadline without waking it. Calls are serialized (one settime buffer).
 */
public final class TimerFd implements Closeable {
    private static final int CLOCK_MONOTONIC = 1;
    private static final int TFD_NONBLOCK = 0x800;
    private static final int TFD_CLOEXEC = 0x80000;
    private final int fd;
    private final Arena arena = Arena.ofShared();
    /** A {@code struct itimerspec}: interval (zero: one shot), then value. */
    private final MemorySegment spec;
    private final MemorySegment sink;

    public TimerFd() throws ErrnoException {
        int f;
        try {
            f = (int) TIMERFD_CREATE.invokeExact(state(), CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
        } catch (Throwable t) {
            throw fatal(t);
        }
        if (f < 0) {
            throw new ErrnoException("timerfd_create", errno());
        }
        fd = f;
        spec = arena.allocate(32, 8);
        sink = arena.allocate(8, 8);
    }

    public int fd() {
        return fd;
    }

    /** Arms it to expire {@code nanos} from now (at least 1 ns: zero would disarm), replacing any earlier arming. */
    public synchronized void armIn(long nanos) throws ErrnoException {
        set(Math.max(1, nanos));
    }

    /** Disarms it and consumes an expiry not read yet. */
    public synchronized void disarm() throws ErrnoException {
        set(0);
        try {
            long r = (long) READ.invokeExact(state(), fd, sink, 8L);
            assert r >= -1; // EAGAIN when it had not expired
        } catch (Throwable t) {
            throw fatal(t);
        }
    }

    private void set(long nanos) throws ErrnoException {
        spec.set(ValueLayout.JAVA_LONG, 0, 0L);
        spec.set(ValueLayout.JAVA_LONG, 8, 0L);
        spec.set(ValueLayout.JAVA_LONG, 16, nanos / 1_000_000_000L);
        spec.set(ValueLayout.JAVA_LONG, 24, nanos % 1_000_000_000L);
        int r;
        try {
            r = (int) TIMERFD_SETTIME.invokeExact(state(), fd, 0, spec, MemorySegment.NULL);
        } catch (Throwable t) {
            throw fatal(t);
        }
        if (r < 0) {
            throw new ErrnoException("timerfd_settime", errno());
        }
    }

    @Override
    public void close() {
        try {
            int r = (int) CLOSE.invokeExact(state(), fd);
            assert r >= -1;
        } catch (Throwable t) {
            throw fatal(t);
        }
        arena.close();
    }
}
