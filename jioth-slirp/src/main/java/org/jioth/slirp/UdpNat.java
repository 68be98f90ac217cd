package org.jioth.slirp;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.function.LongSupplier;
import org.jioth.jnet.TransparentGateway;
import org.jioth.jnet.wire.Ipv4;

/**
 * Outbound UDP: one host socket per guest flow (guest address and port, destination address and
 * port), connected to the destination, so replies come back to the guest from the address it wrote
 * to. Flows are bounded by the shared {@link FlowBudget} and closed after
 * {@link SlirpOptions#udpTimeout()} without traffic either way.
 */
final class UdpNat implements Closeable {
    private static final System.Logger LOG = System.getLogger(UdpNat.class.getName());

    record Key(int guest, int guestPort, int destination, int destinationPort) { }

    private final class Flow implements Closeable {
        final Key key;
        final DatagramChannel channel;

        Flow(Key key, DatagramChannel channel) {
            this.key = key;
            this.channel = channel;
        }

        void read() {
            ByteBuffer buf = ByteBuffer.allocate(65536);
            while (channel.isOpen()) {
                buf.clear();
                try {
                    if (channel.read(buf) < 0) {
                        continue;
                    }
                } catch (PortUnreachableException e) {
                    continue; // the host said nobody listens; the guest will time out as it would
                } catch (IOException e) {
                    return; // closed (expired or teardown)
                }
                buf.flip();
                table.touch(key, nanos.getAsLong());
                counters.bytesIn.add(buf.remaining());
                if (!gateway.sendDatagram(key.destination, key.destinationPort, key.guest, key.guestPort, buf)) {
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
    private final Thread reaper;
    private volatile boolean closed;

    UdpNat(TransparentGateway gateway, TcpNat.Targets targets, FlowBudget budget, SlirpOptions options,
            SlirpCounters counters, LongSupplier nanos) {
        this.gateway = gateway;
        this.targets = targets;
        this.budget = budget;
        this.counters = counters;
        this.nanos = nanos;
        this.table = new NatTable<>(options.maxFlows(), options.udpTimeout().toNanos());
        this.reaper = Thread.ofVirtual().name("slirp udp expiry").start(this::reap);
    }

    /** A datagram from a guest to a foreign address (the gateway's loop: only quick, non-blocking calls). */
    void fromGuest(int src, int sport, int dst, int dport, ByteBuffer payload) {
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
            f.channel.write(payload);
            counters.bytesOut.add(n);
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
        try {
            ch = DatagramChannel.open();
            ch.connect(new InetSocketAddress(target, key.destinationPort));
        } catch (IOException | RuntimeException e) {
            TcpNat.closeQuietly(ch);
            budget.release();
            return null;
        }
        Flow f = new Flow(key, ch);
        if (!table.put(key, f, nanos.getAsLong())) {
            f.close();
            return null;
        }
        counters.udpFlowsOpened.increment();
        Thread.ofVirtual().name("slirp udp " + target.getHostAddress() + ":" + key.destinationPort).start(f::read);
        return f;
    }

    private void reap() {
        while (!closed) {
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            }
            try {
                for (Flow f : table.expire(nanos.getAsLong())) {
                    counters.udpFlowsExpired.increment();
                    f.close();
                }
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "slirp: UDP expiry failed; it goes on", e);
            }
        }
    }

    int openFlows() {
        return table.size();
    }

    @Override
    public void close() {
        closed = true;
        reaper.interrupt();
        for (Flow f : table.clear()) {
            f.close();
        }
    }
}
