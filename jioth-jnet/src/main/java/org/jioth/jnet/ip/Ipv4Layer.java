package org.jioth.jnet.ip;

import java.nio.ByteBuffer;
import java.util.random.RandomGenerator;
import org.jioth.Errno;
import org.jioth.jnet.loop.Counter;
import org.jioth.jnet.loop.Counters;
import org.jioth.jnet.link.DeliveryFailure;
import org.jioth.jnet.link.Interfaces;
import org.jioth.jnet.link.NeighborCache;
import org.jioth.jnet.link.NetInterface;
import org.jioth.jnet.loop.RxRing;
import org.jioth.jnet.wire.Checksum;
import org.jioth.jnet.wire.Ethernet;
import org.jioth.jnet.wire.Icmp4;
import org.jioth.jnet.wire.Ip4;
import org.jioth.jnet.wire.Ipv4;

/**
 * IPv4 (RFC 791/1122): input validation, local delivery with reassembly, optional forwarding, and
 * output with routing, source selection, fragmentation and neighbour resolution. Loop-only.
 */
public final class Ipv4Layer {
    /** Room a transport leaves before its payload: Ethernet + IPv4 headers. */
    public static final int HEADROOM = Ethernet.HEADER + Ipv4.HEADER;
    public static final int DEFAULT_TTL = 64;

    /** An upper-layer protocol. */
    public interface Transport {
        /** {@code ip} views the whole (reassembled) datagram in {@code buf}. */
        void input(NetInterface in, Ipv4 ip, ByteBuffer buf);
    }

    /** Where ICMP errors are generated (the ICMP layer). */
    public interface ErrorReporter {
        /** Reports an error about the datagram whose IP header is at {@code ipOff} in {@code buf}. */
        void error(int type, int code, int rest, ByteBuffer buf, int ipOff, int len, NetInterface in);
    }

    /** ICMP: receives the ICMP messages to us and sends the errors IPv4 and the transports report. */
    public interface Icmp extends Transport, ErrorReporter {
    }

    /** The result of {@link #route}: loop-owned, overwritten by the next call. */
    public static final class Path {
        public NetInterface iface;
        public int nextHop;
        public int source;
        public boolean local;
    }

    private final Interfaces interfaces;
    private final RouteTable routes;
    private final NeighborCache neighbours;
    private final Counters counters;
    private final RxRing rx;
    private final Reassembler reassembler;
    private final Ipv4 hdr = new Ipv4();
    private final Ipv4 inner = new Ipv4();
    /** Fragments are cut here: allocated on use, given back when the stack idles. */
    private final org.jioth.jnet.mem.Scratch fragmentScratch;
    private final org.jioth.jnet.loop.StackLoop loop;
    private final Path path = new Path();
    private boolean forwarding;
    private int nextId;
    private Transport icmp;
    private Transport udp;
    private Transport tcp;
    private ErrorReporter errors;
    private Transparent transparent;
    private final Igmp3 igmp;

    /** A gateway's hook (slirp): datagrams to addresses that are not ours. */
    public interface Transparent {
        /** True to deliver to this stack's transports as if {@code hdr.destination()} were ours. */
        boolean accept(NetInterface in, Ipv4 hdr, ByteBuffer buf);
    }

    public Ipv4Layer(Interfaces interfaces, RouteTable routes, NeighborCache neighbours, Counters counters,
                     RxRing rx, org.jioth.jnet.loop.StackLoop loop, RandomGenerator random) {
        this.interfaces = interfaces;
        this.routes = routes;
        this.neighbours = neighbours;
        this.counters = counters;
        this.rx = rx;
        this.reassembler = new Reassembler(loop, counters, this::reassemblyExpired);
        this.loop = loop;
        this.fragmentScratch = loop.scratch();
        this.nextId = random.nextInt(0x10000);
        this.igmp = new Igmp3(loop, counters, random, interfaces);
    }

    /** IGMPv3: the network layer's IPv4 multicast memberships (join/leave/change for the socket layer). */
    public Igmp3 igmp() {
        return igmp;
    }

    /**
     * Plugs in the layers above, made after this one (they send through it): ICMP, which also sends
     * the errors IPv4 and the transports report, UDP and TCP. Once, before the stack loop starts.
     */
    public void connect(Icmp icmp, Transport udp, Transport tcp) {
        this.icmp = icmp;
        this.errors = icmp;
        this.udp = udp;
        this.tcp = tcp;
    }

    /** Sends an ICMP error about a datagram that came in on {@code in} (a transport found no taker). */
    public void error(int type, int code, int rest, ByteBuffer buf, int ipOff, int len, NetInterface in) {
        errors.error(type, code, rest, buf, ipOff, len, in);
    }

    /**
     * Reassembly of a datagram to us expired: time exceeded (code 1) to its sender, from the
     * interface holding the destination address.
     */
    private void reassemblyExpired(byte[] header, int length) {
        NetInterface in = interfaces.owner(ByteBuffer.wrap(header).getInt(16));
        errors.error(Icmp4.TIME_EXCEEDED, Icmp4.CODE_REASSEMBLY_EXCEEDED, 0, ByteBuffer.wrap(header), 0,
                Math.min(length, header.length), in != null ? in : interfaces.byIndex(1));
    }

    public void setForwarding(boolean on) {
        forwarding = on;
    }

    /** Transparent mode (null: off): see {@link Transparent}. */
    public void setTransparent(Transparent t) {
        transparent = t;
    }

    public boolean forwarding() {
        return forwarding;
    }

    /** A transmit buffer for a layer above, allocated on use and given back when the stack idles. */
    public org.jioth.jnet.mem.Scratch scratch() {
        return loop.scratch();
    }

    public Reassembler reassembler() {
        return reassembler;
    }

    // ---------------------------------------------------------------- input

    /** A datagram of at most {@code len} bytes at {@code off} arrived on {@code in}. */
    public void input(NetInterface in, ByteBuffer buf, int off, int len) {
        counters.inc(Counter.IP_IN_RECEIVES);
        Ipv4.Check check = hdr.wrap(buf, off, len);
        if (check != Ipv4.Check.OK) {
            counters.inc(Counter.IP_IN_HDR_ERRORS);
            counters.inc(switch (check) {
                case TRUNCATED -> Counter.IP_IN_TRUNCATED;
                case BAD_VERSION -> Counter.IP_IN_BAD_VERSION;
                case BAD_HEADER_LENGTH -> Counter.IP_IN_BAD_HEADER_LENGTH;
                case BAD_TOTAL_LENGTH -> Counter.IP_IN_BAD_TOTAL_LENGTH;
                default -> Counter.IP_IN_CSUM_ERRORS;
            });
            return;
        }
        int src = hdr.source();
        int dst = hdr.destination();
        // martians (as Linux): multicast, limited or directed broadcast sources, loopback from outside
        if (Ip4.isMulticast(src) || src == Ip4.BROADCAST || in.isBroadcastOf(src)
                || !in.isLoopback() && (Ip4.isLoopback(src) || Ip4.isLoopback(dst))) {
            counters.inc(Counter.IP_IN_ADDR_ERRORS);
            return;
        }
        if (Ip4.isMulticast(dst) && !in.isLoopback() && !joined(in, hdr, dst, src)) {
            counters.inc(Counter.IP_IN_ADDR_ERRORS); // a group no socket joined here (as IP_MULTICAST_ALL off)
            return;
        }
        if (in.isLoopback() || dst == Ip4.BROADCAST || Ip4.isMulticast(dst) || in.isBroadcastOf(dst)
                || interfaces.owner(dst) != null) {
            deliver(in, buf);
        } else if (transparent != null && transparent.accept(in, hdr, buf)) {
            deliver(in, buf);
        } else if (forwarding) {
            forward(in, buf, off);
        } else {
            counters.inc(Counter.IP_IN_ADDR_ERRORS);
        }
    }

    /** IGMP and 224.0.0.1 always; other groups when joined on {@code in} with a filter that takes {@code src}. */
    private boolean joined(NetInterface in, Ipv4 hdr, int dst, int src) {
        if (dst == Igmp3.ALL_SYSTEMS || hdr.protocol() == Igmp3.PROTOCOL) {
            return true;
        }
        return igmp.memberships().accepts(in.index, new SourceFilter.Source((dst & 0xffffffffL) << 32, 0, 4),
                new SourceFilter.Source((src & 0xffffffffL) << 32, 0, 4));
    }

    private void deliver(NetInterface in, ByteBuffer buf) {
        if (hdr.isFragment()) {
            int at = reassembler.add(hdr, buf);
            if (at < 0) {
                return;
            }
            buf = reassembler.output();
            hdr.wrap(buf, at, buf.getShort(at + 2) & 0xffff);
        }
        counters.inc(Counter.IP_IN_DELIVERS);
        switch (hdr.protocol()) {
            case Ipv4.PROTO_ICMP -> icmp.input(in, hdr, buf);
            case Ipv4.PROTO_UDP -> udp.input(in, hdr, buf);
            case Igmp3.PROTOCOL -> igmp.input(in, hdr, buf);
            case Ipv4.PROTO_TCP -> {
                if (tcp != null) {
                    tcp.input(in, hdr, buf);
                } else {
                    counters.inc(Counter.IP_IN_UNKNOWN_PROTOS);
                }
            }
            default -> {
                counters.inc(Counter.IP_IN_UNKNOWN_PROTOS);
                errors.error(Icmp4.DEST_UNREACHABLE, Icmp4.CODE_PROTOCOL_UNREACHABLE, 0, buf, hdr.offset(),
                        hdr.totalLength(), in);
            }
        }
    }

    private void forward(NetInterface in, ByteBuffer buf, int off) {
        int total = hdr.totalLength();
        int dst = hdr.destination();
        if (dst == 0 || hdr.source() == 0) {
            counters.inc(Counter.IP_IN_ADDR_ERRORS);
            return;
        }
        if (hdr.ttl() <= 1) {
            counters.inc(Counter.IP_TTL_EXCEEDED);
            counters.inc(Counter.IP_IN_DISCARDS);
            errors.error(Icmp4.TIME_EXCEEDED, Icmp4.CODE_TTL_EXCEEDED, 0, buf, off, total, in);
            return;
        }
        if (route(dst, 0) != 0 || path.local) {
            counters.inc(Counter.IP_OUT_NO_ROUTES);
            errors.error(Icmp4.DEST_UNREACHABLE, Icmp4.CODE_NET_UNREACHABLE, 0, buf, off, total, in);
            return;
        }
        if (path.iface.isBroadcastOf(dst)) {
            counters.inc(Counter.IP_IN_ADDR_ERRORS); // no directed broadcast forwarding (RFC 2644)
            return;
        }
        hdr.decrementTtl();
        counters.inc(Counter.IP_FORW_DATAGRAMS);
        if (total > path.iface.mtu()) {
            if (hdr.dontFragment()) {
                counters.inc(Counter.IP_FRAG_FAILS);
                errors.error(Icmp4.DEST_UNREACHABLE, Icmp4.CODE_FRAGMENTATION_NEEDED, path.iface.mtu(), buf, off,
                        total, in);
                return;
            }
            fragment(path.iface, path.nextHop, buf, off, DeliveryFailure.IGNORE);
            return;
        }
        neighbours.send(path.iface, path.nextHop, buf, off, total, DeliveryFailure.IGNORE);
    }

    // ---------------------------------------------------------------- output

    /**
     * Chooses the way to {@code dst} into {@link #path()}: 0, or -errno (ENETUNREACH when no route,
     * ENETDOWN when the interface is down). {@code source} 0 lets the stack pick the source.
     */
    public int route(int dst, int source) {
        Path p = path;
        NetInterface owner = interfaces.owner(dst);
        if (owner != null || Ip4.isLoopback(dst)) {
            NetInterface lo = interfaces.byIndex(1);
            if (lo == null || !lo.isUp()) {
                return -Errno.ENETUNREACH.value();
            }
            p.iface = lo;
            p.local = true;
            p.nextHop = dst;
            p.source = source != 0 ? source : dst;
            return 0;
        }
        p.local = false;
        Route r = routes.lookup(dst, interfaces::isUsable);
        if (r == null && dst == Ip4.BROADCAST) {
            NetInterface bare = null;
            for (NetInterface i : interfaces.all()) {
                if (!i.isLoopback() && i.isUp() && !i.addresses().isEmpty()) {
                    p.iface = i;
                    p.nextHop = dst;
                    p.source = source != 0 ? source : i.sourceFor(dst);
                    return 0;
                }
                if (bare == null && !i.isLoopback() && i.isUp()) {
                    bare = i;
                }
            }
            if (bare != null) {
                // An up interface without an address: a DHCP client's DISCOVER from 0.0.0.0 (RFC 2131 4.1)
                p.iface = bare;
                p.nextHop = dst;
                p.source = source;
                return 0;
            }
        }
        if (r == null) {
            return -Errno.ENETUNREACH.value();
        }
        p.iface = interfaces.byIndex(r.ifindex());
        p.nextHop = r.gateway() != 0 && dst != Ip4.BROADCAST ? r.gateway() : dst;
        p.source = source != 0 ? source : p.iface.sourceFor(p.nextHop);
        return 0;
    }

    /**
     * True when a packet to {@code dst} would leave by an interface whose port takes partial TCP
     * checksums (a tap with offload behind it): TCP then skips summing the segment.
     */
    public boolean partialChecksumsTo(int dst) {
        // per segment: skip the second route lookup (output routes again) where no port offloads
        return interfaces.anyAcceptsPartialChecksums()
                && route(dst, 0) == 0 && !path.local && path.iface.acceptsPartialChecksums();
    }

    /**
     * The longest IPv4 datagram to {@code dst} that may leave as one TSO frame (its interface's
     * port segments, takes partial checksums, and the next hop's address is known), or 0.
     */
    public int segmentationTo(int dst) {
        if (!interfaces.anySegments() || route(dst, 0) != 0 || path.local) {
            return 0;
        }
        int frame = path.iface.maxSegmentedFrame();
        if (frame <= Ethernet.HEADER || !neighbours.isReachable(path.iface, path.nextHop)) {
            return 0;
        }
        return Math.min(65535, frame - Ethernet.HEADER);
    }

    /**
     * {@link #output} of a TCP segment longer than the MTU that the link is to cut into segments of
     * {@code segmentSize} payload bytes (TSO; see {@link #segmentationTo}); DF set. Refused
     * (-EMSGSIZE, counted as a discard) when the route no longer leads to a port that segments.
     */
    public int outputSegmented(int src, int dst, ByteBuffer buf, int payloadOff, int payloadLen, int segmentSize) {
        counters.inc(Counter.IP_OUT_REQUESTS);
        int r = route(dst, src);
        if (r != 0) {
            counters.inc(Counter.IP_OUT_NO_ROUTES);
            return r;
        }
        Path p = path;
        int total = Ipv4.HEADER + payloadLen;
        if (p.local || p.source == 0 || total > 65535 || Ethernet.HEADER + total > p.iface.maxSegmentedFrame()) {
            counters.inc(Counter.IP_OUT_DISCARDS);
            return -Errno.EMSGSIZE.value();
        }
        int ipOff = payloadOff - Ipv4.HEADER;
        nextId = (nextId + 1) & 0xffff;
        Ipv4.emit(buf, ipOff, 0, total, nextId, Ipv4.FLAG_DF, DEFAULT_TTL, Ipv4.PROTO_TCP, p.source, dst);
        neighbours.sendSegmented(p.iface, p.nextHop, buf, ipOff, total, segmentSize);
        return 0;
    }

    public Path path() {
        return path;
    }

    /**
     * Sends {@code payloadLen} bytes at {@code payloadOff} of {@code buf} (which has
     * {@link #HEADROOM} bytes before them) as one datagram. Returns 0, or -errno when it was
     * refused at once (no route, message too long with DF, no source address).
     */
    public int output(int src, int dst, int protocol, int tos, int ttl, boolean df, ByteBuffer buf, int payloadOff,
                      int payloadLen, DeliveryFailure owner) {
        counters.inc(Counter.IP_OUT_REQUESTS);
        int r = route(dst, src);
        if (r != 0) {
            counters.inc(Counter.IP_OUT_NO_ROUTES);
            return r;
        }
        return transmit(dst, protocol, tos, ttl, df, buf, payloadOff, payloadLen, owner);
    }

    /**
     * {@link #output} out of {@code nic} from {@code src} without a route lookup: a multicast datagram
     * leaves by the socket's IP_MULTICAST_IF (or the interface chosen for a group no route covers).
     */
    public int outputVia(NetInterface nic, int src, int dst, int protocol, int tos, int ttl, ByteBuffer buf,
                         int payloadOff, int payloadLen, DeliveryFailure owner) {
        counters.inc(Counter.IP_OUT_REQUESTS);
        path.iface = nic;
        path.local = false;
        path.nextHop = dst;
        path.source = src;
        return transmit(dst, protocol, tos, ttl, false, buf, payloadOff, payloadLen, owner);
    }

    /** Sends on the chosen {@link #path}. */
    private int transmit(int dst, int protocol, int tos, int ttl, boolean df, ByteBuffer buf, int payloadOff,
                         int payloadLen, DeliveryFailure owner) {
        Path p = path;
        if (p.source == 0 && dst != Ip4.BROADCAST) { // 0.0.0.0 only to the limited broadcast (DHCP)
            counters.inc(Counter.IP_OUT_DISCARDS);
            return -Errno.EADDRNOTAVAIL.value();
        }
        int total = Ipv4.HEADER + payloadLen;
        if (total > 65535) {
            counters.inc(Counter.IP_OUT_DISCARDS);
            return -Errno.EMSGSIZE.value();
        }
        int ipOff = payloadOff - Ipv4.HEADER;
        nextId = (nextId + 1) & 0xffff;
        Ipv4.emit(buf, ipOff, tos, total, nextId, df ? Ipv4.FLAG_DF : 0, ttl, protocol, p.source, dst);
        if (p.local) {
            if (!rx.offer(p.iface, buf, ipOff, total, true)) {
                counters.inc(Counter.IP_OUT_DISCARDS);
            }
            return 0;
        }
        if (total > p.iface.mtu()) {
            if (df) {
                counters.inc(Counter.IP_FRAG_FAILS);
                return -Errno.EMSGSIZE.value();
            }
            fragment(p.iface, p.nextHop, buf, ipOff, owner);
            return 0;
        }
        neighbours.send(p.iface, p.nextHop, buf, ipOff, total, owner);
        return 0;
    }

    /** Sends the datagram at {@code ipOff} in fragments that fit {@code out}'s MTU. */
    private void fragment(NetInterface out, int nextHop, ByteBuffer buf, int ipOff, DeliveryFailure owner) {
        inner.wrap(buf, ipOff, buf.getShort(ipOff + 2) & 0xffff);
        int hl = inner.headerLength();
        int payload = inner.totalLength() - hl;
        ByteBuffer fragments = fragmentScratch.get(Ethernet.HEADER + Math.min(out.mtu(), 9300));
        int maxData = (Math.min(out.mtu(), fragments.capacity() - Ethernet.HEADER) - hl) & ~7;
        if (maxData < 8) {
            counters.inc(Counter.IP_FRAG_FAILS);
            return;
        }
        int baseOffset = inner.fragmentOffset();
        boolean moreAfter = inner.moreFragments();
        int flags = buf.getShort(ipOff + 6) & Ipv4.FLAG_DF;
        int at = Ethernet.HEADER;
        for (int o = 0; o < payload; o += maxData) {
            int n = Math.min(maxData, payload - o);
            boolean last = o + n == payload;
            fragments.put(at, buf, ipOff, hl);
            fragments.put(at + hl, buf, ipOff + hl + o, n);
            fragments.putShort(at + 2, (short) (hl + n));
            fragments.putShort(at + 6, (short) (flags | (last && !moreAfter ? 0 : Ipv4.FLAG_MF) | (baseOffset + o) / 8));
            fragments.putShort(at + 10, (short) 0);
            fragments.putShort(at + 10, (short) Checksum.of(fragments, at, hl));
            neighbours.send(out, nextHop, fragments, at, hl + n, owner);
            counters.inc(Counter.IP_FRAG_CREATES);
        }
        counters.inc(Counter.IP_FRAG_OKS);
    }
}
