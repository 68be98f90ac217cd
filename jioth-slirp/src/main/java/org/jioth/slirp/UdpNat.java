package org.jioth.slirp;

import java.io.Closeable;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.function.LongSupplier;
import org.jioth.jnet.TransparentGateway;
import org.jioth.jnet.wire.Ipv4;

/**
 * Outbound UDP: one non-blocking host socket per guest flow (guest address and port, destination
 * address and port), connected to the destination, so replies come back to the guest from the
 * address it wrote to. The gateway's loop writes (a full send buffer drops the datagram); the
 * {@link UdpReactor} reads. Flows are bounded by the shared {@link FlowBudget} and closed after
 * {@link SlirpOptions#udpTimeout()} without traffic either way. IPv4 and IPv6 alike (a flow keeps
 * its guest's family).
 */
final class UdpNat implements Closeable {
    record Key(InetAddress guest, int guestPort, InetAddress destination, int destinationPort) { }

    private final class Flow implements Closeable {
        final Key key;
        final DatagramChannel channel;

        Flow(Key key, DatagramChannel channel) {
            this.key = key;
            this.channel = channel;
        }

        /** The reactor thread: every datagram waiting goes to the guest. */
        void readable(DatagramChannel ch) {
            while (true) {
                buffer.clear();
                try {
                    if (ch.read(buffer) <= 0) {
                        return;
                    }
                } catch (PortUnreachableException e) {
                    continue; // the host said nobody listens; the guest will time out as it would
                } catch (IOException e) {
                    return; // closed (expired or teardown)
                }
                buffer.flip();
                table.touch(key, nanos.getAsLong());
                counters.bytesIn.add(buffer.remaining());
                boolean sent = key.destination instanceof Inet4Address
                        ? gateway.sendDatagram(Ipv4Text.of(key.destination), key.destinationPort,
                                Ipv4Text.of(key.guest), key.guestPort, buffer)
                        : gateway.sendDatagram6(key.destination.getAddress(), key.destinationPort,
                                key.guest.getAddress(), key.guestPort, buffer);
                if (!sent) {
                    counters.udpDropped.increment();
                }
            }
        }

        @Override
        public void close() {
            TcpNat.closeQuietly(channel);
            budget.release();
        }
    }

    private final TransparentGateway gateway;
    private final TcpNat.Targets targets;
    private final FlowBudget budget;
    private final SlirpCounters counters;
    private final LongSupplier nanos;
    private final NatTable<Key, Flow> table;
    private final UdpReactor reactor;
    /** The reactor thread's receive buffer (sendDatagram copies what it sends). */
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(65536);
    private volatile boolean closed;

    UdpNat(TransparentGateway gateway, TcpNat.Targets targets, FlowBudget budget, SlirpOptions options,
            SlirpCounters counters, LongSupplier nanos, UdpReactor reactor) {
        this.gateway = gateway;
        this.targets = targets;
        this.budget = budget;
        this.counters = counters;
        this.nanos = nanos;
        this.reactor = reactor;
        this.table = new NatTable<>(options.maxFlows(), options.udpTimeout().toNanos());
    }

    /** A datagram from a guest to a foreign address (the gateway's loop: only quick, non-blocking calls). */
    void fromGuest(InetAddress src, int sport, InetAddress dst, int dport, ByteBuffer payload) {
        Key key = new Key(src, sport, dst, dport);
        Flow f = table.get(key, nanos.getAsLong());
        if (f == null) {
            f = open(key);
            if (f == null) {
                counters.udpDropped.increment();
                return;
            }
        }
        try {
            int n = payload.remaining();
            if (f.channel.write(payload) == 0) {
                counters.udpDropped.increment(); // the host socket's send buffer is full
            } else {
                counters.bytesOut.add(n);
            }
        } catch (IOException e) {
            counters.udpDropped.increment();
        }
    }

    private Flow open(Key key) {
        InetAddress target = targets.hostTarget(Ipv4.PROTO_UDP, key.destination, key.destinationPort);
        if (closed || target == null || !budget.tryAcquire()) {
            return null;
        }
        DatagramChannel ch = null;
        Flow f;
        try {
            ch = DatagramChannel.open();
            ch.configureBlocking(false);
            ch.connect(new InetSocketAddress(target, key.destinationPort));
            f = new Flow(key, ch);
            if (!table.put(key, f, nanos.getAsLong())) {
                f.close();
                return null;
            }
            reactor.register(ch, f::readable);
        } catch (IOException | RuntimeException e) {
            if (ch != null) {
                table.remove(key);
                TcpNat.closeQuietly(ch);
            }
            budget.release();
            return null;
        }
        counters.udpFlowsOpened.increment();
        return f;
    }

    /** Closes the flows idle for the timeout (the reactor's periodic task). */
    void expire() {
        for (Flow f : table.expire(nanos.getAsLong())) {
            counters.udpFlowsExpired.increment();
            f.close();
        }
    }

    int openFlows() {
        return table.size();
    }

    @Override
    public void close() {
        closed = true;
        for (Flow f : table.clear()) {
            f.close();
        }
    }
}
