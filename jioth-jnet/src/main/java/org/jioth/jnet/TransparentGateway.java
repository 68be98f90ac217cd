package org.jioth.jnet;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.util.concurrent.atomic.AtomicInteger;
import org.jioth.jnet.ip.Address6;
import org.jioth.jnet.ip.Ipv4Layer;
import org.jioth.jnet.ip.Ipv6Layer;
import org.jioth.jnet.link.DeliveryFailure;
import org.jioth.jnet.loop.Counter;
import org.jioth.jnet.nio.JnetServerSocketChannel;
import org.jioth.jnet.wire.Icmp4;
import org.jioth.jnet.wire.Icmp6;
import org.jioth.jnet.wire.Ip128;
import org.jioth.jnet.wire.Ip6;
import org.jioth.jnet.wire.Ipv4;
import org.jioth.jnet.wire.Ipv6;
import org.jioth.jnet.wire.Udp;

/**
 * Transparent mode of a jnet stack, the hook a NAT gateway (slirp) needs: datagrams to addresses
 * that are not the stack's are taken when {@link DestinationPolicy} says so, a SYN no listener
 * takes goes to one transparent listener (its accepted channels' local address is the address the
 * peer asked for), UDP datagrams to ports no socket is bound to go to a {@link DatagramHandler},
 * and {@link #sendDatagram} sends UDP from any source address (a reply from the address the peer
 * wrote to); with {@link #onEcho}, ICMP echo requests to foreign addresses go to a handler that may
 * answer them with {@link #sendEchoReply}. One per stack. {@link #enable6} does the same for IPv6
 * (TCP and UDP; router solicitations go to a handler, and {@link #sendRouterAdvertisement} answers).
 */
public final class TransparentGateway implements java.io.Closeable {
    /** Datagrams posted by {@link #sendDatagram} and not yet sent by the loop, at most. */
    public static final int MAX_PENDING_DATAGRAMS = 512;

    /** Which datagrams to foreign addresses the stack takes (called on the loop). */
    @FunctionalInterface
    public interface DestinationPolicy {
        /** {@code protocol} is {@link Ipv4#PROTO_TCP}, {@link Ipv4#PROTO_UDP}, ...; addresses as ints. */
        boolean accepts(int protocol, int source, int destination);
    }

    /** Receives UDP datagrams no socket of the stack is bound for (called on the loop, must not block). */
    @FunctionalInterface
    public interface DatagramHandler {
        /** {@code payload} (position..limit) is valid during the call only. */
        void datagram(int source, int sourcePort, int destination, int destinationPort, ByteBuffer payload);
    }

    /** Receives ICMP echo requests to foreign addresses the policy accepted (called on the loop, must not block). */
    @FunctionalInterface
    public interface EchoHandler {
        /** {@code data} is a copy of the bytes after the 8-byte header, the handler's to keep. */
        void echo(int source, int destination, int identifier, int sequence, byte[] data);
    }

    /** Which IPv6 datagrams to foreign addresses the stack takes (called on the loop; arrays valid during the call). */
    @FunctionalInterface
    public interface DestinationPolicy6 {
        /** {@code protocol} is the upper-layer protocol ({@link Ipv6#TCP}, {@link Ipv6#UDP}, ...). */
        boolean accepts(int protocol, byte[] source, byte[] destination);
    }

    /** Receives IPv6 UDP datagrams no socket of the stack is bound for (the loop, must not block). */
    @FunctionalInterface
    public interface DatagramHandler6 {
        /** The addresses are fresh arrays; {@code payload} (position..limit) is valid during the call only. */
        void datagram(byte[] source, int sourcePort, byte[] destination, int destinationPort, ByteBuffer payload);
    }

    /** Receives ICMPv6 echo requests to foreign addresses (the loop, must not block). */
    @FunctionalInterface
    public interface EchoHandler6 {
        /** The addresses are fresh arrays; {@code data} is a copy of the bytes after the header, the handler's to keep. */
        void echo(byte[] source, byte[] destination, int identifier, int sequence, byte[] data);
    }

    private final JnetStack stack;
    private final byte[] src6 = new byte[16];
    private final byte[] dst6 = new byte[16];
    private final Ipv6Layer.Path path6 = new Ipv6Layer.Path();
    private final Icmp4 icmpView = new Icmp4();
    private volatile EchoHandler echoes;
    private volatile EchoHandler6 echoes6;
    private final Icmp6 icmp6View = new Icmp6();
    private final AtomicInteger pending = new AtomicInteger();
    private final ByteBuffer tx = ByteBuffer.allocate(Ipv4Layer.HEADROOM + 65536);
    private final Udp udpView = new Udp();

    private TransparentGateway(JnetStack stack) {
        this.stack = stack;
    }

    /** Switches {@code stack} to transparent mode. */
    public static TransparentGateway enable(JnetStack stack, DestinationPolicy policy, DatagramHandler udp)
            throws IOException {
        TransparentGateway g = new TransparentGateway(stack);
        stack.onLoop(() -> {
            stack.ipv4.setTransparent((in, hdr, buf) -> !in.isLoopback()
                    && policy.accepts(hdr.protocol(), hdr.source(), hdr.destination()) && !g.tookEcho(hdr, buf));
            stack.udp.setTransparent((in, hdr, buf) -> {
                if (g.udpView.wrap(buf, hdr.payloadOffset(), hdr.payloadLength(), hdr.source(), hdr.destination())
                        == Udp.Check.OK) {
                    int off = g.udpView.payloadOffset();
                    udp.datagram(hdr.source(), g.udpView.sourcePort(), hdr.destination(),
                            g.udpView.destinationPort(), buf.duplicate().limit(off + g.udpView.payloadLength())
                                    .position(off));
                }
            });
            return null;
        });
        return g;
    }

    /**
     * Switches IPv6 on in transparent mode: unicast datagrams to foreign addresses that
     * {@code policy} accepts are the stack's, UDP datagrams to unbound ports go to {@code udp}, and
     * router solicitations (ICMPv6 to ff02::2 with hop limit 255) make {@code solicited} run on the loop.
     */
    public void enable6(DestinationPolicy6 policy, DatagramHandler6 udp, Runnable solicited) throws IOException {
        stack.onLoop(() -> {
            stack.ipv6.setTransparent((in, hdr, buf) -> {
                hdr.source(src6);
                hdr.destination(dst6);
                if (Ip6.isMulticast(dst6)) {
                    if (java.util.Arrays.equals(dst6, Ip6.ALL_ROUTERS) && hdr.upperProtocol() == Ipv6.ICMPV6
                            && hdr.hopLimit() == 255 && hdr.payloadLength() - (hdr.upperOffset() - Ipv6.HEADER)
                            >= Icmp6.HEADER && buf.get(hdr.offset() + hdr.upperOffset()) == (byte) Icmp6.ROUTER_SOLICITATION) {
                        solicited.run();
                    } else if (java.util.Arrays.equals(dst6, ALL_DHCP6_SERVERS) && hdr.upperProtocol() == Ipv6.UDP) {
                        toDhcp6Server(hdr, buf, udp);
                    }
                    return false;
                }
                if (hdr.upperProtocol() == Ipv6.ICMPV6) { // never the stack's own: echo requests to the handler
                    if (policy.accepts(Ipv6.ICMPV6, src6, dst6)) {
                        tookEcho6(hdr, buf);
                    }
                    return false;
                }
                return policy.accepts(hdr.upperProtocol(), src6, dst6);
            });
            stack.udp.setTransparent6((in, hdr, buf, off, len) -> {
                if (len < Udp.HEADER) {
                    return;
                }
                int ip = hdr.offset();
                byte[] from = hdr.source(new byte[16]);
                byte[] to = hdr.destination(new byte[16]);
                int dataLen = (buf.getShort(off + 4) & 0xffff) - Udp.HEADER;
                if (dataLen < 0 || dataLen > len - Udp.HEADER || ip < 0) {
                    return;
                }
                udp.datagram(from, buf.getShort(off) & 0xffff, to, buf.getShort(off + 2) & 0xffff,
                        buf.duplicate().limit(off + Udp.HEADER + dataLen).position(off + Udp.HEADER));
            });
            return null;
        });
    }

    /** All_DHCP_Relay_Agents_and_Servers (RFC 8415 7.1). */
    private static final byte[] ALL_DHCP6_SERVERS = {(byte) 0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 2};
    private static final int DHCP6_SERVER_PORT = 547;

    /**
     * A UDP datagram to ff02::1:2: one for the DHCPv6 server port with a valid checksum goes to the
     * IPv6 UDP handler (the stack joins no such group), anything else is left to be dropped.
     */
    private void toDhcp6Server(Ipv6 hdr, ByteBuffer buf, DatagramHandler6 udp) {
        int off = hdr.offset() + hdr.upperOffset();
        int len = hdr.payloadLength() - (hdr.upperOffset() - Ipv6.HEADER);
        if (len < Udp.HEADER || (buf.getShort(off + 2) & 0xffff) != DHCP6_SERVER_PORT) {
            return;
        }
        int udpLen = buf.getShort(off + 4) & 0xffff;
        if (udpLen < Udp.HEADER || udpLen > len || buf.getShort(off + 6) == 0
                || org.jioth.jnet.wire.Checksum.fold(org.jioth.jnet.wire.Checksum.add(buf, off, udpLen,
                        Ipv6.pseudoHeader(buf, hdr.offset(), udpLen, Ipv6.UDP))) != 0xffff) {
            return;
        }
        udp.datagram(src6.clone(), buf.getShort(off) & 0xffff, dst6.clone(), DHCP6_SERVER_PORT,
                buf.duplicate().limit(off + udpLen).position(off + Udp.HEADER));
    }

    /**
     * Sends {@code payload} (position..limit, copied) as an IPv6 UDP datagram from
     * {@code source:sourcePort} (any address; null: the stack's link-local address on the way out,
     * as a DHCPv6 server answers) to {@code destination:destinationPort}, any thread; false when too
     * many wait for the loop (dropped).
     */
    public boolean sendDatagram6(byte[] source, int sourcePort, byte[] destination, int destinationPort,
            ByteBuffer payload) {
        if (payload.remaining() > 65535 - Ipv6.HEADER - Udp.HEADER) {
            return false;
        }
        if (!admitToLoop()) {
            return false;
        }
        byte[] data = remainingOf(payload);
        byte[] to = destination.clone();
        byte[] given = source == null ? null : source.clone();
        stack.post(() -> {
            pending.decrementAndGet();
            if (stack.ipv6.route(to, 0, path6) != 0) {
                return;
            }
            byte[] from = given != null ? given : linkLocal(path6.iface.index);
            if (from == null) {
                return; // no link-local address yet (link down)
            }
            int at = Ipv6Layer.HEADROOM;
            tx.put(at + Udp.HEADER, data);
            long sum = Ip128.sum(Ip128.hi(from), Ip128.lo(from)) + Ip128.sum(Ip128.hi(to), Ip128.lo(to));
            Udp.emit(tx, at, sourcePort, destinationPort, Udp.HEADER + data.length, sum);
            if (stack.ipv6.output(path6.iface, path6.nextHop, from, to, Ipv6.UDP, stack.ipv6.hopLimit(), tx, at,
                    Udp.HEADER + data.length, e -> { }) == 0) {
                stack.counters.inc(Counter.UDP_OUT_DATAGRAMS);
            }
        });
        return true;
    }

    /**
     * Sends {@code message} (a router advertisement, checksum left zero; copied) to all nodes
     * (ff02::1) from the stack's link-local address with hop limit 255, as RFC 4861 asks; any thread.
     */
    public boolean sendRouterAdvertisement(ByteBuffer message) {
        if (message.remaining() < Icmp6.HEADER || message.remaining() > 1280 - Ipv6.HEADER) {
            return false;
        }
        byte[] msg = remainingOf(message);
        stack.post(() -> {
            if (stack.ipv6.route(Ip6.ALL_NODES, 0, path6) != 0) {
                return;
            }
            byte[] from = linkLocal(path6.iface.index);
            if (from == null) {
                return; // no link-local address yet (link down)
            }
            int at = Ipv6Layer.HEADROOM;
            tx.put(at, msg);
            Ipv6Layer.header(tx, at, from, Ip6.ALL_NODES, Ipv6.ICMPV6, 255, msg.length);
            Icmp6.finish(tx, at - Ipv6.HEADER, at, msg.length);
            if (stack.ipv6.output(path6.iface, Ip6.ALL_NODES, from, Ip6.ALL_NODES, Ipv6.ICMPV6, 255, tx, at,
                    msg.length, e -> { }) == 0) {
                stack.counters.inc(Counter.ICMP6_OUT_MSGS);
            }
        });
        return true;
    }

    /** The stack's link-local address on interface {@code index}, or null (the loop). */
    private byte[] linkLocal(int index) {
        byte[] from = null;
        for (Address6 a : stack.ipv6.addressTable().of(index)) {
            if (a.origin() == Address6.Origin.LINK_LOCAL) {
                from = a.address();
            }
        }
        return from;
    }

    /**
     * Hands ICMP echo requests to foreign addresses that the policy accepts to {@code handler}
     * (null: such requests are delivered to the stack, which answers them itself).
     */
    public void onEcho(EchoHandler handler) {
        this.echoes = handler;
    }

    /** An unfragmented echo request for the echo handler: taken (true) instead of delivered. */
    private boolean tookEcho(Ipv4 hdr, ByteBuffer buf) {
        EchoHandler h = echoes;
        if (h == null || hdr.protocol() != Ipv4.PROTO_ICMP) {
            return false;
        }
        if (!hdr.isFragment() && icmpView.wrap(buf, hdr.payloadOffset(), hdr.payloadLength()) == Icmp4.Check.OK
                && icmpView.type() == Icmp4.ECHO_REQUEST && icmpView.code() == 0) {
            int off = icmpView.payloadOffset();
            h.echo(hdr.source(), hdr.destination(), icmpView.identifier(), icmpView.sequence(),
                    remainingOf(buf.duplicate().limit(off + icmpView.payloadLength()).position(off)));
        }
        return true; // any other ICMP to a foreign address is dropped
    }

    /**
     * Hands ICMPv6 echo requests to foreign addresses that the IPv6 policy accepts (for
     * {@link Ipv6#ICMPV6}) to {@code handler}; without one, or for other ICMPv6 messages, they are
     * dropped (the stack never answers in a foreign address's name).
     */
    public void onEcho6(EchoHandler6 handler) {
        this.echoes6 = handler;
    }

    /** An echo request with a valid checksum goes to the handler; anything else is left to be dropped. */
    private void tookEcho6(Ipv6 hdr, ByteBuffer buf) {
        EchoHandler6 h = echoes6;
        int len = hdr.payloadLength() - (hdr.upperOffset() - Ipv6.HEADER);
        int off = hdr.offset() + hdr.upperOffset();
        if (h == null || len < Icmp6.HEADER || icmp6View.wrap(buf, hdr.offset(), off, len) != Icmp6.Check.OK
                || icmp6View.type() != Icmp6.ECHO_REQUEST || icmp6View.code() != 0) {
            return;
        }
        h.echo(src6.clone(), dst6.clone(), icmp6View.identifier(), icmp6View.sequence(),
                remainingOf(buf.duplicate().limit(off + len).position(off + Icmp6.HEADER)));
    }

    /**
     * Sends an ICMPv6 echo reply from {@code source} (any address) to {@code destination} carrying
     * {@code data} (copied), any thread; false when too many wait for the loop (dropped).
     */
    public boolean sendEchoReply6(byte[] source, byte[] destination, int identifier, int sequence, ByteBuffer data) {
        if (data.remaining() > 65535 - Icmp6.HEADER) {
            return false;
        }
        if (!admitToLoop()) {
            return false;
        }
        byte[] copy = remainingOf(data);
        byte[] from = source.clone();
        byte[] to = destination.clone();
        stack.post(() -> {
            pending.decrementAndGet();
            if (stack.ipv6.route(to, 0, path6) != 0) {
                return;
            }
            int at = Ipv6Layer.HEADROOM;
            int len = Icmp6.HEADER + copy.length;
            Icmp6.emit(tx, at, Icmp6.ECHO_REPLY, 0, identifier << 16 | sequence & 0xffff);
            tx.put(at + Icmp6.HEADER, copy);
            Ipv6Layer.header(tx, at, from, to, Ipv6.ICMPV6, stack.ipv6.hopLimit(), len);
            Icmp6.finish(tx, at - Ipv6.HEADER, at, len);
            if (stack.ipv6.output(path6.iface, path6.nextHop, from, to, Ipv6.ICMPV6, stack.ipv6.hopLimit(), tx, at,
                    len, e -> { }) == 0) {
                stack.counters.inc(Counter.ICMP6_OUT_MSGS);
            }
        });
        return true;
    }

    /**
     * Sends an ICMP echo reply from {@code source} to {@code destination} carrying {@code data}
     * (copied), any thread; false when too many wait for the loop (dropped).
     */
    public boolean sendEchoReply(int source, int destination, int identifier, int sequence, ByteBuffer data) {
        if (data.remaining() > 65535 - Ipv4.HEADER - Icmp4.HEADER) {
            return false;
        }
        if (!admitToLoop()) {
            return false;
        }
        byte[] copy = remainingOf(data);
        stack.post(() -> {
            pending.decrementAndGet();
            int at = Ipv4Layer.HEADROOM;
            Icmp4.emit(tx, at, Icmp4.ECHO_REPLY, 0, identifier << 16 | sequence & 0xffff);
            tx.put(at + Icmp4.HEADER, copy);
            Icmp4.finish(tx, at, Icmp4.HEADER + copy.length);
            if (stack.ipv4.output(source, destination, Ipv4.PROTO_ICMP, 0, Ipv4Layer.DEFAULT_TTL, false, tx, at,
                    Icmp4.HEADER + copy.length, DeliveryFailure.IGNORE) == 0) {
                stack.counters.inc(Counter.ICMP_OUT_MSGS);
            }
        });
        return true;
    }

    /** Opens the stack's transparent listener (see {@link JnetServerSocketChannel#bindTransparent}). */
    public ServerSocketChannel openListener(int backlog) throws IOException {
        JnetServerSocketChannel c = (JnetServerSocketChannel) stack.provider().openServerSocketChannel();
        try {
            c.bindTransparent(backlog);
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
        return c;
    }

    /**
     * Sends {@code payload} (position..limit, copied) as a UDP datagram from {@code source:sourcePort}
     * to {@code destination:destinationPort}, any thread. False when more than
     * {@link #MAX_PENDING_DATAGRAMS} wait for the loop already (the datagram is dropped).
     */
    public boolean sendDatagram(int source, int sourcePort, int destination, int destinationPort, ByteBuffer payload) {
        if (payload.remaining() > 65535 - Ipv4.HEADER - Udp.HEADER) {
            return false;
        }
        if (!admitToLoop()) {
            return false;
        }
        byte[] data = remainingOf(payload);
        stack.post(() -> {
            pending.decrementAndGet();
            int at = Ipv4Layer.HEADROOM;
            tx.put(at + Udp.HEADER, data);
            Udp.emit(tx, at, sourcePort, destinationPort, Udp.HEADER + data.length, source, destination);
            if (stack.ipv4.output(source, destination, Ipv4.PROTO_UDP, 0, Ipv4Layer.DEFAULT_TTL, false, tx, at,
                    Udp.HEADER + data.length, DeliveryFailure.IGNORE) == 0) {
                stack.counters.inc(Counter.UDP_OUT_DATAGRAMS);
            }
        });
        return true;
    }

    /** Switches transparent mode off (the listener is closed by its owner). */
    @Override
    public void close() throws IOException {
        if (stack.isClosed()) {
            return;
        }
        stack.onLoop(() -> {
            stack.ipv4.setTransparent(null);
            stack.udp.setTransparent(null);
            stack.ipv6.setTransparent(null);
            stack.udp.setTransparent6(null);
            return null;
        });
    }

    /** Counts one more datagram waiting for the loop; false (nothing counted) when too many wait. */
    private boolean admitToLoop() {
        if (pending.incrementAndGet() > MAX_PENDING_DATAGRAMS) {
            pending.decrementAndGet();
            return false;
        }
        return true;
    }

    /** A copy of the buffer's remaining bytes, its position unchanged. */
    private static byte[] remainingOf(ByteBuffer b) {
        byte[] copy = new byte[b.remaining()];
        b.get(b.position(), copy);
        return copy;
    }
}
