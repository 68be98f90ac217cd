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
            StandardSocketOptions.IP_MULTICAST_LOOP, StandardSocketOptions.IP_MULTICAST_IF);
    private static final Set<SocketOption<?>> OPTIONS6 = Set.of(StandardSocketOptions.SO_RCVBUF,
            StandardSocketOptions.SO_SNDBUF, StandardSocketOptions.SO_BROADCAST, StandardSocketOptions.SO_REUSEADDR,
            StandardSocketOptions.IP_TOS, StandardSocketOptions.IP_MULTICAST_TTL,
            StandardSocketOptions.IP_MULTICAST_LOOP, StandardSocketOptions.IP_MULTICAST_IF,
            org.jioth.jnet.JnetSocketOptions.IPV6_V6ONLY);

    private final JnetStack stack;
    private final UdpLayer udp;
    private final UdpEndpoint ep = new UdpEndpoint();
    private final Readiness readiness = new Readiness(this, this::readyOps);
    private final Object stateLock = new Object();
    /** Valid membership keys (guarded by stateLock; at most UdpLayer.MAX_MEMBERSHIPS). */
    private final java.util.List<JnetMembershipKey> keys = new java.util.ArrayList<>(0);
    private volatile boolean bound;
    /** IP_MULTICAST_IF as set (null: not set). */
    private volatile NetworkInterface multicastIf;
    private long boundHi;
    private long boundLo;

    private JnetDatagramChannel(JnetSelectorProvider provider) {
        super(provider);
        this.stack = provider.stack();
        this.udp = stack.onLoopUdp();
        ep.setListener(readiness::changed);
    }

    /** A new channel of family INET6 (dual-stack unless IPV6_V6ONLY) when {@code inet6}, else INET. */
    static JnetDatagramChannel open(JnetSelectorProvider provider, boolean inet6) {
        JnetDatagramChannel c = new JnetDatagramChannel(provider);
        c.ep.setFamily(inet6, false);
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
            Addresses.Key addr = Addresses.key(isa.getAddress(), ep.inet6());
            int port = isa.getPort();
            int r = stack.onLoop(() -> udp.bind(ep, addr.hi(), addr.lo(), port));
            if (r != 0) {
                throw failure(-r, "bind " + addr + ":" + port);
            }
            boundHi = addr.hi();
            boundLo = addr.lo();
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
        return port == 0 ? null : new InetSocketAddress(ep.localInet(), port);
    }

    @Override
    public SocketAddress getRemoteAddress() throws IOException {
        ensureOpen();
        return ep.isConnected() ? new InetSocketAddress(ep.remoteInet(), ep.remotePort()) : null;
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
            Addresses.Key addr = Addresses.key(isa.getAddress(), ep.inet6());
            int port = isa.getPort();
            int r = stack.onLoop(() -> udp.connect(ep, addr.hi(), addr.lo(), port, addr.scope()));
            if (r != 0) {
                throw failure(-r, "connect " + isa);
            }
            bound = true;
            // Datagrams from others queued before the connect are dropped, as the JDK does.
            UdpEndpoint.Datagram d;
            java.util.List<UdpEndpoint.Datagram> keep = new java.util.ArrayList<>();
            while ((d = ep.poll()) != null) {
                if (d.from(addr.hi(), addr.lo(), port)) {
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
                long hi = boundHi;
                long lo = boundLo;
                stack.onLoop(() -> {
                    udp.disconnect(ep, hi, lo);
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
        return new InetSocketAddress(d.sourceInet(), d.sourcePort());
    }

    /** The next datagram; null when non-blocking and none waits. */
    private UdpEndpoint.Datagram take() throws IOException {
        while (true) {
            stack.checkAlive(); // a failed stack: an IOException naming why
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
        Addresses.Key addr = Addresses.key(isa.getAddress(), ep.inet6());
        if (org.jioth.jnet.wire.Ip128.isAny(addr.hi(), addr.lo())) {
            // as Linux: the wildcard destination means this host (jnet has no IPv6 loopback: IPv4's)
            addr = new Addresses.Key(0, org.jioth.jnet.wire.Ip128.lo4(Ip4.parse("127.0.0.1")), 0);
        }
        return sendTo(src, addr.hi(), addr.lo(), isa.getPort(), addr.scope());
    }

    private int sendTo(ByteBuffer src, long hi, long lo, int port, int scope) throws IOException {
        autoBind();
        int len = src.remaining();
        int pos = src.position();
        int r;
        boolean completed = false;
        try {
            begin();
            r = stack.onLoop(() -> udp.send(ep, hi, lo, port, scope, src, pos, len));
            completed = true;
        } finally {
            end(completed);
        }
        if (r < 0) {
            throw failure(-r, "send to " + org.jioth.jnet.wire.Ip128.toString(hi, lo) + ":" + port);
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
        return sendTo(src, ep.remoteHi(), ep.remoteLo(), ep.remotePort(), ep.scope());
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
        OptionChecks.supported(supportedOptions(), name, "datagram channels");
        OptionChecks.value(name, value);
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
        } else if (name == StandardSocketOptions.IP_MULTICAST_IF) {
            NetworkInterface nif = (NetworkInterface) value;
            Integer index = stack.onLoop(() -> {
                org.jioth.jnet.link.NetInterface nic = udp.interfaceFor(nif.getName(), nif.getIndex());
                return nic == null ? null : nic.index;
            });
            if (index == null) {
                throw noInterface(nif);
            }
            ep.setMulticastIf(index);
            multicastIf = nif;
        } else if (name == org.jioth.jnet.JnetSocketOptions.IPV6_V6ONLY) {
            synchronized (stateLock) {
                if (bound) {
                    throw new java.net.SocketException("IPV6_V6ONLY must be set before bind (Invalid argument)");
                }
                ep.setFamily(true, (Boolean) value);
            }
        }
        return this;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T getOption(SocketOption<T> name) throws IOException {
        Objects.requireNonNull(name);
        ensureOpen();
        OptionChecks.supported(supportedOptions(), name, "datagram channels");
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
        } else if (name == org.jioth.jnet.JnetSocketOptions.IPV6_V6ONLY) {
            v = ep.v6only();
        } else if (name == StandardSocketOptions.IP_MULTICAST_IF) {
            v = multicastIf;
        } else {
            v = ep.multicastLoop();
        }
        return (T) v;
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return ep.inet6() ? OPTIONS6 : OPTIONS;
    }

    /** The java.net view of this channel, made once (as the JDK's channels do). */
    @Override
    public synchronized DatagramSocket socket() {
        if (socketAdapter == null) {
            socketAdapter = new org.jioth.nio.ChannelDatagramSocket(this);
        }
        return socketAdapter;
    }

    // ------------------------------------------------------------ multicast

    @Override
    public MembershipKey join(InetAddress group, NetworkInterface interf) throws IOException {
        return join(group, interf, null, false);
    }

    @Override
    public MembershipKey join(InetAddress group, NetworkInterface interf, InetAddress source) throws IOException {
        Objects.requireNonNull(source);
        return join(group, interf, source, true);
    }

    /** The JDK's checks, then a join on the stack loop; a duplicate is refused as the JDK does. */
    private MembershipKey join(InetAddress group, NetworkInterface interf, InetAddress source, boolean specific)
            throws IOException {
        Objects.requireNonNull(group);
        Objects.requireNonNull(interf);
        if (!group.isMulticastAddress()) {
            throw new IllegalArgumentException("Group not a multicast address");
        }
        if (group instanceof Inet6Address && !ep.inet6()) {
            throw new IllegalArgumentException("IPv6 group on IPv4 socket");
        }
        if (specific) {
            if (source.isAnyLocalAddress()) {
                throw new IllegalArgumentException("Source address is a wildcard address");
            }
            if (source.isMulticastAddress()) {
                throw new IllegalArgumentException("Source address is multicast address");
            }
            if (source.getClass() != group.getClass()) {
                throw new IllegalArgumentException("Source address is different type to group");
            }
        }
        synchronized (stateLock) {
            ensureOpen();
            for (JnetMembershipKey k : keys) {
                if (k.group().equals(group) && k.networkInterface().equals(interf)) {
                    if (source == null) {
                        throw new IllegalStateException(k.sourceAddress() == null ? "Already a member of group"
                                : "Already have source-specific membership");
                    }
                    if (k.sourceAddress() == null) {
                        throw new IllegalStateException("Already have any-source membership");
                    }
                    if (k.sourceAddress().equals(source)) {
                        return k;
                    }
                }
            }
            byte[] g = group.getAddress();
            org.jioth.jnet.ip.SourceFilter filter = specific ? org.jioth.jnet.ip.SourceFilter.include(source)
                    : org.jioth.jnet.ip.SourceFilter.any();
            Object r = stack.onLoop(() -> {
                org.jioth.jnet.link.NetInterface nic = udp.interfaceFor(interf.getName(), interf.getIndex());
                if (nic == null) {
                    return null;
                }
                try {
                    return udp.join(ep, nic, g, filter);
                } catch (IllegalArgumentException | IllegalStateException e) {
                    return e;
                }
            });
            if (r == null) {
                throw noInterface(interf);
            }
            if (r instanceof RuntimeException e) {
                throw new java.net.SocketException("join " + group.getHostAddress() + " on " + interf.getName()
                        + ": " + e.getMessage() + " (No buffer space available)");
            }
            JnetMembershipKey k = new JnetMembershipKey(this, group, interf, source,
                    (org.jioth.jnet.ip.GroupMemberships.Membership) r);
            keys.add(k);
            return k;
        }
    }

    /** The JDK names host interfaces: jnet maps them by name, else index, else to its only non-loopback one. */
    private static java.net.SocketException noInterface(NetworkInterface nif) {
        return new java.net.SocketException("no jnet interface for " + nif.getName() + " (index " + nif.getIndex()
                + "): name a stack interface such as vde0 by name or index (No such device)");
    }

    /** {@link JnetMembershipKey#drop}: leaves on the loop (idempotent). */
    void drop(JnetMembershipKey k) {
        synchronized (stateLock) {
            if (!k.isValid()) {
                return;
            }
            k.invalidate();
            keys.remove(k);
            if (isOpen() && !stack.isClosed()) {
                try {
                    stack.onLoop(() -> {
                        udp.leave(ep, k.membership);
                        return null;
                    });
                } catch (IOException e) {
                    // the stack is going away: its memberships go with it
                }
            }
        }
    }

    /** {@link JnetMembershipKey#block}/unblock: the key's new source filter. */
    void change(JnetMembershipKey k, org.jioth.jnet.ip.SourceFilter filter) throws IOException {
        synchronized (stateLock) {
            ensureOpen();
            if (!k.isValid()) {
                throw new IllegalStateException("membership key is no longer valid");
            }
            Object r = stack.onLoop(() -> {
                try {
                    udp.change(ep, k.membership, filter);
                    return null;
                } catch (IllegalArgumentException e) {
                    return e;
                }
            });
            if (r instanceof RuntimeException e) {
                throw new java.net.SocketException(e.getMessage() + " (No buffer space available)");
            }
        }
    }

    // ------------------------------------------------------------ life cycle

    @Override
    protected void implCloseSelectableChannel() throws IOException {
        synchronized (stateLock) {
            for (JnetMembershipKey k : keys) {
                k.invalidate(); // unbind below leaves the memberships
            }
            keys.clear();
        }
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
                + ep.localInet().getHostAddress() + ":" + ep.localPort()
                + (ep.isConnected() ? " -> " + ep.remoteInet().getHostAddress() + ":" + ep.remotePort() : "") + "]";
    }
}
