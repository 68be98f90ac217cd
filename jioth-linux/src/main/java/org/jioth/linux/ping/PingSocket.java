package org.jioth.linux.ping;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.io.Closeable;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.ByteOrder;
import org.jioth.linux.ErrnoException;
import org.jioth.linux.NativeSupport;
import org.jioth.linux.Poll;

/**
 * An unprivileged ICMP echo ("ping") socket: {@code socket(AF_INET[6], SOCK_DGRAM, IPPROTO_ICMP[V6])}.
 * Linux lets a process open one only when its group is in {@code net.ipv4.ping_group_range} (for
 * both families); otherwise {@link #open} fails with EACCES. The kernel sets the echo identifier
 * (the socket's own) and the checksum, and hands this socket only the replies to its identifier,
 * so one socket per probe needs no demultiplexing. One thread uses a socket at a time.
 */
public final class PingSocket implements Closeable {
    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_RAW = 3;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int IPPROTO_ICMP = 1;
    private static final int IPPROTO_ICMPV6 = 58;
    private static final int MSG_DONTWAIT = 0x40;
    private static final int EINTR = 4;
    /** What {@link #open} fails with when {@code ping_group_range} excludes the process's group. */
    public static final int EACCES = 13;
    private static final int EAGAIN = 11;
    /** The largest echo payload this socket sends or takes back. */
    public static final int MAX_DATA = 65_507;

    private static final MethodHandle SOCKET = NativeSupport.downcall("socket",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle SENDTO = NativeSupport.downcall("sendto",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle RECV = NativeSupport.downcall("recv",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle CLOSE = NativeSupport.downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    private final boolean ipv6;
    private final int fd;
    /** Holds this socket's buffers (each echo's message is sized to its data) until it is closed. */
    private final Arena arena = Arena.ofShared(); // opened on one thread (another namespace's), used on another
    private final MemorySegment state = NativeSupport.newCallState(arena);
    private final MemorySegment pollfd = arena.allocate(8, 4);
    private final MemorySegment sockaddr = arena.allocate(28, 4);
    private boolean closed;

    private PingSocket(boolean ipv6, int fd) {
        this.ipv6 = ipv6;
        this.fd = fd;
    }

    /** Opens an ICMPv6 ({@code ipv6}) or ICMP echo socket; EACCES when {@code ping_group_range} excludes us. */
    public static PingSocket open(boolean ipv6) throws ErrnoException {
        MemorySegment st = NativeSupport.newCallState(Arena.ofAuto());
        int fd;
        try {
            fd = (int) SOCKET.invokeExact(st, ipv6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC,
                    ipv6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP);
        } catch (Throwable t) {
            throw fatal(t);
        }
        if (fd < 0) {
            int e = NativeSupport.errno(st);
            throw new ErrnoException("socket(" + (ipv6 ? "AF_INET6, SOCK_DGRAM, IPPROTO_ICMPV6" : "AF_INET, SOCK_DGRAM, "
                    + "IPPROTO_ICMP") + ")", e, e != EACCES ? null
                    : "net.ipv4.ping_group_range must include the process's group for unprivileged ICMP echo sockets");
        }
        return new PingSocket(ipv6, fd);
    }

    /**
     * Whether this process may open a raw ICMP ({@code ipv6}: ICMPv6) socket (root, or
     * CAP_NET_RAW), as the JDK's {@link InetAddress#isReachable} then does; the socket is closed at once.
     */
    public static boolean rawAllowed(boolean ipv6) {
        MemorySegment st = NativeSupport.newCallState(Arena.ofAuto());
        try {
            int fd = (int) SOCKET.invokeExact(st, ipv6 ? AF_INET6 : AF_INET, SOCK_RAW | SOCK_CLOEXEC,
                    ipv6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP);
            if (fd < 0) {
                return false;
            }
            int r = (int) CLOSE.invokeExact(st, fd);
            assert r >= -1;
            return true;
        } catch (Throwable t) {
            throw fatal(t);
        }
    }

    /**
     * Sends an echo request with {@code sequence} and {@code data} (at most {@link #MAX_DATA} bytes) to
     * {@code to} and waits at most {@code timeoutMillis} for the reply with that sequence. Returns
     * true when it came (its data equal to what was sent), false on timeout.
     */
    public boolean echo(InetAddress to, int sequence, byte[] data, int timeoutMillis) throws ErrnoException {
        if (data.length > MAX_DATA) {
            throw new IllegalArgumentException("echo data of " + data.length + " bytes, at most " + MAX_DATA);
        }
        if (ipv6 != (to instanceof Inet6Address)) {
            throw new IllegalArgumentException("a " + (ipv6 ? "ICMPv6" : "ICMP") + " socket cannot reach " + to);
        }
        int addrLen = fillAddress(to);
        // one byte more than the reply: a longer datagram is cut to this size, so it cannot match
        MemorySegment message = arena.allocate(8 + data.length + 1, 4);
        message.set(JAVA_BYTE, 0, (byte) (ipv6 ? 128 : 8));
        message.set(JAVA_BYTE, 1, (byte) 0);
        message.set(JAVA_SHORT, 2, (short) 0); // the kernel fills the checksum
        message.set(JAVA_SHORT, 4, (short) 0); // and the identifier
        message.set(JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN), 6, (short) sequence);
        MemorySegment.copy(data, 0, message, JAVA_BYTE, 8, data.length);
        long sent;
        try {
            sent = (long) SENDTO.invokeExact(state, fd, message, 8L + data.length, 0, sockaddr, addrLen);
        } catch (Throwable t) {
            throw fatal(t);
        }
        if (sent < 0) {
            throw new ErrnoException("sendto (ICMP echo to " + to.getHostAddress() + ")", NativeSupport.errno(state));
        }
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        while (true) {
            long left = (deadline - System.nanoTime()) / 1_000_000L;
            if (left <= 0) {
                return false;
            }
            int ready = Poll.pollIn(state, pollfd, fd, (int) Math.min(left, Integer.MAX_VALUE));
            if (ready == -EINTR || ready == 0) {
                continue;
            }
            if (ready < 0) {
                throw new ErrnoException("poll (ICMP echo socket)", -ready);
            }
            long n;
            try {
                n = (long) RECV.invokeExact(state, fd, message, message.byteSize(), MSG_DONTWAIT);
            } catch (Throwable t) {
                throw fatal(t);
            }
            if (n < 0) {
                int e = NativeSupport.errno(state);
                if (e == EAGAIN || e == EINTR) {
                    continue;
                }
                throw new ErrnoException("recv (ICMP echo socket)", e);
            }
            if (isReplyTo(message, n, sequence, data)) {
                return true;
            } // another reply (a late one, a duplicate): keep waiting
        }
    }

    private boolean isReplyTo(MemorySegment message, long n, int sequence, byte[] data) {
        if (n != 8 + data.length || (message.get(JAVA_BYTE, 0) & 0xff) != (ipv6 ? 129 : 0)
                || (message.get(JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN), 6) & 0xffff) != (sequence & 0xffff)) {
            return false;
        }
        return MemorySegment.mismatch(message, 8, n, MemorySegment.ofArray(data), 0, data.length) < 0;
    }

    /** Writes {@code to} as a sockaddr_in or sockaddr_in6; returns its length. */
    private int fillAddress(InetAddress to) {
        sockaddr.fill((byte) 0);
        byte[] a = to.getAddress();
        if (to instanceof Inet4Address) {
            sockaddr.set(JAVA_SHORT, 0, (short) AF_INET);
            MemorySegment.copy(a, 0, sockaddr, JAVA_BYTE, 4, 4);
            return 16;
        }
        sockaddr.set(JAVA_SHORT, 0, (short) AF_INET6);
        MemorySegment.copy(a, 0, sockaddr, JAVA_BYTE, 8, 16);
        sockaddr.set(JAVA_INT, 24, ((Inet6Address) to).getScopeId());
        return 28;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            int r = (int) CLOSE.invokeExact(state, fd);
            assert r >= -1;
        } catch (Throwable t) {
            throw fatal(t);
        }
        arena.close();
    }

    private static AssertionError fatal(Throwable t) {
        return new AssertionError("libc call failed unexpectedly", t);
    }
}
