package org.jioth.linux.fdnio;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.jioth.linux.fdnio.FdNative.*;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.channels.AlreadyBoundException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NotYetBoundException;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/** A listening TCP {@link ServerSocketChannel} over a socket descriptor; accepted channels are {@link FdSocketChannel}s. */
public final class FdServerSocketChannel extends ServerSocketChannel implements FdSelectable {
    private final FdSelectorProvider provider;
    private final NativeFd fd;
    private final ReentrantLock acceptLock = new ReentrantLock();
    private final Object stateLock = new Object();
    private volatile InetSocketAddress localAddress;

    FdServerSocketChannel(FdSelectorProvider provider, int fd, int family) {
        super(provider);
        this.provider = provider;
        this.fd = new NativeFd(fd, family);
    }

    @Override
    public NativeFd nativeFd() {
        return fd;
    }

    @Override
    public ServerSocketChannel bind(SocketAddress local, int backlog) throws IOException {
        synchronized (stateLock) {
            ensureOpen();
            if (localAddress != null) {
                throw new AlreadyBoundException();
            }
            fd.bind(FdSocketChannel.checkLocal(local, fd.family));
            fd.listen(backlog < 1 ? 50 : backlog);
            localAddress = fd.localAddress();
        }
        return this;
    }

    @Override
    public <T> ServerSocketChannel setOption(SocketOption<T> name, T value) throws IOException {
        ensureOpen();
        SocketOptionTable.SERVER_OPTIONS.set(fd, name, value);
        return this;
    }

    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException {
        ensureOpen();
        return SocketOptionTable.SERVER_OPTIONS.get(fd, name);
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return SocketOptionTable.SERVER_OPTIONS.names();
    }

    /** Not available (see {@link FdSocketChannel#socket()}); use {@code org.jioth.nio.ChannelServerSocket}. */
    @Override
    public ServerSocket socket() {
        throw new UnsupportedOperationException("socket() of a descriptor channel: use org.jioth.nio.ChannelServerSocket "
                + "(IothStack.serverSocketFactory()) over this provider instead");
    }

    /**
     * Whether the kernel's accept queue of this listener is full (it then drops handshakes that
     * complete, and SYNs), from {@code TCP_INFO}: for a listener the kernel reports the queue's
     * length in {@code tcpi_unacked} and its limit (the backlog) in {@code tcpi_sacked}. False when
     * closed, not listening, or on error: a caller that paces its input by this must never wait on
     * a socket that is gone.
     */
    public boolean acceptQueueFull() {
        if (localAddress == null || !fd.tryBegin()) {
            return false;
        }
        try {
            int[] info = fd.getIntsOption(IPPROTO_TCP, TCP_INFO, 8);
            return info[6] > info[7]; // the kernel's sk_acceptq_is_full: length > backlog
        } catch (IOException e) {
            return false;
        } finally {
            fd.end();
        }
    }

    @Override
    public SocketChannel accept() throws IOException {
        acceptLock.lock();
        try {
            ensureOpen();
            if (localAddress == null) {
                throw new NotYetBoundException();
            }
            boolean blocking = isBlocking();
            if (!fd.tryBegin()) {
                throw new ClosedChannelException();
            }
            boolean completed = false;
            int c = -1;
            InetSocketAddress remote = null;
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment peer = arena.allocate(SOCKADDR_MAX, 8);
                MemorySegment peerLen = arena.allocate(JAVA_INT);
                if (blocking) {
                    begin();
                }
                while (true) {
                    c = fd.accept(peer, peerLen);
                    if (c >= 0) {
                        remote = SockAddr.decode(peer);
                    }
                    if (c >= 0 || !blocking || !isOpen()) {
                        break;
                    }
                    fd.await(POLLIN, -1);
                }
                completed = c >= 0 || isOpen();
            } finally {
                if (blocking) {
                    end(completed);
                }
                fd.end();
            }
            if (c < 0) {
                return null;
            }
            NativeFd accepted = new NativeFd(c, fd.family);
            try {
                // getsockname works on a connection already reset; the peer came from accept itself
                return provider.opened(new FdSocketChannel(provider, accepted, accepted.localAddress(), remote));
            } catch (IOException | RuntimeException e) {
                accepted.close();
                throw e;
            }
        } finally {
            acceptLock.unlock();
        }
    }

    @Override
    public SocketAddress getLocalAddress() throws IOException {
        ensureOpen();
        return localAddress;
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

    @Override
    public int pollEventsFor(int ops) {
        return (ops & SelectionKey.OP_ACCEPT) != 0 ? POLLIN : 0;
    }

    @Override
    public int readyOpsFor(int events, int ops) {
        if ((events & POLLNVAL) != 0) {
            return 0;
        }
        if ((events & (POLLERR | POLLHUP)) != 0) {
            return ops;
        }
        return (events & POLLIN) != 0 ? ops & SelectionKey.OP_ACCEPT : 0;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + (isOpen() ? (localAddress == null ? "unbound" : localAddress.toString()) : "closed") + "]";
    }
}
