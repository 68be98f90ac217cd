package org.jioth.jnet.nio;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.AlreadyBoundException;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ConnectionPendingException;
import java.nio.channels.NoConnectionPendingException;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.Objects;
import java.util.Set;
import org.jioth.jnet.JnetStack;
import org.jioth.jnet.tcp.SendBuffer;
import org.jioth.jnet.tcp.TcpConfig;
import org.jioth.jnet.tcp.TcpConnection;
import org.jioth.jnet.tcp.TcpError;
import org.jioth.jnet.tcp.TcpLayer;
import org.jioth.jnet.tcp.TcpSocket;
import org.jioth.jnet.tcp.TcpState;
import org.jioth.jnet.wire.Ip4;
import org.jioth.nio.ChannelSocket;
import org.jioth.nio.Readiness;
import org.jioth.nio.ReadinessSource;

/**
 * A TCP socket of a jnet stack with {@link SocketChannel}'s semantics. Application threads copy
 * straight into and out of the connection's send and receive buffers (each under its own lock)
 * and nudge the stack loop, which does all protocol work; blocking operations park on the
 * channel's {@link Readiness} until the loop publishes a change.
 */
public final class JnetSocketChannel extends SocketChannel implements ReadinessSource {
    private static final Set<SocketOption<?>> OPTIONS = options();
    private static final Set<SocketOption<?>> OPTIONS6 = with(OPTIONS, org.jioth.jnet.JnetSocketOptions.IPV6_V6ONLY);
    private static final int UNCONNECTED = 0;
    private static final int PENDING = 1;
    private static final int CONNECTED = 2;

    private final JnetStack stack;
    private final TcpLayer tcp;
    private final TcpSocket sock;
    private final Readiness readiness = new Readiness(this, this::readyOps);
    private final Object stateLock = new Object();
    /** A write up to this many bytes may run its output on the writing thread (StackLoop.postMayRun). */
    private static final int SMALL_WRITE = 1448;
    /** The loop tasks this channel posts, made once (no allocation per read or write). */
    private final Runnable outputTask;
    private final Runnable windowTask;
    /** What a blocked reader waits for (StackLoop.waitAsLoop): data, an end, an error, a close. */
    private final java.util.function.BooleanSupplier readable = () -> !isOpen() || (readyOps() & SelectionKey.OP_READ) != 0;
    private volatile int connState;
    private volatile boolean inputShut;
    private volatile boolean outputShut;
    private volatile boolean bound;
    private volatile int linger = -1;
    private final OptionValues options;
    private Socket adapter;

    private JnetSocketChannel(JnetSelectorProvider provider, TcpSocket sock, int connState) {
        super(provider);
        this.stack = provider.stack();
        this.tcp = stack.onLoopTcp();
        this.sock = sock;
        this.connState = connState;
        this.bound = connState == CONNECTED;
        this.outputTask = () -> tcp.output(sock);
        this.windowTask = () -> tcp.windowUpdate(sock);
        this.options = new OptionValues(sock.config());
        sock.onChange(readiness::changed);
    }

    private static Set<SocketOption<?>> with(Set<SocketOption<?>> base, SocketOption<?> extra) {
        java.util.List<SocketOption<?>> all = new java.util.ArrayList<>(base);
        all.add(extra);
        return Set.copyOf(all);
    }

    private static Set<SocketOption<?>> options() {
        java.util.List<SocketOption<?>> all = new java.util.ArrayList<>(java.util.List.of(StandardSocketOptions.SO_RCVBUF,
                StandardSocketOptions.SO_SNDBUF, StandardSocketOptions.SO_LINGER, StandardSocketOptions.SO_REUSEADDR,
                StandardSocketOptions.SO_KEEPALIVE, StandardSocketOptions.TCP_NODELAY,
                org.jioth.jnet.JnetSocketOptions.TCP_PACING));
        all.addAll(KeepAliveOptions.available());
        return Set.copyOf(all);
    }

    /** A new channel of family INET6 (dual-stack) when {@code inet6}, else INET. */
    static JnetSocketChannel open(JnetSelectorProvider provider, boolean inet6) {
        TcpSocket s = new TcpSocket(new TcpConfig());
        s.setFamily(inet6, false);
        JnetSocketChannel c = new JnetSocketChannel(provider, s, UNCONNECTED);
        provider.stack().sockets().track(c);
        return c;
    }

    /** The channel of a connection a listener accepted. */
    static JnetSocketChannel accepted(JnetSelectorProvider provider, TcpSocket s) {
        JnetSocketChannel c = new JnetSocketChannel(provider, s, CONNECTED);
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
        int ops = 0;
        TcpState st = sock.state();
        TcpConnection c = sock.connection();
        boolean failed = sock.error() != null || (st == TcpState.CLOSED && c != null);
        if (connState == PENDING) {
            if (st != TcpState.SYN_SENT && st != TcpState.SYN_RECEIVED) {
                ops |= SelectionKey.OP_CONNECT;
            }
        } else if (connState == CONNECTED) {
            if (failed || inputShut || sock.finReceived() || c.receiveBuffer().available() > 0) {
                ops |= SelectionKey.OP_READ;
            }
            if (failed || outputShut || sock.outputShut() || writable(c.sendBuffer())) {
                ops |= SelectionKey.OP_WRITE;
            }
        }
        return ops;
    }

    /**
     * Writable as Linux's TCP reports POLLOUT (sk_stream_is_writeable): the free room is at least
     * half of what is queued, so a writer blocked on a full buffer wakes once a third of it has
     * been acknowledged, not on every ACK that frees a segment's worth.
     */
    private static boolean writable(SendBuffer b) {
        int free = b.free();
        return free > 0 && free >= b.size() / 2;
    }

    private void ensureOpen() throws ClosedChannelException {
        if (!isOpen()) {
            throw new ClosedChannelException();
        }
    }

    // ------------------------------------------------------------ errors

    static IOException failure(int errno, String what) {
        return org.jioth.nio.SocketErrors.of(what, errno, false);
    }

    /** The JDK's exception for a connection that ended with {@code e}. */
    private static IOException connectionError(TcpError e, boolean connecting) {
        return switch (e) {
            case REFUSED -> new ConnectException("Connection refused");
            case UNREACHABLE -> new NoRouteToHostException("No route to host");
            case TIMED_OUT -> connecting ? new ConnectException("Connection timed out")
                    : new SocketException("Connection timed out");
            case RESET -> new SocketException("Connection reset");
            case ABORTED -> new SocketException("Connection aborted");
        };
    }

    // ------------------------------------------------------------ binding and connecting

    @Override
    public SocketChannel bind(SocketAddress local) throws IOException {
        synchronized (stateLock) {
            ensureOpen();
            if (connState == PENDING) {
                throw new ConnectionPendingException();
            }
            if (connState == CONNECTED) {
                throw new AlreadyConnectedException();
            }
            if (bound) {
                throw new AlreadyBoundException();
            }
            InetSocketAddress isa = local == null ? new InetSocketAddress(Ip4.toInet(0), 0) : Addresses.check(local);
            Addresses.Key addr = Addresses.key(isa.getAddress(), sock.inet6());
            int port = isa.getPort();
            int r = stack.onLoop(() -> tcp.bind(sock, addr.hi(), addr.lo(), port));
            if (r != 0) {
                throw failure(-r, "bind " + addr + ":" + port);
            }
            bound = true;
        }
        return this;
    }

    @Override
    public boolean connect(SocketAddress remote) throws IOException {
        synchronized (stateLock) {
            ensureOpen();
            if (connState == CONNECTED) {
                throw new AlreadyConnectedException();
            }
            if (connState == PENDING) {
                throw new ConnectionPendingException();
            }
            InetSocketAddress isa = Addresses.check(remote);
            Addresses.Key addr = Addresses.key(isa.getAddress(), sock.inet6());
            int port = isa.getPort();
            // the wildcard means this host: IPv4 loopback (jnet has no IPv6 loopback)
            Addresses.Key dst = org.jioth.jnet.wire.Ip128.isAny(addr.hi(), addr.lo())
                    ? new Addresses.Key(0, org.jioth.jnet.wire.Ip128.lo4(Ip4.parse("127.0.0.1")), 0) : addr;
            int r;
            boolean completed = false;
            try {
                begin();
                r = stack.onLoop(() -> tcp.connect(sock, dst.hi(), dst.lo(), port, dst.scope()));
                completed = true;
            } finally {
                end(completed);
            }
            if (r != 0) {
                IOException e = failure(-r, "connect to " + dst + ":" + port);
                close();
                throw e;
            }
            bound = true;
            connState = PENDING;
        }
        readiness.changed();
        return finishConnect(); // non-blocking: false until the handshake is done
    }

    @Override
    public boolean finishConnect() throws IOException {
        ensureOpen();
        if (connState == CONNECTED) {
            return true;
        }
        if (connState != PENDING) {
            throw new NoConnectionPendingException();
        }
        while (true) {
            stack.checkAlive(); // a failed stack: an IOException naming why
            TcpState st = sock.state();
            if (st != TcpState.SYN_SENT && st != TcpState.SYN_RECEIVED) {
                TcpError e = sock.error();
                if (st == TcpState.CLOSED && e != null) {
                    IOException ex = connectionError(e, true);
                    close();
                    throw ex;
                }
                connState = CONNECTED;
                readiness.changed();
                return true;
            }
            if (!isBlocking()) {
                return false;
            }
            readiness.await(SelectionKey.OP_CONNECT); // closes on interrupt itself: no begin/end
        }
    }

    @Override
    public boolean isConnected() {
        return connState == CONNECTED;
    }

    @Override
    public boolean isConnectionPending() {
        return connState == PENDING;
    }

    @Override
    public SocketAddress getLocalAddress() throws IOException {
        ensureOpen();
        return sock.localPort() == 0 ? null : new InetSocketAddress(sock.localInet(), sock.localPort());
    }

    @Override
    public SocketAddress getRemoteAddress() throws IOException {
        ensureOpen();
        return connState == UNCONNECTED ? null
                : new InetSocketAddress(sock.remoteInet(), sock.remotePort());
    }

    // ------------------------------------------------------------ reading

    @Override
    public int read(ByteBuffer dst) throws IOException {
        Objects.requireNonNull(dst);
        return (int) read(dst, null, 0, 1); // no array per call: the common case of every stream
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, dsts.length);
        return read(null, dsts, offset, length);
    }

    /** Reads into {@code one} when not null, else into {@code dsts[offset, offset + length)}. */
    private long read(ByteBuffer one, ByteBuffer[] dsts, int offset, int length) throws IOException {
        ensureOpen();
        if (connState != CONNECTED) {
            throw new NotYetConnectedException();
        }
        long want = 0;
        for (int i = offset; i < offset + length; i++) {
            want += (one != null ? one : dsts[i]).remaining();
        }
        while (true) {
            stack.checkAlive(); // a failed stack: an IOException naming why
            if (inputShut) {
                return -1;
            }
            boolean fin = sock.finReceived();
            TcpError err = sock.error();
            TcpState st = sock.state();
            long n = 0;
            for (int i = offset; i < offset + length; i++) {
                ByteBuffer dst = one != null ? one : dsts[i];
                if (dst.hasRemaining()) {
                    int r = sock.connection().receiveBuffer().read(dst);
                    n += r;
                    if (dst.hasRemaining()) {
                        break;
                    }
                }
            }
            if (n > 0) {
                if (sock.windowPendingRequest()) {
                    stack.postMayRun(windowTask); // runs here if the loop sleeps, instead of waking it
                }
                return n;
            }
            if (want == 0) {
                return 0;
            }
            if (fin) {
                return -1;
            }
            if (err != null) {
                throw connectionError(err, false);
            }
            if (st == TcpState.CLOSED) {
                return -1;
            }
            if (!isBlocking()) {
                return 0;
            }
            stack.waitAsLoop(readable); // waits on the port in the sleeping loop's place, when it may
            readiness.await(SelectionKey.OP_READ); // closes on interrupt itself: no begin/end
        }
    }

    // ------------------------------------------------------------ writing

    @Override
    public int write(ByteBuffer src) throws IOException {
        Objects.requireNonNull(src);
        return (int) write(src, null, 0, 1); // no array per call
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, srcs.length);
        return write(null, srcs, offset, length);
    }

    /** Writes from {@code one} when not null, else from {@code srcs[offset, offset + length)}. */
    private long write(ByteBuffer one, ByteBuffer[] srcs, int offset, int length) throws IOException {
        ensureOpen();
        if (connState != CONNECTED) {
            throw new NotYetConnectedException();
        }
        if (outputShut) {
            throw new ClosedChannelException();
        }
        long total = 0;
        while (true) {
            stack.checkAlive(); // a failed stack: an IOException naming why
            TcpError err = sock.error();
            if (err != null) {
                if (total > 0) {
                    return total;
                }
                throw connectionError(err, false);
            }
            if (sock.state() == TcpState.CLOSED || sock.outputShut()) {
                if (total > 0) {
                    return total;
                }
                throw new SocketException("Broken pipe");
            }
            long n = 0;
            boolean more = false;
            for (int i = offset; i < offset + length; i++) {
                ByteBuffer src = one != null ? one : srcs[i];
                if (src.hasRemaining()) {
                    n += sock.connection().sendBuffer().write(src);
                    if (src.hasRemaining()) {
                        more = true;
                        break;
                    }
                }
            }
            if (n > 0) {
                total += n;
                if (sock.outputPendingRequest()) {
                    if (n <= SMALL_WRITE) {
                        stack.postMayRun(outputTask); // a small write may leave on this thread
                    } else {
                        stack.post(outputTask);
                    }
                }
            }
            if (!more || !isBlocking()) {
                return total;
            }
            readiness.await(SelectionKey.OP_WRITE); // closes on interrupt itself: no begin/end
        }
    }

    // ------------------------------------------------------------ shutdown and close

    @Override
    public SocketChannel shutdownInput() throws IOException {
        ensureOpen();
        if (connState != CONNECTED) {
            throw new NotYetConnectedException();
        }
        inputShut = true;
        readiness.changed();
        return this;
    }

    @Override
    public SocketChannel shutdownOutput() throws IOException {
        ensureOpen();
        if (connState != CONNECTED) {
            throw new NotYetConnectedException();
        }
        if (!outputShut) {
            outputShut = true;
            stack.onLoop(() -> {
                tcp.shutdownOutput(sock);
                return null;
            });
        }
        return this;
    }

    @Override
    protected void implCloseSelectableChannel() throws IOException {
        readiness.changed();
        stack.sockets().untrack(this);
        if (stack.isClosed()) {
            return;
        }
        int lingerSeconds = linger;
        boolean abort = lingerSeconds == 0;
        if (lingerSeconds <= 0 || !isBlocking() || connState != CONNECTED) {
            // Nothing to wait for: hand the FIN (or RST) to the loop and return, as a kernel's
            // close() does; the loop runs it before any later request of this thread.
            stack.post(() -> {
                if (abort) {
                    tcp.abort(sock);
                } else {
                    tcp.close(sock);
                }
            });
            return;
        }
        try {
            stack.onLoop(() -> {
                if (abort) {
                    tcp.abort(sock);
                } else {
                    tcp.close(sock);
                }
                return null;
            });
            // SO_LINGER > 0 on a blocking socket: close waits for the peer to take everything, and
            // resets the connection when it does not in time (as Linux does)
            if (lingerSeconds > 0 && isBlocking() && connState == CONNECTED
                    && !sock.awaitDrained(lingerSeconds * 1_000_000_000L)) {
                stack.onLoop(() -> {
                    tcp.abort(sock);
                    return null;
                });
            }
        } catch (IOException e) {
            // the stack is going away: nothing left to close
        }
    }

    @Override
    protected void implConfigureBlocking(boolean block) {
        readiness.changed();
    }

    // ------------------------------------------------------------ options

    @Override
    public <T> SocketChannel setOption(SocketOption<T> name, T value) throws IOException {
        Objects.requireNonNull(name);
        ensureOpen();
        OptionChecks.supported(supportedOptions(), name, "socket channels");
        OptionChecks.value(name, value);
        if (name == org.jioth.jnet.JnetSocketOptions.IPV6_V6ONLY) {
            synchronized (stateLock) {
                if (bound) {
                    throw new java.net.SocketException("IPV6_V6ONLY must be set before bind (Invalid argument)");
                }
                stack.onLoop(() -> {
                    sock.setFamily(true, (Boolean) value);
                    return null;
                });
            }
            return this;
        }
        if (name == StandardSocketOptions.SO_LINGER) {
            int v = (Integer) value;
            linger = v < 0 ? -1 : Math.min(v, 65535);
            return this;
        }
        if (name == StandardSocketOptions.SO_REUSEADDR) {
            stack.onLoop(() -> {
                sock.setReuseAddress((Boolean) value);
                return null;
            });
            return this;
        }
        TcpConfig cfg = sock.config();
        if (OptionValues.isFlagOrTimer(name)) {
            if (!(value instanceof Boolean)) {
                positive(name, value); // checked here: the loop applies it later and cannot throw to us
            }
            synchronized (stateLock) { // the loop hears of changes in the order they are recorded
                // TCP_PACING true is never "unchanged": asked for, it paces on every path (PacingPolicy)
                if (!options.change(name, value) && name != org.jioth.jnet.JnetSocketOptions.TCP_PACING) {
                    return this; // unchanged (Netty turns on TCP_NODELAY where it is on already)
                }
                stack.post(() -> applyOption(cfg, name, value)); // before any later request of ours
            }
        } else {
            stack.onLoop(() -> {
                applyOption(cfg, name, value);
                TcpConnection c = sock.connection();
                if (c != null && name == StandardSocketOptions.SO_SNDBUF) {
                    c.sendBuffer().resize(cfg.sendBuffer);
                } else if (c != null && name == StandardSocketOptions.SO_RCVBUF) {
                    c.receiveBuffer().raise(cfg.receiveBuffer);
                    cfg.receiveBuffer = c.receiveBuffer().capacity(); // what getOption reports is what applies
                }
                options.buffers(cfg.sendBuffer, cfg.receiveBuffer);
                return null;
            });
        }
        if (name == StandardSocketOptions.TCP_NODELAY && connState == CONNECTED && sock.outputPendingRequest()) {
            stack.post(outputTask);
        }
        return this;
    }

    /** Sets a connection option (on the loop). Shared with the server channel for inherited options. */
    static void applyOption(TcpConfig cfg, SocketOption<?> name, Object value) {
        if (name == StandardSocketOptions.SO_RCVBUF) {
            int v = (Integer) value;
            if (v < 0) {
                throw new IllegalArgumentException("negative SO_RCVBUF");
            }
            cfg.receiveBuffer = Math.clamp(v, 1024, TcpConfig.MAX_RECEIVE_BUFFER); // silently, as Linux
            cfg.receiveBufferLocked = true; // no autotuning, as Linux
        } else if (name == StandardSocketOptions.SO_SNDBUF) {
            int v = (Integer) value;
            if (v < 0) {
                throw new IllegalArgumentException("negative SO_SNDBUF");
            }
            cfg.sendBuffer = Math.clamp(v, 1024, TcpConfig.MAX_SEND_BUFFER);
            cfg.sendBufferLocked = true;
        } else if (name == StandardSocketOptions.SO_KEEPALIVE) {
            cfg.keepAlive = (Boolean) value;
        } else if (name == StandardSocketOptions.TCP_NODELAY) {
            cfg.noDelay = (Boolean) value;
        } else if (name == org.jioth.jnet.JnetSocketOptions.TCP_PACING) {
            cfg.pacing = (Boolean) value;
            cfg.pacingOnEveryPath = (Boolean) value; // asked for: paced even where the path would not need it
        } else if (name == KeepAliveOptions.IDLE) {
            cfg.keepAliveIdle = positive(name, value) * 1_000_000_000L;
        } else if (name == KeepAliveOptions.INTERVAL) {
            cfg.keepAliveInterval = positive(name, value) * 1_000_000_000L;
        } else if (name == KeepAliveOptions.COUNT) {
            cfg.keepAliveCount = (int) positive(name, value);
        }
    }

    private static long positive(SocketOption<?> name, Object value) {
        int v = (Integer) value;
        if (v <= 0) {
            throw new IllegalArgumentException(name + " must be positive: " + v);
        }
        return v;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T getOption(SocketOption<T> name) throws IOException {
        Objects.requireNonNull(name);
        ensureOpen();
        OptionChecks.supported(supportedOptions(), name, "socket channels");
        if (name == StandardSocketOptions.SO_LINGER) {
            return (T) Integer.valueOf(linger);
        }
        Object v = options.get(name);
        if (v != null) {
            return (T) v; // no trip to the loop: what was set is what applies
        }
        v = stack.onLoop(() -> name == StandardSocketOptions.SO_REUSEADDR ? sock.reuseAddress() : sock.v6only());
        return (T) v;
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return sock.inet6() ? OPTIONS6 : OPTIONS;
    }

    @Override
    public Socket socket() {
        synchronized (stateLock) {
            if (adapter == null) {
                try {
                    adapter = new ChannelSocket(this);
                } catch (SocketException e) {
                    throw new IllegalStateException("cannot make a Socket adapter", e);
                }
            }
            return adapter;
        }
    }

    /** The stack-side socket (tests and tools). */
    public TcpSocket tcpSocket() {
        return sock;
    }

    @Override
    public String toString() {
        return "JnetSocketChannel[" + (isOpen() ? "" : "closed ") + sock + "]";
    }
}
