package org.jioth.slirp;

import java.io.Closeable;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jioth.jnet.JnetStack;
import org.jioth.jnet.TransparentGateway;

/**
 * The {@code hostfwd} rules: a host listener (TCP) or socket (UDP) per rule whose traffic the
 * gateway carries to the guest's address and port, coming from the gateway's address. UDP keeps
 * one association per host client (a gateway port of its own), closed after
 * {@link SlirpOptions#udpTimeout()} without traffic; both kinds take slots of the flow budget. The
 * UDP sockets are non-blocking, read by the {@link UdpReactor}.
 */
final class HostForwarders implements Closeable {
    private static final System.Logger LOG = System.getLogger(HostForwarders.class.getName());
    /** The gateway ports UDP associations use (below jnet's ephemeral range). */
    static final int FIRST_UDP_PORT = 20000;
    static final int LAST_UDP_PORT = 32767;

    private record ClientKey(int rule, SocketAddress client) { }

    private record Association(ClientKey key, DatagramChannel channel, HostForward rule, int gatewayPort) { }

    private final SlirpOptions options;
    private final JnetStack stack;
    private final TransparentGateway transparent;
    private final TcpNat tcp;
    private final FlowBudget budget;
    private final SlirpCounters counters;
    private final List<Closeable> sockets = new ArrayList<>();
    private final List<InetSocketAddress> bound = new ArrayList<>();
    private final NatTable<ClientKey, Association> associations;
    private final Map<Integer, Association> byGatewayPort = new ConcurrentHashMap<>();
    private int nextUdpPort = FIRST_UDP_PORT;
    /** The reactor thread's receive buffer (sendDatagram copies what it sends). */
    private final ByteBuffer udpBuffer = ByteBuffer.allocateDirect(65536);
    private volatile boolean closed;

    HostForwarders(SlirpOptions options, JnetStack stack, TransparentGateway transparent, TcpNat tcp,
            FlowBudget budget, SlirpCounters counters, UdpReactor reactor) throws IOException {
        this.options = options;
        this.stack = stack;
        this.transparent = transparent;
        this.tcp = tcp;
        this.budget = budget;
        this.counters = counters;
        this.associations = new NatTable<>(options.maxFlows(), options.udpTimeout().toNanos());
        try {
            for (int i = 0; i < options.hostForwards().size(); i++) {
                HostForward rule = options.hostForwards().get(i);
                InetSocketAddress at = new InetSocketAddress(rule.hostAddress(), rule.hostPort());
                if (rule.udp()) {
                    DatagramChannel ch = DatagramChannel.open();
                    sockets.add(ch);
                    ch.bind(at);
                    bound.add((InetSocketAddress) ch.getLocalAddress());
                    int index = i;
                    reactor.register(ch, c -> udpReadable(index, rule, c));
                } else {
                    ServerSocketChannel ss = ServerSocketChannel.open();
                    sockets.add(ss);
                    ss.bind(at);
                    bound.add((InetSocketAddress) ss.getLocalAddress());
                    Thread.ofVirtual().name("slirp hostfwd " + rule).start(() -> tcpLoop(rule, ss));
                }
            }
        } catch (IOException e) {
            close();
            throw new IOException("slirp: cannot open hostfwd rule: " + e.getMessage(), e);
        }
    }

    /** The host addresses the rules are bound to, in rule order (port 0 in a rule gets a real one here). */
    List<InetSocketAddress> boundAddresses() {
        return List.copyOf(bound);
    }

    private void tcpLoop(HostForward rule, ServerSocketChannel ss) {
        while (!closed) {
            SocketChannel client;
            try {
                client = ss.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException | RuntimeException e) {
                if (!closed) {
                    LOG.log(System.Logger.Level.WARNING, "slirp: hostfwd accept failed; it goes on", e);
                }
                continue;
            }
            if (!budget.tryAcquire()) {
                counters.tcpFlowsRefused.increment();
                TcpNat.closeQuietly(client);
                continue;
            }
            Thread.ofVirtual().name("slirp hostfwd connect " + rule).start(() -> connectGuest(rule, client));
        }
    }

    private void connectGuest(HostForward rule, SocketChannel client) {
        SocketChannel guest = null;
        try {
            guest = stack.provider().openSocketChannel();
            boolean v6 = rule.guestAddress() instanceof Inet6Address;
            guest.bind(new InetSocketAddress(v6 ? options.v6host() : Ipv4Text.toInet(options.host()), 0));
            guest.socket().connect(new InetSocketAddress(rule.guestAddress(), rule.guestPort()),
                    TcpNat.CONNECT_TIMEOUT_MS);
        } catch (IOException | RuntimeException e) {
            budget.release();
            counters.tcpFlowsRefused.increment();
            TcpNat.closeQuietly(guest);
            TcpNat.closeQuietly(client);
            return;
        }
        counters.hostForwardsAccepted.increment();
        tcp.start(guest, client, "slirp hostfwd " + rule);
    }

    /** The reactor thread: datagrams from host clients go to the guest, each client from its own gateway port. */
    private void udpReadable(int index, HostForward rule, DatagramChannel ch) {
        while (true) {
            SocketAddress from;
            udpBuffer.clear();
            try {
                from = ch.receive(udpBuffer);
            } catch (IOException e) {
                return; // closed
            }
            if (from == null) {
                return;
            }
            udpBuffer.flip();
            Association a = association(new ClientKey(index, from), rule, ch);
            if (a == null) {
                counters.udpDropped.increment();
                continue;
            }
            counters.bytesIn.add(udpBuffer.remaining());
            boolean sent = rule.guestAddress() instanceof Inet6Address
                    ? transparent.sendDatagram6(options.v6host().getAddress(), a.gatewayPort,
                            rule.guestAddress().getAddress(), rule.guestPort(), udpBuffer)
                    : transparent.sendDatagram(options.host(), a.gatewayPort, Ipv4Text.of(rule.guestAddress()),
                            rule.guestPort(), udpBuffer);
            if (!sent) {
                counters.udpDropped.increment();
            }
        }
    }

    private synchronized Association association(ClientKey key, HostForward rule, DatagramChannel ch) {
        long now = stack.clock().nanos();
        Association a = associations.get(key, now);
        if (a != null) {
            return a;
        }
        int port = freeUdpPort();
        if (port == 0 || !budget.tryAcquire()) {
            return null;
        }
        a = new Association(key, ch, rule, port);
        if (!associations.put(key, a, now)) {
            budget.release();
            return null;
        }
        byGatewayPort.put(port, a);
        counters.hostForwardsAccepted.increment();
        return a;
    }

    private int freeUdpPort() {
        for (int i = 0; i <= LAST_UDP_PORT - FIRST_UDP_PORT; i++) {
            int p = nextUdpPort;
            nextUdpPort = p == LAST_UDP_PORT ? FIRST_UDP_PORT : p + 1;
            if (!byGatewayPort.containsKey(p)) {
                return p;
            }
        }
        return 0;
    }

    /** A guest's reply to a UDP association (the gateway's loop); false when it is not one. */
    boolean fromGuest(InetAddress src, int sport, int gatewayPort, ByteBuffer payload) {
        Association a = byGatewayPort.get(gatewayPort);
        if (a == null || !a.rule.guestAddress().equals(src) || a.rule.guestPort() != sport) {
            return false;
        }
        associations.touch(a.key, stack.clock().nanos());
        try {
            int n = payload.remaining();
            if (a.channel.send(payload, a.key.client()) == 0) {
                counters.udpDropped.increment(); // the host socket's send buffer is full
            } else {
                counters.bytesOut.add(n);
            }
        } catch (IOException e) {
            counters.udpDropped.increment();
        }
        return true;
    }

    /** Forgets the UDP associations idle for the timeout (the reactor's periodic task). */
    void expire() {
        for (Association a : associations.expire(stack.clock().nanos())) {
            byGatewayPort.remove(a.gatewayPort);
            budget.release();
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Closeable c : sockets) {
            TcpNat.closeQuietly(c);
        }
        for (Association a : associations.clear()) {
            byGatewayPort.remove(a.gatewayPort);
            budget.release();
        }
    }
}
