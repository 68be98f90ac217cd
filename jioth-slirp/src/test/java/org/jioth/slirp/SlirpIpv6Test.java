package org.jioth.slirp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.jioth.IfAddr;
import org.jioth.NetConfig;
import org.jioth.jnet.JnetStack;
import org.junit.jupiter.api.Test;

/**
 * slirp's IPv6 side with a jnet guest that configures itself from the gateway's router
 * advertisements (SLAAC, RDNSS) and reaches the host's ::1 through fd00::2: TCP byte-exact, UDP
 * echo, DNS at fd00::3; {@code restrict} and {@code ipv6=0}. Never leaves the host's loopback.
 */
class SlirpIpv6Test {
    static final InetAddress HOST6 = InetAddress.ofLiteral("fd00::2");
    static final InetAddress DNS6 = InetAddress.ofLiteral("fd00::3");
    static final InetAddress LOOPBACK6 = InetAddress.ofLiteral("::1");

    /** A jnet stack doing router discovery and SLAAC behind {@code port}. */
    static SlirpGatewayTest.Guest autoconfGuest(SlirpPort port) throws IOException {
        JnetStack s = JnetStack.builder().options("seed=6").port("vde0", port).build();
        int idx = s.config().ifNameToIndex("vde0");
        s.config().linkSetUpDown(idx, true);
        s.config().ipv6Autoconf(idx, true, true);
        return new SlirpGatewayTest.Guest(s);
    }

    static void assumeHostIpv6() {
        try (ServerSocketChannel probe = ServerSocketChannel.open()) {
            probe.bind(new InetSocketAddress(LOOPBACK6, 0));
        } catch (IOException | RuntimeException e) {
            assumeTrue(false, "the host has no ::1: " + e);
        }
    }

    /** The guest's SLAAC address in fd00::/64, once the router advertisement is applied. */
    static Optional<InetAddress> slaacAddress(NetConfig cfg) {
        try {
            for (IfAddr a : cfg.interfaces()) {
                if (a.address() instanceof Inet6Address v6 && a.prefixLength() == 64
                        && (v6.getAddress()[0] & 0xff) == 0xfd && v6.getAddress()[1] == 0) {
                    return Optional.of(v6);
                }
            }
        } catch (IOException e) {
            // not yet
        }
        return Optional.empty();
    }

    @Test
    void aJnetGuestAutoconfiguresAndReachesTheHostsIpv6LoopbackThroughTheGateway() throws Exception {
        assumeHostIpv6();
        SlirpPort port = SlirpGatewayTest.slirp("slirp://");
        try (HostServers.Http http = new HostServers.Http(1 << 20, LOOPBACK6);
                HostServers.UdpEcho echo = new HostServers.UdpEcho(LOOPBACK6);
                SlirpGatewayTest.Guest g = autoconfGuest(port)) {
            NetConfig cfg = g.stack().config();
            int idx = cfg.ifNameToIndex("vde0");
            assertThat(SlirpGatewayTest.eventually(() -> slaacAddress(cfg).isPresent()))
                    .as("a SLAAC address from the gateway's router advertisement").isTrue();
            assertThat(SlirpGatewayTest.eventually(() -> {
                try {
                    return cfg.ipv6RouterInfo(idx).dnsServers().contains(DNS6);
                } catch (IOException e) {
                    return false;
                }
            })).as("RDNSS names fd00::3").isTrue();

            try (SocketChannel c = g.provider().openSocketChannel()) {
                c.connect(new InetSocketAddress(HOST6, http.port()));
                assertThat(SlirpGatewayTest.fetch(c, 1 << 20)).isEqualTo(HostServers.sha256(1 << 20));
            }

            try (DatagramChannel u = g.provider().openDatagramChannel(StandardProtocolFamily.INET6)) {
                u.connect(new InetSocketAddress(HOST6, echo.port()));
                assertThat(exchange(u, ByteBuffer.wrap("udp over v6".getBytes(StandardCharsets.US_ASCII))))
                        .isEqualTo("udp over v6");
            }

            try (DatagramChannel u = g.provider().openDatagramChannel(StandardProtocolFamily.INET6)) {
                u.connect(new InetSocketAddress(DNS6, DnsServer.PORT));
                ByteBuffer r = exchangeRaw(u, DnsServerTest.query("localhost", DnsServer.TYPE_A));
                assertThat(DnsServerTest.rcode(r)).isEqualTo(DnsServer.NOERROR);
                assertThat(DnsServerTest.answers(r)).isPositive();
            }
            assertThat(port.counters().tcpFlowsOpened.sum()).isEqualTo(1);
            assertThat(port.counters().udpFlowsOpened.sum()).isEqualTo(1);
        }
    }

    @Test
    void restrictKeepsIpv6GuestsFromTheHost() throws Exception {
        assumeHostIpv6();
        SlirpPort port = SlirpGatewayTest.slirp("slirp:///restrict");
        try (HostServers.Http http = new HostServers.Http(1024, LOOPBACK6);
                SlirpGatewayTest.Guest g = autoconfGuest(port)) {
            NetConfig cfg = g.stack().config();
            assertThat(SlirpGatewayTest.eventually(() -> slaacAddress(cfg).isPresent())).isTrue();
            try (SocketChannel c = g.provider().openSocketChannel()) {
                assertThat(SlirpGatewayTest.resetAfterConnect(c, new InetSocketAddress(HOST6, http.port()))).isTrue();
            }
            assertThat(port.counters().tcpFlowsOpened.sum()).isZero();
        }
    }

    @Test
    void hostfwdCarriesHostClientsToAnIpv6Guest() throws Exception {
        assumeHostIpv6();
        SlirpPort port = SlirpGatewayTest.slirp("slirp:///hostfwd=tcp:[::1]:0-[fd00::15]:8080,udp:[::1]:0-[fd00::15]:9053");
        try (SlirpGatewayTest.Guest g = SlirpGatewayTest.guest(port);
                ServerSocketChannel server = g.provider().openServerSocketChannel();
                DatagramChannel udpServer = g.provider().openDatagramChannel(StandardProtocolFamily.INET6)) {
            NetConfig cfg = g.stack().config();
            cfg.ipAddrAdd(InetAddress.ofLiteral("fd00::15"), 64, cfg.ifNameToIndex("vde0"));
            server.bind(new InetSocketAddress(8080));
            udpServer.bind(new InetSocketAddress(9053));
            Thread tcp = Thread.ofVirtual().start(() -> {
                try (SocketChannel c = server.accept()) {
                    c.write(ByteBuffer.wrap(("hello from " + c.getRemoteAddress()).getBytes(StandardCharsets.US_ASCII)));
                } catch (IOException e) {
                    // the assertion below fails
                }
            });
            Thread udp = Thread.ofVirtual().start(() -> {
                ByteBuffer b = ByteBuffer.allocate(1500);
                try {
                    java.net.SocketAddress from = udpServer.receive(b);
                    udpServer.send(b.flip(), from);
                } catch (IOException e) {
                    // the assertion below fails
                }
            });
            java.util.List<InetSocketAddress> fwd = port.hostForwardAddresses();
            assertThat(fwd.getFirst().getAddress()).isEqualTo(LOOPBACK6);
            try (SocketChannel c = SocketChannel.open(fwd.getFirst())) {
                ByteBuffer b = ByteBuffer.allocate(200);
                while (c.read(b) >= 0) {
                    // until the guest closes
                }
                assertThat(new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII))
                        .startsWith("hello from /[fd00:0:0:0:0:0:0:2]");
            }
            try (DatagramChannel client = DatagramChannel.open()) {
                client.connect(fwd.get(1));
                assertThat(exchange(client, ByteBuffer.wrap("udp to a v6 guest".getBytes(StandardCharsets.US_ASCII))))
                        .isEqualTo("udp to a v6 guest");
            }
            tcp.join(10_000);
            udp.join(10_000);
        }
    }

    @Test
    void withIpv6OffTheGatewayHasNoIpv6Address() throws Exception {
        SlirpPort port = SlirpGatewayTest.slirp("slirp:///ipv6=0");
        try (SlirpGatewayTest.Guest g = SlirpGatewayTest.guest(port)) {
            NetConfig cfg = g.stack().config();
            int idx = cfg.ifNameToIndex("vde0");
            cfg.ipAddrAdd(InetAddress.ofLiteral("fd00::15"), 64, idx);
            try (SocketChannel c = g.provider().openSocketChannel()) {
                // neighbour discovery for fd00::2 goes unanswered: the connect fails
                assertThat(SlirpGatewayTest.resetAfterConnect(c, new InetSocketAddress(HOST6, closedPort()))).isTrue();
            }
            assertThat(cfg.ipv6RouterInfo(idx).heard()).isFalse();
            assertThat(port.counters().tcpFlowsOpened.sum()).isZero();
        }
    }

    private static int closedPort() throws IOException {
        try (ServerSocketChannel probe = ServerSocketChannel.open()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            return ((InetSocketAddress) probe.getLocalAddress()).getPort();
        }
    }

    /** Sends {@code q} until an answer comes (the first may be lost while neighbours resolve). */
    static ByteBuffer exchangeRaw(DatagramChannel u, ByteBuffer q) throws Exception {
        u.configureBlocking(false);
        ByteBuffer in = ByteBuffer.allocate(2048);
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (in.position() == 0 && System.nanoTime() < deadline) {
            u.write(q.duplicate());
            long resend = System.nanoTime() + 500_000_000L;
            while (in.position() == 0 && System.nanoTime() < resend) {
                u.read(in);
                Thread.sleep(5);
            }
        }
        assertThat(in.position()).as("an answer within 20 s").isPositive();
        return in.flip();
    }

    static String exchange(DatagramChannel u, ByteBuffer q) throws Exception {
        ByteBuffer r = exchangeRaw(u, q);
        return StandardCharsets.US_ASCII.decode(r).toString();
    }
}
