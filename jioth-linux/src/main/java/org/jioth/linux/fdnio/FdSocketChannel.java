package org.jioth.linux.fdnio;

import static org.jioth.linux.fdnio.FdNative.*;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.nio.channels.AlreadyBoundException;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ConnectionPendingException;
import java.nio.channels.NoConnectionPendingException;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.channels.UnsupportedAddressTypeException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A TCP {@link SocketChannel} over a socket descriptor (which may come from another network
 * namespace). The descriptor is always O_NONBLOCK; blocking mode waits for readiness
 * ({@link NativeFd#await}) and retries, so closing the channel or interrupting the thread ends a
 * blocked call as the JDK's channels do (AsynchronousCloseException, ClosedByInterruptException).
 */
public final class FdSocketChannel extends SocketChannel implements FdSelectable {
    private static final int UNCONNECTED = 0;
    private static final int PENDING = 1;
    private static final int CONNECTED = 2;

    private final NativeFd fd;
    private final ReentrantLock readLock = new ReentrantLock();
    private final ReentrantLock writeLock = new ReentrantLock();
    private final Object stateLock = new Object();
    private volatile int state;
    private volatile boolean inputShutdown;
    private volatile boolean outputShutdown;
    private InetSocketAddress localAddress;
    private InetSocketAddress remoteAddress;

    FdSocketChannel(FdSelectorProvider provider, int fd, int family) {
        super(provider);
        this.fd = new NativeFd(fd, family);
    }

    /** An accepted, connected channel. */
    FdSocketChannel(FdSelectorProvider provider, NativeFd fd, InetSocketAddress local, InetSocketAddress remote) {
        super(provider);
        this.fd = fd;
        this.state = CONNECTED;
        this.localAddress = local;
        this.remoteAddress = remote;
    }

    @Override
    public NativeFd nativeFd() {
        return fd;
    }

    @Override
    public SocketChannel bind(SocketAddress local) throws IOException {
        readLock.lock();
        writeLock.lock();
        try {
            synchronized (stateLock) {
                ensureOpen();
                if (state == PENDING) {
                    throw new ConnectionPendingException();
                }
                if (localAddress != null) {
                    throw new AlreadyBoundException();
                }
                fd.bind(checkLocal(local, fd.family));
                localAddress = fd.localAddress();
            }
        } finally {
            writeLock.unlock();
            readLock.unlock();
        }
        return this;
    }

    static InetSocketAddress checkLocal(SocketAddress local, int family) {
        if (local == null) {
            return new InetSocketAddress(anyAddress(family), 0);
        }
        InetSocketAddress isa = checkAddress(local);
        return isa;
    }

    static InetAddress anyAddress(int family) {
        try {
            return InetAddress.getByAddress(new byte[family == AF_INET ? 4 : 16]);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    static InetSocketAddress checkAddress(SocketAddress sa) {
        return org.jioth.nio.SocketErrors.checkAddress(sa);
    }

    @Override
    public <T> SocketChannel setOption(SocketOption<T> name, T value) throws IOException {
        ensureOpen();
        SocketOptionTable.STREAM_OPTIONS.set(fd, name, value);
        return this;
    }

    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException {
        ensureOpen();
        return SocketOptionTable.STREAM_OPTIONS.get(fd, name);
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return SocketOptionTable.STREAM_OPTIONS.names();
    }

    @Override
    public SocketChannel shutdownInput() throws IOException {
        synchronized (stateLock) {
            ensureOpen();
            if (state != CONNECTED) {
                throw new NotYetConnectedException();
            }
            if (!inputShutdown) {
                fd.shutdown(SHUT_RD);
                inputShutdown = true;
            }
        }
        return this;
    }

    @Override
    public SocketChannel shutdownOutput() throws IOException {
        synchronized (stateLock) {
            ensureOpen();
            if (state != CONNECTED) {
                throw new NotYetConnectedException();
            }
            if (!outputShutdown) {
                fd.shutdown(SHUT_WR);
                outputShutdown = true;
            }
        }
        return this;
    }

    /**
     * Not available: the JDK gives no way to build its socket adaptor over a foreign channel. Use
     * {@code IothStack.socketFactory()} or {@code org.jioth.nio.ChannelSocket}, which wrap channels
     * of this provider.
     */
    @Override
    public Socket socket() {
        throw new UnsupportedOperationException("socket() of a descriptor channel: use org.jioth.nio.ChannelSocket "
                + "(IothStack.socketFactory()) over this provider instead");
    }

    @Override
    public boolean isConnected() {
        return state == CONNECTED;
    }

    @Override
    public boolean isConnectionPending() {
        return state == PENDING;
    }

    @Override
    public boolean connect(SocketAddress remote) throws IOException {
        InetSocketAddress isa = checkAddress(remote);
        if (isa.getAddress().isAnyLocalAddress()) {
            isa = new InetSocketAddress(InetAddress.getLoopbackAddress(), isa.getPort());
        }
        readLock.lock();
        writeLock.lock();
        try {
            boolean blocking;
            synchronized (stateLock) {
                ensureOpen();
                if (state == CONNECTED) {
                    throw new AlreadyConnectedException();
                }
                if (state == PENDING) {
                    throw new ConnectionPendingException();
                }
                blocking = isBlocking();
                if (fd.family == AF_INET && !(isa.getAddress() instanceof java.net.Inet4Address)) {
                    throw new UnsupportedAddressTypeException();
                }
            }
            InetSocketAddress to = isa;
            return completeConnect(blocking, () -> {
                boolean now = fd.connect(to);
                synchronized (stateLock) {
                    remoteAddress = to;
                    state = now ? CONNECTED : PENDING;
                }
                return now || blocking && checkConnect();
            });
        } finally {
            writeLock.unlock();
            readLock.unlock();
        }
    }

    /** A step of a connect that may fail with an IOException: true when connected. */
    private interface ConnectStep {
        boolean run() throws IOException;
    }

    /**
     * Runs {@code first} (the connect itself, or a look at one in progress), then, when blocking,
     * waits until connected; true when connected. A failure closes the channel, as the JDK's does.
     * Called with both locks held.
     */
    private boolean completeConnect(boolean blocking, ConnectStep first) throws IOException {
        boolean completed = false;
        if (!fd.tryBegin()) {
            throw new ClosedChannelException();
        }
        try {
            if (blocking) {
                begin();
            }
            boolean done = first.run();
            while (!done && blocking && isOpen()) {
                fd.await(POLLOUT, -1);
                done = checkConnect();
            }
            completed = isOpen();
        } catch (IOException e) {
            completed = true; // report this failure, not the close that follows it
            close(); // as the JDK: a failed connect closes the channel
            throw e;
        } finally {
            if (blocking) {
                end(completed);
            }
            fd.end();
        }
        if (state == CONNECTED) {
            localAddress = fd.localAddress();
            return true;
        }
        return false;
    }

    /** SO_ERROR after a connect in progress: true when connected, false still pending, else thrown. */
    private boolean checkConnect() throws IOException {
        int err = fd.getIntOption(SOL_SOCKET, SO_ERROR);
        if (err != 0) {
            throw Errors.of("connect to " + remoteAddress, err);
        }
        try {
            fd.remoteAddress();
        } catch (java.net.SocketException e) {
            return false; // ENOTCONN: still in progress
        }
        state = CONNECTED;
        return true;
    }

    @Override
    public boolean finishConnect() throws IOException {
        readLock.lock();
        writeLock.lock();
        try {
            synchronized (stateLock) {
                ensureOpen();
                if (state == CONNECTED) {
                    return true;
                }
                if (state != PENDING) {
                    throw new NoConnectionPendingException();
                }
            }
            return completeConnect(isBlocking(), this::checkConnect);
        } finally {
            writeLock.unlock();
            readLock.unlock();
        }
    }

    @Override
    public SocketAddress getRemoteAddress() throws IOException {
        ensureOpen();
        return state == CONNECTED ? remoteAddress : null;
    }

    @Override
    public SocketAddress getLocalAddress() throws IOException {
        ensureOpen();
        return localAddress;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        Objects.requireNonNull(dst);
        readLock.lock();
        try {
            return readLocked(dst, isBlocking());
        } finally {
            readLock.unlock();
        }
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, dsts.length);
        readLock.lock();
        try {
            long total = 0;
            for (int i = offset; i < offset + length; i++) {
                ByteBuffer b = dsts[i];
                if (!b.hasRemaining()) {
                    continue;
                }
                int n = readLocked(b, total == 0 && isBlocking());
                if (n < 0) {
                    return total == 0 ? -1 : total;
                }
                total += n;
                if (b.hasRemaining()) {
                    break; // the socket has nothing more right now
                }
            }
            return total;
        } finally {
            readLock.unlock();
        }
    }

    private int readLocked(ByteBuffer dst, boolean blocking) throws IOException {
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("Read-only buffer");
        }
        ensureOpen();
        if (state != CONNECTED) {
            throw new NotYetConnectedException();
        }
        if (inputShutdown) {
            return -1;
        }
        if (!dst.hasRemaining()) {
            return 0;
        }
        if (!fd.tryBegin()) {
            throw new ClosedChannelException();
        }
        boolean completed = false;
        int n = 0;
        try {
            if (blocking) {
                begin();
            }
            while (true) {
                int r = fd.recv(dst);
                if (r > 0) {
                    n = r;
                    break;
                }
                if (r == 0) {
                    n = -1;
                    break;
                }
                if (!blocking || !isOpen()) {
                    break;
                }
                fd.await(POLLIN, -1);
            }
            completed = n > 0 || isOpen();
            return n;
        } finally {
            if (blocking) {
                end(completed);
            }
            fd.end();
        }
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        Objects.requireNonNull(src);
        writeLock.lock();
        try {
            return (int) writeLocked(src, isBlocking());
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, srcs.length);
        writeLock.lock();
        try {
            long total = 0;
            boolean blocking = isBlocking();
            for (int i = offset; i < offset + length; i++) {
                ByteBuffer b = srcs[i];
                if (!b.hasRemaining()) {
                    continue;
                }
                total += writeLocked(b, blocking);
                if (b.hasRemaining()) {
                    break; // would block (non-blocking mode)
                }
            }
            return total;
        } finally {
            writeLock.unlock();
        }
    }

    /** Blocking: all of src; non-blocking: what fits now (possibly 0). */
    private long writeLocked(ByteBuffer src, boolean blocking) throws IOException {
        ensureOpen();
        if (state != CONNECTED) {
            throw new NotYetConnectedException();
        }
        if (outputShutdown) {
            throw new ClosedChannelException();
        }
        if (!fd.tryBegin()) {
            throw new ClosedChannelException();
        }
        boolean completed = false;
        long written = 0;
        try {
            if (blocking) {
                begin();
            }
            while (src.hasRemaining()) {
                int r = fd.send(src, MemorySegment.NULL, 0);
                if (r > 0) {
                    written += r;
                    continue;
                }
                if (!blocking || !isOpen()) {
                    break;
                }
                fd.await(POLLOUT, -1);
            }
            completed = !src.hasRemaining() || isOpen();
            return written;
        } finally {
            if (blocking) {
                end(completed);
            }
            fd.end();
        }
    }

    @Override
    protected void implCloseSelectableChannel() {
        fd.close();
    }

    @Override
    protected void implConfigureBlocking(boolean block) {
        // The descriptor stays non-blocking; blocking mode is waiting in Java.
    }

    private void ensureOpen() throws ClosedChannelException {
        if (!isOpen()) {
            throw new ClosedChannelException();
        }
    }

    @Override
    public int pollEventsFor(int ops) {
        int e = 0;
        if ((ops & SelectionKey.OP_READ) != 0) {
            e |= POLLIN;
        }
        if ((ops & (SelectionKey.OP_WRITE | SelectionKey.OP_CONNECT)) != 0) {
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
            return ops; // let the operation itself report the failure or end of stream
        }
        int ready = 0;
        if ((events & POLLIN) != 0 && (ops & SelectionKey.OP_READ) != 0) {
            ready |= SelectionKey.OP_READ;
        }
        if ((events & POLLOUT) != 0) {
            if ((ops & SelectionKey.OP_WRITE) != 0 && state == CONNECTED) {
                ready |= SelectionKey.OP_WRITE;
            }
            if ((ops & SelectionKey.OP_CONNECT) != 0 && state == PENDING) {
                ready |= SelectionKey.OP_CONNECT;
            }
        }
        return ready;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(getClass().getSimpleName()).append('[');
        if (!isOpen()) {
            sb.append("closed");
        } else {
            sb.append(state == CONNECTED ? "connected" : state == PENDING ? "connection-pending" : "unconnected");
            if (localAddress != null) {
                sb.append(" local=").append(localAddress);
            }
            if (remoteAddress != null && state == CONNECTED) {
                sb.append(" remote=").append(remoteAddress);
            }
        }
        return sb.append(']').toString();
    }
}
