package org.jioth.jnet.icmp;

import java.net.NoRouteToHostException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.jioth.Errno;
import org.jioth.jnet.Counter;
import org.jioth.jnet.Counters;
import org.jioth.jnet.StackLoop;
import org.jioth.jnet.ip.Ipv6Layer;
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
 * parameter problem quoting one of our echo requests fail that ping. Router discovery, redirects and MLD are
 * not done yet. Loop-only.
 */
public final class Icmp6Layer implements Ipv6Layer.Icmp, Neighbor6Cache.Solicitor {
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

    /**
     * Hears the ICMPv6 errors (destination unreachable, packet too big, time exceeded, parameter
     * problem) for the transports: {@code rest} is the message's second word (the MTU of a packet
     * too big), the quoted datagram is the {@code len - 8} bytes after the header at {@code off}.
     */
    public interface TransportErrors {
        void error(int type, int code, int rest, ByteBuffer buf, int off, int len);
    }

    private TransportErrors transportErrors;

    /** Where ICMPv6 errors about our TCP and UDP datagrams go (null: nowhere). */
    public void setTransportErrors(TransportErrors t) {
        this.transportErrors = t;
    }

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
            case Icmp6.DEST_UNREACHABLE, Icmp6.TIME_EXCEEDED, Icmp6.PARAMETER_PROBLEM -> {
                if (transportErrors != null) {
                    transportErrors.error(msg.type(), msg.code(), buf.getInt(off + 4), buf, off, len);
                }
                quotedError(buf, off, len);
            }
            case Icmp6.PACKET_TOO_BIG -> {
                if (transportErrors != null) {
                    transportErrors.error(msg.type(), msg.code(), buf.getInt(off + 4), buf, off, len);
                }
            }
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
        if (send(in, replyHop(in, src), dst.clone(), src.clone(), Ipv6Layer.DEFAULT_HOP_LIMIT, len, null)) {
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
                || !java.util.Arrays.equals(dst, Ip6.solicitedNode(target)))) {
            counters.inc(Counter.ICMP6_IN_BAD_ND); // 7.1.1
            return;
        }
        if (!ip.isOurs(in, target)) {
            return;
        }
        if (!dad && sll >= 0) {
            neighbours.solicitation(in, src, sll);
        }
        int at = Ipv6Layer.HEADROOM;
        ByteBuffer tx = scratch.get(at + 32);
        Icmp6.emit(tx, at, Icmp6.NEIGHBOR_ADVERTISEMENT, 0, (dad ? 0 : NA_SOLICITED) | NA_OVERRIDE);
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
        neighbours.advertisement(in, target, tll, solicited, (flags & NA_OVERRIDE) != 0);
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
        if (send(in, replyHop(in, s), from, s, Ipv6Layer.DEFAULT_HOP_LIMIT, Icmp6.HEADER + quote, null)
                && type == Icmp6.PARAMETER_PROBLEM) {
            counters.inc(Counter.ICMP6_OUT_PARM_PROBLEMS);
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
        if (send(path.iface, path.nextHop, ip.sourceFor(path.iface, to), to.clone(), Ipv6Layer.DEFAULT_HOP_LIMIT,
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
