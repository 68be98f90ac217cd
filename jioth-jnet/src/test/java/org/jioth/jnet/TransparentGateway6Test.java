package org.jioth.jnet;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jioth.jnet.wire.Ip6;
import org.jioth.jnet.wire.Ipv6;
import org.jioth.vde.EthernetNode;
import org.junit.jupiter.api.Test;

/**
 * Transparent mode over IPv6: TCP and UDP to foreign addresses reach the gateway stack's listener
 * and handler, replies leave from the foreign address, router solicitations reach their handler
 * and {@link TransparentGateway#sendRouterAdvertisement} configures a client doing SLAAC.
 */
class TransparentGateway6Test {
    static final InetAddress FOREIGN = InetAddress.ofLiteral("2001:db8::5");

    static TransparentGatewayTest.Pair pair() throws IOException {
        EthernetNode sw = EthernetNode.newSwitch();
        JnetStack c = JnetStack.builder().options("seed=1").port("vde0", sw.attach("client")).build();
        JnetStack g = JnetStack.builder().options("seed=2").port("vde0", sw.attach("gateway")).build();
        g.config().linkSetUpDown(2, true);
        g.config().ipAddrAdd(InetAddress.ofLiteral("fd07::2"), 64, 2);
        c.config().linkSetUpDown(2, true);
        c.config().ipAddrAdd(InetAddress.ofLiteral("fd07::15"), 64, 2);
        c.config().ipRouteAdd(InetAddress.ofLiteral("::"), 0, InetAddress.ofLiteral("fd07::2"), 2);
        return new TransparentGatewayTest.Pair(c, g, sw);
    }

    @Test
    void tcpAndUdpToForeignIpv6AddressesReachTheGatewayAndRepliesComeFromThem() throws Exception {
        BlockingQueue<String> got = new ArrayBlockingQueue<>(4);
        try (TransparentGatewayTest.Pair p = pair();
                TransparentGateway t = TransparentGateway.enable(p.gateway(), (proto, src, dst) -> false,
                        (s, sp, d, dp, payload) -> { });
                ServerSocketChannel all = t.openListener(16)) {
            t.enable6((proto, src, dst) -> proto == Ipv6.TCP || proto == Ipv6.UDP,
                    (src, sport, dst, dport, payload) -> {
                        byte[] data = new byte[payload.remaining()];
                        payload.get(data);
                        got.add(Ip6.toString(dst) + "." + dport + " " + new String(data, StandardCharsets.US_ASCII));
                        t.sendDatagram6(dst, dport, src, sport,
                                ByteBuffer.wrap("pong".getBytes(StandardCharsets.US_ASCII)));
                    }, () -> { });
            try (SocketChannel c = p.client().provider().openSocketChannel()) {
                c.connect(new InetSocketAddress(FOREIGN, 80));
                try (SocketChannel accepted = all.accept()) {
                    assertThat(accepted.getLocalAddress()).isEqualTo(new InetSocketAddress(FOREIGN, 80));
                    c.write(ByteBuffer.wrap("hi".getBytes(StandardCharsets.US_ASCII)));
                    ByteBuffer b = ByteBuffer.allocate(2);
                    while (b.hasRemaining()) {
                        accepted.read(b);
                    }
                    assertThat(new String(b.array(), StandardCharsets.US_ASCII)).isEqualTo("hi");
                }
            }
            try (DatagramChannel ch = p.client().provider().openDatagramChannel(StandardProtocolFamily.INET6)) {
                ch.send(ByteBuffer.wrap("ping".getBytes(StandardCharsets.US_ASCII)), new InetSocketAddress(FOREIGN, 53));
                assertThat(got.poll(60, TimeUnit.SECONDS)).isEqualTo(Ip6.toString(FOREIGN.getAddress()) + ".53 ping");
                ByteBuffer in = ByteBuffer.allocate(10);
                assertThat(ch.receive(in)).isEqualTo(new InetSocketAddress(FOREIGN, 53));
                assertThat(new String(in.array(), 0, in.position(), StandardCharsets.US_ASCII)).isEqualTo("pong");
            }
        }
    }

    @Test
    void solicitationsReachTheHandlerAndAdvertisementsConfigureTheClient() throws Exception {
        EthernetNode sw = EthernetNode.newSwitch();
        JnetStack c = JnetStack.builder().options("seed=1").port("vde0", sw.attach("client")).build();
        JnetStack g = JnetStack.builder().options("seed=2").port("vde0", sw.attach("gateway")).build();
        try (TransparentGatewayTest.Pair p = new TransparentGatewayTest.Pair(c, g, sw);
                TransparentGateway t = TransparentGateway.enable(g, (proto, src, dst) -> false,
                        (s, sp, d, dp, payload) -> { })) {
            CountDownLatch solicited = new CountDownLatch(1);
            t.enable6((proto, src, dst) -> false, (src, sport, dst, dport, payload) -> { }, solicited::countDown);
            g.config().linkSetUpDown(2, true);
            c.config().linkSetUpDown(2, true);
            c.config().ipv6Autoconf(2, true, true);
            assertThat(solicited.await(30, TimeUnit.SECONDS)).as("the client's router solicitation").isTrue();
            t.sendRouterAdvertisement(ByteBuffer.wrap(advertisement()));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            InetAddress slaac = null;
            while (slaac == null && System.nanoTime() < deadline) {
                for (org.jioth.IfAddr a : c.config().interfaces()) {
                    if (a.address() instanceof Inet6Address v6 && v6.getHostAddress().startsWith("fd07:")) {
                        slaac = v6;
                    }
                }
                Thread.sleep(10);
            }
            assertThat(slaac).as("a SLAAC address in fd07::/64").isNotNull();
            assertThat(c.config().ipv6RouterInfo(2).routers()).hasSize(1);
            assertThat(c.config().ipv6RouterInfo(2).routers().getFirst().isLinkLocalAddress()).isTrue();
        }
    }

    /** An RA with a 1800 s router lifetime and the prefix fd07::/64 (on-link, autonomous). */
    private static byte[] advertisement() {
        ByteBuffer b = ByteBuffer.allocate(16 + 32);
        b.put((byte) 134).put((byte) 0).putShort((short) 0).put((byte) 64).put((byte) 0).putShort((short) 1800)
                .putInt(0).putInt(0);
        b.put((byte) 3).put((byte) 4).put((byte) 64).put((byte) 0xc0).putInt(86400).putInt(14400).putInt(0)
                .put(InetAddress.ofLiteral("fd07::").getAddress());
        return b.array();
    }
}
