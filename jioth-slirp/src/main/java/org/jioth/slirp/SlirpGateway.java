package org.jioth.slirp;

import java.io.Closeable;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import org.jioth.NetConfig;
import org.jioth.jnet.JnetStack;
import org.jioth.jnet.TransparentGateway;
import org.jioth.jnet.wire.Ipv4;
import org.jioth.jnet.wire.Ipv6;
import org.jioth.vde.EthernetPort;

/**
 * The other end of a slirp port: a private jnet stack holding the gateway's addresses on the
 * virtual network, in transparent mode, whose DHCP and DNS servers answer the guests and whose
 * outbound flows go through the host's JDK sockets ({@link TcpNat}, {@link UdpNat}); plus the
 * {@code hostfwd} listeners ({@link HostForwarders}). Closing it closes every flow and the stack.
 */
final class SlirpGateway implements Closeable {
    private static final System.Logger LOG = System.getLogger(SlirpGateway.class.getName());
    /** DNS questions being resolved at once, at most; more are dropped (clients retry). */
    static final int MAX_DNS_IN_FLIGHT = 32;
    static final int BROADCAST = -1;
    private static final byte[] LOOPBACK6 = new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

    private final SlirpOptions options;
    /** The guests' IPv6 prefix, read once: the policy checks it for every datagram going out. */
    private final byte[] v6prefix;
    private final SlirpCounters counters;
    private final JnetStack stack;
    private final TransparentGateway transparent;
    private final DhcpServer dhcp;
    private final DnsServer dns;
    private final Dhcp6Server dhcp6;
    private final Semaphore dnsSlots = new Semaphore(MAX_DNS_IN_FLIGHT);
    private final FlowBudget budget;
    private final TcpNat tcp;
    private final UdpNat udp;
    private final HostForwarders forwards;
    private final UdpReactor reactor;
    private final RouterAdvertiser advertiser;

    SlirpGateway(SlirpOptions options, EthernetPort port, DnsServer.Resolver resolver, PingOpener pings,
            SlirpCounters counters) throws IOException {
        this.options = options;
        this.v6prefix = options.v6prefix().getAddress();
        this.counters = counters;
        this.stack = JnetStack.builder().options("mac=" + options.mac() + ",mtu=" + options.mtu() + ",tso=" + (options.tso() ? 1 : 0))
                .port("slirp0", port).build();
        List<AutoCloseable> made = new ArrayList<>();
        made.add(stack::close);
        try {
            NetConfig cfg = stack.config();
            int idx = cfg.ifNameToIndex("slirp0");
            cfg.linkSetUpDown(idx, true);
            cfg.ipAddrAdd(Ipv4Text.toInet(options.host()), options.prefix(), idx);
            cfg.ipAddrAdd(Ipv4Text.toInet(options.dns()), options.prefix(), idx);
            if (options.ipv6()) {
                cfg.ipAddrAdd(options.v6host(), SlirpOptions.V6_PREFIX_LENGTH, idx);
                cfg.ipAddrAdd(options.v6dns(), SlirpOptions.V6_PREFIX_LENGTH, idx);
            }
            this.dhcp = new DhcpServer(options, stack.clock()::nanos, counters);
            this.dns = new DnsServer(resolver, counters);
            this.dhcp6 = options.ipv6() ? new Dhcp6Server(options, counters) : null;
            this.budget = new FlowBudget(options.maxFlows());
            UdpNat[] udpRef = new UdpNat[1];
            HostForwarders[] fwdRef = new HostForwarders[1];
            this.transparent = TransparentGateway.enable(stack, this::accepts,
                    (src, sport, dst, dport, payload) -> datagram(src, sport, dst, dport, payload, udpRef[0], fwdRef[0]));
            made.add(transparent);
            this.advertiser = options.ipv6()
                    ? new RouterAdvertiser(options, transparent::sendRouterAdvertisement, stack.clock()::nanos) : null;
            if (advertiser != null) {
                transparent.enable6(this::accepts6,
                        (src, sport, dst, dport, payload) -> datagram6(src, sport, dst, dport, payload, udpRef[0],
                                fwdRef[0]),
                        advertiser::solicited);
            }
            EchoProxy echoes = new EchoProxy(transparent, counters, pings);
            transparent.onEcho(echoes::echo);
            transparent.onEcho6(echoes::echo6);
            // unpaced toward a tap with offload (see SlirpOptions.pacing): asked per flow, the cable may join later
            java.util.function.BooleanSupplier paced = options.pacing() != null ? options.pacing()::booleanValue
                    : () -> !port.acceptsPartialChecksums();
            this.tcp = new TcpNat(transparent.openListener(Math.min(options.maxFlows(), 4096)), this::hostTarget,
                    budget, options, counters, paced);
            made.add(tcp);
            this.reactor = new UdpReactor(() -> {
                if (udpRef[0] != null) {
                    udpRef[0].expire();
                }
                if (fwdRef[0] != null) {
                    fwdRef[0].expire();
                }
                if (advertiser != null) {
                    advertiser.tick();
                }
            });
            made.add(reactor);
            this.udp = udpRef[0] = new UdpNat(transparent, this::hostTarget, budget, options, counters,
                    stack.clock()::nanos, reactor);
            made.add(udp);
            this.forwards = fwdRef[0] = new HostForwarders(options, stack, transparent, tcp, budget, counters,
                    reactor);
        } catch (IOException | RuntimeException e) {
            for (int i = made.size() - 1; i >= 0; i--) {
                TcpNat.closeQuietly(made.get(i));
            }
            throw e;
        }
    }

    /** Which datagrams to addresses not the gateway's it takes (the stack's loop); ICMP goes to the {@link EchoProxy}. */
    private boolean accepts(int protocol, int source, int destination) {
        boolean ok = !options.restrict() && !options.inNetwork(destination) && !isMulticast(destination)
                && (protocol == Ipv4.PROTO_TCP || protocol == Ipv4.PROTO_UDP || protocol == Ipv4.PROTO_ICMP);
        if (!ok) {
            counters.foreignDropped.increment();
        }
        return ok;
    }

    /** Which IPv6 datagrams to addresses not the gateway's it takes (the stack's loop): TCP, UDP, ICMPv6 echo out. */
    private boolean accepts6(int protocol, byte[] source, byte[] destination) {
        boolean ok = !options.restrict() && (protocol == Ipv6.TCP || protocol == Ipv6.UDP || protocol == Ipv6.ICMPV6)
                && isRoutable6(destination) && !java.util.Arrays.equals(destination, 0, 8, v6prefix, 0, 8);
        if (!ok) {
            counters.foreignDropped.increment();
        }
        return ok;
    }

    /** Not unspecified, loopback, link-local, multicast, v4-mapped or v4-compatible: an address one may route to. */
    private static boolean isRoutable6(byte[] a) {
        if ((a[0] & 0xff) == 0xff || (a[0] & 0xff) == 0xfe && (a[1] & 0xc0) == 0x80) {
            return false;
        }
        for (int i = 0; i < 10; i++) {
            if (a[i] != 0) {
                return true;
            }
        }
        return false; // ::, ::1, ::a.b.c.d and ::ffff:a.b.c.d
    }

    /** Where a flow to {@code address} (either family) goes on the host, or null when it may not. */
    InetAddress hostTarget(int protocol, InetAddress address, int port) {
        if (address instanceof Inet4Address) {
            return hostTarget4(Ipv4Text.of(address));
        }
        if (!options.ipv6() || options.restrict()) {
            return null;
        }
        if (address.equals(options.v6host())) {
            return options.hostLoopback() ? inet6(LOOPBACK6) : null;
        }
        byte[] a = address.getAddress();
        return isRoutable6(a) && !options.inNetwork6(address) ? address : null;
    }

    private InetAddress hostTarget4(int address) {
        if (address == options.host()) {
            return options.hostLoopback() && !options.restrict() ? InetAddress.getLoopbackAddress() : null;
        }
        if (options.restrict() || options.inNetwork(address) || isMulticast(address) || address == 0) {
            return null;
        }
        return Ipv4Text.toInet(address);
    }

    private static boolean isMulticast(int a) {
        return (a & 0xf0000000) == 0xe0000000 || a == BROADCAST;
    }

    /** A UDP datagram to a port no socket of the gateway stack has (the loop; must not block). */
    private void datagram(int src, int sport, int dst, int dport, ByteBuffer payload, UdpNat nat,
            HostForwarders fwd) {
        if (dport == DhcpServer.SERVER_PORT && (dst == BROADCAST || dst == options.host()
                || dst == options.broadcast())) {
            ByteBuffer reply = dhcp.handle(payload);
            if (reply != null) {
                transparent.sendDatagram(options.host(), DhcpServer.SERVER_PORT, BROADCAST, DhcpServer.CLIENT_PORT,
                        reply);
            }
            return;
        }
        if (dst == options.dns() && dport == DnsServer.PORT) {
            query(payload, r -> transparent.sendDatagram(options.dns(), DnsServer.PORT, src, sport, r));
            return;
        }
        if (dst == BROADCAST || dst == options.broadcast() || isMulticast(dst) || dst == options.dns()) {
            counters.foreignDropped.increment();
            return;
        }
        if (dst == options.host() && fwd != null && fwd.fromGuest(Ipv4Text.toInet(src), sport, dport, payload)) {
            return;
        }
        if (nat != null) {
            nat.fromGuest(Ipv4Text.toInet(src), sport, Ipv4Text.toInet(dst), dport, payload);
        }
    }

    /** An IPv6 UDP datagram to a port no socket of the gateway stack has (the loop; must not block). */
    private void datagram6(byte[] src, int sport, byte[] dst, int dport, ByteBuffer payload, UdpNat nat,
            HostForwarders fwd) {
        if (dport == Dhcp6Server.SERVER_PORT && java.util.Arrays.equals(dst, Dhcp6Server.ALL_SERVERS)) {
            ByteBuffer reply = dhcp6.handle(payload);
            if (reply != null) { // from the gateway's link-local address, as RFC 8415 servers answer
                transparent.sendDatagram6(null, Dhcp6Server.SERVER_PORT, src, sport, reply);
            }
            return;
        }
        InetAddress to = inet6(dst);
        if (to.equals(options.v6dns())) {
            if (dport == DnsServer.PORT) {
                query(payload, r -> transparent.sendDatagram6(dst, DnsServer.PORT, src, sport, r));
            } else {
                counters.foreignDropped.increment();
            }
            return;
        }
        if (to.equals(options.v6host()) && fwd != null && fwd.fromGuest(inet6(src), sport, dport, payload)) {
            return;
        }
        if (nat != null) {
            nat.fromGuest(inet6(src), sport, to, dport, payload);
        }
    }

    private static InetAddress inet6(byte[] a) {
        try {
            return InetAddress.getByAddress(a); // a v4-mapped array would come back IPv4: isRoutable6 refuses those
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** Answers the DNS question in {@code payload} on a virtual thread; {@code reply} sends the answer. */
    private void query(ByteBuffer payload, java.util.function.Consumer<ByteBuffer> reply) {
        if (!dnsSlots.tryAcquire()) {
            counters.udpDropped.increment();
            return;
        }
        ByteBuffer q = ByteBuffer.allocate(payload.remaining()).put(payload.duplicate()).flip();
        Thread.ofVirtual().name("slirp dns").start(() -> {
            try {
                ByteBuffer r = dns.answer(q);
                if (r != null) {
                    reply.accept(r);
                }
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "slirp: DNS answer failed", e);
            } finally {
                dnsSlots.release();
            }
        });
    }

    JnetStack stack() {
        return stack;
    }

    HostForwarders forwards() {
        return forwards;
    }

    int openFlows() {
        return budget.open();
    }

    @Override
    public void close() throws IOException {
        TcpNat.closeQuietly(forwards);
        TcpNat.closeQuietly(tcp);
        TcpNat.closeQuietly(udp);
        TcpNat.closeQuietly(reactor);
        TcpNat.closeQuietly(transparent);
        stack.sockets().closeAll();
        stack.close();
    }
}
