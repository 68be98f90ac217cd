package org.jioth.linux.fdnio;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.jioth.linux.fdnio.FdNative.*;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.nio.channels.AlreadyBoundException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.MembershipKey;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.SelectionKey;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A UDP (or ICMP echo) {@link DatagramChannel} over a socket descriptor. Multicast membership and
 * the {@code socket()} adaptor are not offered.
 */
public final class FdDatagramChannel extends DatagramChannel implements FdSelectable {
    private DatagramSocket socketAdapter;
    private final NativeFd fd;
    private final int protocol;
    private final ReentrantLock readLock = new ReentrantLock();
    private final ReentrantLock writeLock = new ReentrantLock();
    private final Object stateLock = new Object();
    /** Native sockaddr buffers, one per direction, used under the matching lock. */
    private final Arena arena = Arena.ofAuto();
    private final MemorySegment rxAddr = arena.allocate(SOCKADDR_MAX, 8);
    private final MemorySegment rxAddrLen = arena.allocate(JAVA_INT);
    private final MemorySegment txAddr = arena.allocate(SOCKADDR_MAX, 8);
    private volatile InetSocketAddress remote;
    private volatile boolean bound;

    FdDatagramChannel(FdSelectorProvider provider, int fd, int family, int protocol) {
        super(provider);
        this.fd = new NativeFd(fd, family);
        this.fd.datagram = true;
        this.protocol = protocol;
    }

    @Override
    public NativeFd nativeFd() {
        return fd;
    }

    @Override
    public DatagramChannel bind(SocketAddress local) throws IOException {
        readLock.lock();
        writeLock.lock();
        try {
            synchronized (stateLock) {
                ensureOpen();
                if (bound) {
                    throw new AlreadyBoundException();
                }
                fd.bind(FdSocketChannel.checkLocal(local, fd.family));
                bound = true;
            }
        } finally {
            writeLock.unlock();
            readLock.unlock();
        }
        return this;
    }

    @Override
    public <T> DatagramChannel setOption(SocketOption<T> name, T value) throws IOException {
        ensureOpen();
        SocketOptionTable.DATAGRAM_OPTIONS.set(fd, name, value);
        return this;
    }

    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException {
        ensureOpen();
        return SocketOptionTable.DATAGRAM_OPTIONS.get(fd, name);
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return SocketOptionTable.DATAGRAM_OPTIONS.names();
    }

    /** The java.net view of this channel, made once (as the JDK's channels do). */
    @Override
    public synchronized DatagramSocket socket() {
        if (socketAdapter == null) {
            socketAdapter = new org.jioth.nio.ChannelDatagramSocket(this);
        }
        return socketAdapter;
    }

    @Override
    public boolean isConnected() {
        return remote != null;
    }

    @Override
    public DatagramChannel connect(SocketAddress target) throws IOException {
        InetSocketAddress isa = FdSocketChannel.checkAddress(target);
        readLock.lock();
        writeLock.lock();
        try {
            synchronized (stateLock) {
                ensureOpen();
                if (remote != null) {
                    throw new java.nio.channels.AlreadyConnectedException();
                }
                if (!fd.connect(isa)) {
                    throw new IOException("datagram connect did not complete at once");
                }
                remote = isa;
                bound = true;
            }
        } finally {
            writeLock.unlock();
            readLock.unlock();
        }
        return this;
    }

    @Override
    public DatagramChannel disconnect() throws IOException {
        readLock.lock();
        writeLock.lock();
        try {
            synchronized (stateLock) {
                if (!isOpen() || remote == null) {
                    return this;
                }
                fd.disconnect();
                remote = null;
            }
        } finally {
            writeLock.unlock();
            readLock.unlock();
        }
        return this;
    }

    @Override
    public SocketAddress getRemoteAddress() throws IOException {
        ensureOpen();
        return remote;
    }

    @Override
    public SocketAddress receive(ByteBuffer dst) throws IOException {
        Objects.requireNonNull(dst);
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("Read-only buffer");
        }
        readLock.lock();
        try {
            ensureOpen();
            bindIfNeeded();
            boolean blocking = isBlocking();
            return io(blocking, POLLIN, () -> fd.recvFrom(dst, rxAddr, rxAddrLen));
        } finally {
            readLock.unlock();
        }
    }

    @Override
    public int send(ByteBuffer src, SocketAddress target) throws IOException {
        Objects.requireNonNull(src);
        InetSocketAddress isa = FdSocketChannel.checkAddress(target);
        writeLock.lock();
        try {
            ensureOpen();
            InetSocketAddress connected = remote;
            if (connected != null && !connected.equals(isa)) {
                throw new java.nio.channels.AlreadyConnectedException();
            }
            int len = SockAddr.encode(isa, fd.family, txAddr);
            Integer n = io(isBlocking(), POLLOUT, () -> {
                int r = fd.send(src, txAddr, len);
                return r < 0 ? null : r;
            });
            bound = true;
            return n == null ? 0 : n;
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        Objects.requireNonNull(dst);
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("Read-only buffer");
        }
        readLock.lock();
        try {
            ensureConnected();
            Integer n = io(isBlocking(), POLLIN, () -> {
                int r = fd.recv(dst);
                return r < 0 ? null : r;
            });
            return n == null ? 0 : n;
        } finally {
            readLock.unlock();
        }
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, dsts.length);
        for (int i = offset; i < offset + length; i++) {
            if (dsts[i].hasRemaining()) {
                return read(dsts[i]); // one datagram into the first buffer with room
            }
        }
        return 0;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        Objects.requireNonNull(src);
        writeLock.lock();
        try {
            ensureConnected();
            Integer n = io(isBlocking(), POLLOUT, () -> {
                int r = fd.send(src, MemorySegment.NULL, 0);
                return r < 0 ? null : r;
            });
            return n == null ? 0 : n;
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, srcs.length);
        int total = 0;
        for (int i = offset; i < offset + length; i++) {
            total += srcs[i].remaining();
        }
        ByteBuffer one = ByteBuffer.allocate(total); // a datagram is one unit: gather it first
        for (int i = offset; i < offset + length; i++) {
            one.put(srcs[i].duplicate());
        }
        one.flip();
        int n = write(one);
        int left = n;
        for (int i = offset; i < offset + length && left > 0; i++) {
            int step = Math.min(left, srcs[i].remaining());
            srcs[i].position(srcs[i].position() + step);
            left -= step;
        }
        return n;
    }

    private interface Op<T> {
        /** The result, or null when it would block. */
        T attempt() throws IOException;
    }

    private <T> T io(boolean blocking, int events, Op<T> op) throws IOException {
        if (!fd.tryBegin()) {
            throw new ClosedChannelException();
        }
        boolean completed = false;
        T result = null;
        try {
            if (blocking) {
                begin();
            }
            while (true) {
                result = op.attempt();
                if (result != null || !blocking || !isOpen()) {
                    break;
                }
                fd.await(events, -1);
            }
            completed = result != null || isOpen();
            return result;
        } finally {
            if (blocking) {
                end(completed);
            }
            fd.end();
        }
    }

    private void bindIfNeeded() throws IOException {
        synchronized (stateLock) {
            if (!bound) {
                fd.bind(FdSocketChannel.checkLocal(null, fd.family));
                bound = true;
            }
        }
    }

    @Override
    public SocketAddress getLocalAddress() throws IOException {
        ensureOpen();
        return bound ? fd.localAddress() : null;
    }

    @Override
    public MembershipKey join(InetAddress group, NetworkInterface interf) {
        throw new UnsupportedOperationException("multicast membership is not offered by descriptor channels");
    }

    @Override
    public MembershipKey join(InetAddress group, NetworkInterface interf, InetAddress source) {
        throw new UnsupportedOperationException("multicast membership is not offered by descriptor channels");
    }

    @Override
    protected void implCloseSelectableChannel() {
        fd.close();
    }

    @Override
    protected void implConfigureBlocking(boolean block) {
        // always non-blocking underneath
    }

    private void ensureOpen() throws ClosedChannelException {
        if (!isOpen()) {
            throw new ClosedChannelException();
        }
    }

    private void ensureConnected() throws IOException {
        ensureOpen();
        if (remote == null) {
            throw new NotYetConnectedException();
        }
    }

    @Override
    public int pollEventsFor(int ops) {
        int e = 0;
        if ((ops & SelectionKey.OP_READ) != 0) {
            e |= POLLIN;
        }
        if ((ops & SelectionKey.OP_WRITE) != 0) {
            e |= POLLOUT;
        }
        return e;
    }

    @Override
    public int readyOpsFor(int events, int ops) {
        if ((events & POLLNVAL) != 0) {
            return 0;
        }
        if ((events & (POLLERR | POLLHUP)) != 0) {
            return ops;
        }
        int ready = 0;
        if ((events & POLLIN) != 0) {
            ready |= ops & SelectionKey.OP_READ;
        }
        if ((events & POLLOUT) != 0) {
            ready |= ops & SelectionKey.OP_WRITE;
        }
        return ready;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + (isOpen() ? (remote == null ? "unconnected" : "connected " + remote) : "closed")
                + (protocol != 0 ? " icmp" : "") + "]";
    }
}
