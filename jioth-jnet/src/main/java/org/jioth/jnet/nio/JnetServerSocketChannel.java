package org.jioth.jnet.nio;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.channels.AlreadyBoundException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NotYetBoundException;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Objects;
import java.util.Set;
import org.jioth.jnet.JnetStack;
import org.jioth.jnet.tcp.TcpConfig;
import org.jioth.jnet.tcp.TcpLayer;
import org.jioth.jnet.tcp.TcpListener;
import org.jioth.jnet.tcp.TcpSocket;
import org.jioth.jnet.wire.Ip4;
import org.jioth.nio.Readiness;
import org.jioth.nio.ReadinessSource;

/**
 * A listening TCP socket of a jnet stack with {@link ServerSocketChannel}'s semantics: the loop
 * completes handshakes into the listener's bounded accept queue, {@link #accept} takes from it.
 * Accepted channels inherit the buffer sizes and TCP options set here before {@link #bind}.
 */
public final class JnetServerSocketChannel extends ServerSocketChannel implements ReadinessSource {
    /** SO_RCVBUF and SO_SNDBUF are inherited by the accepted channels, as on Linux. */
    private static final Set<SocketOption<?>> OPTIONS = Set.of(StandardSocketOptions.SO_RCVBUF,
            StandardSocketOptions.SO_SNDBUF, StandardSocketOptions.SO_REUSEADDR);
    private static final Set<SocketOption<?>> OPTIONS6 = Set.of(StandardSocketOptions.SO_RCVBUF,
            StandardSocketOptions.SO_SNDBUF, StandardSocketOptions.SO_REUSEADDR, org.jioth.jnet.JnetSocketOptions.IPV6_V6ONLY);
    /** The JDK's default backlog. */
    private static final int DEFAULT_BACKLOG = 50;

    private final JnetSelectorProvider provider;
    private final JnetStack stack;
    private final TcpLayer tcp;
    private final TcpListener listener = new TcpListener(new TcpConfig());
    private final Readiness readiness = new Readiness(this, this::readyOps);
    private final Object stateLock = new Object();
    private volatile boolean bound;
    private volatile boolean transparent;
    private boolean reuseAddress;
    private boolean inet6;
    private boolean v6only;
    private ServerSocket adapter;

    private JnetServerSocketChannel(JnetSelectorProvider provider) {
        super(provider);
        this.provider = provider;
        this.stack = provider.stack();
        this.tcp = stack.onLoopTcp();
        listener.onChange(readiness::changed);
    }

    /** A new channel of family INET6 (dual-stack unless IPV6_V6ONLY) when {@code inet6}, else INET. */
    static JnetServerSocketChannel open(JnetSelectorProvider provider, boolean inet6) {
        JnetServerSocketChannel c = new JnetServerSocketChannel(provider);
        c.inet6 = inet6;
        c.listener.setFamily(inet6, false);
        provider.stack().sockets().track(c);
        return c;
    }

    @Override
    public Readiness readiness() {
        return readiness;
    }

    private int readyOps() {
        if (stack.hasFailed()) {
            return validOps(); // wake every waiter: its next call throws
        }
        return bound && listener.hasPending() ? SelectionKey.OP_ACCEPT : 0;
    }

    private void ensureOpen() throws ClosedChannelException {
        if (!isOpen()) {
            throw new ClosedChannelException();
        }
    }

    @Override
    public ServerSocketChannel bind(SocketAddress local, int backlog) throws IOException {
        synchronized (stateLock) {
            ensureOpen();
            if (bound) {
                throw new AlreadyBoundException();
            }
            InetSocketAddress isa = local == null ? new InetSocketAddress(Ip4.toInet(0), 0) : Addresses.check(local);
            Addresses.Key addr = Addresses.key(isa.getAddress(), inet6);
            int port = isa.getPort();
            int b = backlog < 1 ? DEFAULT_BACKLOG : backlog;
            boolean reuse = reuseAddress;
            boolean only = v6only;
            int r = stack.onLoop(() -> {
                listener.setReuseAddress(reuse);
                listener.setFamily(inet6, only);
                return tcp.listen(listener, addr.hi(), addr.lo(), port, b);
            });
            if (r != 0) {
                throw JnetSocketChannel.failure(-r, "bind " + addr + ":" + port);
            }
            bound = true;
        }
        return this;
    }

    /**
     * Makes this the stack's transparent listener (a slirp gateway's): it accepts every connection
     * no other listener takes, whatever its destination; an accepted channel's local address is the
     * destination its peer asked for. The stack must be in transparent mode (see
     * {@link org.jioth.jnet.TransparentGateway}).
     */
    public void bindTransparent(int backlog) throws IOException {
        synchronized (stateLock) {
            ensureOpen();
            if (bound) {
                throw new AlreadyBoundException();
            }
            int b = backlog < 1 ? DEFAULT_BACKLOG : backlog;
            stack.onLoop(() -> {
                tcp.setTransparentListener(listener, b);
                return null;
            });
            transparent = true;
            bound = true;
        }
    }

    @Override
    public SocketChannel accept() throws IOException {
        ensureOpen();
        if (!bound) {
            throw new NotYetBoundException();
        }
        while (true) {
            stack.checkAlive(); // a failed stack: an IOException naming why
            TcpSocket s = listener.poll();
            if (s != null) {
                return JnetSocketChannel.accepted(provider, s);
            }
            if (!isBlocking()) {
                return null;
            }
            readiness.await(SelectionKey.OP_ACCEPT); // closes on interrupt itself: no begin/end
        }
    }

    @Override
    public SocketAddress getLocalAddress() throws IOException {
        ensureOpen();
        return bound ? new InetSocketAddress(listener.localInet(), listener.localPort()) : null;
    }

    @Override
    public <T> ServerSocketChannel setOption(SocketOption<T> name, T value) throws IOException {
        Objects.requireNonNull(name);
        ensureOpen();
        OptionChecks.supported(supportedOptions(), name, "server socket channels");
        OptionChecks.value(name, value);
        if (name == org.jioth.jnet.JnetSocketOptions.IPV6_V6ONLY) {
            synchronized (stateLock) {
                if (bound) {
                    throw new java.net.SocketException("IPV6_V6ONLY must be set before bind (Invalid argument)");
                }
                v6only = (Boolean) value;
            }
            return this;
        }
        if (name == StandardSocketOptions.SO_REUSEADDR) {
            synchronized (stateLock) {
                reuseAddress = (Boolean) value;
            }
            return this;
        }
        TcpConfig cfg = listener.template();
        stack.onLoop(() -> {
            JnetSocketChannel.applyOption(cfg, name, value);
            return null;
        });
        return this;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T getOption(SocketOption<T> name) throws IOException {
        Objects.requireNonNull(name);
        ensureOpen();
        OptionChecks.supported(supportedOptions(), name, "server socket channels");
        if (name == org.jioth.jnet.JnetSocketOptions.IPV6_V6ONLY) {
            synchronized (stateLock) {
                return (T) Boolean.valueOf(v6only);
            }
        }
        if (name == StandardSocketOptions.SO_REUSEADDR) {
            synchronized (stateLock) {
                return (T) Boolean.valueOf(reuseAddress);
            }
        }
        TcpConfig cfg = listener.template();
        return (T) stack.onLoop(() -> name == StandardSocketOptions.SO_SNDBUF ? cfg.sendBuffer : cfg.receiveBuffer);
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return inet6 ? OPTIONS6 : OPTIONS;
    }

    @Override
    public ServerSocket socket() {
        synchronized (stateLock) {
            if (adapter == null) {
                try {
                    adapter = new org.jioth.nio.ChannelServerSocket(this);
                } catch (IOException e) {
                    throw new IllegalStateException("cannot make a ServerSocket adapter", e);
                }
            }
            return adapter;
        }
    }

    @Override
    protected void implCloseSelectableChannel() throws IOException {
        readiness.changed();
        stack.sockets().untrack(this);
        if (stack.isClosed()) {
            return;
        }
        try {
            stack.onLoop(() -> {
                if (transparent) {
                    tcp.setTransparentListener(null, 0);
                }
                tcp.closeListener(listener);
                return null;
            });
        } catch (IOException e) {
            // the stack is going away
        }
    }

    @Override
    protected void implConfigureBlocking(boolean block) {
        readiness.changed();
    }

    @Override
    public String toString() {
        return "JnetServerSocketChannel[" + (isOpen() ? "" : "closed ")
                + (bound ? listener.localInet().getHostAddress() + ":" + listener.localPort() : "unbound") + "]";
    }
}
