package org.jioth.jnet;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.util.concurrent.atomic.AtomicInteger;
import org.jioth.jnet.ip.Ipv4Layer;
import org.jioth.jnet.link.DeliveryFailure;
import org.jioth.jnet.loop.Counter;
import org.jioth.jnet.nio.JnetServerSocketChannel;
import org.jioth.jnet.wire.Icmp4;
import org.jioth.jnet.wire.Ipv4;
import org.jioth.jnet.wire.Udp;

/**
 * Transparent mode of a jnet stack, the hook a NAT gateway (slirp) needs: datagrams to addresses
 * that are not the stack's are taken when {@link DestinationPolicy} says so, a SYN no listener
 * takes goes to one transparent listener (its accepted channels' local address is the address the
 * peer asked for), UDP datagrams to ports no socket is bound to go to a {@link DatagramHandler},
 * and {@link #sendDatagram} sends UDP from any source address (a reply from the address the peer
 * wrote to); with {@link #onEcho}, ICMP echo requests to foreign addresses go to a handler that may
 * answer them with {@link #sendEchoReply}. One per stack.
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
        /** {@code data} (position..limit, the bytes after the 8-byte header) is valid during the call only. */
        void echo(int source, int destination, int identifier, int sequence, ByteBuffer data);
    }

    private final JnetStack stack;
    private final Icmp4 icmpView = new Icmp4();
    private volatile EchoHandler echoes;
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
                    buf.duplicate().limit(off + icmpView.payloadLength()).position(off));
        }
        return true; // any other ICMP to a foreign address is dropped
    }

    /**
     * Sends an ICMP echo reply from {@code source} to {@code destination} carrying {@code data}
     * (copied), any thread; false when too many wait for the loop (dropped).
     */
    public boolean sendEchoReply(int source, int destination, int identifier, int sequence, ByteBuffer data) {
        if (data.remaining() > 65535 - Ipv4.HEADER - Icmp4.HEADER) {
            return false;
        }
        if (pending.incrementAndGet() > MAX_PENDING_DATAGRAMS) {
            pending.decrementAndGet();
            return false;
        }
        byte[] copy = new byte[data.remaining()];
        data.get(data.position(), copy);
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
        if (pending.incrementAndGet() > MAX_PENDING_DATAGRAMS) {
            pending.decrementAndGet();
            return false;
        }
        byte[] data = new byte[payload.remaining()];
        payload.get(payload.position(), data);
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
            return null;
        });
    }
}
