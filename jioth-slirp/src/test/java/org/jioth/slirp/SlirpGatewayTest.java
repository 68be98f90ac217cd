package org.jioth.slirp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.jioth.Ioth;
import org.jioth.IothStack;
import org.jioth.jnet.JnetStack;
import org.jioth.vde.EthernetPorts;
import org.junit.jupiter.api.Test;

/**
 * A jnet stack plugged straight into {@code slirp://} (the single-stack use), talking to peers on
 * the host's loopback (and its own non-loopback address, still on this machine) through the gateway.
 */
class SlirpGatewayTest {
    static final InetAddress GATEWAY = InetAddress.ofLiteral("10.0.2.2");

    /** A jnet stack at 10.0.2.15/24 behind {@code port}, default route via the gateway. */
    /** JnetStack is not AutoCloseable as this module sees it (its interface lives in the API's spi package). */
    record Guest(JnetStack stack) implements AutoCloseable {
        java.nio.channels.spi.SelectorProvider provider() {
            return stack.provider();
        }

        @Override
        public void close() throws IOException {
            stack.close();
        }
    }

    static Guest guest(SlirpPort port) throws IOException {
        JnetStack s = JnetStack.builder().options("seed=5").port("vde0", port).build();
        int idx = s.config().ifNameToIndex("vde0");
        s.config().linkSetUpDown(idx, true);
        s.config().ipAddrAdd(InetAddress.ofLiteral("10.0.2.15"), 24, idx);
        s.config().ipRouteAdd(InetAddress.ofLiteral("0.0.0.0"), 0, GATEWAY, idx);
        return new Guest(s);
    }

    static SlirpPort slirp(String vnl) throws IOException {
        return (SlirpPort) EthernetPorts.open(vnl);
    }

    static String fetch(SocketChannel c, long length) throws Exception {
        c.write(ByteBuffer.wrap("GET /x HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        ByteBuffer b = ByteBuffer.allocate(1 << 16);
        boolean header = true;
        long body = 0;
        while (c.read(b) >= 0) {
            b.flip();
            if (header) {
                String s = new String(b.array(), 0, b.limit(), StandardCharsets.ISO_8859_1);
                int end = s.indexOf("\r\n\r\n");
                if (end < 0) {
                    b.position(b.limit()).limit(b.capacity());
                    continue;
                }
                b.position(end + 4);
                header = false;
            }
            body += b.remaining();
            md.update(b);
            b.clear();
        }
        assertThat(body).isEqualTo(length);
        return HexFormat.of().formatHex(md.digest());
    }

    static boolean eventually(BooleanSupplier c) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L; // generous: a loaded machine is slow, only a failure waits it out
        while (!c.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(10);
        }
        return true;
    }

    @Test
    void iothNewStackOnSlirpReachesTheHostsLoopbackThroughTheGateway() throws Exception {
        try (HostServers.Http http = new HostServers.Http(1 << 20);
                IothStack s = Ioth.newStack("jnet", "slirp://")) {
            int idx = s.ifNameToIndex("vde0");
            s.linkSetUpDown(idx, true);
            s.ipAddrAdd(InetAddress.ofLiteral("10.0.2.15"), 24, idx);
            s.ipRouteAdd(InetAddress.ofLiteral("0.0.0.0"), 0, GATEWAY, idx);
            try (SocketChannel c = s.provider().openSocketChannel()) {
                c.connect(new InetSocketAddress(GATEWAY, http.port()));
                assertThat(fetch(c, 1 << 20)).isEqualTo(HostServers.sha256(1 << 20));
            }
        }
    }

    @Test
    void aRefusedHostConnectResetsTheGuestsConnection() throws Exception {
        int closedPort;
        try (ServerSocketChannel probe = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            closedPort = ((InetSocketAddress) probe.getLocalAddress()).getPort();
        }
        SlirpPort port = slirp("slirp://");
        try (Guest s = guest(port); SocketChannel c = s.provider().openSocketChannel()) {
            assertThat(resetAfterConnect(c, new InetSocketAddress(GATEWAY, closedPort))).isTrue();
            assertThat(port.counters().tcpFlowsRefused.sum()).isEqualTo(1);
            assertThat(eventually(() -> port.openFlows() == 0)).isTrue();
        }
    }

    /** The gateway accepts first, then resets: the reset may already stop the connect, or the read after it. */
    static boolean resetAfterConnect(SocketChannel c, InetSocketAddress to) {
        try {
            c.connect(to);
            c.write(ByteBuffer.wrap("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
        } catch (IOException e) {
            return true;
        }
        return readFails(c);
    }

    static boolean readFails(SocketChannel c) {
        try {
            return c.read(ByteBuffer.allocate(10)) < 0;
        } catch (IOException e) {
            return true;
        }
    }

    @Test
    void disableHostLoopbackAndRestrictKeepTheGuestIn() throws Exception {
        for (String vnl : new String[] {"slirp:///disable_host_loopback", "slirp:///restrict"}) {
            try (HostServers.Http http = new HostServers.Http(10)) {
                SlirpPort port = slirp(vnl);
                try (Guest s = guest(port); SocketChannel c = s.provider().openSocketChannel()) {
                    assertThat(resetAfterConnect(c, new InetSocketAddress(GATEWAY, http.port()))).as(vnl).isTrue();
                    assertThat(port.counters().tcpFlowsOpened.sum()).as(vnl).isZero();
                }
            }
        }
    }

    @Test
    void udpGoesThroughPerFlowNatAndFlowsAreBounded() throws Exception {
        try (HostServers.UdpEcho echo = new HostServers.UdpEcho()) {
            SlirpPort port = slirp("slirp:///maxflows=2");
            try (Guest s = guest(port)) {
                InetSocketAddress to = new InetSocketAddress(GATEWAY, echo.port());
                for (int i = 0; i < 2; i++) {
                    try (DatagramChannel ch = s.provider().openDatagramChannel()) {
                        ch.send(ByteBuffer.wrap(("hello " + i).getBytes(StandardCharsets.US_ASCII)), to);
                        ByteBuffer in = ByteBuffer.allocate(100);
                        InetSocketAddress from = (InetSocketAddress) ch.receive(in);
                        assertThat(from).as("the reply comes from the address the guest wrote to").isEqualTo(to);
                        assertThat(new String(in.array(), 0, in.position(), StandardCharsets.US_ASCII)).isEqualTo("hello " + i);
                    }
                }
                assertThat(port.counters().udpFlowsOpened.sum()).isEqualTo(2);
                try (DatagramChannel ch = s.provider().openDatagramChannel()) {
                    ch.send(ByteBuffer.wrap(new byte[] {1}), to);
                    assertThat(eventually(() -> port.counters().udpDropped.sum() == 1)).as("a third flow is refused").isTrue();
                }
                assertThat(port.openFlows()).isEqualTo(2);
            }
            assertThat(port.openFlows()).as("closing the port closes every flow").isZero();
        }
    }

    @Test
    void tcpToAForeignAddressIsSplicedToAHostSocketToTheSameAddress() throws Exception {
        Optional<InetAddress> own = ownAddress();
        assumeTrue(own.isPresent(), "the host has no non-loopback IPv4 address to stand for the outside");
        try (ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress(own.get(), 0))) {
            InetSocketAddress at = (InetSocketAddress) server.getLocalAddress();
            SlirpPort port = slirp("slirp://");
            try (Guest s = guest(port); SocketChannel c = s.provider().openSocketChannel()) {
                c.connect(at);
                try (SocketChannel peer = server.accept()) {
                    // half-close carried both ways: the guest's FIN reaches the host peer, which still answers
                    c.write(ByteBuffer.wrap("question".getBytes(StandardCharsets.US_ASCII)));
                    c.shutdownOutput();
                    ByteBuffer q = ByteBuffer.allocate(100);
                    while (peer.read(q) >= 0) {
                        // until the guest's FIN
                    }
                    assertThat(new String(q.array(), 0, q.position(), StandardCharsets.US_ASCII)).isEqualTo("question");
                    peer.write(ByteBuffer.wrap("answer".getBytes(StandardCharsets.US_ASCII)));
                    peer.shutdownOutput();
                    ByteBuffer a = ByteBuffer.allocate(100);
                    while (c.read(a) >= 0) {
                        // until the peer's FIN
                    }
                    assertThat(new String(a.array(), 0, a.position(), StandardCharsets.US_ASCII)).isEqualTo("answer");
                    assertThat(((InetSocketAddress) peer.getRemoteAddress()).getAddress()).isNotEqualTo(
                            InetAddress.ofLiteral("10.0.2.15"));
                }
                assertThat(eventually(() -> port.openFlows() == 0)).isTrue();
            }
        }
    }

    @Test
    void pingsGoThroughTheHostAndRestrictStopsThem() throws Exception {
        Optional<InetAddress> own = ownAddress();
        assumeTrue(own.isPresent(), "the host has no non-loopback IPv4 address to stand for the outside");
        assumeTrue(hostCanEcho(), "neither ICMP echo sockets (net.ipv4.ping_group_range) nor raw ones (root)");
        SlirpPort port = slirp("slirp://");
        try (Guest s = guest(port)) {
            assertThat(s.stack().ping(GATEWAY, java.time.Duration.ofSeconds(10))).isNotNull();
            assertThat(s.stack().ping(own.get(), java.time.Duration.ofSeconds(10))).isNotNull();
            // the proxy counts the reply after handing it to the gateway, so the ping may return first
            assertThat(eventually(() -> port.counters().icmpEchoReplies.sum() == 1)).isTrue();
        }
        SlirpPort restricted = slirp("slirp:///restrict");
        try (Guest s = guest(restricted)) {
            assertThat(s.stack().ping(GATEWAY, java.time.Duration.ofSeconds(10))).isNotNull();
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> s.stack().ping(own.get(),
                    java.time.Duration.ofMillis(500))).isInstanceOf(IOException.class);
            assertThat(restricted.counters().icmpEchoes.sum()).isZero();
        }
    }

    @Test
    void closingThePortClosesItsFlows() throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            int p = ((InetSocketAddress) server.getLocalAddress()).getPort();
            SlirpPort port = slirp("slirp://");
            Guest s = guest(port);
            SocketChannel c = s.provider().openSocketChannel();
            c.connect(new InetSocketAddress(GATEWAY, p));
            try (SocketChannel peer = server.accept()) {
                assertThat(eventually(() -> port.openFlows() == 1)).isTrue();
                port.close();
                assertThat(port.openFlows()).isZero();
                assertThat(readFails(peer)).as("the host side of the flow is closed").isTrue();
            } finally {
                s.close();
            }
        }
    }

    /** Whether the host may send an ICMP echo: an unprivileged echo socket, or a raw one. */
    static boolean hostCanEcho() {
        try (org.jioth.linux.ping.PingSocket s = org.jioth.linux.ping.PingSocket.open(false)) {
            return true;
        } catch (IOException e) {
            return org.jioth.linux.ping.PingSocket.rawAllowed(false);
        }
    }

    static Optional<InetAddress> ownAddress() throws SocketException {
        return NetworkInterface.networkInterfaces().filter(i -> {
            try {
                return i.isUp() && !i.isLoopback();
            } catch (SocketException e) {
                return false;
            }
        }).flatMap(NetworkInterface::inetAddresses).filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress()
                && !a.isLinkLocalAddress() && !a.getHostAddress().startsWith("10.0.2.")).findFirst();
    }
}
