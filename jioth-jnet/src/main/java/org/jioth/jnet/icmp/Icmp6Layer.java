package org.jioth.jnet.icmp;

import java.net.NoRouteToHostException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.jioth.Errno;
import org.jioth.jnet.loop.Counter;
import org.jioth.jnet.loop.Counters;
import org.jioth.jnet.loop.StackLoop;
import org.jioth.jnet.ip.Address6;
import org.jioth.jnet.ip.AddressTable6;
import org.jioth.jnet.ip.Ipv6Layer;
import org.jioth.jnet.ip.RouterDiscovery6;
import org.jioth.jnet.link.Neighbor6Cache;
import org.jioth.jnet.link.NetInterface;
import org.jioth.jnet.mem.Scratch;
import org.jioth.jnet.wire.Icmp6;
import org.jioth.jnet.wire.Ip6;
import org.jioth.jnet.wire.Ipv6;
import org.jioth.jnet.wire.Mac;

/**
 * ICMPv6 (RFC 4443) and the messages of Neighbor Discovery (RFC 4861) that a host needs to be
 * reached and to reach others on a link: echo (answered, and the stack's own pings), neighbour
 * solicitations (answered for our addresses, sent for {@link Neighbor6Cache}) and advertisements
 * (fed to the cache, which ignores unsolicited ones). ND messages must arrive with hop limit 255
 * (7.1.1) or are dropped. Errors we generate are rate-limited like ICMPv4's
 * ({@link IcmpLayer#ERRORS_PER_SECOND}, burst {@link IcmpLayer#ERROR_BURST}) and never sent about
 * an ICMPv6 error, to a multicast or unspecified source. Destination unreachable, time exceeded and
 * parameter problem quoting one of our echo requests fail that ping; errors quoting a transport's
 * datagram go to it ({@link #setTransportErrors}); Packet Too Big lowers the path MTU once checked
 * against the quoted datagram. Solicitations and advertisements also serve DAD ({@link AddressTable6});
 * router advertisements and redirects are validated here and applied by {@link RouterDiscovery6}.
 * Loop-only.
 */
public final class Icmp6Layer implements Ipv6Layer.Icmp, Neighbor6Cache.Solicitor, AddressTable6.Prober,
        RouterDiscovery6.Solicitor {
    /** An error quotes as much of the offending datagram as fits the minimum MTU (RFC 4443 2.4 c). */
    private static final int MAX_QUOTE = 1280 - Ipv6.HEADER - Icmp6.HEADER;
    private static final int OPT_SOURCE_LL = 1;
    private static final int OPT_TARGET_LL = 2;
    private static final int NA_SOLICITED = 0x40000000;
    private static final int NA_OVERRIDE = 0x20000000;

    private final Ipv6Layer ip;
    private final Neighbor6Cache neighbours;
    private final Counters counters;
    private final StackLoop loop;
    private final RateLimiter limiter = new RateLimiter(IcmpLayer.ERRORS_PER_SECOND, IcmpLayer.ERROR_BURST);
    private final Icmp6 msg = new Icmp6();
    /** Messages are built here: allocated on the first send, given back when the stack idles. */
    private final Scratch scratch;
    private final byte[] src = new byte[16];
    private final byte[] dst = new byte[16];
    private final PendingPings pings;

    public Icmp6Layer(Ipv6Layer ip, Neighbor6Cache neighbours, Counters counters, StackLoop loop, int pingId) {
        this.ip = ip;
        this.neighbours = neighbours;
        this.counters = counters;
        this.loop = loop;
        this.scratch = loop.scratch();
        this.pings = new PendingPings(loop, pingId);
    }

    @Override
    public void input(NetInterface in, Ipv6 hdr, ByteBuffer buf, int len) {
        counters.inc(Counter.ICMP6_IN_MSGS);
        int ipOff = hdr.offset();
        int off = ipOff + hdr.upperOffset();
        if (msg.wrap(buf, ipOff, off, len) != Icmp6.Check.OK) {
            counters.inc(Counter.ICMP6_IN_ERRORS);
            if (len >= 4) {
                counters.inc(Counter.ICMP6_IN_CSUM_ERRORS);
            }
            return;
        }
        hdr.source(src);
        hdr.destination(dst);
        switch (msg.type()) {
            case Icmp6.ECHO_REQUEST -> echo(in, hdr, buf, off, len);
            case Icmp6.ECHO_REPLY -> {
                counters.inc(Counter.ICMP6_IN_ECHO_REPLIES);
                pings.reply(msg.identifier(), msg.sequence());
            }
            case Icmp6.NEIGHBOR_SOLICITATION -> solicitation(in, hdr, buf, off, len);
            case Icmp6.NEIGHBOR_ADVERTISEMENT -> advertisement(in, hdr, buf, off, len);
            case Icmp6.ROUTER_ADVERTISEMENT -> routerAdvertisement(in, hdr, buf, off, len);
            case Icmp6.REDIRECT -> redirect(in, hdr, buf, off, len);
            case org.jioth.jnet.ip.Mld6.QUERY -> ip.mld().input(in, hdr, src.clone(), buf, off, len);
            case Icmp6.DEST_UNREACHABLE, Icmp6.TIME_EXCEEDED, Icmp6.PARAMETER_PROBLEM -> {
                quotedError(buf, off, len);
                toTransport(in, buf, off, len, msg.rest());
            }
            case Icmp6.PACKET_TOO_BIG -> packetTooBig(in, buf, off, len);
            default -> { } // counted in InMsgs; nothing to do
        }
    }

    private void echo(NetInterface in, Ipv6 hdr, ByteBuffer buf, int off, int len) {
        counters.inc(Counter.ICMP6_IN_ECHOS);
        if (Ip6.isMulticast(dst)) {
            counters.inc(Counter.ICMP6_IN_ECHO_MULTICAST_IGNORED);
            return;
        }
        if (Ip6.isUnspecified(src)) {
            return;
        }
        int at = Ipv6Layer.HEADROOM;
        ByteBuffer tx = scratch.get(at + len);
        tx.put(at, buf, off, len);
        tx.put(at, (byte) Icmp6.ECHO_REPLY);
        tx.put(at + 1, (byte) 0);
        if (send(in, replyHop(in, src), dst.clone(), src.clone(), ip.hopLimit(), len, null)) {
            counters.inc(Counter.ICMP6_OUT_ECHO_REPLIES);
        }
    }

    /** The next hop back to {@code to} from {@code in}: itself when on-link or link-local, else the route's gateway. */
    private byte[] replyHop(NetInterface in, byte[] to) {
        Ipv6Layer.Path p = new Ipv6Layer.Path();
        if (!Ip6.isLinkLocal(to) && ip.route(to, in.index, p) == 0 && p.iface == in) {
            return p.nextHop.clone();
        }
        return to.clone();
    }

    /**
     * Sends the ICMPv6 message built at HEADROOM in the scratch buffer out of {@code nic} to {@code nextHop}:
     * header first (the checksum covers its addresses), then the checksum, then out.
     */
    private boolean send(NetInterface nic, byte[] nextHop, byte[] from, byte[] to, int hopLimit, int len,
                         java.util.function.IntConsumer onFailure) {
        int at = Ipv6Layer.HEADROOM;
        ByteBuffer tx = scratch.current();
        Ipv6Layer.header(tx, at, from, to, Ipv6.ICMPV6, hopLimit, len);
        Icmp6.finish(tx, at - Ipv6.HEADER, at, len);
        int r = ip.output(nic, nextHop, from, to, Ipv6.ICMPV6, hopLimit, tx, at, len,
                onFailure != null ? onFailure : e -> { });
        if (r == 0) {
            counters.inc(Counter.ICMP6_OUT_MSGS);
        }
        return r == 0;
    }

    /**
     * ICMPv6 errors about datagrams a transport sent, delivered to it (TCP and UDP sockets; wired by
     * the transport with {@link #setTransportErrors}). Called on the loop after the quoted datagram
     * was checked to come from one of our addresses.
     */
    public interface TransportErrors {
        /**
         * @param type      ICMPv6 type (1 unreachable, 2 packet too big, 3 time exceeded, 4 parameter problem)
         * @param code      its code
         * @param info      the word after the checksum: the new path MTU for packet too big (already in
         *                  {@link Ipv6Layer#pathMtu}), the pointer for parameter problem, else 0
         * @param local     the quoted source (ours), 16 bytes
         * @param remote    the quoted destination, 16 bytes
         * @param quote     the buffer holding the quoted upper-layer header
         * @param at        its offset in {@code quote} (past the quoted extension headers)
         * @param length    the quoted upper-layer bytes there (may be short: check before reading ports)
         */
        void icmpError(int type, int code, int info, byte[] local, byte[] remote, ByteBuffer quote, int at,
                       int length);
    }

    private final TransportErrors[] transports = new TransportErrors[256];

    /** Errors quoting datagrams of upper-layer {@code protocol} (6 TCP, 17 UDP) go to {@code t} (null: none). */
    public void setTransportErrors(int protocol, TransportErrors t) {
        transports[protocol & 0xff] = t;
    }

    /**
     * Walks the quoted datagram of the error at {@code off}: returns the quoted upper-layer offset
     * (and its protocol in {@code proto[0]}), or -1 when the quote is not one of ours or is cut short.
     */
    private int quotedUpper(NetInterface in, ByteBuffer buf, int off, int len, int[] proto, byte[] local, byte[] remote) {
        int q = off + Icmp6.HEADER;
        int end = off + len;
        if (q + Ipv6.HEADER > end || (buf.get(q) & 0xf0) != 0x60) {
            return -1;
        }
        buf.get(q + 8, local);
        buf.get(q + 24, remote);
        if (!ip.isOurs(in, local)) {
            return -1; // not sent by us: forged or misdelivered
        }
        int nh = buf.get(q + 6) & 0xff;
        int p = q + Ipv6.HEADER;
        for (int n = 0; n < Ipv6.MAX_EXTENSION_HEADERS
                && (nh == Ipv6.HOP_BY_HOP || nh == Ipv6.ROUTING || nh == Ipv6.DESTINATION_OPTIONS || nh == Ipv6.FRAGMENT); n++) {
            if (p + 8 > end) {
                return -1;
            }
            int next = buf.get(p) & 0xff;
            if (nh == Ipv6.FRAGMENT && (buf.getShort(p + 2) & 0xfff8) != 0) {
                return -1; // a non-first fragment quotes no upper-layer header
            }
            p += nh == Ipv6.FRAGMENT ? 8 : ((buf.get(p + 1) & 0xff) + 1) * 8;
            nh = next;
        }
        proto[0] = nh;
        return p <= end ? p : -1;
    }

    private void toTransport(NetInterface in, ByteBuffer buf, int off, int len, int info) {
        int[] proto = new int[1];
        byte[] local = new byte[16];
        byte[] remote = new byte[16];
        int at = quotedUpper(in, buf, off, len, proto, local, remote);
        if (at < 0) {
            return;
        }
        TransportErrors t = transports[proto[0]];
        if (t != null) {
            t.icmpError(msg.type(), msg.code(), info, local, remote, buf, at, off + len - at);
            // counted after the transport heard it: whoever sees the count sees what it did with it
            counters.inc(Counter.ICMP6_ERRORS_TO_TRANSPORT);
        }
    }

    /**
     * Packet Too Big (RFC 8201 4): believed only when it quotes a datagram from one of our addresses
     * whose size exceeds the reported MTU; then the path MTU to the quoted destination goes down
     * (floor 1280) and the transport hears the new value.
     */
    private void packetTooBig(NetInterface in, ByteBuffer buf, int off, int len) {
        counters.inc(Counter.ICMP6_IN_PKT_TOO_BIGS);
        int q = off + Icmp6.HEADER;
        int reported = msg.rest();
        byte[] local = new byte[16];
        byte[] remote = new byte[16];
        if (msg.code() != 0 || len < Icmp6.HEADER + Ipv6.HEADER || (buf.get(q) & 0xf0) != 0x60) {
            counters.inc(Counter.ICMP6_IN_BAD_PKT_TOO_BIG);
            return;
        }
        buf.get(q + 8, local);
        buf.get(q + 24, remote);
        int quotedSize = Ipv6.HEADER + (buf.getShort(q + 4) & 0xffff);
        if (!ip.isOurs(in, local) || reported < 0 || quotedSize <= reported) {
            counters.inc(Counter.ICMP6_IN_BAD_PKT_TOO_BIG); // not ours, or it fitted: forged
            return;
        }
        int mtu = ip.packetTooBig(in, remote, reported);
        toTransport(in, buf, off, len, mtu);
    }

    /** An error quoting one of our echo requests fails that ping (the only IPv6 sender so far). */
    private void quotedError(ByteBuffer buf, int off, int len) {
        int q = off + Icmp6.HEADER;
        if (len < Icmp6.HEADER + Ipv6.HEADER + Icmp6.HEADER || (buf.get(q) & 0xf0) != 0x60
                || (buf.get(q + 6) & 0xff) != Ipv6.ICMPV6) {
            return;
        }
        int t = q + Ipv6.HEADER;
        if ((buf.get(t) & 0xff) != Icmp6.ECHO_REQUEST || (buf.getShort(t + 4) & 0xffff) != pings.id()) {
            return;
        }
        PendingPings.Ping p = pings.get(buf.getShort(t + 6) & 0xffff);
        if (p != null) {
            byte[] to = new byte[16];
            buf.get(q + 24, to);
            p.fail(new NoRouteToHostException(Ip6.toString(to) + ": ICMPv6 error type " + msg.type() + " code "
                    + msg.code() + " from " + Ip6.toString(src)));
        }
    }

    // ------------------------------------------------------------ Neighbor Discovery

    /** The link-layer address option of {@code wanted} type in the ND options, -1 if absent, -2 if malformed. */
    private static long linkLayerOption(ByteBuffer buf, int p, int end, int wanted) {
        long found = -1;
        while (p < end) {
            if (p + 2 > end) {
                return -2;
            }
            int type = buf.get(p) & 0xff;
            int olen = (buf.get(p + 1) & 0xff) * 8;
            if (olen == 0 || p + olen > end) {
                return -2; // RFC 4861 4.6: a zero length option makes the whole message invalid
            }
            if (type == wanted && olen >= 8) {
                found = Mac.get(buf, p + 2);
            }
            p += olen;
        }
        return found;
    }

    private boolean validNd(Ipv6 hdr, int len) {
        if (hdr.hopLimit() != 255 || msg.code() != 0 || len < 24) {
            counters.inc(Counter.ICMP6_IN_BAD_ND);
            return false;
        }
        return true;
    }

    private void solicitation(NetInterface in, Ipv6 hdr, ByteBuffer buf, int off, int len) {
        counters.inc(Counter.ICMP6_IN_NEIGHBOR_SOLICITS);
        if (!validNd(hdr, len)) {
            return;
        }
        byte[] target = new byte[16];
        buf.get(off + 8, target);
        long sll = linkLayerOption(buf, off + 24, off + len, OPT_SOURCE_LL);
        boolean dad = Ip6.isUnspecified(src);
        if (Ip6.isMulticast(target) || sll == -2 || dad && (sll >= 0
                || !Ip6.isSolicitedNodeOf(dst, target))) {
            counters.inc(Counter.ICMP6_IN_BAD_ND); // 7.1.1
            return;
        }
        Address6 mine = ip.addressTable().find(in.index, target);
        if (mine != null && mine.isDadRunning() && dad) {
            ip.addressTable().conflict(in, target); // another node probes for it too (RFC 4862 5.4.3)
            return;
        }
        if (!ip.isOurs(in, target)) {
            return; // not ours, or tentative: a tentative address is not answered for
        }
        if (!dad && sll >= 0) {
            neighbours.solicitation(in, src, sll);
        }
        boolean optimistic = mine != null && mine.state() == Address6.State.OPTIMISTIC;
        int at = Ipv6Layer.HEADROOM;
        ByteBuffer tx = scratch.get(at + 32);
        // RFC 4429 3.3: no override flag for an optimistic address, it may still turn out a duplicate
        Icmp6.emit(tx, at, Icmp6.NEIGHBOR_ADVERTISEMENT, 0, (dad ? 0 : NA_SOLICITED) | (optimistic ? 0 : NA_OVERRIDE));
        tx.put(at + 8, target);
        tx.put(at + 24, (byte) OPT_TARGET_LL);
        tx.put(at + 25, (byte) 1);
        Mac.put(tx, at + 26, in.mac());
        byte[] to = dad ? Ip6.ALL_NODES : src.clone();
        if (!dad && sll < 0) {
            // No source link-layer option: the reply needs the sender resolved first (7.2.4).
            if (send(in, to, target, to, 255, 32, null)) {
                counters.inc(Counter.ICMP6_OUT_NEIGHBOR_ADVERTISEMENTS);
            }
            return;
        }
        long mac = dad ? Ip6.multicastMac(to) : sll;
        Ipv6Layer.header(tx, at, target, to, Ipv6.ICMPV6, 255, 32);
        Icmp6.finish(tx, at - Ipv6.HEADER, at, 32);
        int frame = at - Ipv6Layer.HEADROOM;
        org.jioth.jnet.wire.Ethernet.emit(tx, frame, mac, in.mac(), org.jioth.jnet.wire.Ethernet.TYPE_IPV6);
        if (in.transmit(tx, frame, Ipv6Layer.HEADROOM + 32)) {
            counters.inc(Counter.ICMP6_OUT_MSGS);
            counters.inc(Counter.ICMP6_OUT_NEIGHBOR_ADVERTISEMENTS);
        }
    }

    private void advertisement(NetInterface in, Ipv6 hdr, ByteBuffer buf, int off, int len) {
        counters.inc(Counter.ICMP6_IN_NEIGHBOR_ADVERTISEMENTS);
        if (!validNd(hdr, len)) {
            return;
        }
        int flags = buf.getInt(off + 4);
        boolean solicited = (flags & NA_SOLICITED) != 0;
        byte[] target = new byte[16];
        buf.get(off + 8, target);
        long tll = linkLayerOption(buf, off + 24, off + len, OPT_TARGET_LL);
        if (Ip6.isMulticast(target) || tll == -2 || solicited && Ip6.isMulticast(dst)) {
            counters.inc(Counter.ICMP6_IN_BAD_ND); // 7.1.2
            return;
        }
        if (ip.addressTable().conflict(in, target)) {
            return; // an advertisement for an address we are probing: it is taken (RFC 4862 5.4.4)
        }
        neighbours.advertisement(in, target, tll, solicited, (flags & NA_OVERRIDE) != 0);
    }

    /** RFC 4861 6.1.2: from a link-local source, hop limit 255, code 0, at least 16 bytes, options well formed. */
    private void routerAdvertisement(NetInterface in, Ipv6 hdr, ByteBuffer buf, int off, int len) {
        if (hdr.hopLimit() != 255 || msg.code() != 0 || len < 16 || !Ip6.isLinkLocal(src)
                || linkLayerOption(buf, off + 16, off + len, -1) == -2) {
            counters.inc(Counter.ICMP6_IN_BAD_ND);
            return;
        }
        ip.routerDiscovery().advertisement(in, src.clone(), buf, off, len);
    }

    /**
     * RFC 4861 8.1: from the link-local address of our current first hop for the destination, hop
     * limit 255, code 0, at least 40 bytes, a unicast destination, and a target that is link-local
     * (a better router) or the destination itself (it is on-link).
     */
    private void redirect(NetInterface in, Ipv6 hdr, ByteBuffer buf, int off, int len) {
        counters.inc(Counter.ICMP6_IN_REDIRECTS);
        byte[] target = new byte[16];
        byte[] destination = new byte[16];
        if (len >= 40) {
            buf.get(off + 8, target);
            buf.get(off + 24, destination);
        }
        long tll = len >= 40 ? linkLayerOption(buf, off + 40, off + len, OPT_TARGET_LL) : -2;
        Ipv6Layer.Path p = new Ipv6Layer.Path();
        if (hdr.hopLimit() != 255 || msg.code() != 0 || len < 40 || tll == -2 || !Ip6.isLinkLocal(src)
                || Ip6.isMulticast(destination) || !(Ip6.isLinkLocal(target) || java.util.Arrays.equals(target, destination))
                || ip.route(destination, in.index, p) != 0 || p.iface != in || !java.util.Arrays.equals(p.nextHop, src)) {
            counters.inc(Counter.ICMP6_IN_BAD_REDIRECTS);
            return;
        }
        ip.routerDiscovery().redirect(in, destination, target);
        if (tll >= 0) {
            neighbours.solicitation(in, target, tll); // 8.3: the target's link-layer address, STALE
        }
    }

    @Override
    public void solicit(NetInterface nic, byte[] target) {
        int at = Ipv6Layer.HEADROOM;
        ByteBuffer tx = scratch.get(at + 32);
        Icmp6.emit(tx, at, Icmp6.NEIGHBOR_SOLICITATION, 0, 0);
        tx.put(at + 8, target);
        tx.put(at + 24, (byte) OPT_SOURCE_LL);
        tx.put(at + 25, (byte) 1);
        Mac.put(tx, at + 26, nic.mac());
        byte[] group = Ip6.solicitedNode(target);
        if (send(nic, group, ip.sourceFor(nic, target), group, 255, 32, null)) {
            counters.inc(Counter.ICMP6_OUT_NEIGHBOR_SOLICITS);
        }
    }

    @Override
    public void probe(NetInterface nic, byte[] target, long mac) {
        int at = Ipv6Layer.HEADROOM;
        ByteBuffer tx = scratch.get(at + 32);
        Icmp6.emit(tx, at, Icmp6.NEIGHBOR_SOLICITATION, 0, 0);
        tx.put(at + 8, target);
        tx.put(at + 24, (byte) OPT_SOURCE_LL);
        tx.put(at + 25, (byte) 1);
        Mac.put(tx, at + 26, nic.mac());
        byte[] from = ip.sourceFor(nic, target);
        Ipv6Layer.header(tx, at, from, target, Ipv6.ICMPV6, 255, 32);
        Icmp6.finish(tx, at - Ipv6.HEADER, at, 32);
        int frame = at - Ipv6Layer.HEADROOM;
        org.jioth.jnet.wire.Ethernet.emit(tx, frame, mac, nic.mac(), org.jioth.jnet.wire.Ethernet.TYPE_IPV6);
        if (nic.transmit(tx, frame, Ipv6Layer.HEADROOM + 32)) {
            counters.inc(Counter.ICMP6_OUT_MSGS);
            counters.inc(Counter.ICMP6_OUT_NEIGHBOR_SOLICITS);
        }
    }

    /** A DAD probe (RFC 4862 5.4.2): from ::, to the target's solicited-node group, no link-layer option. */
    @Override
    public void dadProbe(NetInterface nic, byte[] target) {
        int at = Ipv6Layer.HEADROOM;
        ByteBuffer tx = scratch.get(at + 24);
        Icmp6.emit(tx, at, Icmp6.NEIGHBOR_SOLICITATION, 0, 0);
        tx.put(at + 8, target);
        byte[] group = Ip6.solicitedNode(target);
        if (send(nic, group, Ip6.UNSPECIFIED.clone(), group, 255, 24, null)) {
            counters.inc(Counter.ICMP6_OUT_NEIGHBOR_SOLICITS);
        }
    }

    /** A router solicitation to all routers, from the link-local address with our MAC, or from :: without (RFC 4861 6.3.7). */
    @Override
    public void routerSolicit(NetInterface nic) {
        byte[] ll = Ip6.linkLocal(nic.mac());
        boolean usable = ip.isOurs(nic, ll);
        int len = usable ? 16 : 8;
        int at = Ipv6Layer.HEADROOM;
        ByteBuffer tx = scratch.get(at + len);
        Icmp6.emit(tx, at, Icmp6.ROUTER_SOLICITATION, 0, 0);
        if (usable) {
            tx.put(at + 8, (byte) OPT_SOURCE_LL);
            tx.put(at + 9, (byte) 1);
            Mac.put(tx, at + 10, nic.mac());
        }
        send(nic, Ip6.ALL_ROUTERS, usable ? ll : Ip6.UNSPECIFIED.clone(), Ip6.ALL_ROUTERS, 255, len, null);
    }

    // ------------------------------------------------------------ errors

    @Override
    public void error(NetInterface in, int type, int code, int pointer, ByteBuffer buf, int ipOff, int len) {
        byte[] s = new byte[16];
        byte[] d = new byte[16];
        buf.get(ipOff + 8, s);
        buf.get(ipOff + 24, d);
        // RFC 4443 2.4 e: never to a multicast or unspecified source; (b) never about an ICMPv6 error
        if (Ip6.isMulticast(s) || Ip6.isUnspecified(s) || (buf.get(ipOff + 6) & 0xff) == Ipv6.ICMPV6
                && len > Ipv6.HEADER && Icmp6.isError(buf.get(ipOff + Ipv6.HEADER) & 0xff)) {
            return;
        }
        if (!limiter.tryAcquire(loop.now())) {
            counters.inc(Counter.ICMP6_OUT_RATE_LIMITED);
            return;
        }
        int quote = Math.min(len, MAX_QUOTE);
        int at = Ipv6Layer.HEADROOM;
        ByteBuffer tx = scratch.get(at + Icmp6.HEADER + quote);
        Icmp6.emit(tx, at, type, code, pointer);
        tx.put(at + Icmp6.HEADER, buf, ipOff, quote);
        byte[] from = Ip6.isMulticast(d) || !ip.isOurs(in, d) ? ip.sourceFor(in, s) : d;
        if (send(in, replyHop(in, s), from, s, ip.hopLimit(), Icmp6.HEADER + quote, null)) {
            if (type == Icmp6.PARAMETER_PROBLEM) {
                counters.inc(Counter.ICMP6_OUT_PARM_PROBLEMS);
            } else if (type == Icmp6.TIME_EXCEEDED) {
                counters.inc(Counter.ICMP6_OUT_TIME_EXCDS);
            }
        }
    }

    // ------------------------------------------------------------ ping

    /** Sends an echo request of {@code size} bytes to {@code to} (scope: interface index for link-local). */
    public CompletableFuture<Duration> ping(byte[] to, int scope, int size, long timeoutNanos) {
        CompletableFuture<Duration> f = new CompletableFuture<>();
        Ipv6Layer.Path path = new Ipv6Layer.Path();
        int r = ip.route(to, scope, path);
        if (r != 0) {
            f.completeExceptionally(new NoRouteToHostException(Ip6.toString(to) + ": " + Errno.nameOf(-r)));
            return f;
        }
        PendingPings.Ping p = pings.start(f);
        int seq = p.seq;
        int at = Ipv6Layer.HEADROOM;
        ByteBuffer tx = scratch.get(at + Icmp6.HEADER + size);
        Icmp6.emit(tx, at, Icmp6.ECHO_REQUEST, 0, pings.id() << 16 | seq);
        for (int i = 0; i < size; i++) {
            tx.put(at + Icmp6.HEADER + i, (byte) i);
        }
        pings.timeOut(p, timeoutNanos);
        if (send(path.iface, path.nextHop, ip.sourceFor(path.iface, to), to.clone(), ip.hopLimit(),
                Icmp6.HEADER + size, errno -> p.fail(new NoRouteToHostException(Ip6.toString(to) + ": "
                        + Errno.nameOf(errno) + (errno == Errno.ENOBUFS.value() ? " (dropped from the full neighbour queue)"
                        : " (no neighbour advertisement)"))))) {
            counters.inc(Counter.ICMP6_OUT_ECHOS);
        } else if (!f.isDone()) {
            p.fail(new NoRouteToHostException(Ip6.toString(to) + ": cannot send (message too big?)"));
        }
        return f;
    }
}
