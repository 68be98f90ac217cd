package org.jioth.jnet.nio;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

import java.net.NetworkInterface;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.AlreadyBoundException;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.MembershipKey;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.SelectionKey;
import java.nio.channels.UnsupportedAddressTypeException;
import java.util.Objects;
import java.util.Set;
import org.jioth.jnet.JnetStack;
import org.jioth.jnet.udp.UdpEndpoint;
import org.jioth.jnet.udp.UdpLayer;
import org.jioth.jnet.wire.Ip4;
import org.jioth.nio.Readiness;
import org.jioth.nio.ReadinessSource;

/**
 * A UDP socket of a jnet stack with {@link DatagramChannel}'s semantics. Sends run on the stack
 * loop while the caller waits (so errors such as "no route" are immediate and the caller's buffer
 * is copied once, straight into the outgoing frame); receives take datagrams from the endpoint's
 * bounded queue. Always writable; readable while a datagram or an error waits.
 */
public final class JnetDatagramChannel extends DatagramChannel implements ReadinessSource {
    private DatagramSocket socketAdapter;
    private static final Set<SocketOption<?>> OPTIONS = Set.of(StandardSocketOptions.SO_RCVBUF,
            StandardSocketOptions.SO_SNDBUF, StandardSocketOptions.SO_BROADCAST, StandardSocketOptions.SO_REUSEADDR,
            StandardSocketOptions.IP_TOS, StandardSocketOptions.IP_MULTICAST_TTL,
            StandardSocketOptions.IP_MULTICAST_LOOP);

    private final JnetStack stack;
    private final UdpLayer udp;
    private final UdpEndpoint ep = new UdpEndpoint();
    private final Readiness readiness = new Readiness(this, this::readyOps);
    private final Object stateLock = new Object();
    private volatile boolean bound;
    private int boundAddress;

    private JnetDatagramChannel(JnetSelectorProvider provider) {
        super(provider);
        this.stack = provider.stack();
        this.udp = stack.onLoopUdp();
        ep.setListener(readiness::changed);
    }

    static JnetDatagramChannel open(JnetSelectorProvider provider) {
        JnetDatagramChannel c = new JnetDatagramChannel(provider);
        provider.stack().sockets().track(c);
        return c;
    }

    @Override
    public Readiness readiness() {
        return readiness;
    }

    private int readyOps() {
        int ops = SelectionKey.OP_WRITE;
        if (ep.isReadable()) {
            ops |= SelectionKey.OP_READ;
        }
        return ops;
    }

    private void ensureOpen() throws ClosedChannelException {
        if (!isOpen()) {
            throw new ClosedChannelException();
        }
    }

    // ------------------------------------------------------------ addresses

    private static int address(InetAddress a) {
        if (a instanceof Inet4Address) {
            return Ip4.of(a);
        }
        if (a instanceof Inet6Address && a.isAnyLocalAddress()) {
            return 0;
        }
        if (a instanceof Inet6Address i6) {
            byte[] b = i6.getAddress();
            boolean mapped = true;
            for (int i = 0; i < 10; i++) {
                mapped &= b[i] == 0;
            }
            if (mapped && b[10] == -1 && b[11] == -1) {
                return (b[12] & 0xff) << 24 | (b[13] & 0xff) << 16 | (b[14] & 0xff) << 8 | (b[15] & 0xff);
            }
        }
        throw new UnsupportedAddressTypeException();
    }

    private static InetSocketAddress check(SocketAddress sa) {
        return org.jioth.nio.SocketErrors.checkAddress(sa);
    }

    private static IOException failure(int errno, String what) {
        return org.jioth.nio.SocketErrors.of(what, errno, true);
    }

    /** Throws the pending asynchronous error of a connected channel (ICMP, ARP failure). */
    private void pendingError() throws IOException {
        if (ep.isConnected()) {
            int e = ep.takeError();
            if (e != 0) {
                throw failure(e, "datagram to " + getRemoteAddress());
            }
        } else {
            ep.takeError();
        }
    }

    @Override
    public DatagramChannel bind(SocketAddress local) throws IOException {
        synchronized (stateLock) {
            ensureOpen();
            if (bound) {
                throw new AlreadyBoundException();
            }
            InetSocketAddress isa = local == null ? new InetSocketAddress(Ip4.toInet(0), 0) : check(local);
            int addr = address(isa.getAddress());
            int port = isa.getPort();
            int r = stack.onLoop(() -> udp.bind(ep, addr, port));
            if (r != 0) {
                throw failure(-r, "bind " + Ip4.toString(addr) + ":" + port);
            }
            boundAddress = addr;
            bound = true;
        }
        return this;
    }

    private void autoBind() throws IOException {
        if (!bound) {
            bind(null);
        }
    }

    @Override
    public SocketAddress getLocalAddress() throws IOException {
        ensureOpen();
        int port = ep.localPort();
        return port == 0 ? null : new InetSocketAddress(Ip4.toInet(ep.localAddress()), port);
    }

    @Override
    public SocketAddress getRemoteAddress() throws IOException {
        ensureOpen();
        return ep.isConnected() ? new InetSocketAddress(Ip4.toInet(ep.remoteAddress()), ep.remotePort()) : null;
    }

    @Override
    public boolean isConnected() {
        return ep.isConnected();
    }

    @Override
    public DatagramChannel connect(SocketAddress remote) throws IOException {
        synchronized (stateLock) {
            ensureOpen();
            if (ep.isConnected()) {
                throw new AlreadyConnectedException();
            }
            InetSocketAddress isa = check(remote);
            int addr = address(isa.getAddress());
            int port = isa.getPort();
            int r = stack.onLoop(() -> udp.connect(ep, addr, port));
            if (r != 0) {
                throw failure(-r, "connect " + isa);
            }
            bound = true;
            // Datagrams from others queued before the connect are dropped, as the JDK does.
            UdpEndpoint.Datagram d;
            java.util.List<UdpEndpoint.Datagram> keep = new java.util.ArrayList<>();
            while ((d = ep.poll()) != null) {
                if (d.source() == addr && d.sourcePort() == port) {
                    keep.add(d);
                }
            }
            if (!keep.isEmpty()) {
                stack.onLoop(() -> {
                    for (UdpEndpoint.Datagram k : keep) {
                        udp.requeue(ep, k);
                    }
                    return null;
                });
            }
        }
        return this;
    }

    @Override
    public DatagramChannel disconnect() throws IOException {
        synchronized (stateLock) {
            if (isOpen() && ep.isConnected()) {
                int addr = boundAddress;
                stack.onLoop(() -> {
                    udp.disconnect(ep, addr);
                    return null;
                });
            }
        }
        return this;
    }

    // ------------------------------------------------------------ receive

    @Override
    public SocketAddress receive(ByteBuffer dst) throws IOException {
        Objects.requireNonNull(dst);
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("read-only buffer");
        }
        ensureOpen();
        autoBind();
        UdpEndpoint.Datagram d = take();
        if (d == null) {
            return null;
        }
        dst.put(d.data(), 0, Math.min(dst.remaining(), d.data().length));
        return new InetSocketAddress(Ip4.toInet(d.source()), d.sourcePort());
    }

    /** The next datagram; null when non-blocking and none waits. */
    private UdpEndpoint.Datagram take() throws IOException {
        while (true) {
            pendingError();
            UdpEndpoint.Datagram d = ep.poll();
            if (d != null || !isBlocking()) {
                return d;
            }
            readiness.await(SelectionKey.OP_READ); // closes on interrupt itself: no begin/end
        }
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        ensureOpen();
        if (!ep.isConnected()) {
            throw new NotYetConnectedException();
        }
        UdpEndpoint.Datagram d = take();
        if (d == null) {
            return 0;
        }
        int n = Math.min(dst.remaining(), d.data().length);
        dst.put(d.data(), 0, n);
        return n;
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, dsts.length);
        ensureOpen();
        if (!ep.isConnected()) {
            throw new NotYetConnectedException();
        }
        UdpEndpoint.Datagram d = take();
        if (d == null) {
            return 0;
        }
        int at = 0;
        byte[] data = d.data();
        for (int i = offset; i < offset + length && at < data.length; i++) {
            int n = Math.min(dsts[i].remaining(), data.length - at);
            dsts[i].put(data, at, n);
            at += n;
        }
        return at;
    }

    // ------------------------------------------------------------ send

    @Override
    public int send(ByteBuffer src, SocketAddress target) throws IOException {
        Objects.requireNonNull(src);
        ensureOpen();
        InetSocketAddress isa = check(target);
        if (ep.isConnected()) {
            if (!isa.equals(getRemoteAddress())) {
                throw new AlreadyConnectedException();
            }
            return write(src);
        }
        int addr = address(isa.getAddress());
        if (addr == 0) {
            addr = Ip4.parse("127.0.0.1"); // as Linux: the wildcard destination means this host
        }
        return sendTo(src, addr, isa.getPort());
    }

    private int sendTo(ByteBuffer src, int addr, int port) throws IOException {
        autoBind();
        int len = src.remaining();
        int pos = src.position();
        int r;
        boolean completed = false;
        try {
            begin();
            r = stack.onLoop(() -> udp.send(ep, addr, port, src, pos, len));
            completed = true;
        } finally {
            end(completed);
        }
        if (r < 0) {
            throw failure(-r, "send to " + Ip4.toString(addr) + ":" + port);
        }
        src.position(pos + len);
        return len;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        Objects.requireNonNull(src);
        ensureOpen();
        if (!ep.isConnected()) {
            throw new NotYetConnectedException();
        }
        pendingError();
        return sendTo(src, ep.remoteAddress(), ep.remotePort());
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, srcs.length);
        int total = 0;
        for (int i = offset; i < offset + length; i++) {
            total += srcs[i].remaining();
        }
        ByteBuffer all = ByteBuffer.allocate(total);
        for (int i = offset; i < offset + length; i++) {
            all.put(srcs[i].duplicate());
        }
        all.flip();
        int n = write(all);
        for (int i = offset; i < offset + length; i++) {
            srcs[i].position(srcs[i].limit());
        }
        return n;
    }

    // ------------------------------------------------------------ options

    @Override
    public <T> DatagramChannel setOption(SocketOption<T> name, T value) throws IOException {
        Objects.requireNonNull(name);
        ensureOpen();
        if (!OPTIONS.contains(name)) {
            throw new UnsupportedOperationException("'" + name + "' not supported by jnet datagram channels");
        }
        if (!name.type().isInstance(value)) {
            throw new IllegalArgumentException("bad value for " + name + ": " + value);
        }
        if (name == StandardSocketOptions.SO_RCVBUF) {
            int v = (Integer) value;
            if (v < 0) {
                throw new IllegalArgumentException("negative SO_RCVBUF");
            }
            ep.setReceiveBufferSize(v);
        } else if (name == StandardSocketOptions.SO_SNDBUF) {
            int v = (Integer) value;
            if (v < 0) {
                throw new IllegalArgumentException("negative SO_SNDBUF");
            }
            ep.setSendBufferSize(v);
        } else if (name == StandardSocketOptions.SO_BROADCAST) {
            ep.setBroadcast((Boolean) value);
        } else if (name == StandardSocketOptions.SO_REUSEADDR) {
            ep.setReuseAddress((Boolean) value);
        } else if (name == StandardSocketOptions.IP_TOS) {
            int v = (Integer) value;
            if (v < 0 || v > 255) {
                throw new IllegalArgumentException("IP_TOS must be 0..255");
            }
            ep.setTos(v);
        } else if (name == StandardSocketOptions.IP_MULTICAST_TTL) {
            int v = (Integer) value;
            if (v < 0 || v > 255) {
                throw new IllegalArgumentException("IP_MULTICAST_TTL must be 0..255");
            }
            ep.setMulticastTtl(v);
        } else if (name == StandardSocketOptions.IP_MULTICAST_LOOP) {
            ep.setMulticastLoop((Boolean) value);
        }
        return this;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T getOption(SocketOption<T> name) throws IOException {
        Objects.requireNonNull(name);
        ensureOpen();
        if (!OPTIONS.contains(name)) {
            throw new UnsupportedOperationException("'" + name + "' not supported by jnet datagram channels");
        }
        Object v;
        if (name == StandardSocketOptions.SO_RCVBUF) {
            v = ep.receiveBufferSize();
        } else if (name == StandardSocketOptions.SO_SNDBUF) {
            v = ep.sendBufferSize();
        } else if (name == StandardSocketOptions.SO_BROADCAST) {
            v = ep.broadcast();
        } else if (name == StandardSocketOptions.SO_REUSEADDR) {
            v = ep.reuseAddress();
        } else if (name == StandardSocketOptions.IP_TOS) {
            v = ep.tos();
        } else if (name == StandardSocketOptions.IP_MULTICAST_TTL) {
            v = ep.multicastTtl();
        } else {
            v = ep.multicastLoop();
        }
        return (T) v;
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return OPTIONS;
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
    public MembershipKey join(InetAddress group, NetworkInterface interf) {
        throw new UnsupportedOperationException("jnet has no multicast group membership (IGMP) yet");
    }

    @Override
    public MembershipKey join(InetAddress group, NetworkInterface interf, InetAddress source) {
        throw new UnsupportedOperationException("jnet has no multicast group membership (IGMP) yet");
    }

    // ------------------------------------------------------------ life cycle

    @Override
    protected void implCloseSelectableChannel() throws IOException {
        ep.close();
        readiness.changed();
        stack.sockets().untrack(this);
        if (!stack.isClosed()) {
            try {
                stack.onLoop(() -> {
                    udp.unbind(ep);
                    return null;
                });
            } catch (IOException e) {
                // the stack is going away: nothing left to unbind from
            }
        }
    }

    @Override
    protected void implConfigureBlocking(boolean block) {
        readiness.changed();
    }

    @Override
    public String toString() {
        return "JnetDatagramChannel[" + (isOpen() ? "" : "closed ")
                + Ip4.toString(ep.localAddress()) + ":" + ep.localPort()
                + (ep.isConnected() ? " -> " + Ip4.toString(ep.remoteAddress()) + ":" + ep.remotePort() : "") + "]";
    }
}
