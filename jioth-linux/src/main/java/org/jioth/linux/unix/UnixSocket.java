package org.jioth.linux.unix;

import static org.jioth.linux.unix.UnixNative.*;

import java.io.Closeable;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;
import org.jioth.linux.ErrnoException;

/**
 * A non-blocking AF_UNIX socket (stream, datagram or seqpacket) owned by Java. Every call returns
 * at once: "would block" is reported as -1 (or null), never by waiting; wait for readiness with a
 * {@link Reactor}. So these calls are safe on virtual threads.
 *
 * <p>{@link #send}/{@link #receive} move bytes straight from and into the caller's
 * {@link ByteBuffer} (heap or direct) without a copy, but wrap it in a small {@code MemorySegment}
 * per call; frame data paths use {@link SendRing} and {@link DatagramBatch} instead (one copy into
 * native memory they own, no object per frame, many frames per system call). After {@link #close} the descriptor number may
 * be reused by the OS: the owner must make sure no thread still uses the socket (a {@link Reactor}
 * registration is cancelled first, see {@link Reactor.Registration#cancel}).
 */
public final class UnixSocket implements Closeable {
    /** The socket type. */
    public enum Type {
        STREAM(SOCK_STREAM), DATAGRAM(SOCK_DGRAM), SEQPACKET(SOCK_SEQPACKET);

        final int value;

        Type(int value) {
            this.value = value;
        }
    }

    private final int fd;
    private final Type type;
    /**
     * Bit 31: closed; the rest: calls in progress. The descriptor is released only when both hold,
     * so a call racing with {@link #close} never reaches a descriptor number the OS reused.
     */
    private final AtomicInteger state = new AtomicInteger();

    private UnixSocket(int fd, Type type) {
        this.fd = fd;
        this.type = type;
    }

    /** A new unbound, unconnected, non-blocking, close-on-exec socket. */
    public static UnixSocket open(Type type) throws ErrnoException {
        int fd;
        try {
            fd = (int) SOCKET.invokeExact(state(), AF_UNIX, type.value | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        } catch (Throwable t) {
            throw fatal(t);
        }
        if (fd < 0) {
            throw new ErrnoException("socket(AF_UNIX, " + type + ")", errno());
        }
        return new UnixSocket(fd, type);
    }

    /**
     * Takes ownership of an open AF_UNIX descriptor of {@code type} (for example one inherited from
     * a parent process). The caller makes it non-blocking if it wants the calls here not to wait.
     */
    public static UnixSocket adopt(int fd, Type type) {
        if (fd < 0) {
            throw new IllegalArgumentException("not a descriptor: " + fd);
        }
        return new UnixSocket(fd, type);
    }

    /** A connected pair, both ends non-blocking. */
    public static UnixSocket[] pair(Type type) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(ValueLayout.JAVA_INT, 2);
            int r = (int) SOCKETPAIR.invokeExact(state(), AF_UNIX, type.value | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds);
            if (r < 0) {
                throw new ErrnoException("socketpair(AF_UNIX, " + type + ")", errno());
            }
            return new UnixSocket[] {new UnixSocket(fds.getAtIndex(ValueLayout.JAVA_INT, 0), type),
                    new UnixSocket(fds.getAtIndex(ValueLayout.JAVA_INT, 1), type)};
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw fatal(t);
        }
    }

    public int fd() {
        return fd;
    }

    public Type type() {
        return type;
    }

    public boolean isOpen() {
        return state.get() >= 0;
    }

    /** Enters a call; an EBADF {@link ErrnoException} once closed. */
    void begin(String call) throws ErrnoException {
        while (true) {
            int s = state.get();
            if (s < 0) {
                throw new ErrnoException(call, org.jioth.Errno.EBADF.value(), "socket closed");
            }
            if (state.compareAndSet(s, s + 1)) {
                return;
            }
        }
    }

    /** Leaves a call; the last one out after a close releases the descriptor. */
    void end() {
        if (state.decrementAndGet() == Integer.MIN_VALUE) {
            release();
        }
    }

    /**
     * fchmod on the unbound socket: {@link #bind} creates its file with these permissions (less the
     * umask), so the file never exists with looser ones and needs no chmod by path.
     */
    public void setFileMode(int permissions) throws ErrnoException {
        begin("fchmod");
        try {
            if ((int) FCHMOD.invokeExact(state(), fd, permissions) < 0) {
                throw new ErrnoException("fchmod", errno());
            }
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw fatal(t);
        } finally {
            end();
        }
    }

    /** Binds to the file {@code path} (which must not exist). */
    public void bind(String path) throws ErrnoException {
        addressCall("bind", BIND, path);
    }

    /**
     * Connects to {@code path}. For stream sockets a full listen backlog is reported as an
     * {@link ErrnoException} with EAGAIN (AF_UNIX connects otherwise complete at once).
     */
    public void connect(String path) throws ErrnoException {
        addressCall("connect", CONNECT, path);
    }

    private void addressCall(String what, java.lang.invoke.MethodHandle h, String path) throws ErrnoException {
        begin(what);
        try {
            byte[] a;
            try {
                a = UnixAddress.encode(path);
            } catch (IllegalArgumentException e) {
                throw new ErrnoException(what, org.jioth.Errno.ENAMETOOLONG.value(), path);
            }
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment sa = arena.allocateFrom(ValueLayout.JAVA_BYTE, a);
                int r = (int) h.invokeExact(state(), fd, sa, SOCKADDR_UN_SIZE);
                if (r < 0) {
                    throw new ErrnoException(what, errno(), path);
                }
            } catch (ErrnoException e) {
                throw e;
            } catch (Throwable t) {
                throw fatal(t);
            }
        } finally {
            end();
        }
    }

    public void listen(int backlog) throws ErrnoException {
        begin("listen");
        try {
            try {
                if ((int) LISTEN.invokeExact(state(), fd, backlog) < 0) {
                    throw new ErrnoException("listen", errno());
                }
            } catch (ErrnoException e) {
                throw e;
            } catch (Throwable t) {
                throw fatal(t);
            }
        } finally {
            end();
        }
    }

    /** The next pending connection (non-blocking), or null when none is waiting. */
    public UnixSocket accept() throws ErrnoException {
        begin("accept");
        try {
            try {
                int c = (int) ACCEPT4.invokeExact(state(), fd, MemorySegment.NULL, MemorySegment.NULL,
                        SOCK_NONBLOCK | SOCK_CLOEXEC);
                if (c < 0) {
                    int e = errno();
                    if (e == EAGAIN || e == EINTR) {
                        return null;
                    }
                    throw new ErrnoException("accept", e);
                }
                return new UnixSocket(c, type);
            } catch (ErrnoException e) {
                throw e;
            } catch (Throwable t) {
                throw fatal(t);
            }
        } finally {
            end();
        }
    }

    /** The path this socket is bound to, or null. */
    public String localPath() throws ErrnoException {
        begin("getsockname");
        try {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment sa = arena.allocate(SOCKADDR_UN_SIZE);
                MemorySegment len = arena.allocateFrom(ValueLayout.JAVA_INT, SOCKADDR_UN_SIZE);
                if ((int) GETSOCKNAME.invokeExact(state(), fd, sa, len) < 0) {
                    throw new ErrnoException("getsockname", errno());
                }
                return UnixAddress.decode(sa, len.get(ValueLayout.JAVA_INT, 0));
            } catch (ErrnoException e) {
                throw e;
            } catch (Throwable t) {
                throw fatal(t);
            }
        } finally {
            end();
        }
    }

    /**
     * Sends {@code src} (position..limit) as one datagram/record, or as many bytes as fit for a
     * stream. Advances the position by the bytes sent. Returns them, or -1 when it would block.
     */
    public int send(ByteBuffer src) throws ErrnoException {
        return sendTo(src, MemorySegment.NULL, 0);
    }

    /** Sends one datagram to the socket at {@code path} (unconnected datagram sockets). */
    public int sendTo(ByteBuffer src, String path) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            return sendTo(src, arena.allocateFrom(ValueLayout.JAVA_BYTE, UnixAddress.encode(path)), SOCKADDR_UN_SIZE);
        }
    }

    /**
     * A destination address encoded once, so that {@link #sendTo(ByteBuffer, Destination)} allocates
     * nothing per datagram.
     */
    public static final class Destination {
        private final String path;
        private final MemorySegment address;

        private Destination(String path, MemorySegment address) {
            this.path = path;
            this.address = address;
        }

        public String path() {
            return path;
        }

        @Override
        public String toString() {
            return path;
        }
    }

    /** The prepared address of the socket file {@code path} (an {@link IllegalArgumentException} if too long). */
    public static Destination destination(String path) {
        return new Destination(path, Arena.ofAuto().allocateFrom(ValueLayout.JAVA_BYTE, UnixAddress.encode(path)));
    }

    /** Sends one datagram to {@code to} (unconnected datagram sockets); as {@link #send} otherwise. */
    public int sendTo(ByteBuffer src, Destination to) throws ErrnoException {
        return sendTo(src, to.address, SOCKADDR_UN_SIZE);
    }

    private int sendTo(ByteBuffer src, MemorySegment addr, int addrLen) throws ErrnoException {
        begin("send");
        try {
            int len = src.remaining();
            long n;
            try {
                n = (long) SENDTO.invokeExact(state(), fd, segment(src), (long) len, MSG_DONTWAIT | MSG_NOSIGNAL, addr, addrLen);
            } catch (Throwable t) {
                throw fatal(t);
            }
            if (n < 0) {
                int e = errno();
                if (e == EAGAIN || e == EINTR) {
                    return -1;
                }
                throw new ErrnoException(addrLen == 0 ? "send" : "sendto", e);
            }
            src.position(src.position() + (int) n);
            return (int) n;
        } finally {
            end();
        }
    }

    /**
     * Receives into {@code dst} (from its position; a longer datagram is truncated to fit).
     * Advances the position. Returns the bytes received (0 at the end of a stream or for an empty
     * datagram), or -1 when nothing is waiting.
     */
    public int receive(ByteBuffer dst) throws ErrnoException {
        return receiveFrom(dst, MemorySegment.NULL, MemorySegment.NULL);
    }

    /**
     * Receives one datagram and returns the sender's path ("" when unnamed), or null when nothing
     * is waiting; the bytes go to {@code dst} as in {@link #receive}.
     */
    public String receiveFrom(ByteBuffer dst) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sa = arena.allocate(SOCKADDR_UN_SIZE);
            MemorySegment len = arena.allocateFrom(ValueLayout.JAVA_INT, SOCKADDR_UN_SIZE);
            if (receiveFrom(dst, sa, len) < 0) {
                return null;
            }
            String p = UnixAddress.decode(sa, len.get(ValueLayout.JAVA_INT, 0));
            return p == null ? "" : p;
        }
    }

    private int receiveFrom(ByteBuffer dst, MemorySegment addr, MemorySegment addrLen) throws ErrnoException {
        begin("recv");
        try {
            if (dst.isReadOnly()) {
                throw new IllegalArgumentException("read-only buffer");
            }
            long n;
            try {
                n = (long) RECVFROM.invokeExact(state(), fd, segment(dst), (long) dst.remaining(), MSG_DONTWAIT, addr, addrLen);
            } catch (Throwable t) {
                throw fatal(t);
            }
            if (n < 0) {
                int e = errno();
                if (e == EAGAIN || e == EINTR) {
                    return -1;
                }
                throw new ErrnoException("recv", e);
            }
            dst.position(dst.position() + (int) n);
            return (int) n;
        } finally {
            end();
        }
    }

    private static MemorySegment segment(ByteBuffer b) {
        return MemorySegment.ofBuffer(b);
    }

    /** shutdown(SHUT_RDWR): the peer sees end of stream (and our own waiters wake); errors are ignored. */
    public void shutdown() {
        try {
            begin("shutdown");
        } catch (ErrnoException e) {
            return;
        }
        try {
            int r = (int) SHUTDOWN.invokeExact(state(), fd, SHUT_RDWR);
            assert r >= -1;
        } catch (Throwable t) {
            throw fatal(t);
        } finally {
            end();
        }
    }

    /**
     * Closes the socket; idempotent. New calls fail with EBADF at once; the descriptor itself is
     * released when the last call in progress returns.
     */
    @Override
    public void close() {
        while (true) {
            int s = state.get();
            if (s < 0) {
                return;
            }
            if (state.compareAndSet(s, s | Integer.MIN_VALUE)) {
                if (s == 0) {
                    release();
                }
                return;
            }
        }
    }

    private void release() {
        try {
            int r = (int) CLOSE.invokeExact(state(), fd);
            assert r >= -1;
        } catch (Throwable t) {
            throw fatal(t);
        }
    }

    @Override
    public String toString() {
        return "unix " + type.name().toLowerCase(java.util.Locale.ROOT) + " socket fd " + fd;
    }
}
