package org.jioth.linux.ptp;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import org.jioth.linux.ErrnoException;
import org.jioth.linux.NativeSupport;

/**
 * Minimal AF_UNIX datagram/seqpacket bindings for the ptp ports (socket, bind, connect, listen,
 * accept, send, sendto, recv, poll, close, unlink). Calls that may block (recv without
 * MSG_DONTWAIT, accept, poll with a timeout) must run on platform threads: a blocking native call
 * pins a virtual thread's carrier. Each method takes a call-state segment for errno capture
 * ({@link NativeSupport#newCallState}) so the data path allocates nothing.
 */
public final class UnixSocket {
    public static final int SOCK_DGRAM = 2;
    public static final int SOCK_SEQPACKET = 5;
    public static final int MSG_DONTWAIT = 0x40;
    public static final int MSG_NOSIGNAL = 0x4000;
    public static final int POLLIN = 0x1;
    public static final int EAGAIN = 11;
    public static final int EINTR = 4;
    public static final int ENOENT = 2;
    public static final int EADDRINUSE = 98;
    public static final int ECONNREFUSED = 111;
    /** sizeof(struct sockaddr_un) on Linux. */
    public static final int SOCKADDR_UN_SIZE = 110;
    public static final int MAX_PATH = 107;

    private static final int AF_UNIX = 1;
    private static final int SOCK_CLOEXEC = 0x80000;

    private static final MethodHandle SOCKET = NativeSupport.downcall("socket",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle BIND = NativeSupport.downcall("bind",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle CONNECT = NativeSupport.downcall("connect",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle LISTEN = NativeSupport.downcall("listen",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle ACCEPT = NativeSupport.downcall("accept4",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
    private static final MethodHandle SEND = NativeSupport.downcall("send",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle SENDTO = NativeSupport.downcall("sendto",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle RECV = NativeSupport.downcall("recv",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle POLL = NativeSupport.downcall("poll",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle CLOSE = NativeSupport.downcallNoErrno("close",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle UNLINK = NativeSupport.downcall("unlink",
            FunctionDescriptor.of(JAVA_INT, ADDRESS));

    private UnixSocket() {
    }

    /** A {@code struct sockaddr_un} for {@code path} in {@code arena}. */
    public static MemorySegment address(Arena arena, String path) {
        byte[] p = path.getBytes(StandardCharsets.UTF_8);
        if (p.length > MAX_PATH) {
            throw new IllegalArgumentException("AF_UNIX path longer than " + MAX_PATH + " bytes: " + path);
        }
        MemorySegment sa = arena.allocate(SOCKADDR_UN_SIZE);
        sa.set(JAVA_SHORT, 0, (short) AF_UNIX);
        MemorySegment.copy(p, 0, sa, java.lang.foreign.ValueLayout.JAVA_BYTE, 2, p.length);
        return sa;
    }

    public static int socket(MemorySegment state, int type) throws ErrnoException {
        return check("socket", state, (int) invoke(() -> (int) SOCKET.invokeExact(state, AF_UNIX, type | SOCK_CLOEXEC, 0)));
    }

    public static void bind(MemorySegment state, int fd, MemorySegment addr) throws ErrnoException {
        check("bind", state, (int) invoke(() -> (int) BIND.invokeExact(state, fd, addr, SOCKADDR_UN_SIZE)));
    }

    public static void connect(MemorySegment state, int fd, MemorySegment addr) throws ErrnoException {
        check("connect", state, (int) invoke(() -> (int) CONNECT.invokeExact(state, fd, addr, SOCKADDR_UN_SIZE)));
    }

    public static void listen(MemorySegment state, int fd, int backlog) throws ErrnoException {
        check("listen", state, (int) invoke(() -> (int) LISTEN.invokeExact(state, fd, backlog)));
    }

    /** Blocking accept: platform threads only. */
    public static int accept(MemorySegment state, int fd) throws ErrnoException {
        return check("accept", state, (int) invoke(() ->
                (int) ACCEPT.invokeExact(state, fd, MemorySegment.NULL, MemorySegment.NULL, SOCK_CLOEXEC)));
    }

    /** send(2); returns the byte count or -errno. Called directly (no lambda): this is the data path. */
    public static long send(MemorySegment state, int fd, MemorySegment buf, long len, int flags) {
        long n;
        try {
            n = (long) SEND.invokeExact(state, fd, buf, len, flags);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        return n < 0 ? -NativeSupport.errno(state) : n;
    }

    /** sendto(2); returns the byte count or -errno. */
    public static long sendTo(MemorySegment state, int fd, MemorySegment buf, long len, int flags, MemorySegment to) {
        long n;
        try {
            n = (long) SENDTO.invokeExact(state, fd, buf, len, flags, to, SOCKADDR_UN_SIZE);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        return n < 0 ? -NativeSupport.errno(state) : n;
    }

    /** recv(2); returns the byte count (0 = EOF on a connected seqpacket) or -errno. */
    public static long recv(MemorySegment state, int fd, MemorySegment buf, long len, int flags) {
        long n;
        try {
            n = (long) RECV.invokeExact(state, fd, buf, len, flags);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        return n < 0 ? -NativeSupport.errno(state) : n;
    }

    /** Polls one descriptor; {@code pollfd} is an 8-byte segment. Returns revents, 0 on timeout, or -errno. */
    public static int pollIn(MemorySegment state, MemorySegment pollfd, int fd, int timeoutMillis) {
        pollfd.set(JAVA_INT, 0, fd);
        pollfd.set(JAVA_SHORT, 4, (short) POLLIN);
        pollfd.set(JAVA_SHORT, 6, (short) 0);
        int n;
        try {
            n = (int) POLL.invokeExact(state, pollfd, 1L, timeoutMillis);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (n < 0) {
            return -NativeSupport.errno(state);
        }
        return n == 0 ? 0 : pollfd.get(JAVA_SHORT, 6) & 0xFFFF;
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new AssertionError(t);
    }

    public static void close(int fd) {
        if (fd >= 0) {
            invoke(() -> (int) CLOSE.invokeExact(fd));
        }
    }

    /** unlink(2); returns 0 or -errno. */
    public static int unlink(String path) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = NativeSupport.newCallState(arena);
            MemorySegment p = arena.allocateFrom(path);
            int rc = (int) invoke(() -> (int) UNLINK.invokeExact(state, p));
            return rc < 0 ? -NativeSupport.errno(state) : 0;
        }
    }

    private static int check(String call, MemorySegment state, int rc) throws ErrnoException {
        if (rc < 0) {
            throw new ErrnoException(call, NativeSupport.errno(state));
        }
        return rc;
    }

    @FunctionalInterface
    private interface NativeCall {
        long call() throws Throwable;
    }

    private static long invoke(NativeCall c) {
        try {
            return c.call();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }
}
