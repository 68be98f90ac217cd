package org.jioth.linux.unix;

import static org.jioth.linux.unix.UnixNative.*;

import java.io.Closeable;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.jioth.linux.ErrnoException;

/**
 * An epoll instance. {@link #await} blocks: call it only on a platform thread (a {@link Reactor}).
 * {@code struct epoll_event} is packed (12 bytes) on x86-64 and 16 bytes elsewhere.
 */
public final class Epoll implements Closeable {
    public static final int IN = EPOLLIN;
    public static final int OUT = EPOLLOUT;
    public static final int ERR = EPOLLERR;
    public static final int HUP = EPOLLHUP;
    public static final int RDHUP = EPOLLRDHUP;

    private static final boolean PACKED = System.getProperty("os.arch", "").matches("amd64|x86_64");
    private static final long EVENT_SIZE = PACKED ? 12 : 16;
    private static final long DATA_OFFSET = PACKED ? 4 : 8;

    private final int epfd;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment events;
    private final MemorySegment ctlEvent;
    private final int maxEvents;
    /** A {@code struct timespec} for {@link #awaitNanos}. */
    private final MemorySegment timespec;
    /** Cleared when the kernel refuses epoll_pwait2 (ENOSYS): millisecond waits from then on. */
    private static volatile boolean nanoWaits = EPOLL_PWAIT2 != null;

    public Epoll(int maxEvents) throws ErrnoException {
        this.maxEvents = maxEvents;
        try {
            epfd = (int) EPOLL_CREATE1.invokeExact(state(), EPOLL_CLOEXEC);
        } catch (Throwable t) {
            throw fatal(t);
        }
        if (epfd < 0) {
            throw new ErrnoException("epoll_create1", errno());
        }
        events = arena.allocate(EVENT_SIZE * maxEvents, 8);
        ctlEvent = arena.allocate(16, 8);
        timespec = arena.allocate(16, 8);
    }

    /** This epoll's own descriptor: another epoll may watch it (nested waits). */
    public int fd() {
        return epfd;
    }

    public void add(int fd, int interest, long token) throws ErrnoException {
        ctl(EPOLL_CTL_ADD, fd, interest, token);
    }

    public void modify(int fd, int interest, long token) throws ErrnoException {
        ctl(EPOLL_CTL_MOD, fd, interest, token);
    }

    public void remove(int fd) throws ErrnoException {
        ctl(EPOLL_CTL_DEL, fd, 0, 0);
    }

    private synchronized void ctl(int op, int fd, int interest, long token) throws ErrnoException {
        ctlEvent.set(ValueLayout.JAVA_INT_UNALIGNED, 0, interest);
        ctlEvent.set(ValueLayout.JAVA_LONG_UNALIGNED, DATA_OFFSET, token);
        int r;
        try {
            r = (int) EPOLL_CTL.invokeExact(state(), epfd, op, fd, ctlEvent);
        } catch (Throwable t) {
            throw fatal(t);
        }
        if (r < 0) {
            throw new ErrnoException("epoll_ctl", errno(), "fd " + fd);
        }
    }

    /** Waits up to {@code timeoutMillis} (-1 forever); returns the number of ready events (0 on EINTR). */
    public int await(int timeoutMillis) throws ErrnoException {
        int n;
        try {
            n = (int) EPOLL_WAIT.invokeExact(state(), epfd, events, maxEvents, timeoutMillis);
        } catch (Throwable t) {
            throw fatal(t);
        }
        if (n < 0) {
            if (errno() == EINTR) {
                return 0;
            }
            throw new ErrnoException("epoll_wait", errno());
        }
        return n;
    }

    /**
     * Waits up to {@code timeoutNanos} ({@link Long#MAX_VALUE}: forever, 0: not at all) with
     * nanosecond resolution where the kernel has {@code epoll_pwait2} (a stack loop's pacing timers
     * are microseconds apart), else rounded up to milliseconds; the number of ready events (0 on
     * EINTR). One thread at a time.
     */
    public int awaitNanos(long timeoutNanos) throws ErrnoException {
        if (timeoutNanos == Long.MAX_VALUE) {
            return await(-1);
        }
        long nanos = Math.max(0, timeoutNanos);
        if (!nanoWaits) {
            return await((int) Math.min(Integer.MAX_VALUE, (nanos + 999_999) / 1_000_000));
        }
        timespec.set(ValueLayout.JAVA_LONG, 0, nanos / 1_000_000_000L);
        timespec.set(ValueLayout.JAVA_LONG, 8, nanos % 1_000_000_000L);
        int n;
        try {
            n = (int) EPOLL_PWAIT2.invokeExact(state(), epfd, events, maxEvents, timespec, MemorySegment.NULL);
        } catch (Throwable t) {
            throw fatal(t);
        }
        if (n < 0) {
            int e = errno();
            if (e == EINTR) {
                return 0;
            }
            if (e == ENOSYS) {
                nanoWaits = false;
                return awaitNanos(timeoutNanos);
            }
            throw new ErrnoException("epoll_pwait2", e);
        }
        return n;
    }

    public int events(int i) {
        return events.get(ValueLayout.JAVA_INT_UNALIGNED, i * EVENT_SIZE);
    }

    public long token(int i) {
        return events.get(ValueLayout.JAVA_LONG_UNALIGNED, i * EVENT_SIZE + DATA_OFFSET);
    }

    @Override
    public void close() {
        try {
            int r = (int) CLOSE.invokeExact(state(), epfd);
            assert r >= -1;
        } catch (Throwable t) {
            throw fatal(t);
        }
        arena.close();
    }
}
