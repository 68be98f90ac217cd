package org.jioth.linux.netlink;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import org.jioth.linux.ErrnoException;
import org.jioth.linux.NativeSupport;

/**
 * A bound AF_NETLINK/NETLINK_ROUTE socket in the calling thread's network namespace, used by one
 * thread: send whole requests, receive whole datagrams. Receives time out (SO_RCVTIMEO) so a
 * missing reply becomes EAGAIN instead of a hang.
 */
public final class NetlinkSocket implements AutoCloseable {
    private static final int INITIAL_BUFFER = 32 * 1024;

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment callState = NativeSupport.newCallState(arena);
    private final int fd;
    private MemorySegment rxBuffer;
    private boolean closed;

    private NetlinkSocket(int fd) {
        this.fd = fd;
        this.rxBuffer = arena.allocate(INITIAL_BUFFER, 8);
    }

    /**
     * socket(AF_NETLINK, SOCK_RAW|SOCK_CLOEXEC, NETLINK_ROUTE), bound to {AF_NETLINK, pid 0, groups 0}.
     *
     * @throws ErrnoException naming the failed call (socket, bind or setsockopt)
     */
    public static NetlinkSocket open(Duration receiveTimeout) throws ErrnoException {
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment state = NativeSupport.newCallState(tmp);
            int fd = (int) NetlinkLibc.SOCKET.invokeExact(state, Rtnl.AF_NETLINK,
                    NetlinkLibc.SOCK_RAW | NetlinkLibc.SOCK_CLOEXEC, Rtnl.NETLINK_ROUTE);
            if (fd < 0) {
                throw new ErrnoException("socket(AF_NETLINK, SOCK_RAW|SOCK_CLOEXEC, NETLINK_ROUTE)",
                        NativeSupport.errno(state));
            }
            NetlinkSocket socket = new NetlinkSocket(fd);
            try {
                socket.bindAndSetTimeout(tmp, receiveTimeout);
            } catch (ErrnoException | RuntimeException e) {
                socket.close();
                throw e;
            }
            return socket;
        } catch (ErrnoException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError("unexpected exception from a libc downcall", t);
        }
    }

    /**
     * Takes ownership of {@code fd}, an unbound AF_NETLINK/NETLINK_ROUTE socket made elsewhere (for
     * example in another network namespace, whose kernel it then talks to), and binds it as
     * {@link #open} does. The descriptor is closed on failure.
     */
    public static NetlinkSocket adopt(int fd, Duration receiveTimeout) throws ErrnoException {
        NetlinkSocket socket = new NetlinkSocket(fd);
        try (Arena tmp = Arena.ofConfined()) {
            socket.bindAndSetTimeout(tmp, receiveTimeout);
            return socket;
        } catch (ErrnoException | RuntimeException | Error e) {
            socket.close();
            throw e;
        } catch (Throwable t) {
            socket.close();
            throw new AssertionError("unexpected exception from a libc downcall", t);
        }
    }

    private void bindAndSetTimeout(Arena tmp, Duration timeout) throws Throwable {
        MemorySegment sockaddr = tmp.allocate(12, 4); // sockaddr_nl: u16 family, u16 pad, u32 pid, u32 groups
        sockaddr.set(ValueLayout.JAVA_SHORT, 0, (short) Rtnl.AF_NETLINK);
        int rc = (int) NetlinkLibc.BIND.invokeExact(callState, fd, sockaddr, (int) sockaddr.byteSize());
        if (rc < 0) {
            throw new ErrnoException("bind(AF_NETLINK)", NativeSupport.errno(callState));
        }
        MemorySegment timeval = tmp.allocate(16, 8); // struct timeval: i64 sec, i64 usec
        timeval.set(ValueLayout.JAVA_LONG, 0, timeout.toSeconds());
        timeval.set(ValueLayout.JAVA_LONG, 8, timeout.toMillisPart() * 1000L);
        rc = (int) NetlinkLibc.SETSOCKOPT.invokeExact(callState, fd, NetlinkLibc.SOL_SOCKET,
                NetlinkLibc.SO_RCVTIMEO, timeval, (int) timeval.byteSize());
        if (rc < 0) {
            throw new ErrnoException("setsockopt(SO_RCVTIMEO)", NativeSupport.errno(callState));
        }
    }

    /** Sends one whole request message. */
    public void send(byte[] message) throws ErrnoException {
        MemorySegment seg = arena.allocate(message.length, 8);
        MemorySegment.copy(message, 0, seg, ValueLayout.JAVA_BYTE, 0, message.length);
        long n;
        try {
            do {
                n = (long) NetlinkLibc.SEND.invokeExact(callState, fd, seg, (long) message.length, 0);
            } while (n < 0 && NativeSupport.errno(callState) == NetlinkLibc.EINTR);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (n < 0) {
            throw new ErrnoException("send(netlink)", NativeSupport.errno(callState));
        }
        if (n != message.length) {
            throw new ErrnoException("send(netlink)", org.jioth.Errno.EMSGSIZE.value(),
                    "sent " + n + " of " + message.length + " bytes");
        }
    }

    /**
     * Receives one whole datagram, however large: its size is probed first with MSG_PEEK|MSG_TRUNC
     * and the buffer grows to fit. The result is a host-order heap buffer the caller owns.
     */
    public ByteBuffer receive() throws ErrnoException {
        long size = recv(rxBuffer, NetlinkLibc.MSG_PEEK | NetlinkLibc.MSG_TRUNC);
        if (size > rxBuffer.byteSize()) {
            rxBuffer = arena.allocate(size, 8);
        }
        long n = recv(rxBuffer, 0);
        byte[] data = rxBuffer.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
        return ByteBuffer.wrap(data).order(ByteOrder.nativeOrder());
    }

    private long recv(MemorySegment into, int flags) throws ErrnoException {
        long n;
        try {
            do {
                n = (long) NetlinkLibc.RECV.invokeExact(callState, fd, into, into.byteSize(), flags);
            } while (n < 0 && NativeSupport.errno(callState) == NetlinkLibc.EINTR);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (n < 0) {
            throw new ErrnoException("recv(netlink)", NativeSupport.errno(callState));
        }
        return n;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            int rc = (int) NetlinkLibc.CLOSE.invokeExact(callState, fd);
            assert rc == 0 || rc == -1;
        } catch (Throwable t) {
            throw rethrow(t);
        } finally {
            arena.close();
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new AssertionError("unexpected exception from a libc downcall", t);
    }
}
