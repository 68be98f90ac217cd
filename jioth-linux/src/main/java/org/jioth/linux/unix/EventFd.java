package org.jioth.linux.unix;

import static org.jioth.linux.unix.UnixNative.*;

import java.io.Closeable;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.jioth.linux.ErrnoException;

/** A non-blocking eventfd: a wakeup any thread can {@link #signal} and a poller sees as readable. */
public final class EventFd implements Closeable {
    private final int fd;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment one;
    private final MemorySegment sink;

    public EventFd() throws ErrnoException {
        int f;
        try {
            f = (int) EVENTFD.invokeExact(state(), 0, EFD_NONBLOCK | EFD_CLOEXEC);
        } catch (Throwable t) {
            throw fatal(t);
        }
        if (f < 0) {
            throw new ErrnoException("eventfd", errno());
        }
        fd = f;
        one = arena.allocateFrom(ValueLayout.JAVA_LONG, 1L);
        sink = arena.allocate(8, 8);
    }

    public int fd() {
        return fd;
    }

    /** Makes the fd readable (never blocks: the counter cannot overflow in practice). */
    public void signal() {
        try {
            long r = (long) WRITE.invokeExact(state(), fd, one, 8L);
            assert r >= -1;
        } catch (Throwable t) {
            throw fatal(t);
        }
    }

    /** Resets the counter. */
    public synchronized void drain() {
        try {
            long r = (long) READ.invokeExact(state(), fd, sink, 8L);
            assert r >= -1;
        } catch (Throwable t) {
            throw fatal(t);
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
