package org.jioth.jnet.tcp;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import org.jioth.Errno;
import org.jioth.jnet.loop.Counter;
import org.jioth.jnet.loop.Counters;
import org.jioth.jnet.loop.StackLoop;
import org.jioth.jnet.ip.Ipv4Layer;
import org.jioth.jnet.ip.Ipv6Layer;
import org.jioth.jnet.ip.SipHash;
import org.jioth.jnet.link.Interfaces;
import org.jioth.jnet.link.NetInterface;
import org.jioth.jnet.time.Timer;
import org.jioth.jnet.wire.Ip128;
import org.jioth.jnet.wire.Ip4;
import org.jioth.jnet.wire.Ip6;
import org.jioth.jnet.wire.Ipv4;
import org.jioth.jnet.wire.Ipv6;
import org.jioth.jnet.wire.Tcp;
import org.jioth.jnet.wire.TcpOptions;

/**
 * TCP in a jnet stack: demultiplexes segments by 4-tuple to {@link TcpConnection}s, runs
 * listeners (bounded SYN and accept queues, SYN cookies past the SYN queue), keeps a bounded
 * TIME_WAIT table, answers segments for closed ports with RST, picks random ephemeral ports,
 * derives the MSS from the route's MTU and applies ICMP "fragmentation needed" to the path MSS.
 * Loop-only, like every protocol layer.
 *
 * <p>Both families share all of it: a connection's {@link FourTuple} holds IPv4 as v4-mapped
 * addresses, so demultiplexing, listeners (dual-stack ones as Linux's, see {@link Binding}), SYN
 * cookies, TIME_WAIT and resets are the same code; only the pseudo-header checksum, the MSS
 * (MTU minus 40 or 60) and the output layer depend on the family.
 *
 * <p>Listen queues behave as Linux's (without {@code tcp_abort_on_overflow}, see
 * {@link #setAbortOnOverflow}): a SYN arriving while the accept queue is full is dropped; past
 * the SYN queue a SYN is answered with a cookie; the ACK completing a handshake (from the SYN
 * queue or a cookie) while the accept queue is full is dropped, not reset: the SYN-ACK
 * retransmission (or the peer's own retransmission) brings it back once there is room.
 */
public final class TcpLayer implements Ipv4Layer.Transport, Ipv6Layer.Transport {
    public static final int EPHEMERAL_LOW = 32768;
    public static final int EPHEMERAL_HIGH = 60999;
    /** Connections kept in TIME_WAIT at most by default; beyond it the oldest guard is dropped early. */
    public static final int MAX_TIME_WAIT = 8192;
    /** Connections (TIME_WAIT aside) a stack holds at most unless {@code maxconnections=} says otherwise. */
    public static final int DEFAULT_MAX_CONNECTIONS = 65536;
    /** Linux's tcp_max_orphans for a small host: closed connections still delivering their data. */
    public static final int DEFAULT_MAX_ORPHANS = 4096;
    /**
     * What a connection's objects cost the memory budget (an idle established connection holds
     * ~3.4 KiB with its channel), charged at admission with a reserve of {@link Rings#MIN} for each
     * of its two rings, so an admitted connection can always move data.
     */
    public static final int CONNECTION_OBJECTS = 3 * 1024;
    /** {@link #CONNECTION_OBJECTS} plus the reserve of the first send and receive rings. */
    public static final int CONNECTION_COST = CONNECTION_OBJECTS + 2 * Rings.MIN;
    /** How often a stack under memory pressure prunes out-of-order data and drops empty rings. */
    static final long RECLAIM_NANOS = 200_000_000L;
    /** Linux's ISN for a new incarnation reusing a TIME_WAIT tuple: this far past the old SND.NXT. */
    private static final int TIME_WAIT_ISN_GAP = 65535 + 2;
    private static final int IP_TCP_HEADERS = Ipv4.HEADER + Tcp.HEADER;
    private static final int IP6_TCP_HEADERS = Ipv6.HEADER + Tcp.HEADER;
    /** The IPv6 minimum link MTU (RFC 8200 5): the MSS when the route is not known. */
    private static final int IPV6_MIN_MTU = 1280;
    private static final java.util.function.IntConsumer IGNORE6 = errno -> { };
    /** The smallest path MTU "fragmentation needed" can set (Linux's net.ipv4.route.min_pmtu). */
    public static final int MIN_PATH_MTU = 552;

    private final Ipv4Layer ip;
    /** IPv6 output (null: IPv4 only). */
    private final Ipv6Layer ip6;
    private final Ipv6Layer.Path path6 = new Ipv6Layer.Path();
    private final byte[] src6 = new byte[16];
    private final byte[] dst6 = new byte[16];
    /** The tuple of the segment being handled (input and ICMP errors only). */
    private final FourTuple cur = new FourTuple();
    /** The tuple a connect checks for before taking it. */
    private final FourTuple probe = new FourTuple();
    private final Interfaces interfaces;
    private final Counters counters;
    private final StackLoop loop;
    private final IsnGenerator isns;
    private final SynCookies cookies;
    /** Keys the per-4-tuple timestamp offsets (RFC 7323 5.4). */
    private final SipHash timestampKeys;
    private final ConnectionTable connections;
    private final Map<Integer, List<TcpListener>> listeners = new HashMap<>();
    /** Who holds each local port (sockets, listeners, TIME_WAIT records) and the ephemeral port walk. */
    private final TcpPorts ports;
    private TcpListener transparent;
    private final TimeWaitQueue timeWait = new TimeWaitQueue();
    private int maxConnections = DEFAULT_MAX_CONNECTIONS;
    private int maxOrphans = DEFAULT_MAX_ORPHANS;
    private int orphans;
    private int maxTimeWait = MAX_TIME_WAIT;
    private boolean abortOnOverflow;
    private boolean parkOnOverflow = true;
    private int syncookies = 1;
    private final Tcp view = new Tcp();
    private final Segment in = new Segment();
    /** Segments are built here: allocated on the first send, given back when the stack idles. */
    private final org.jioth.jnet.mem.Scratch tx;
    private final TcpOptions rawOptions = new TcpOptions();
    /** The stack's memory budget; null: nothing charged (a layer used alone in tests). */
    private org.jioth.jnet.mem.MemoryBudget memory;
    private final Timer reclaimTimer = new Timer(this::reclaim);
    /** Connections that took segments in the current frame batch: answered and published at its end. */
    private final ArrayList<TcpSocket> batch = new ArrayList<>();
    /** TIME_WAIT records owing an ACK at the end of the current frame batch. */
    private final ArrayList<TimeWaitRecord> recordBatch = new ArrayList<>();
    /** Ends the TIME_WAIT records that expired: one timer at the first expiry, not one per record. */
    private final Timer timeWaitTimer = new Timer(this::expireTimeWait);

    /**
     * TCP over {@code ip} and {@code ip6} (null: IPv4 only).
     * {@code random} draws visible values (ephemeral ports); {@code secrets} the keys of ISNs,
     * cookies, timestamp offsets and the connection table's hash. They must be different sources: what
     * goes on the wire must never reveal a key.
     */
    public TcpLayer(Ipv4Layer ip, Ipv6Layer ip6, Interfaces interfaces, Counters counters, StackLoop loop,
            RandomGenerator random, RandomGenerator secrets) {
        this.ip = ip;
        this.ip6 = ip6;
        this.interfaces = interfaces;
        this.counters = counters;
        this.loop = loop;
        this.ports = new TcpPorts(random, listeners);
        this.tx = loop.scratch();
        loop.addTrim(this::trimBuffers);
        this.isns = new IsnGenerator(secrets);
        this.cookies = new SynCookies(secrets);
        this.timestampKeys = new SipHash(secrets.nextLong(), secrets.nextLong());
        this.connections = new ConnectionTable(secrets);
    }

    // ================================================================ application requests (on the loop)

    /** Binds a not yet connected socket to {@code addr:port} (port 0: ephemeral). 0 or -errno. */
    public int bind(TcpSocket s, int addr, int port) {
        return bind(s, 0, Ip128.lo4(addr), port);
    }

    /** Binds to an address of either family ({@link Ip128}) and port. 0 or -errno, as Linux's bind. */
    public int bind(TcpSocket s, long hi, long lo, int port) {
        if (s.localPort != 0) {
            return -Errno.EINVAL.value();
        }
        int r = checkLocal(s, hi, lo);
        if (r != 0) {
            return r;
        }
        long oldHi = s.localHi;
        long oldLo = s.localLo;
        s.localHi = hi;
        s.localLo = lo;
        if (port == 0) {
            port = ports.ephemeral();
            if (port == 0) {
                s.localHi = oldHi;
                s.localLo = oldLo;
                return -Errno.EADDRINUSE.value();
            }
        } else if (!ports.free(port, s, s.reuseAddress)) {
            s.localHi = oldHi;
            s.localLo = oldLo;
            return -Errno.EADDRINUSE.value();
        }
        s.localPort = port;
        s.ownsPort = true;
        ports.add(port, s);
        return 0;
    }

    /** Whether {@code b} may bind {@code hi/lo}: Linux's errnos for a wrong family or an address not ours. */
    private int checkLocal(Binding b, long hi, long lo) {
        if (Ip128.isV4(hi, lo)) {
            if (b.inet6 && b.v6only && lo != Ip128.MAPPED) {
                return -Errno.EINVAL.value(); // a v4-mapped address on an IPV6_V6ONLY socket
            }
            int addr = (int) lo;
            return addr != 0 && interfaces.owner(addr) == null && !Ip4.isLoopback(addr)
                    ? -Errno.EADDRNOTAVAIL.value() : 0;
        }
        if (!b.inet6) {
            return -Errno.EAFNOSUPPORT.value();
        }
        if (hi == 0 && lo == 0) {
            return 0;
        }
        return ownsV6(hi, lo) ? 0 : -Errno.EADDRNOTAVAIL.value();
    }

    private boolean ownsV6(long hi, long lo) {
        if (ip6 == null) {
            return false;
        }
        byte[] a = Ip128.bytes(hi, lo, new byte[16]);
        for (NetInterface nic : interfaces.all()) {
            if (!nic.isDeleted() && ip6.isOurs(nic, a)) {
                return true;
            }
        }
        return false;
    }

    /** Starts an active open to {@code raddr:rport}. 0 or -errno. */
    public int connect(TcpSocket s, int raddr, int rport) {
        return connect(s, 0, Ip128.lo4(raddr), rport, 0);
    }

    /**
     * Starts an active open to {@code hi/lo:rport} ({@link Ip128}; {@code scope} the interface of a
     * link-local IPv6 peer, 0 for none). An AF_INET6 socket reaches a v4-mapped address over IPv4,
     * as Linux's. 0 or -errno.
     */
    public int connect(TcpSocket s, long rhi, long rlo, int rport, int scope) {
        boolean v4 = Ip128.isV4(rhi, rlo);
        if (v4 ? s.inet6 && s.v6only : !s.inet6) {
            return v4 ? -Errno.ENETUNREACH.value() : -Errno.EAFNOSUPPORT.value();
        }
        if (!Ip128.isAny(s.localHi, s.localLo) && Ip128.isV4(s.localHi, s.localLo) != v4) {
            return -Errno.EINVAL.value(); // bound to the other family's address
        }
        long lhi;
        long llo;
        int mss;
        if (v4) {
            int raddr = (int) rlo;
            if (raddr == 0 || rport == 0 || raddr == Ip4.BROADCAST || Ip4.isMulticast(raddr)) {
                return -Errno.EINVAL.value();
            }
            if (connectionsFull()) {
                return -Errno.ENOBUFS.value();
            }
            int r = ip.route(raddr, s.local4());
            if (r != 0) {
                counters.inc(Counter.IP_OUT_NO_ROUTES);
                return r;
            }
            Ipv4Layer.Path p = ip.path();
            if (p.source == 0) {
                return -Errno.EADDRNOTAVAIL.value();
            }
            lhi = 0;
            llo = Ip128.lo4(p.source);
            mss = mssFor(p.iface);
        } else {
            Ip128.bytes(rhi, rlo, dst6);
            if (rport == 0 || rhi == 0 && rlo == 0 || Ip6.isMulticast(dst6)) {
                return -Errno.EINVAL.value();
            }
            if (connectionsFull()) {
                return -Errno.ENOBUFS.value();
            }
            if (ip6 == null) {
                return -Errno.ENETUNREACH.value();
            }
            int r = ip6.route(dst6, scope, path6);
            if (r != 0) {
                return r;
            }
            if (Ip128.isAny(s.localHi, s.localLo)) {
                byte[] from = ip6.sourceFor(path6.iface, dst6);
                lhi = Ip128.hi(from);
                llo = Ip128.lo(from);
            } else {
                lhi = s.localHi;
                llo = s.localLo;
            }
            mss = mssFor6(path6.iface);
            scope = Ip6.isLinkLocal(dst6) ? path6.iface.index : 0;
        }
        if (s.localPort == 0) {
            int r = bind(s, s.localHi, s.localLo, 0);
            if (r != 0) {
                // as Linux's connect: no ephemeral port left is "Cannot assign requested address"
                return r == -Errno.EADDRINUSE.value() ? -Errno.EADDRNOTAVAIL.value() : r;
            }
        }
        FourTuple t = probe.set(lhi, llo, s.localPort, rhi, rlo, rport);
        if (connections.containsKey(t)) {
            return -Errno.EADDRINUSE.value();
        }
        s.copyAddresses(t);
        s.scope = scope;
        s.config.mss = mss;
        if (!admit(false)) {
            return -Errno.ENOBUFS.value();
        }
        s.conn = newConnection(s);
        charge(s);
        register(s);
        counters.inc(Counter.TCP_ACTIVE_OPENS);
        s.connectStarted();
        s.conn.connect(isns.isn(s, loop.now()), loop.now());
        after(s);
        return 0;
    }

    /** Starts listening. 0 or -errno. */
    public int listen(TcpListener l, int addr, int port, int backlog) {
        return listen(l, 0, Ip128.lo4(addr), port, backlog);
    }

    /** Starts listening on an address of either family ({@link Ip128}; see {@link Binding}). 0 or -errno. */
    public int listen(TcpListener l, long hi, long lo, int port, int backlog) {
        int r = checkLocal(l, hi, lo);
        if (r != 0) {
            return r;
        }
        l.localHi = hi;
        l.localLo = lo;
        if (port == 0) {
            port = ports.ephemeral();
            if (port == 0) {
                return -Errno.EADDRINUSE.value();
            }
        } else if (!ports.free(port, l, l.reuseAddress)) {
            return -Errno.EADDRINUSE.value();
        }
        l.localPort = port;
        l.backlog = TcpListener.clampBacklog(backlog);
        l.onRoom = () -> loop.post(() -> promoteParked(l));
        ports.add(port, l);
        listeners.computeIfAbsent(port, p -> new ArrayList<>(1)).add(l);
        return 0;
    }

    /** Stops listening; connections not yet accepted are reset. */
    public void closeListener(TcpListener l) {
        if (l.closed) {
            return;
        }
        l.closed = true;
        ports.release(l.localPort, l);
        List<TcpListener> ls = listeners.get(l.localPort);
        if (ls != null) {
            ls.remove(l);
            if (ls.isEmpty()) {
                listeners.remove(l.localPort);
            }
        }
        for (TcpSocket s : l.drain()) {
            abort(s);
        }
        for (TcpSocket s : connections.values()) {
            if (s.pendingListener == l) {
                abort(s);
            }
        }
    }

    /** Sends what the application queued. */
    public void output(TcpSocket s) {
        s.outputTaken();
        if (s.conn != null && s.registered) {
            s.conn.output(loop.now());
            after(s);
        }
    }

    /** The application read: maybe advertise a larger window. */
    public void windowUpdate(TcpSocket s) {
        s.windowTaken();
        if (s.conn != null && s.registered) {
            s.conn.windowUpdate(loop.now());
            after(s);
        }
    }

    public void shutdownOutput(TcpSocket s) {
        if (s.conn != null && s.registered) {
            s.conn.shutdownOutput(loop.now());
            after(s);
        }
    }

    /** The application closed the socket: orderly release (the connection lives on, orphaned). */
    public void close(TcpSocket s) {
        if (s.conn != null && s.registered) {
            if (orphans >= maxOrphans && s.conn.state() != TcpState.SYN_SENT) {
                // as Linux: "too many orphaned sockets", the connection is reset rather than kept
                counters.inc(Counter.TCP_ABORT_ON_MEMORY);
                s.conn.abort(loop.now());
                after(s);
                return;
            }
            s.conn.close(loop.now());
            after(s);
            if (s.registered && s.conn.state() != TcpState.TIME_WAIT && !s.orphanCounted) {
                s.orphanCounted = true;
                orphans++;
            }
        } else if (s.ownsPort) {
            ports.release(s.localPort, s);
            s.ownsPort = false;
        }
    }

    /** Abortive close (SO_LINGER 0): RST now. */
    public void abort(TcpSocket s) {
        if (s.conn != null && s.registered) {
            s.conn.abort(loop.now());
            after(s);
        } else if (s.ownsPort) {
            ports.release(s.localPort, s);
            s.ownsPort = false;
        }
    }

    /** One line per connection, for diagnostics (like {@code ss -ti}). */
    public String describe() {
        StringBuilder b = new StringBuilder();
        for (TcpSocket s : connections.values()) {
            TcpConnection c = s.conn;
            TcpStats st = c.stats();
            b.append(s).append(": ").append(c).append(" rto=").append(c.rtt().rto() / 1_000_000).append("ms")
                    .append(" srtt=").append(c.rtt().srtt() / 1_000_000).append("ms mss=").append(c.sendMss())
                    .append(c.timestampsEnabled() ? " ts" : "").append(c.sackEnabled() ? " sack" : "")
                    .append(" wscale=").append(c.sendWindowScale()).append(',').append(c.receiveWindowScale())
                    .append(" sndbuf=").append(c.sendBuffer().size()).append(" rcvbuf=")
                    .append(c.receiveBuffer().available()).append(" rcvwnd=").append(c.receiveBuffer().window())
                    .append(" retrans=").append(st.retransmissions).append(" timeouts=").append(st.timeouts)
                    .append(" fast=").append(st.fastRetransmits).append(" ooo=").append(st.outOfOrder)
                    .append(" paws=").append(st.pawsDrops).append(" oow=").append(st.outOfWindow).append(" oowskip=").append(st.outOfWindowAcksLimited)
                    .append(" zwp=").append(st.zeroWindowProbes).append(" tlp=").append(st.tailLossProbes)
                    .append(" lostrxt=").append(st.lostRetransmissions).append(" rescue=").append(st.rescueRetransmissions)
                    .append(" dupreports=").append(st.dsacksIn)
                    .append(" undo=").append(st.undos).append(" limited=").append(st.limitedMillis()).append(" cc=").append(c.congestion())
                    .append(" paced=").append(c.paced())
                    .append(" pacing=").append(c.pacingRate()).append("B/s late=").append(c.pacingLateMillis()).append('\n');
        }
        return b.toString();
    }

    /** Gives back the rings of connections idle since the last look (IdleTrim, once a second). */
    private boolean trimBuffers() {
        boolean none = true;
        for (TcpSocket s : connections.values()) {
            TcpConnection c = s.conn;
            none &= c.sendBuffer().trim() & c.receiveBuffer().trim();
        }
        return none;
    }

    /** Connections closed by the application that still deliver their data (TIME_WAIT aside). */
    public int orphanCount() {
        return orphans;
    }

    /** Bounds the connections (TIME_WAIT aside); past it connect fails (ENOBUFS) and SYNs are dropped. */
    public void setMaxConnections(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("connection limit " + max);
        }
        maxConnections = max;
    }

    /** Bounds the orphans; an application close past it resets the connection. */
    public void setMaxOrphans(int max) {
        if (max < 0) {
            throw new IllegalArgumentException("orphan limit " + max);
        }
        maxOrphans = max;
    }

    private boolean connectionsFull() {
        if (connections.size() - timeWait.size() < maxConnections) {
            return false;
        }
        counters.inc(Counter.TCP_CONNECTION_LIMIT);
        return true;
    }

    /** Charges connections and their rings to {@code budget} (null: nothing charged). Before any connection. */
    public void setMemory(org.jioth.jnet.mem.MemoryBudget budget) {
        this.memory = budget;
    }

    /**
     * Whether the budget takes one more connection ({@link #CONNECTION_COST}): a peer's (passive)
     * only below the pressure mark, the application's up to the limit. Charged when true.
     */
    private boolean admit(boolean passive) {
        return memory == null || memory.admitConnection(CONNECTION_COST, passive);
    }

    /** After {@link #admit}: the new connection holds the charge and its rings charge their growth. */
    private void charge(TcpSocket s) {
        if (memory != null) {
            s.memoryCost = CONNECTION_COST;
            s.conn.sendBuffer().attach(memory, Rings.MIN);
            s.conn.receiveBuffer().attach(memory, Rings.MIN);
        }
    }

    /** The connection is gone: its charge and its rings' go back to the budget. */
    private void uncharge(TcpSocket s) {
        if (s.memoryCost > 0) {
            s.conn.sendBuffer().detach();
            s.conn.receiveBuffer().detach();
            memory.releaseConnection(s.memoryCost);
            s.memoryCost = 0;
        }
    }

    /**
     * Memory pressure (Linux's tcp_mem pressure): every connection's out-of-order data is pruned
     * (the peer retransmits it) and empty rings are dropped now rather than after a second; again
     * every {@link #RECLAIM_NANOS} while the pressure lasts.
     */
    private void reclaim() {
        if (memory == null) {
            return;
        }
        for (TcpSocket s : connections.values()) {
            TcpConnection c = s.conn;
            c.receiveBuffer().pruneOutOfOrder();
            c.receiveBuffer().release();
            c.sendBuffer().release();
        }
        if (memory.underPressure()) {
            loop.timers().schedule(reclaimTimer, loop.now() + RECLAIM_NANOS);
        }
    }

    /** Arms the reclaim while the budget is under pressure (cheap when it is not). */
    private void watchPressure() {
        if (memory != null && !reclaimTimer.isArmed() && memory.underPressure()) {
            loop.timers().schedule(reclaimTimer, loop.now());
        }
    }

    /** How many connections the stack holds (all states but LISTEN). */
    public int connectionCount() {
        return connections.size();
    }

    /** How many of them are in TIME_WAIT. */
    public int timeWaitCount() {
        return timeWait.size();
    }

    /**
     * Bounds the TIME_WAIT table (default {@link #MAX_TIME_WAIT}); past it the oldest guard goes
     * (counted as {@code TcpExt.TCPTimeWaitOverflow}).
     */
    public void setMaxTimeWait(int max) {
        if (max < 0) {
            throw new IllegalArgumentException("TIME_WAIT bound " + max);
        }
        maxTimeWait = max;
        trimTimeWait();
    }

    /**
     * Linux's {@code tcp_syncookies}: 0 never (a SYN past the SYN queue is dropped), 1 when the
     * SYN queue is full (the default), 2 always (every SYN is answered statelessly).
     */
    public void setSyncookies(int mode) {
        if (mode < 0 || mode > 2) {
            throw new IllegalArgumentException("syncookies mode " + mode);
        }
        syncookies = mode;
    }

    /**
     * Linux's {@code tcp_abort_on_overflow}: when on, the ACK completing a handshake while the
     * accept queue is full resets the connection instead of being dropped. Off by default.
     */
    public void setAbortOnOverflow(boolean on) {
        abortOnOverflow = on;
    }

    // ================================================================ input

    @Override
    public void input(NetInterface nic, Ipv4 hdr, ByteBuffer buf) {
        counters.inc(Counter.TCP_IN_SEGS);
        int src = hdr.source();
        int dst = hdr.destination();
        if (dst == Ip4.BROADCAST || Ip4.isMulticast(dst) || nic.isBroadcastOf(dst)) {
            counters.inc(Counter.TCP_IN_ERRS);
            return;
        }
        Tcp.Check check = view.wrap(buf, hdr.payloadOffset(), hdr.payloadLength(), src, dst);
        if (check != Tcp.Check.OK) {
            badSegment(check);
            return;
        }
        demux(cur.set4(dst, view.destinationPort(), src, view.sourcePort()), nic);
    }

    /** A TCP segment over IPv6: {@code len} bytes at {@code off} in the datagram {@code hdr} views. */
    @Override
    public void input(NetInterface nic, Ipv6 hdr, ByteBuffer buf, int off, int len) {
        counters.inc(Counter.TCP_IN_SEGS);
        int ip = hdr.offset();
        long shi = Ip128.hi(buf, ip + 8);
        long slo = Ip128.lo(buf, ip + 8);
        long dhi = Ip128.hi(buf, ip + 24);
        long dlo = Ip128.lo(buf, ip + 24);
        // no multicast destination, and v4-mapped addresses never travel in IPv6 headers (RFC 4291 2.5.5.2)
        if ((dhi >>> 56) == 0xff || Ip128.isV4(shi, slo) || Ip128.isV4(dhi, dlo)) {
            counters.inc(Counter.TCP_IN_ERRS);
            return;
        }
        cur.set(dhi, dlo, 0, shi, slo, 0);
        Tcp.Check check = view.wrap(buf, off, len, cur.addressSum());
        if (check != Tcp.Check.OK) {
            badSegment(check);
            return;
        }
        cur.localPort = view.destinationPort();
        cur.remotePort = view.sourcePort();
        // the interface of a link-local peer: replies go back out of it
        cur.scope = (shi >>> 48) == 0xfe80 ? nic.index : 0;
        demux(cur, nic);
    }

    private void badSegment(Tcp.Check check) {
        counters.inc(Counter.TCP_IN_ERRS);
        if (check == Tcp.Check.BAD_CHECKSUM) {
            counters.inc(Counter.TCP_IN_CSUM_ERRORS);
        }
    }

    /**
     * A checked segment (in {@link #view}) for the tuple {@code t} (local: its destination) that
     * arrived on {@code nic} (its port's ingress budget is shared by the connection's window).
     */
    private void demux(FourTuple t, NetInterface nic) {
        Segment seg = in;
        if (!seg.from(view)) {
            // as Linux: counted, the options before the fault kept, the segment processed
            counters.inc(Counter.TCP_IN_BAD_OPTIONS);
        }
        FourTuple e = connections.entry(t);
        if (e instanceof TimeWaitRecord r) {
            timeWaitInput(r, seg, t);
            return;
        }
        TcpSocket s = (TcpSocket) e;
        if (s != null) {
            TcpListener l = s.conn.state() == TcpState.TIME_WAIT && (seg.flags & (Tcp.SYN | Tcp.ACK)) == Tcp.SYN
                    ? findListener(t) : null;
            if (l != null && s.conn.acceptsNewSyn(seg, l.template.timestamps)) {
                // RFC 6191: a new incarnation replaces the TIME_WAIT guard (once the listener takes it)
                listenerInput(l, seg, t, s, null);
                return;
            }
            if (finalAckOverflows(s, seg)) {
                counters.inc(Counter.TCP_LISTEN_OVERFLOWS);
                counters.inc(Counter.TCP_LISTEN_DROPS);
                return;
            }
            long before = s.conn.stats().retransmissions;
            s.conn.arrivedOn(nic == null ? null : nic.ingress());
            s.conn.inputDeferred(seg, loop.now());
            counters.add(Counter.TCP_RETRANS_SEGS, s.conn.stats().retransmissions - before);
            settle(s);
            if (!s.inBatch) {
                s.inBatch = true;
                batch.add(s);
            }
            return;
        }
        TcpListener l = findListener(t);
        if (l == null) {
            counters.inc(Counter.TCP_NO_PORTS);
            resetFor(seg, t);
            return;
        }
        listenerInput(l, seg, t, null, null);
    }

    /**
     * A segment for a tuple in TIME_WAIT: a SYN that may reopen it goes to the listener (RFC
     * 6191), anything else gets the answer the connection would have given ({@link TimeWaitRecord#input}).
     */
    private void timeWaitInput(TimeWaitRecord r, Segment seg, FourTuple t) {
        TcpListener l = (seg.flags & (Tcp.SYN | Tcp.ACK)) == Tcp.SYN ? findListener(t) : null;
        if (l != null && r.acceptsNewSyn(seg, l.template.timestamps)) {
            listenerInput(l, seg, t, null, r);
            return;
        }
        long now = loop.now();
        long expiry = r.expiry;
        if (r.input(seg, now) == TimeWaitRecord.ACK_NOW) {
            sendAck(r, now);
        }
        if (r.expiry != expiry && r.registered) {
            // 2MSL restarted: back in the queue by its new expiry
            timeWait.remove(r);
            timeWait.add(r);
            scheduleTimeWait();
        }
        if (r.ackNow && !r.inBatch) {
            r.inBatch = true;
            recordBatch.add(r);
        }
    }

    /** The ACK a connection in TIME_WAIT sends: SND.MAX, RCV.NXT, its window and timestamps, no SACK blocks. */
    private void sendAck(TimeWaitRecord r, long now) {
        TcpOptions o = rawOptions.clear();
        if (r.timestamps) {
            o.timestamps = true;
            o.tsVal = TcpConnection.timestampClock(now, r.tsOffset);
            o.tsEcr = r.tsRecent;
        }
        int window = r.advertiseWindow();
        r.acked();
        int at = headroom(r);
        int len = Tcp.emit(tx.get(at + 60), at, r.localPort, r.remotePort, r.sndMax, r.rcvNxt, Tcp.ACK, window, o, 0,
                r.addressSum());
        send(r, len, Tcp.ACK);
    }

    /**
     * What a handshake completing while the accept queue is full does. On (the default): the
     * connection is established as usual (its data acknowledged and buffered) but waits, still
     * counted in the listener's SYN queue (so at most max(16, backlog) of them), until the
     * application accepts and makes room; a cookie ACK does the same while the SYN queue has room.
     * Off: as Linux, the ACK is dropped and the peer's or our SYN-ACK's retransmission brings it
     * back later, which under a burst of connections left some waiting for their exponential
     * back-off (issue 10: a 200-SYN burst against backlog 5 had 13-58 not served within 40-150 s).
     */
    public void setParkOnOverflow(boolean on) {
        parkOnOverflow = on;
    }

    /**
     * Whether {@code seg} is the ACK completing the handshake of a connection in a listener's SYN
     * queue while the accept queue is full: Linux then drops it (unless tcp_abort_on_overflow),
     * leaving the connection in SYN_RECEIVED, whose SYN-ACK retransmissions draw the ACK again.
     */
    private boolean finalAckOverflows(TcpSocket s, Segment seg) {
        TcpListener l = s.pendingListener;
        return l != null && !parkOnOverflow && !abortOnOverflow && !l.closed && s.conn.state() == TcpState.SYN_RECEIVED
                && seg.has(Tcp.ACK) && !seg.has(Tcp.SYN) && !seg.has(Tcp.RST)
                && seg.ack == s.conn.sendNext() && l.acceptQueueFull();
    }

    /**
     * A segment for no connection at a listener, or a SYN that may reopen the tuple of the
     * TIME_WAIT connection {@code guard} or TIME_WAIT record {@code record} (null otherwise). The
     * guard goes only once the listener takes the SYN: refused (full accept queue), the tuple stays guarded.
     */
    private void listenerInput(TcpListener l, Segment seg, FourTuple t, TcpSocket guard, TimeWaitRecord record) {
        if (seg.has(Tcp.RST)) {
            return;
        }
        if (seg.has(Tcp.ACK)) {
            if (seg.has(Tcp.SYN)) {
                // RFC 9293 3.10.7.2: any ACK at a listener is bad; a SYN-ACK must not open a connection
                resetFor(seg, t);
            } else {
                cookieAck(l, seg, t);
            }
            return;
        }
        if (!seg.has(Tcp.SYN)) {
            return;
        }
        if (l.acceptQueueFull()) {
            // as Linux: no new handshakes while the application does not keep up
            counters.inc(Counter.TCP_LISTEN_OVERFLOWS);
            counters.inc(Counter.TCP_LISTEN_DROPS);
            return;
        }
        // As Linux (tcp_conn_request), a TIME_WAIT reuse is never answered with a cookie: its ISN
        // must start past the old incarnation's. It takes the guard's place, so memory stays bounded.
        if (guard == null && record == null && (syncookies == 2 || l.synQueueLength >= l.synQueueLimit())) {
            if (syncookies == 0) {
                counters.inc(Counter.TCP_LISTEN_DROPS);
            } else {
                sendCookie(l, seg, t);
            }
            return;
        }
        if (connectionsFull() || !admit(true)) {
            counters.inc(Counter.TCP_LISTEN_DROPS);
            return;
        }
        int isn;
        if (guard != null) {
            // as Linux, the new incarnation's ISN starts well past anything the old one sent
            isn = guard.conn.sendNext() + TIME_WAIT_ISN_GAP;
            unregister(guard);
        } else if (record != null) {
            isn = record.sndMax + TIME_WAIT_ISN_GAP;
            unregister(record);
        } else {
            isn = isns.isn(t, loop.now());
        }
        TcpSocket s = newPassive(l, t);
        charge(s);
        s.pendingListener = l;
        l.synQueueLength++;
        register(s);
        counters.inc(Counter.TCP_PASSIVE_OPENS);
        s.conn.acceptSyn(seg, isn, loop.now());
        after(s);
    }

    /**
     * An ACK for no connection at a listener: maybe the end of a SYN-cookie handshake. As Linux,
     * it is only checked while the listener sent cookies within the last two cookie periods; a
     * bad one draws a RST; a good one while the accept queue is full is dropped (the peer
     * retransmits; the cookie stays valid for one to two periods).
     */
    private void cookieAck(TcpListener l, Segment seg, FourTuple t) {
        long now = loop.now();
        if (!l.cookiesSent || now - l.lastCookieSent >= 2 * SynCookies.PERIOD_NANOS) {
            resetFor(seg, t);
            return;
        }
        TcpOptions o = seg.options;
        int tsOptions = SynCookies.NO_TIMESTAMPS;
        if (o.timestamps) {
            // The echo must be one of our cookie TSvals: not from the future, and no older than
            // a cookie lives (two periods); its low bits are then checked by the cookie's MAC.
            int age = timestampClock(t, now) - o.tsEcr;
            if (age < 0 || age > 2 * SynCookies.PERIOD_NANOS / 1_000_000L + 1000) {
                counters.inc(Counter.TCP_SYNCOOKIES_FAILED);
                resetFor(seg, t);
                return;
            }
            tsOptions = o.tsEcr & SynCookies.TS_OPTION_MASK;
        }
        int mss = cookies.check(t, seg.seq, seg.ack, tsOptions, now);
        if (mss < 0) {
            counters.inc(Counter.TCP_SYNCOOKIES_FAILED);
            resetFor(seg, t);
            return;
        }
        boolean park = false;
        if (l.acceptQueueFull()) {
            if (!parkOnOverflow || abortOnOverflow || l.synQueueLength >= l.synQueueLimit()) {
                counters.inc(Counter.TCP_LISTEN_OVERFLOWS);
                counters.inc(Counter.TCP_LISTEN_DROPS);
                if (abortOnOverflow) {
                    resetFor(seg, t);
                }
                return;
            }
            park = true; // room in the SYN queue's count: it waits established (see parkOnOverflow)
        }
        counters.inc(Counter.TCP_SYNCOOKIES_RECV);
        if (connectionsFull() || !admit(true)) {
            counters.inc(Counter.TCP_LISTEN_DROPS);
            return;
        }
        TcpSocket s = newPassive(l, t);
        charge(s);
        register(s);
        boolean ts = tsOptions != SynCookies.NO_TIMESTAMPS;
        s.conn.acceptCookie(seg, mss, ts ? SynCookies.windowScale(tsOptions) : -1,
                ts && SynCookies.sackPermitted(tsOptions), ts, now);
        counters.inc(Counter.TCP_PASSIVE_OPENS);
        if (park) {
            s.pendingListener = l;
            l.synQueueLength++;
            after(s); // settle parks it
            return;
        }
        if (s.conn.state() != TcpState.CLOSED) {
            if (offer(l, s)) {
                l.changed();
            } else {
                s.conn.abort(now);
            }
        }
        after(s);
    }

    private TcpSocket newPassive(TcpListener l, FourTuple t) {
        TcpSocket s = new TcpSocket(l.template.copy());
        s.copyAddresses(t);
        s.inet6 = l.inet6;
        s.v6only = l.v6only;
        s.config.mss = mssFor(t);
        s.conn = newConnection(s);
        return s;
    }

    /** The MSS to offer on a tuple's route: its MTU less the headers, else the family's minimum. */
    private int mssFor(FourTuple t) {
        if (t.isV4()) {
            return ip.route(t.remote4(), t.local4()) == 0 ? mssFor(ip.path().iface) : 536;
        }
        return route6(t) ? mssFor6(path6.iface) : IPV6_MIN_MTU - IP6_TCP_HEADERS;
    }

    /** Routes to the tuple's IPv6 peer into {@link #path6}, its addresses into {@link #src6}/{@link #dst6}. */
    private boolean route6(FourTuple t) {
        if (ip6 == null) {
            return false;
        }
        Ip128.bytes(t.remoteHi, t.remoteLo, dst6);
        Ip128.bytes(t.localHi, t.localLo, src6);
        return ip6.route(dst6, t.scope, path6) == 0;
    }

    /** The best listener for the tuple's destination (Linux's scoring, see {@link Binding#score}). */
    private TcpListener findListener(FourTuple t) {
        List<TcpListener> ls = listeners.get(t.localPort);
        TcpListener fallback = transparent;
        if (ls == null) {
            return fallback;
        }
        TcpListener best = null;
        int bestScore = 0;
        for (TcpListener l : ls) {
            int score = l.score(t.localHi, t.localLo);
            if (score > bestScore) {
                best = l;
                bestScore = score;
            }
        }
        return best != null ? best : fallback;
    }

    /**
     * Transparent mode (slirp gateways): a SYN that no listener takes goes to {@code l} (null: off),
     * whatever its destination; the connection's local address and port are the SYN's destination.
     * Close the listener with {@link #closeListener} after switching the mode off.
     */
    public void setTransparentListener(TcpListener l, int backlog) {
        if (l != null) {
            l.backlog = TcpListener.clampBacklog(backlog);
            l.onRoom = () -> loop.post(() -> promoteParked(l));
        }
        transparent = l;
    }

    /**
     * An ICMP error quoting one of our segments (sequence number {@code seq}). It counts only when
     * the quoted segment is in flight (RFC 5927 4.1); "fragmentation needed" never takes the path
     * MTU below {@link #MIN_PATH_MTU}.
     */
    public void icmpError(int laddr, int lport, int raddr, int rport, int seq, int errno, int fragNeededMtu) {
        icmpError(cur.set4(laddr, lport, raddr, rport), seq, fragNeededMtu);
    }

    /**
     * An ICMPv6 error quoting one of our IPv6 segments: as {@link #icmpError}, a packet too big
     * ({@code packetTooBigMtu} above 0) taking the path MSS down, never below the 1280-byte minimum MTU's.
     */
    public void icmpError6(long lhi, long llo, int lport, long rhi, long rlo, int rport, int seq, int errno,
            int packetTooBigMtu) {
        icmpError(cur.set(lhi, llo, lport, rhi, rlo, rport), seq, packetTooBigMtu);
    }

    private void icmpError(FourTuple t, int seq, int fragNeededMtu) {
        FourTuple e = connections.entry(t);
        if (e instanceof TimeWaitRecord r) {
            // only SND.MAX is "in flight" for RFC 5927's check, and nothing follows from it in TIME_WAIT
            if (seq != r.sndMax) {
                counters.inc(Counter.TCP_OUT_OF_WINDOW_ICMPS);
            }
            return;
        }
        TcpSocket s = (TcpSocket) e;
        if (s == null) {
            return;
        }
        if (!s.conn.quotesSentData(seq)) {
            counters.inc(Counter.TCP_OUT_OF_WINDOW_ICMPS);
            return;
        }
        if (fragNeededMtu > 0) {
            s.conn.setPathMss(t.isV4() ? Math.max(MIN_PATH_MTU, fragNeededMtu) - IP_TCP_HEADERS
                    : Math.max(IPV6_MIN_MTU, fragNeededMtu) - IP6_TCP_HEADERS, loop.now());
        } else {
            s.conn.unreachable(loop.now());
        }
        after(s);
    }

    // ================================================================ after every event

    /** ARP gave up on the peer: like an ICMP host unreachable (fatal only while connecting). */
    private void undeliverable(TcpSocket s) {
        if (s.registered) {
            s.conn.unreachable(loop.now());
            after(s);
        }
    }

    /** The congestion control of connections whose socket names none (the {@code cc=} stack option); null: the default. */
    public void setCongestionControl(String name) {
        congestionControl = name == null ? null : CongestionControl.requireKnown(name);
    }

    private String congestionControl;

    /** Whether connections may send TSO segments toward a port that segments (the stack's {@code tso} option). */
    public void setSegmentationOffload(boolean on) {
        segmentationOffload = on;
    }

    private boolean segmentationOffload;
    /** Every connection's output, made once (a lambda per connection was an object per connection). */
    private final TcpConnection.Output output = new TcpConnection.Output() {
        @Override
        public void send(TcpConnection conn, Segment seg) {
            emit((TcpSocket) conn.attachment, seg);
        }

        @Override
        public int segmentationLimit(TcpConnection conn) {
            return segmentationLimitTo((TcpSocket) conn.attachment);
        }

        @Override
        public void sendLimited(TcpConnection conn, TcpStats.SendLimit why, long nanos) {
            counters.add(why.total, nanos);
        }
    };

    /**
     * The largest payload of one TSO segment toward the socket's peer: an IPv4 datagram the
     * route's port segments, less the IP header and the longest TCP header; 0 without TSO there
     * or with the stack's {@code tso} option off.
     */
    private int segmentationLimitTo(TcpSocket s) {
        if (!segmentationOffload || !s.isV4()) {
            return 0;
        }
        int datagram = ip.segmentationTo(s.remote4());
        return Math.max(0, datagram - Ipv4.HEADER - Tcp.MAX_HEADER);
    }

    private TcpConnection newConnection(TcpSocket s) {
        s.undeliverable = errno -> undeliverable(s);
        if (!s.isV4()) {
            s.undeliverable6 = errno -> undeliverable(s);
        }
        if (s.config.congestionControl == null) {
            s.config.congestionControl = congestionControl;
        }
        TcpConnection c = new TcpConnection(s.config, output, timestampOffset(s));
        c.attachment = s;
        c.setFirstHopPushesBack(firstHopPushesBack(s));
        return c;
    }

    /** Whether the tuple's route leaves by a port that pushes back without loss ({@link PacingPolicy}). */
    private boolean firstHopPushesBack(FourTuple t) {
        if (t.isV4()) {
            return ip.route(t.remote4(), t.local4()) == 0 && !ip.path().local && ip.path().iface.pushesBackLosslessly();
        }
        return route6(t) && path6.iface.pushesBackLosslessly();
    }

    /**
     * The timestamp offset of the socket's 4-tuple: a keyed hash, so it is the same for every
     * incarnation of the tuple. A random offset per connection made a new SYN's timestamp lower
     * than the one a TIME_WAIT guard of the same tuple remembered half the time; the peer then
     * refused it (PAWS, RFC 6191) until the guard expired, stalling connection churn.
     */
    private int timestampOffset(FourTuple t) {
        return (int) timestampKeys.hash(t.addressWord(timestampKeys), t.portWord() & 0xffffffffL);
    }

    /** The TSval clock a connection of this 4-tuple runs (cookie SYN-ACKs use it too). */
    private int timestampClock(FourTuple t, long now) {
        return TcpConnection.timestampClock(now, timestampOffset(t));
    }

    private void register(TcpSocket s) {
        connections.put(s, s);
        s.registered = true;
        TcpSocket self = s;
        s.timer = new Timer(() -> {
            if (self.registered) {
                long before = self.conn.stats().retransmissions;
                self.conn.onTimer(loop.now());
                counters.add(Counter.TCP_RETRANS_SEGS, self.conn.stats().retransmissions - before);
                after(self);
            }
        });
    }

    /**
     * The end of a batch of received frames: each connection that took segments sends its answer
     * now (one ACK and one burst of data for the whole batch) and publishes its state once, so
     * the application thread is woken once per batch rather than once per segment.
     */
    public void endOfBatch() {
        long now = loop.now();
        int i = 0;
        try {
            for (; i < batch.size(); i++) {
                TcpSocket s = batch.get(i);
                s.inBatch = false;
                if (s.registered) {
                    long before = s.conn.stats().retransmissions;
                    s.conn.output(now);
                    counters.add(Counter.TCP_RETRANS_SEGS, s.conn.stats().retransmissions - before);
                    after(s);
                } else {
                    s.publish();
                }
            }
            batch.clear();
            for (TimeWaitRecord r : recordBatch) {
                r.inBatch = false;
                if (r.registered && r.ackNow) {
                    sendAck(r, now);
                }
            }
            recordBatch.clear();
        } catch (RuntimeException e) {
            batch.subList(0, i + 1).clear(); // the rest stay listed for the next batch
            throw e;
        }
    }

    /** Bookkeeping after the connection handled an event: queues, TIME_WAIT, removal, timer, readiness. */
    void after(TcpSocket s) {
        settle(s);
        s.publish();
        loop.trimHeld(); // its rings may have grown: look at them again when the stack idles
        watchPressure();
        if (s.registered && !s.config.sendBufferLocked) {
            // the send buffer follows cwnd (Linux's tcp_sndbuf_expand): twice the window, BBR three times
            CongestionControl cc = s.conn.congestion();
            s.conn.sendBuffer().follow((long) cc.sendBufferWindows() * cc.cwnd(), TcpConfig.MAX_SEND_BUFFER);
        }
        // Readers skip posting a window update when the room they saw was below what the last
        // publish asked for; a read that raced with this publish is caught here, after it.
        if (s.takeReadUnchecked() && s.registered && s.conn.windowUpdateDue()) {
            s.conn.windowUpdate(loop.now());
            settle(s);
            s.publish();
        }
        if (s.registered && !s.inBatch && s.pendingListener == null && s.conn.state() == TcpState.TIME_WAIT
                && !s.conn.ackOwed()) {
            toTimeWaitRecord(s);
        }
    }

    /**
     * A connection entered TIME_WAIT (its last ACK sent): a compact {@link TimeWaitRecord} takes
     * its place in the table, its port and the TIME_WAIT queue, and the connection is let go. The
     * application's socket, if still open, keeps its connection (TIME_WAIT, read what is left) and
     * is told CLOSED when the record expires, as before.
     */
    private void toTimeWaitRecord(TcpSocket s) {
        TcpConnection c = s.conn;
        boolean open = !c.isOrphan();
        TimeWaitRecord r = c.timeWaitRecord(open);
        r.copyAddresses(s);
        r.inet6 = s.inet6;
        r.v6only = s.v6only;
        r.reuseAddress = s.reuseAddress;
        r.owner = open ? s : null;
        s.registered = false;
        loop.timers().cancel(s.timer);
        uncharge(s); // the record is not charged: the TIME_WAIT cap bounds them
        connections.putEntry(s, r);
        r.registered = true;
        if (s.ownsPort) {
            ports.replace(s.localPort, s, r);
            s.ownsPort = false;
            r.ownsPort = true;
        }
        timeWait.add(r);
        trimTimeWait(); // and arms the timer
    }

    /** Arms the TIME_WAIT timer at the first record's expiry (cancelled when there is none). */
    private void scheduleTimeWait() {
        TimeWaitRecord first = timeWait.oldest();
        if (first == null) {
            loop.timers().cancel(timeWaitTimer);
        } else if (!timeWaitTimer.isArmed() || timeWaitTimer.deadline() != first.expiry) {
            loop.timers().schedule(timeWaitTimer, first.expiry);
        }
    }

    /** The timer: the records whose 2MSL is over go; their open sockets see CLOSED. */
    private void expireTimeWait() {
        long now = loop.now();
        for (TimeWaitRecord r = timeWait.oldest(); r != null && r.expiry <= now; r = timeWait.oldest()) {
            unregister(r);
            TcpSocket s = r.owner;
            if (s != null) {
                r.owner = null;
                s.conn.onTimer(now); // its own close timer is due too: CLOSED, as when it ran
                s.publish();
            }
        }
        scheduleTimeWait();
    }

    /** {@link #after} without publishing (inside a frame batch; {@link #endOfBatch} publishes). */
    private void settle(TcpSocket s) {
        TcpConnection c = s.conn;
        TcpState st = c.state();
        TcpListener l = s.pendingListener;
        if (l != null && st != TcpState.SYN_RECEIVED) {
            boolean open = st != TcpState.CLOSED && !l.closed;
            if (open && offer(l, s)) {
                s.pendingListener = null;
                l.synQueueLength--;
                unpark(l, s);
                l.changed();
            } else if (open && parkOnOverflow && !abortOnOverflow) {
                if (!s.parked) {
                    // no room yet: it waits established, still counted in the SYN queue (see parkOnOverflow)
                    s.parked = true;
                    l.parked.add(s);
                    l.parkedCount = l.parked.size();
                    counters.inc(Counter.TCP_LISTEN_OVERFLOWS);
                }
            } else {
                s.pendingListener = null;
                l.synQueueLength--;
                unpark(l, s);
                if (st != TcpState.CLOSED) {
                    if (!l.closed) {
                        counters.inc(Counter.TCP_LISTEN_OVERFLOWS); // tcp_abort_on_overflow
                    }
                    counters.inc(Counter.TCP_LISTEN_DROPS);
                    c.abort(loop.now());
                    st = c.state();
                }
            }
        }
        if (st == TcpState.TIME_WAIT && s.orphanCounted) {
            s.orphanCounted = false;
            orphans--;
        }
        if (st == TcpState.CLOSED) {
            if (c.error() == TcpError.RESET) {
                counters.inc(Counter.TCP_ESTAB_RESETS);
            }
            unregister(s);
        } else if (s.registered) {
            long d = c.nextDeadline();
            if (d == TcpConnection.NEVER) {
                loop.timers().cancel(s.timer);
            } else if (!s.timer.isArmed() || s.timer.deadline() != d) {
                loop.timers().schedule(s.timer, d);
            }
        }
    }

    /**
     * Puts an established connection in the listener's accept queue, published first: an
     * application thread may take it the moment it is queued, and must not see the CLOSED state
     * of a socket not yet published (its writes failed with "Broken pipe", its close sent a FIN).
     */
    private static boolean offer(TcpListener l, TcpSocket s) {
        if (l.acceptQueueFull()) {
            return false;
        }
        s.publish();
        return l.offer(s);
    }

    private static void unpark(TcpListener l, TcpSocket s) {
        if (s.parked) {
            s.parked = false;
            l.parked.remove(s);
            l.parkedCount = l.parked.size();
        }
    }

    /** The application took a connection: parked ones move into the accept queue while there is room. */
    private void promoteParked(TcpListener l) {
        l.roomRequested.set(false);
        while (!l.parked.isEmpty() && !l.acceptQueueFull() && !l.closed) {
            TcpSocket s = l.parked.peek();
            if (!offer(l, s)) {
                break;
            }
            s.pendingListener = null;
            l.synQueueLength--;
            unpark(l, s);
            l.changed();
        }
    }

    /** Drops the oldest TIME_WAIT guards beyond the bound (each O(1)). */
    private void trimTimeWait() {
        while (timeWait.size() > maxTimeWait) {
            counters.inc(Counter.TCP_TIME_WAIT_OVERFLOW);
            unregister(timeWait.oldest());
        }
        scheduleTimeWait();
    }

    private void unregister(TcpSocket s) {
        if (!s.registered) {
            return;
        }
        s.registered = false;
        s.conn.leaveIngress();
        if (s.orphanCounted) {
            s.orphanCounted = false;
            orphans--;
        }
        connections.remove(s);
        loop.timers().cancel(s.timer);
        uncharge(s);
        if (s.pendingListener != null) {
            s.pendingListener.synQueueLength--;
            unpark(s.pendingListener, s);
            s.pendingListener = null;
        }
        if (s.ownsPort) {
            ports.release(s.localPort, s);
            s.ownsPort = false;
        }
        s.publish();
    }

    /** Ends a TIME_WAIT record: out of the table, the queue and its port. */
    private void unregister(TimeWaitRecord r) {
        if (!r.registered) {
            return;
        }
        r.registered = false;
        connections.removeEntry(r);
        timeWait.remove(r);
        if (r.ownsPort) {
            ports.release(r.localPort, r);
            r.ownsPort = false;
        }
    }

    // ================================================================ output

    private void emit(TcpSocket s, Segment seg) {
        boolean v4 = s.isV4();
        int at = headroom(s);
        int hl = Tcp.headerLength(seg.options);
        ByteBuffer tx = this.tx.get(at + hl + seg.payloadLength);
        seg.copyPayload(tx, at + hl);
        if (seg.segmentSize > 0 && v4) {
            // TSO: the port cuts it into segments and the kernel completes each one's checksum
            int len = Tcp.emit(tx, at, s.localPort, s.remotePort, seg.seq, seg.ack, seg.flags, seg.window,
                    seg.options, seg.payloadLength, s.addressSum(), true);
            counters.add(Counter.TCP_OUT_SEGS, (seg.payloadLength + seg.segmentSize - 1) / seg.segmentSize);
            ip.outputSegmented(s.local4(), s.remote4(), tx, Ipv4Layer.HEADROOM, len, seg.segmentSize);
            return;
        }
        int len = Tcp.emit(tx, at, s.localPort, s.remotePort, seg.seq, seg.ack, seg.flags, seg.window, seg.options,
                seg.payloadLength, s.addressSum(), v4 && ip.partialChecksumsTo(s.remote4()));
        if (v4) {
            send(s.local4(), s.remote4(), len, seg.flags, s.undeliverable);
        } else {
            send6(s, len, seg.flags, s.undeliverable6);
        }
    }

    private static int headroom(FourTuple t) {
        return t.isV4() ? Ipv4Layer.HEADROOM : Ipv6Layer.HEADROOM;
    }

    /** Sends the segment of {@code len} bytes built at {@link #headroom} in {@link #tx} to the tuple's peer. */
    private void send(FourTuple t, int len, int flags) {
        if (t.isV4()) {
            send(t.local4(), t.remote4(), len, flags, org.jioth.jnet.link.DeliveryFailure.IGNORE);
        } else {
            send6(t, len, flags, IGNORE6);
        }
    }

    private void send(int src, int dst, int len, int flags, org.jioth.jnet.link.DeliveryFailure owner) {
        counters.inc(Counter.TCP_OUT_SEGS);
        if ((flags & Tcp.RST) != 0) {
            counters.inc(Counter.TCP_OUT_RSTS);
        }
        ip.output(src, dst, Ipv4.PROTO_TCP, 0, Ipv4Layer.DEFAULT_TTL, true, tx.current(), Ipv4Layer.HEADROOM, len, owner);
    }

    private void send6(FourTuple t, int len, int flags, java.util.function.IntConsumer owner) {
        counters.inc(Counter.TCP_OUT_SEGS);
        if ((flags & Tcp.RST) != 0) {
            counters.inc(Counter.TCP_OUT_RSTS);
        }
        if (!route6(t)) {
            counters.inc(Counter.IP6_OUT_NO_ROUTES);
            return;
        }
        ip6.output(path6.iface, path6.nextHop, src6, dst6, Ipv6.TCP, Ipv6Layer.DEFAULT_HOP_LIMIT, tx.current(),
                Ipv6Layer.HEADROOM, len, owner);
    }

    /** RFC 9293 3.10.7.1: the RST answering a segment for no connection. */
    private void resetFor(Segment seg, FourTuple t) {
        if (seg.has(Tcp.RST)) {
            return;
        }
        int seq;
        int ack;
        int flags;
        if (seg.has(Tcp.ACK)) {
            seq = seg.ack;
            ack = 0;
            flags = Tcp.RST;
        } else {
            seq = 0;
            ack = seg.seq + seg.seqLength();
            flags = Tcp.RST | Tcp.ACK;
        }
        int at = headroom(t);
        int len = Tcp.emit(tx.get(at + 60), at, t.localPort, t.remotePort, seq, ack, flags, 0, null, 0, t.addressSum());
        send(t, len, flags);
    }

    /**
     * A stateless SYN-ACK whose ISN is a cookie. With timestamps (both sides), it also offers
     * window scaling and SACK as a normal SYN-ACK from the listener would, the peer's window
     * scale and SACK-permitted riding in the TSval's low bits; without, it offers only the MSS.
     * Its window and window scale are those a connection from the listener's template
     * advertises, so the connection {@link #cookieAck} makes continues exactly from here.
     */
    private void sendCookie(TcpListener l, Segment syn, FourTuple tuple) {
        TcpConfig t = l.template;
        TcpOptions so = syn.options;
        int mss = mssFor(tuple);
        int peer = so.mss > 0 ? Math.min(so.mss, mss) : 536;
        long now = loop.now();
        boolean ts = t.timestamps && so.timestamps;
        int peerWscale = t.windowScaling ? so.windowScale : -1;
        boolean sack = t.sack && so.sackPermitted;
        int tsOptions = ts ? SynCookies.encodeOptions(peerWscale, sack) : SynCookies.NO_TIMESTAMPS;
        int isn = cookies.make(tuple, syn.seq, peer, tsOptions, now);
        TcpOptions o = rawOptions.clear();
        o.mss = mss;
        if (ts) {
            if (peerWscale >= 0) {
                o.windowScale = TcpConnection.windowScaleFor(t.receiveSpaceMax());
            }
            o.sackPermitted = sack;
            o.timestamps = true;
            o.tsVal = SynCookies.timestamp(timestampClock(tuple, now), tsOptions);
            o.tsEcr = so.tsVal;
        }
        int window = Math.min(t.receiveBuffer, 65535);
        int at = headroom(tuple);
        int len = Tcp.emit(tx.get(at + 60), at, tuple.localPort, tuple.remotePort, isn, syn.seq + 1, Tcp.SYN | Tcp.ACK,
                window, o, 0, tuple.addressSum());
        l.cookiesSent = true;
        l.lastCookieSent = now;
        counters.inc(Counter.TCP_SYNCOOKIES_SENT);
        send(tuple, len, Tcp.SYN | Tcp.ACK);
    }

    private static int mssFor(NetInterface nic) {
        // capped so a full segment with 40 option bytes still fits one 64 KiB datagram
        return Math.max(64, Math.min(nic.mtu() - IP_TCP_HEADERS, 65000));
    }

    /** The IPv6 MSS: the interface MTU less 60 header bytes, never below the 1280-byte minimum's. */
    private static int mssFor6(NetInterface nic) {
        return Math.max(IPV6_MIN_MTU - IP6_TCP_HEADERS, Math.min(nic.mtu() - IP6_TCP_HEADERS, 65000));
    }
}
