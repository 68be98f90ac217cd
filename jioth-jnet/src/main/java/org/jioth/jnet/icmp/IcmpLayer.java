package org.jioth.jnet.icmp;

import java.net.NoRouteToHostException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.jioth.Errno;
import org.jioth.jnet.loop.Counter;
import org.jioth.jnet.loop.Counters;
import org.jioth.jnet.loop.StackLoop;
import org.jioth.jnet.ip.Ipv4Layer;
import org.jioth.jnet.link.DeliveryFailure;
import org.jioth.jnet.link.NetInterface;
import org.jioth.jnet.udp.UdpLayer;
import org.jioth.jnet.wire.Icmp4;
import org.jioth.jnet.wire.Ip4;
import org.jioth.jnet.wire.Ipv4;

/**
 * ICMPv4 (RFC 792/1122): answers echo requests, sends the stack's own echo requests
 * ({@link #ping}), turns received errors into socket errors, and generates errors for others,
 * rate-limited by a token bucket ({@link #ERRORS_PER_SECOND}, burst {@link #ERROR_BURST}).
 * Loop-only.
 */
public final class IcmpLayer implements Ipv4Layer.Icmp {
    public static final int ERRORS_PER_SECOND = 1000;
    public static final int ERROR_BURST = 50;
    /** Bytes of the offending datagram quoted in an error (RFC 1812: up to 576 in total). */
    private static final int MAX_QUOTE = 576 - Ipv4.HEADER - Icmp4.HEADER;

    private final Ipv4Layer ip;
    private final Counters counters;
    private final StackLoop loop;
    private final RateLimiter limiter = new RateLimiter(ERRORS_PER_SECOND, ERROR_BURST);
    private final Icmp4 msg = new Icmp4();
    private final Ipv4 quoted = new Ipv4();
    /** Messages are built here: allocated on the first send, given back when the stack idles. */
    private final org.jioth.jnet.mem.Scratch scratch;
    private final PendingPings pings;
    private boolean echoIgnoreBroadcasts = true;
    /** Told of the errors quoting their datagrams. */
    private final UdpLayer udp;
    private final org.jioth.jnet.tcp.TcpLayer tcp;

    public IcmpLayer(Ipv4Layer ip, org.jioth.jnet.tcp.TcpLayer tcp, UdpLayer udp, Counters counters, StackLoop loop,
                     int pingId) {
        this.ip = ip;
        this.tcp = tcp;
        this.udp = udp;
        this.counters = counters;
        this.loop = loop;
        this.scratch = loop.scratch();
        this.pings = new PendingPings(loop, pingId);
    }

    @Override
    public void input(NetInterface in, Ipv4 hdr, ByteBuffer buf) {
        counters.inc(Counter.ICMP_IN_MSGS);
        int off = hdr.payloadOffset();
        int len = hdr.payloadLength();
        Icmp4.Check check = msg.wrap(buf, off, len);
        if (check != Icmp4.Check.OK) {
            counters.inc(Counter.ICMP_IN_ERRORS);
            if (check == Icmp4.Check.BAD_CHECKSUM) {
                counters.inc(Counter.ICMP_IN_CSUM_ERRORS);
            }
            return;
        }
        switch (msg.type()) {
            case Icmp4.ECHO_REQUEST -> echo(in, hdr, buf, off, len);
            case Icmp4.ECHO_REPLY -> {
                counters.inc(Counter.ICMP_IN_ECHO_REPS);
                pings.reply(msg.identifier(), msg.sequence());
            }
            case Icmp4.DEST_UNREACHABLE -> {
                counters.inc(Counter.ICMP_IN_DEST_UNREACHS);
                quotedError(msg.code() == Icmp4.CODE_PORT_UNREACHABLE ? Errno.ECONNREFUSED
                        : msg.code() == Icmp4.CODE_NET_UNREACHABLE ? Errno.ENETUNREACH : Errno.EHOSTUNREACH, buf);
            }
            case Icmp4.TIME_EXCEEDED -> {
                counters.inc(Counter.ICMP_IN_TIME_EXCDS);
                quotedError(Errno.EHOSTUNREACH, buf);
            }
            default -> { } // counted in InMsgs; nothing to do
        }
    }

    /**
     * Linux's {@code icmp_echo_ignore_broadcasts}: when on (the default), echo requests to a
     * broadcast or multicast address are dropped (counted as Icmp.InDropEchoBroadcast), so one
     * forged request cannot make every host answer a victim (smurf amplification).
     */
    public void setEchoIgnoreBroadcasts(boolean on) {
        echoIgnoreBroadcasts = on;
    }

    private void echo(NetInterface in, Ipv4 hdr, ByteBuffer buf, int off, int len) {
        counters.inc(Counter.ICMP_IN_ECHOS);
        int dst = hdr.destination();
        boolean broadcast = dst == Ip4.BROADCAST || Ip4.isMulticast(dst) || in.isBroadcastOf(dst);
        if (broadcast && echoIgnoreBroadcasts) {
            counters.inc(Counter.ICMP_IN_ECHO_BROADCAST_IGNORED);
            return;
        }
        int src = broadcast ? 0 : dst;
        int at = Ipv4Layer.HEADROOM;
        ByteBuffer tx = scratch.get(at + len);
        tx.put(at, buf, off, len);
        tx.put(at, (byte) Icmp4.ECHO_REPLY);
        tx.put(at + 1, (byte) 0);
        Icmp4.finish(tx, at, len);
        if (ip.output(src, hdr.source(), Ipv4.PROTO_ICMP, hdr.tos(), Ipv4Layer.DEFAULT_TTL, false, tx, at, len,
                DeliveryFailure.IGNORE) == 0) {
            counters.inc(Counter.ICMP_OUT_MSGS);
            counters.inc(Counter.ICMP_OUT_ECHO_REPS);
        }
    }

    /** An error quoting one of our datagrams: tell the socket or the ping that sent it. */
    private void quotedError(Errno errno, ByteBuffer buf) {
        int qoff = msg.payloadOffset();
        int qlen = msg.payloadLength();
        if (qlen < Ipv4.HEADER || (buf.get(qoff) & 0xf0) != 0x40) {
            counters.inc(Counter.ICMP_IN_ERRORS);
            return;
        }
        int hl = (buf.get(qoff) & 0xf) * 4;
        if (hl < Ipv4.HEADER || qlen < hl + 8) {
            counters.inc(Counter.ICMP_IN_ERRORS);
            return;
        }
        int proto = buf.get(qoff + 9) & 0xff;
        int qsrc = buf.getInt(qoff + 12);
        int qdst = buf.getInt(qoff + 16);
        int t = qoff + hl;
        if (proto == Ipv4.PROTO_TCP && tcp != null) {
            int mtu = msg.type() == Icmp4.DEST_UNREACHABLE && msg.code() == Icmp4.CODE_FRAGMENTATION_NEEDED
                    ? Math.max(68, msg.nextHopMtu()) : 0;
            tcp.icmpError(qsrc, buf.getShort(t) & 0xffff, qdst, buf.getShort(t + 2) & 0xffff, buf.getInt(t + 4),
                    errno.value(), mtu);
        } else if (proto == Ipv4.PROTO_UDP && udp != null) {
            udp.icmpError(qsrc, buf.getShort(t) & 0xffff, qdst, buf.getShort(t + 2) & 0xffff, errno.value());
        } else if (proto == Ipv4.PROTO_ICMP && (buf.get(t) & 0xff) == Icmp4.ECHO_REQUEST
                && (buf.getShort(t + 4) & 0xffff) == pings.id()) {
            PendingPings.Ping p = pings.get(buf.getShort(t + 6) & 0xffff);
            if (p != null) {
                p.fail(new NoRouteToHostException(Ip4.toString(qdst) + ": " + errno.description()
                        + " (ICMP error from the network)"));
            }
        }
    }

    @Override
    public void error(int type, int code, int rest, ByteBuffer buf, int ipOff, int len, NetInterface in) {
        Ipv4.Check check = quoted.wrap(buf, ipOff, len);
        // BAD_TOTAL_LENGTH: a kept copy of a header and 8 bytes (reassembly timeout) is fine to quote
        if (check != Ipv4.Check.OK && check != Ipv4.Check.BAD_TOTAL_LENGTH) {
            return;
        }
        int src = quoted.source();
        int dst = quoted.destination();
        // RFC 1122 3.2.2: never about ICMP errors, non-first fragments, broadcasts or odd sources.
        if (quoted.fragmentOffset() != 0 || src == 0 || src == Ip4.BROADCAST || Ip4.isMulticast(src)
                || dst == Ip4.BROADCAST || Ip4.isMulticast(dst) || in.isBroadcastOf(dst) || in.isBroadcastOf(src)) {
            return;
        }
        int hl = quoted.headerLength();
        if (quoted.protocol() == Ipv4.PROTO_ICMP && Math.min(len, quoted.totalLength()) > hl) {
            int t = buf.get(quoted.payloadOffset()) & 0xff;
            if (t != Icmp4.ECHO_REQUEST && t != Icmp4.ECHO_REPLY) {
                return;
            }
        }
        if (!limiter.tryAcquire(loop.now())) {
            counters.inc(Counter.ICMP_OUT_RATE_LIMITED);
            return;
        }
        int quote = Math.min(Math.min(len, quoted.totalLength()), MAX_QUOTE);
        int at = Ipv4Layer.HEADROOM;
        ByteBuffer tx = scratch.get(at + Icmp4.HEADER + quote);
        Icmp4.emit(tx, at, type, code, rest);
        tx.put(at + Icmp4.HEADER, buf, ipOff, quote);
        Icmp4.finish(tx, at, Icmp4.HEADER + quote);
        // From the address the datagram was sent to when it is ours, else from the arrival interface.
        int from = in.address(dst) != null ? dst : in.isLoopback() ? 0 : in.sourceFor(src);
        if (ip.output(from, src, Ipv4.PROTO_ICMP, 0xc0, Ipv4Layer.DEFAULT_TTL, false, tx, at, Icmp4.HEADER + quote,
                DeliveryFailure.IGNORE) == 0) {
            counters.inc(Counter.ICMP_OUT_MSGS);
            counters.inc(type == Icmp4.TIME_EXCEEDED ? Counter.ICMP_OUT_TIME_EXCDS : Counter.ICMP_OUT_DEST_UNREACHS);
        }
    }

    /**
     * Sends an echo request of {@code size} payload bytes to {@code dst}; the future completes with
     * the round-trip time on the stack clock, or fails with SocketTimeoutException after
     * {@code timeoutNanos}, NoRouteToHostException when the network says so or ARP fails.
     */
    public CompletableFuture<Duration> ping(int dst, int size, long timeoutNanos) {
        CompletableFuture<Duration> f = new CompletableFuture<>();
        PendingPings.Ping p = pings.start(f);
        int seq = p.seq;
        int at = Ipv4Layer.HEADROOM;
        ByteBuffer tx = scratch.get(at + Icmp4.HEADER + size);
        Icmp4.emit(tx, at, Icmp4.ECHO_REQUEST, 0, pings.id() << 16 | seq);
        for (int i = 0; i < size; i++) {
            tx.put(at + Icmp4.HEADER + i, (byte) i);
        }
        Icmp4.finish(tx, at, Icmp4.HEADER + size);
        pings.timeOut(p, timeoutNanos);
        int r = ip.output(0, dst, Ipv4.PROTO_ICMP, 0, Ipv4Layer.DEFAULT_TTL, false, tx, at, Icmp4.HEADER + size,
                errno -> p.fail(new NoRouteToHostException(Ip4.toString(dst) + ": " + Errno.nameOf(errno)
                        + " (no ARP reply)")));
        if (r != 0) {
            p.fail(new NoRouteToHostException(Ip4.toString(dst) + ": " + Errno.nameOf(-r)));
        } else {
            counters.inc(Counter.ICMP_OUT_MSGS);
            counters.inc(Counter.ICMP_OUT_ECHOS);
        }
        return f;
    }
}
