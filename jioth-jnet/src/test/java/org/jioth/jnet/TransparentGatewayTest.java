package org.jioth.jnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.jioth.jnet.loop.Counter;
import org.jioth.jnet.wire.Ip4;
import org.jioth.jnet.wire.Ipv4;
import org.jioth.vde.EthernetNode;
import org.junit.jupiter.api.Test;

/**
 * Transparent mode (the slirp gateway's hook): a client stack routes through a gateway stack that
 * takes TCP and UDP for any destination, answers UDP from the address the client wrote to, and
 * leaves ICMP to foreign addresses unanswered when its policy says so.
 */
class TransparentGatewayTest {
    static final InetAddress FOREIGN = InetAddress.ofLiteral("203.0.113.5");

    record Pair(JnetStack client, JnetStack gateway, EthernetNode sw) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            client.sockets().closeAll();
            gateway.sockets().closeAll();
            client.close();
            gateway.close();
            sw.close();
        }
    }

    static Pair pair() throws IOException {
        EthernetNode sw = EthernetNode.newSwitch();
        JnetStack c = JnetStack.builder().options("seed=1").port("vde0", sw.attach("client")).build();
        JnetStack g = JnetStack.builder().options("seed=2").port("vde0", sw.attach("gateway")).build();
        c.config().linkSetUpDown(2, true);
        c.config().ipAddrAdd(InetAddress.ofLiteral("10.7.0.15"), 24, 2);
        c.config().ipRouteAdd(InetAddress.ofLiteral("0.0.0.0"), 0, InetAddress.ofLiteral("10.7.0.2"), 2);
        g.config().linkSetUpDown(2, true);
        g.config().ipAddrAdd(InetAddress.ofLiteral("10.7.0.2"), 24, 2);
        return new Pair(c, g, sw);
    }

    @Test
    void synsToAnyAddressReachTheTransparentListenerWithTheirOriginalDestination() throws Exception {
        try (Pair p = pair();
                TransparentGateway t = TransparentGateway.enable(p.gateway(),
                        (proto, src, dst) -> proto == Ipv4.PROTO_TCP, (s, sp, d, dp, payload) -> { });
                ServerSocketChannel all = t.openListener(16);
                ServerSocketChannel own = p.gateway().provider().openServerSocketChannel()) {
            own.bind(new InetSocketAddress(InetAddress.ofLiteral("10.7.0.2"), 22));
            try (SocketChannel c = p.client().provider().openSocketChannel();
                    SocketChannel d = p.client().provider().openSocketChannel()) {
                c.connect(new InetSocketAddress(FOREIGN, 80));
                try (SocketChannel accepted = all.accept()) {
                    assertThat(accepted.getLocalAddress()).isEqualTo(new InetSocketAddress(FOREIGN, 80));
                    assertThat(((InetSocketAddress) accepted.getRemoteAddress()).getAddress())
                            .isEqualTo(InetAddress.ofLiteral("10.7.0.15"));
                    c.write(ByteBuffer.wrap("hi".getBytes(StandardCharsets.US_ASCII)));
                    ByteBuffer b = ByteBuffer.allocate(2);
                    while (b.hasRemaining()) {
                        accepted.read(b);
                    }
                    assertThat(new String(b.array(), StandardCharsets.US_ASCII)).isEqualTo("hi");
                }
                d.connect(new InetSocketAddress(InetAddress.ofLiteral("10.7.0.2"), 22));
                try (SocketChannel mine = own.accept()) {
                    assertThat(mine).as("an exact listener still wins").isNotNull();
                }
            }
        }
    }

    @Test
    void udpToUnboundPortsGoesToTheHandlerAndRepliesComeFromTheForeignAddress() throws Exception {
        BlockingQueue<String> got = new ArrayBlockingQueue<>(4);
        try (Pair p = pair()) {
            TransparentGateway[] self = new TransparentGateway[1];
            self[0] = TransparentGateway.enable(p.gateway(), (proto, src, dst) -> proto == Ipv4.PROTO_UDP,
                    (src, sport, dst, dport, payload) -> {
                        byte[] data = new byte[payload.remaining()];
                        payload.get(data);
                        got.add(Ip4.toString(dst) + ":" + dport + " " + new String(data, StandardCharsets.US_ASCII));
                        self[0].sendDatagram(dst, dport, src, sport, ByteBuffer.wrap("pong".getBytes(StandardCharsets.US_ASCII)));
                    });
            try (DatagramChannel ch = p.client().provider().openDatagramChannel()) {
                ch.send(ByteBuffer.wrap("ping".getBytes(StandardCharsets.US_ASCII)), new InetSocketAddress(FOREIGN, 53));
                assertThat(got.poll(60, TimeUnit.SECONDS)).isEqualTo("203.0.113.5:53 ping");
                ByteBuffer in = ByteBuffer.allocate(10);
                assertThat(ch.receive(in)).isEqualTo(new InetSocketAddress(FOREIGN, 53));
                assertThat(new String(in.array(), 0, in.position(), StandardCharsets.US_ASCII)).isEqualTo("pong");
            }
            self[0].close();
        }
    }

    @Test
    void echoRequestsToForeignAddressesGoToTheEchoHandlerWhichMayAnswer() throws Exception {
        BlockingQueue<String> got = new ArrayBlockingQueue<>(4);
        try (Pair p = pair();
                TransparentGateway t = TransparentGateway.enable(p.gateway(), (proto, src, dst) -> true,
                        (s, sp, d, dp, payload) -> { })) {
            t.onEcho((src, dst, id, seq, data) -> {
                got.add(Ip4.toString(dst) + " " + data.length);
                t.sendEchoReply(dst, src, id, seq, ByteBuffer.wrap(data));
            });
            assertThat(p.client().ping(FOREIGN, Duration.ofSeconds(10))).isNotNull();
            assertThat(got.poll(60, TimeUnit.SECONDS)).isEqualTo("203.0.113.5 56");
            assertThat(p.gateway().counter(Counter.ICMP_OUT_ECHO_REPS)).as("the stack itself did not answer").isZero();
        }
    }

    @Test
    void whatThePolicyRefusesIsNotAnswered() throws Exception {
        try (Pair p = pair();
                TransparentGateway t = TransparentGateway.enable(p.gateway(), (proto, src, dst) -> false,
                        (s, sp, d, dp, payload) -> { })) {
            assertThat(p.client().ping(InetAddress.ofLiteral("10.7.0.2"), Duration.ofSeconds(10))).isNotNull();
            assertThatThrownBy(() -> p.client().pingAsync(FOREIGN, 8, Duration.ofMillis(300)).get())
                    .isInstanceOf(ExecutionException.class);
            p.gateway().sync(); // it counts what it sent after handing it to the port: let its loop finish that turn first
            assertThat(p.gateway().counter(Counter.ICMP_OUT_ECHO_REPS)).isEqualTo(1);
        }
    }

    @Test
    void aConnectionWithTcpPacingOffSendsUnpacedAndTheDefaultIsPaced() throws Exception {
        assertThat(pacingAfterABulkReply(false)).as("TCP_PACING false").isEqualTo("paced=false pacing=0B/s");
        // the default paces on this path (an in-JVM switch is not a port that pushes back); the
        // rate itself comes from round-trip and bandwidth samples and was 0 in one CI run on an
        // idle machine, so the test asks whether the connection paces, not what rate it has
        assertThat(pacingAfterABulkReply(true)).as("the default").startsWith("paced=true ");
    }

    /**
     * Whether the gateway's accepted connection paces and at what rate ({@code "paced=true
     * pacing=123B/s"}), with TCP_PACING left at its default ({@code paced}) or off, once 64 KiB
     * it sent were all acknowledged.
     */
    private static String pacingAfterABulkReply(boolean paced) throws Exception {
        try (Pair p = pair();
                TransparentGateway t = TransparentGateway.enable(p.gateway(),
                        (proto, src, dst) -> proto == Ipv4.PROTO_TCP, (s, sp, d, dp, payload) -> { });
                ServerSocketChannel all = t.openListener(16);
                SocketChannel c = p.client().provider().openSocketChannel()) {
            c.connect(new InetSocketAddress(FOREIGN, 80));
            try (SocketChannel accepted = all.accept()) {
                assertThat(accepted.getOption(JnetSocketOptions.TCP_PACING)).isTrue();
                if (!paced) {
                    accepted.setOption(JnetSocketOptions.TCP_PACING, false);
                    assertThat(accepted.getOption(JnetSocketOptions.TCP_PACING)).isFalse();
                }
                ByteBuffer out = ByteBuffer.allocate(64 * 1024);
                while (out.hasRemaining()) {
                    accepted.write(out);
                }
                ByteBuffer in = ByteBuffer.allocate(64 * 1024);
                while (in.hasRemaining()) {
                    assertThat(c.read(in)).isNotNegative();
                }
                String[] line = new String[1];
                // the last ACK may still be on its way: wait until the gateway has everything acknowledged
                boolean acked = org.jioth.testkit.Eventually.holds(() -> {
                    line[0] = p.gateway().onLoop(() -> p.gateway().onLoopTcp().describe());
                    return line[0].contains(" sndbuf=0 ");
                });
                assertThat(acked).as("all acknowledged: " + line[0]).isTrue();
                java.util.regex.Matcher m = java.util.regex.Pattern.compile(" (paced=\\w+ pacing=\\d+B/s)").matcher(line[0]);
                assertThat(m.find()).as(line[0]).isTrue();
                return m.group(1);
            }
        }
    }
}
