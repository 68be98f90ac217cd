package org.jioth.jnet;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.util.concurrent.atomic.AtomicInteger;
import org.jioth.jnet.ip.Ipv4Layer;
import org.jioth.jnet.link.DeliveryFailure;
import org.jioth.jnet.nio.JnetServerSocketChannel;
import org.jioth.jnet.wire.Ipv4;
import org.jioth.jnet.wire.Udp;

/**
 * Transparent mode of a jnet stack, the hook a NAT gateway (slirp) needs: datagrams to addresses
 * that are not the stack's are taken when {@link DestinationPolicy} says so, a SYN no listener
 * takes goes to one transparent listener (its accepted channels' local address is the address the
 * peer asked for), UDP datagrams to ports no socket is bound to go to a {@link DatagramHandler},
 * and {@link #sendDatagram} sends UDP from any source address (a reply from the address the peer
 * wrote to). One per stack.
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

    private final JnetStack stack;
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
                    && policy.accepts(hdr.protocol(), hdr.source(), hdr.destination()));
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
