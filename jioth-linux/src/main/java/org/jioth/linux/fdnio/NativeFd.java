package org.jioth.linux.fdnio;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static org.jioth.linux.fdnio.FdNative.*;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;
import org.jioth.Errno;
import org.jioth.linux.ErrnoException;

/**
 * An owned, non-blocking socket descriptor shared by a channel and the selectors it is registered
 * with. Every user (the channel itself, each selector key, a waiting virtual thread's reactor
 * registration, each call in progress) holds a use; the descriptor is closed when the channel is
 * closed and the last use ends, so its number is never reused while anyone may still touch it.
 * {@link #close} shuts the socket down first, which wakes every thread waiting on it.
 */
final class NativeFd {
    private static final int CLOSED = Integer.MIN_VALUE;

    final int fd;
    final int family;
    /** Datagram sockets report ECONNREFUSED as PortUnreachableException. */
    volatile boolean datagram;
    /** Bit 31: closed; the rest: uses (the owner's counts as one until close). */
    private final AtomicInteger state = new AtomicInteger(1);
    private final ReactorWaits reactorWaits;

    NativeFd(int fd, int family) {
        this.fd = fd;
        this.family = family;
        this.reactorWaits = new ReactorWaits(this);
    }

    boolean isOpen() {
        return state.get() >= 0;
    }

    /** Takes a use; false once closed. */
    boolean tryBegin() {
        while (true) {
            int s = state.get();
            if (s < 0) {
                return false;
            }
            if (state.compareAndSet(s, s + 1)) {
                return true;
            }
        }
    }

    /** Ends a use; the last one after close releases the descriptor. */
    void end() {
        if (state.decrementAndGet() == CLOSED) {
            release();
        }
    }

    /** Shuts the socket down (waking its waiters) and drops the owner's use; idempotent. */
    void close() {
        while (true) {
            int s = state.get();
            if (s < 0) {
                return;
            }
            if (state.compareAndSet(s, s | CLOSED)) {
                break;
            }
        }
        shutdownQuietly(SHUT_RDWR);
        reactorWaits.close();
        end();
    }

    private void release() {
        try {
            int r = (int) CLOSE.invokeExact(state(), fd);
            assert r >= -1;
        } catch (Throwable t) {
            throw fatal(t);
        }
    }

    private void shutdownQuietly(int how) {
        try {
            int r = (int) SHUTDOWN.invokeExact(state(), fd, how);
            assert r >= -1;
        } catch (Throwable t) {
            throw fatal(t);
        }
    }

    /** shutdown(how); ENOTCONN is ignored as the JDK does. */
    void shutdown(int how) throws IOException {
        int r;
        try {
            r = (int) SHUTDOWN.invokeExact(state(), fd, how);
        } catch (Throwable t) {
            throw fatal(t);
        }
        if (r < 0 && errno() != Errno.ENOTCONN.value()) {
            throw Errors.of("shutdown", errno());
        }
    }

    /** recv into dst's remaining bytes: count (0 = end of stream when dst had room), or -1 would block. */
    int recv(ByteBuffer dst) throws IOException {
        long n;
        try {
            n = (long) RECVFROM.invokeExact(state(), fd, MemorySegment.ofBuffer(dst), (long) dst.remaining(),
                    MSG_DONTWAIT, MemorySegment.NULL, MemorySegment.NULL);
        } catch (Throwable t) {
            throw fatal(t);
        }
        if (n < 0) {
            int e = errno();
            if (e == EAGAIN || e == EINTR) {
                return -1;
            }
            throw Errors.of(datagram ? "datagram read" : "read", e);
        }
        dst.position(dst.position() + (int) n);
        return (int) n;
    }

    /** recvfrom: the sender, or null when nothing is waiting; bytes go to dst (truncated to fit). */
    InetSocketAddress recvFrom(ByteBuffer dst, MemorySegment sa, MemorySegment saLen) throws IOException {
        saLen.set(JAVA_INT, 0, SOCKADDR_MAX);
        long n;
        try {
            n = (long) RECVFROM.invokeExact(state(), fd, MemorySegment.ofBuffer(dst), (long) dst.remaining(),
                    MSG_DONTWAIT, sa, saLen);
        } catch (Throwable t) {
            throw fatal(t);
        }
        if (n < 0) {
            int e = errno();
            if (e == EAGAIN || e == EINTR) {
                return null;
            }
            throw Errors.of("datagram receive", e);
        }
        dst.position(dst.position() + (int) n);
        return SockAddr.decode(sa);
    }

    /** send src's remaining bytes (to {@code sa} when not NULL): count, or -1 would block. */
    int send(ByteBuffer src, MemorySegment sa, int saLen) throws IOException {
        long n;
        try {
            n = (long) SENDTO.invokeExact(state(), fd, MemorySegment.ofBuffer(src), (long) src.remaining(),
                    MSG_DONTWAIT | MSG_NOSIGNAL, sa, saLen);
        } catch (Throwable t) {
            throw fatal(t);
        }
        if (n < 0) {
            int e = errno();
            if (e == EAGAIN || e == EINTR) {
                return -1;
            }
            throw Errors.of(datagram ? "datagram send" : "write", e);
        }
        src.position(src.position() + (int) n);
        return (int) n;
    }

    void bind(InetSocketAddress local) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment sa = a.allocate(SOCKADDR_MAX, 8);
            int len = SockAddr.encode(local, family, sa);
            int r = (int) BIND.invokeExact(state(), fd, sa, len);
            if (r < 0) {
                throw Errors.of("bind " + local, errno());
            }
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw fatal(t);
        }
    }

    void listen(int backlog) throws IOException {
        int r;
        try {
            r = (int) LISTEN.invokeExact(state(), fd, backlog);
        } catch (Throwable t) {
            throw fatal(t);
        }
        if (r < 0) {
            throw Errors.of("listen", errno());
        }
    }

    /** connect: true when connected at once, false when in progress (EINPROGRESS). */
    boolean connect(InetSocketAddress remote) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment sa = a.allocate(SOCKADDR_MAX, 8);
            int len = SockAddr.encode(remote, family, sa);
            int r = (int) CONNECT.invokeExact(state(), fd, sa, len);
            if (r == 0) {
                return true;
            }
            int e = errno();
            if (e == EINPROGRESS || e == EINTR) {
                return false;
            }
            throw Errors.of("connect to " + remote, e);
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw fatal(t);
        }
    }

    /** Dissolves a datagram socket's association (connect to AF_UNSPEC). */
    void disconnect() throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment sa = a.allocate(SOCKADDR_MAX, 8); // family 0 = AF_UNSPEC
            int r = (int) CONNECT.invokeExact(state(), fd, sa, 16);
            if (r < 0 && errno() != Errno.EAFNOSUPPORT.value()) {
                throw Errors.of("disconnect", errno());
            }
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw fatal(t);
        }
    }

    /**
     * accept4 non-blocking close-on-exec: the new descriptor, or -1 when none is pending. The peer's
     * address is written to {@code peer} (SOCKADDR_MAX bytes) by accept itself, as the JDK takes it:
     * a connection reset while it waited in the queue has no peer any more for getpeername
     * (ENOTCONN), but it is still a connection to hand out, whose first read reports the reset.
     */
    int accept(MemorySegment peer, MemorySegment peerLen) throws IOException {
        peerLen.set(JAVA_INT, 0, SOCKADDR_MAX);
        int c;
        try {
            c = (int) ACCEPT4.invokeExact(state(), fd, peer, peerLen, SOCK_NONBLOCK | SOCK_CLOEXEC);
        } catch (Throwable t) {
            throw fatal(t);
        }
        if (c < 0) {
            int e = errno();
            if (e == EAGAIN || e == EINTR || e == Errno.ECONNABORTED.value()) {
                return -1;
            }
            throw Errors.of("accept", e);
        }
        return c;
    }

    InetSocketAddress localAddress() throws IOException {
        return name(GETSOCKNAME, "getsockname");
    }

    InetSocketAddress remoteAddress() throws IOException {
        return name(GETPEERNAME, "getpeername");
    }

    private InetSocketAddress name(java.lang.invoke.MethodHandle h, String what) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment sa = a.allocate(SOCKADDR_MAX, 8);
            MemorySegment len = a.allocateFrom(JAVA_INT, SOCKADDR_MAX);
            int r = (int) h.invokeExact(state(), fd, sa, len);
            if (r < 0) {
                throw Errors.of(what, errno());
            }
            return SockAddr.decode(sa);
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw fatal(t);
        }
    }

    int getIntOption(int level, int name) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(8, 4);
            MemorySegment len = a.allocateFrom(JAVA_INT, 8);
            int r = (int) GETSOCKOPT.invokeExact(state(), fd, level, name, v, len);
            if (r < 0) {
                throw Errors.of("getsockopt", errno());
            }
            return v.get(JAVA_INT, 0);
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw fatal(t);
        }
    }

    void setIntOption(int level, int name, int value) throws IOException {
        setOption(level, name, new int[] {value});
    }

    /** struct linger {int onoff; int seconds} and other int-array options. */
    int[] getIntsOption(int level, int name, int count) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(4L * count, 4);
            MemorySegment len = a.allocateFrom(JAVA_INT, 4 * count);
            int r = (int) GETSOCKOPT.invokeExact(state(), fd, level, name, v, len);
            if (r < 0) {
                throw Errors.of("getsockopt", errno());
            }
            return v.toArray(JAVA_INT);
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw fatal(t);
        }
    }

    void setOption(int level, int name, int[] values) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocateFrom(JAVA_INT, values);
            int r = (int) SETSOCKOPT.invokeExact(state(), fd, level, name, v, 4 * values.length);
            if (r < 0) {
                throw Errors.of("setsockopt", errno());
            }
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw fatal(t);
        }
    }

    /**
     * Waits until the socket is ready for {@code pollEvents} (POLLIN/POLLOUT), fails, hangs up or is
     * closed, or {@code timeoutMillis} pass (-1: no limit). Platform threads wait in poll(2);
     * virtual threads park while a shared {@link org.jioth.linux.unix.Reactor} watches the socket,
     * so they never pin their carrier.
     */
    void await(int pollEvents, long timeoutMillis) throws IOException {
        if (Thread.currentThread().isVirtual()) {
            reactorWaits.await(pollEvents, timeoutMillis);
            return;
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment pfd = a.allocate(8, 4);
            pfd.set(JAVA_INT, 0, fd);
            pfd.set(JAVA_SHORT, 4, (short) pollEvents);
            int r = (int) POLL.invokeExact(state(), pfd, 1L, (int) Math.min(Integer.MAX_VALUE, timeoutMillis));
            if (r < 0 && errno() != EINTR) {
                throw new ErrnoException("poll", errno());
            }
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw fatal(t);
        }
    }

    /** Sets O_NONBLOCK on the open file (descriptors handed over by another process may lack it). */
    static void makeNonBlocking(int fd) throws ErrnoException {
        try {
            int flags = (int) FCNTL.invokeExact(state(), fd, F_GETFL, 0);
            if (flags < 0) {
                throw new ErrnoException("fcntl(F_GETFL)", errno());
            }
            if ((flags & O_NONBLOCK) == 0 && (int) FCNTL.invokeExact(state(), fd, F_SETFL, flags | O_NONBLOCK) < 0) {
                throw new ErrnoException("fcntl(F_SETFL, O_NONBLOCK)", errno());
            }
        } catch (ErrnoException | RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw fatal(t);
        }
    }

    /** Closes a descriptor that never became a channel. */
    static void closeRaw(int fd) {
        try {
            int r = (int) CLOSE.invokeExact(state(), fd);
            assert r >= -1;
        } catch (Throwable t) {
            throw fatal(t);
        }
    }

    @Override
    public String toString() {
        return "fd " + fd;
    }
}
