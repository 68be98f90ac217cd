package org.jioth.slirp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import org.jioth.IfAddr;
import org.jioth.Ioth;
import org.jioth.IothStack;
import org.jioth.conf.IothConf;
import org.junit.jupiter.api.Test;

/**
 * The options of {@code slirp://} seen from a guest (a jnet stack), not only parsed: another
 * network and prefix, what {@code restrict} still serves, {@code disable_host_loopback} for UDP,
 * {@code maxflows} for TCP, and flow control through a {@code flowbuf}-bounded flow. Every peer is
 * on the host's loopback.
 */
class SlirpOptionsEndToEndTest {

    @Test
    void anotherNetworkAndPrefixAreServedByDhcpDnsAndTheGateway() throws Exception {
        try (HostServers.Http http = new HostServers.Http(1 << 16);
                IothStack s = Ioth.newStack("jnet", "slirp:///v4net=172.20.0.0/v4prefix=16")) {
            IothConf.Result r = s.configure("eth,dhcp");
            assertThat(r.steps()).contains(IothConf.Step.DHCP);
            assertThat(r.dnsServers()).containsExactly(InetAddress.ofLiteral("172.20.0.3"));
            assertThat(s.interfaces()).extracting(IfAddr::toString).anyMatch(a -> a.contains("172.20.0.15/16"));
            try (SocketChannel c = s.provider().openSocketChannel()) { // the default route DHCP gave
                c.connect(new InetSocketAddress(InetAddress.ofLiteral("172.20.0.2"), http.port()));
                assertThat(SlirpGatewayTest.fetch(c, 1 << 16)).isEqualTo(HostServers.sha256(1 << 16));
            }
            try (DatagramChannel u = s.provider().openDatagramChannel()) {
                u.connect(new InetSocketAddress(InetAddress.ofLiteral("172.20.0.3"), DnsServer.PORT));
                ByteBuffer answer = SlirpIpv6Test.exchangeRaw(u, DnsServerTest.query("localhost", DnsServer.TYPE_A));
                assertThat(DnsServerTest.rcode(answer)).isEqualTo(DnsServer.NOERROR);
            }
        }
    }

    @Test
    void restrictStillServesDhcpDnsAndTheHostForwards() throws Exception {
        try (IothStack s = Ioth.newStack("jnet", "slirp:///restrict")) {
            assertThat(s.configure("eth,dhcp").dnsServers()).containsExactly(InetAddress.ofLiteral("10.0.2.3"));
        }
        SlirpPort port = SlirpGatewayTest.slirp("slirp:///restrict/hostfwd=tcp:127.0.0.1:0-:8080");
        try (SlirpGatewayTest.Guest g = SlirpGatewayTest.guest(port);
                ServerSocketChannel server = g.provider().openServerSocketChannel()) {
            try (DatagramChannel u = g.provider().openDatagramChannel()) {
                u.connect(new InetSocketAddress(InetAddress.ofLiteral("10.0.2.3"), DnsServer.PORT));
                ByteBuffer answer = SlirpIpv6Test.exchangeRaw(u, DnsServerTest.query("localhost", DnsServer.TYPE_A));
                assertThat(DnsServerTest.rcode(answer)).isEqualTo(DnsServer.NOERROR);
            }
            server.bind(new InetSocketAddress(8080));
            Thread served = Thread.ofVirtual().start(() -> {
                try (SocketChannel c = server.accept()) {
                    c.write(ByteBuffer.wrap("inside".getBytes(StandardCharsets.US_ASCII)));
                } catch (IOException e) {
                    // the assertion below fails
                }
            });
            try (SocketChannel c = SocketChannel.open(port.hostForwardAddresses().getFirst())) {
                ByteBuffer b = ByteBuffer.allocate(100);
                while (c.read(b) >= 0) {
                    // until the guest closes
                }
                assertThat(new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII)).isEqualTo("inside");
            }
            served.join();
            assertThat(port.counters().hostForwardsAccepted.sum()).isEqualTo(1);
        }
    }

    @Test
    void disableHostLoopbackStopsUdpToTheHostToo() throws Exception {
        try (HostServers.UdpEcho echo = new HostServers.UdpEcho()) {
            SlirpPort port = SlirpGatewayTest.slirp("slirp:///disable_host_loopback");
            try (SlirpGatewayTest.Guest g = SlirpGatewayTest.guest(port);
                    DatagramChannel u = g.provider().openDatagramChannel()) {
                u.send(ByteBuffer.wrap(new byte[] {1, 2, 3}), new InetSocketAddress(SlirpGatewayTest.GATEWAY, echo.port()));
                assertThat(SlirpGatewayTest.eventually(() -> port.counters().udpDropped.sum() == 1)).isTrue();
                assertThat(port.counters().udpFlowsOpened.sum()).isZero();
                assertThat(port.counters().bytesOut.sum()).isZero();
            }
        }
    }

    @Test
    void tcpFlowsBeyondMaxflowsAreResetAndCounted() throws Exception {
        try (ServerSocketChannel host = ServerSocketChannel.open()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            InetSocketAddress to = new InetSocketAddress(SlirpGatewayTest.GATEWAY,
                    ((InetSocketAddress) host.getLocalAddress()).getPort());
            SlirpPort port = SlirpGatewayTest.slirp("slirp:///maxflows=1");
            try (SlirpGatewayTest.Guest g = SlirpGatewayTest.guest(port);
                    SocketChannel first = g.provider().openSocketChannel();
                    SocketChannel second = g.provider().openSocketChannel()) {
                first.connect(to);
                try (SocketChannel peer = host.accept()) {
                    assertThat(SlirpGatewayTest.eventually(() -> port.openFlows() == 1)).isTrue();
                    assertThat(SlirpGatewayTest.resetAfterConnect(second, to)).as("the second flow is reset").isTrue();
                    assertThat(port.counters().tcpFlowsRefused.sum()).isEqualTo(1);
                    first.write(ByteBuffer.wrap("still".getBytes(StandardCharsets.US_ASCII)));
                    ByteBuffer b = ByteBuffer.allocate(5);
                    while (b.hasRemaining() && peer.read(b) >= 0) {
                        // the first flow still carries data
                    }
                    assertThat(new String(b.array(), StandardCharsets.US_ASCII)).isEqualTo("still");
                }
            }
        }
    }

    /**
     * A host peer that does not read holds the guest back (the windows close end to end) instead
     * of the gateway buffering what the guest writes: the guest's non-blocking writes stop well
     * short of 32 MiB. The bound is what the sockets and jnet's buffers may hold (about 5 MB here,
     * the host's socket buffers growing slowly), far below that; the loop ends at 64 MiB (the
     * failure), after a second without progress or after 5 s, whichever comes first, so a slow
     * machine only writes less (the gateway carries hundreds of MB/s when not held back). Then the
     * peer reads everything, byte-exact, and the flow goes on.
     */
    @Test
    void aHostPeerThatDoesNotReadHoldsTheGuestBack() throws Exception {
        long attempt = 64L << 20;
        try (ServerSocketChannel host = ServerSocketChannel.open()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            InetSocketAddress to = new InetSocketAddress(SlirpGatewayTest.GATEWAY,
                    ((InetSocketAddress) host.getLocalAddress()).getPort());
            SlirpPort port = SlirpGatewayTest.slirp("slirp:///flowbuf=64k");
            try (SlirpGatewayTest.Guest g = SlirpGatewayTest.guest(port);
                    SocketChannel c = g.provider().openSocketChannel()) {
                c.connect(to);
                try (SocketChannel peer = host.accept()) {
                    c.configureBlocking(false);
                    ByteBuffer chunk = ByteBuffer.allocate(1 << 16);
                    long written = 0;
                    int idle = 0;
                    long end = System.nanoTime() + 5_000_000_000L;
                    while (written < attempt && idle < 500 && System.nanoTime() < end) {
                        pattern(chunk.clear(), written);
                        int n = c.write(chunk);
                        if (n == 0) {
                            idle++;
                            Thread.sleep(2);
                        } else {
                            idle = 0;
                            written += n;
                        }
                    }
                    assertThat(written).as("bytes the guest could write while the host peer read nothing")
                            .isLessThan(32L << 20);
                    Thread reader = Thread.ofVirtual().start(() -> readPattern(peer, 0));
                    c.configureBlocking(true);
                    long more = 1L << 20;
                    for (long at = written; at < written + more; ) {
                        ByteBuffer b = pattern(ByteBuffer.allocate((int) Math.min(1 << 16, written + more - at)), at);
                        while (b.hasRemaining()) {
                            at += c.write(b);
                        }
                    }
                    c.shutdownOutput();
                    reader.join();
                    assertThat(received).as("every byte, in order, then end of stream").isEqualTo(written + more);
                }
            }
        }
    }

    private volatile long received = -1;

    /** Fills {@code b} with the stream's bytes from offset {@code from} on: byte i is i mod 251. */
    static ByteBuffer pattern(ByteBuffer b, long from) {
        for (int i = b.position(); i < b.limit(); i++) {
            b.put(i, (byte) ((from + i) % 251));
        }
        return b;
    }

    /** Reads to end of stream checking the pattern; {@link #received} is the count, or -2 at a wrong byte. */
    private void readPattern(SocketChannel peer, long from) {
        ByteBuffer b = ByteBuffer.allocate(1 << 16);
        long at = from;
        try {
            while (peer.read(b.clear()) >= 0) {
                for (int i = 0; i < b.position(); i++) {
                    if (b.get(i) != (byte) ((at + i) % 251)) {
                        received = -2;
                        return;
                    }
                }
                at += b.position();
            }
            received = at;
        } catch (IOException e) {
            received = -3;
        }
    }
}
