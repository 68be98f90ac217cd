package org.jioth.jnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jioth.jnet.TestNet.await;
import static org.jioth.jnet.TestNet.ip;

import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.jioth.jnet.loop.Counter;
import org.jioth.jnet.wire.Ethernet;
import org.jioth.vde.EthernetNode;
import org.junit.jupiter.api.Test;

/** Two jnet stacks on one in-JVM switch, on virtual time. */
class TwoStacksTest {
    static final String A = "192.168.250.1";
    static final String B = "192.168.250.2";

    @Test
    void arpResolvesAndPingWorksBothWays() throws Exception {
        try (TestNet net = new TestNet()) {
            EthernetNode sw = net.newSwitch();
            JnetStack a = net.stack("", sw, A + "/24");
            JnetStack b = net.stack("", sw, B + "/24");
            Duration rtt = a.pingAsync(ip(B), 56, Duration.ofSeconds(1)).get(60, TimeUnit.SECONDS);
            assertThat(rtt).isZero(); // virtual time stood still
            assertThat(b.pingAsync(ip(A), 1000, Duration.ofSeconds(1)).get(60, TimeUnit.SECONDS)).isNotNull();
            assertThat(a.neighbour("vde0", ip(B))).contains(b.config().linkGetAddr(2));
            assertThat(b.neighbour("vde0", ip(A))).contains(a.config().linkGetAddr(2));
            assertThat(a.counter(Counter.ICMP_OUT_ECHOS)).isEqualTo(1);
            assertThat(a.counter(Counter.ICMP_IN_ECHO_REPS)).isEqualTo(1);
            assertThat(b.counter(Counter.ICMP_IN_ECHOS)).isEqualTo(1);
            assertThat(b.counter(Counter.ARP_OUT_REPLIES)).isGreaterThanOrEqualTo(1);
            // ping our own address and loopback
            assertThat(a.pingAsync(ip(A), 8, Duration.ofSeconds(1)).get(60, TimeUnit.SECONDS)).isNotNull();
            assertThat(a.pingAsync(ip("127.0.0.1"), 8, Duration.ofSeconds(1)).get(60, TimeUnit.SECONDS)).isNotNull();
        }
    }

    @Test
    void unresolvableNeighbourFailsWithNoRouteToHostAfterRetries() throws Exception {
        try (TestNet net = new TestNet()) {
            JnetStack a = net.stack("", net.newSwitch(), A + "/24");
            CompletableFuture<Duration> f = a.pingAsync(ip("192.168.250.99"), 8, Duration.ofSeconds(30));
            net.settle();
            assertThat(f).isNotDone();
            net.advance(Duration.ofSeconds(4), 8);
            assertThatThrownBy(() -> f.get(60, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(NoRouteToHostException.class);
            assertThat(a.counter(Counter.ARP_OUT_REQUESTS)).isEqualTo(3);
            assertThat(a.counter(Counter.ARP_RESOLVE_FAILED)).isEqualTo(1);
        }
    }

    @Test
    void pingTimesOutOnTheStackClock() throws Exception {
        try (TestNet net = new TestNet()) {
            EthernetNode sw = net.newSwitch();
            JnetStack a = net.stack("", sw, A + "/24");
            TestNet.RawPort raw = net.raw(sw);
            // a neighbour that answers ARP (the test, by hand) but never pings back
            CompletableFuture<Duration> f = a.pingAsync(ip(B), 8, Duration.ofSeconds(2));
            byte[] req = raw.poll(fr -> (fr[12] & 0xff) == 0x08 && fr[13] == 0x06);
            assertThat(req).isNotNull();
            raw.send(Frames.arpReply(0x020000000099L, Frames.ip(B), Frames.mac(req, 6), Frames.ip(A)));
            assertThat(raw.poll(fr -> (fr[12] & 0xff) == 0x08 && fr[13] == 0x00)).isNotNull(); // the echo request
            net.advance(Duration.ofSeconds(3), 3);
            assertThatThrownBy(() -> f.get(60, TimeUnit.SECONDS)).hasCauseInstanceOf(SocketTimeoutException.class);
        }
    }

    @Test
    void noRouteIsImmediate() throws Exception {
        try (TestNet net = new TestNet()) {
            JnetStack a = net.stack("", net.newSwitch(), A + "/24");
            assertThatThrownBy(() -> a.pingAsync(ip("10.1.1.1"), 8, Duration.ofSeconds(1)).get(60, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(NoRouteToHostException.class);
            try (DatagramChannel ch = a.provider().openDatagramChannel()) {
                assertThatThrownBy(() -> ch.send(ByteBuffer.wrap(new byte[1]), new InetSocketAddress("10.1.1.1", 9)))
                        .hasMessageContaining("Network is unreachable");
            }
            assertThat(a.counter(Counter.IP_OUT_NO_ROUTES)).isGreaterThanOrEqualTo(2);
        }
    }

    @Test
    void udpBothWaysBlockingAndNonBlocking() throws Exception {
        try (TestNet net = new TestNet()) {
            EthernetNode sw = net.newSwitch();
            JnetStack a = net.stack("", sw, A + "/24");
            JnetStack b = net.stack("", sw, B + "/24");
            try (DatagramChannel server = b.provider().openDatagramChannel();
                 DatagramChannel client = a.provider().openDatagramChannel()) {
                server.bind(new InetSocketAddress(5000));
                assertThat(((InetSocketAddress) server.getLocalAddress()).getPort()).isEqualTo(5000);
                client.send(utf8("hello"), new InetSocketAddress(B, 5000));
                InetSocketAddress clientAddr = (InetSocketAddress) client.getLocalAddress();
                assertThat(clientAddr.getPort()).isBetween(32768, 60999);
                ByteBuffer in = ByteBuffer.allocate(100);
                InetSocketAddress from = (InetSocketAddress) server.receive(in); // blocking
                assertThat(text(in)).isEqualTo("hello");
                assertThat(from.getAddress()).isEqualTo(ip(A));
                assertThat(from.getPort()).isEqualTo(clientAddr.getPort());
                server.send(utf8("world"), from);
                client.configureBlocking(false);
                assertThat(await(() -> {
                    try {
                        ByteBuffer r = ByteBuffer.allocate(100);
                        return client.receive(r) != null && text(r).equals("world");
                    } catch (java.io.IOException e) {
                        throw new RuntimeException(e);
                    }
                })).isTrue();
                assertThat(client.receive(ByteBuffer.allocate(10))).isNull();
                assertThat(a.counter(Counter.UDP_OUT_DATAGRAMS)).isEqualTo(1);
                assertThat(a.counter(Counter.UDP_IN_DATAGRAMS)).isEqualTo(1);
                assertThat(b.counter(Counter.UDP_IN_DATAGRAMS)).isEqualTo(1);
            }
        }
    }

    @Test
    void datagramSocketAdapterTalksBothWays() throws Exception {
        try (TestNet net = new TestNet()) {
            EthernetNode sw = net.newSwitch();
            JnetStack a = net.stack("", sw, A + "/24");
            JnetStack b = net.stack("", sw, B + "/24");
            try (DatagramChannel serverChannel = b.provider().openDatagramChannel();
                 DatagramChannel clientChannel = a.provider().openDatagramChannel()) {
                java.net.DatagramSocket server = serverChannel.socket();
                java.net.DatagramSocket client = clientChannel.socket();
                assertThat(serverChannel.socket()).isSameAs(server);
                server.bind(new InetSocketAddress(5001));
                byte[] hello = "hello socket".getBytes(java.nio.charset.StandardCharsets.UTF_8);
                client.send(new java.net.DatagramPacket(hello, hello.length, new InetSocketAddress(B, 5001)));
                java.net.DatagramPacket in = new java.net.DatagramPacket(new byte[100], 100);
                server.setSoTimeout(20_000);
                server.receive(in);
                assertThat(new String(in.getData(), 0, in.getLength(), java.nio.charset.StandardCharsets.UTF_8))
                        .isEqualTo("hello socket");
                assertThat(in.getAddress()).isEqualTo(ip(A));
                server.send(new java.net.DatagramPacket(in.getData(), in.getLength(), in.getSocketAddress()));
                java.net.DatagramPacket back = new java.net.DatagramPacket(new byte[100], 100);
                client.setSoTimeout(20_000);
                client.receive(back);
                assertThat(back.getLength()).isEqualTo(hello.length);
                assertThat(back.getSocketAddress()).isEqualTo(new InetSocketAddress(B, 5001));
            }
        }
    }

    @Test
    void selectorReportsReadableDatagrams() throws Exception {
        try (TestNet net = new TestNet()) {
            EthernetNode sw = net.newSwitch();
            JnetStack a = net.stack("", sw, A + "/24");
            JnetStack b = net.stack("", sw, B + "/24");
            try (DatagramChannel server = b.provider().openDatagramChannel();
                 DatagramChannel client = a.provider().openDatagramChannel();
                 Selector sel = b.provider().openSelector()) {
                server.bind(new InetSocketAddress(B, 5001)).configureBlocking(false);
                SelectionKey key = server.register(sel, SelectionKey.OP_READ);
                assertThat(sel.selectNow()).isZero();
                client.send(utf8("x"), new InetSocketAddress(B, 5001));
                assertThat(sel.select(20_000)).isEqualTo(1);
                assertThat(sel.selectedKeys()).containsExactly(key);
                assertThat(key.isReadable()).isTrue();
                assertThat(server.receive(ByteBuffer.allocate(10))).isNotNull();
            }
        }
    }

    @Test
    void connectedChannelGetsPortUnreachable() throws Exception {
        try (TestNet net = new TestNet()) {
            EthernetNode sw = net.newSwitch();
            JnetStack a = net.stack("", sw, A + "/24");
            JnetStack b = net.stack("", sw, B + "/24");
            try (DatagramChannel ch = a.provider().openDatagramChannel()) {
                ch.connect(new InetSocketAddress(B, 7777));
                assertThat(((InetSocketAddress) ch.getLocalAddress()).getAddress()).isEqualTo(ip(A));
                ch.write(utf8("anyone?"));
                assertThat(await(() -> b.counter(Counter.ICMP_OUT_DEST_UNREACHS) == 1)).isTrue();
                assertThat(await(() -> a.counter(Counter.ICMP_IN_DEST_UNREACHS) == 1)).isTrue();
                assertThatThrownBy(() -> ch.read(ByteBuffer.allocate(10))).isInstanceOf(PortUnreachableException.class);
                assertThat(b.counter(Counter.UDP_NO_PORTS)).isEqualTo(1);
            }
        }
    }

    @Test
    void largeDatagramsAreFragmentedAndReassembled() throws Exception {
        try (TestNet net = new TestNet()) {
            EthernetNode sw = net.newSwitch();
            JnetStack a = net.stack("", sw, A + "/24");
            JnetStack b = net.stack("mtu=1000", sw, B + "/24");
            try (DatagramChannel server = b.provider().openDatagramChannel();
                 DatagramChannel client = a.provider().openDatagramChannel()) {
                server.bind(new InetSocketAddress(6000));
                byte[] big = new byte[20000];
                new java.util.SplittableRandom(3).nextBytes(big);
                client.send(ByteBuffer.wrap(big), new InetSocketAddress(B, 6000));
                ByteBuffer in = ByteBuffer.allocate(65536);
                InetSocketAddress from = (InetSocketAddress) server.receive(in);
                in.flip();
                byte[] got = new byte[in.remaining()];
                in.get(got);
                assertThat(got).isEqualTo(big);
                a.sync(); // it counts what it sent after handing it to the port: let its loop finish that turn first
                assertThat(a.counter(Counter.IP_FRAG_CREATES)).isEqualTo(14); // 20008 bytes / 1480
                assertThat(b.counter(Counter.IP_REASM_OKS)).isEqualTo(1);
                // and back through the smaller MTU
                server.send(ByteBuffer.wrap(big), from);
                ByteBuffer back = ByteBuffer.allocate(65536);
                client.configureBlocking(false);
                if (!await(() -> { try { return client.receive(back) != null; } catch (java.io.IOException e) { throw new RuntimeException(e); } })) {
                    throw new AssertionError("nothing came back: a=" + nonZero(a) + " b=" + nonZero(b));
                }
                assertThat(back.position()).isEqualTo(big.length);
                b.sync(); // it counts what it sent after handing it to the port: let its loop finish that turn first
                assertThat(b.counter(Counter.IP_FRAG_CREATES)).isEqualTo(21); // 976-byte pieces
                // the largest UDP payload goes too; one more is refused
                client.send(ByteBuffer.allocate(65507), new InetSocketAddress(B, 6000));
                ByteBuffer max = ByteBuffer.allocate(70000);
                server.receive(max);
                assertThat(max.position()).isEqualTo(65507);
                assertThatThrownBy(() -> client.send(ByteBuffer.allocate(65508), new InetSocketAddress(B, 6000)))
                        .hasMessageContaining("Message too long");
            }
        }
    }

    @Test
    void lostFragmentTimesOutAndIsCounted() throws Exception {
        try (TestNet net = new TestNet()) {
            EthernetNode sw = net.newSwitch();
            TestNet.FilterPort lossy = new TestNet.FilterPort(sw.attach("lossy"));
            JnetStack a = net.stack("", lossy, A + "/24");
            JnetStack b = net.stack("", sw, B + "/24");
            try (DatagramChannel server = b.provider().openDatagramChannel();
                 DatagramChannel client = a.provider().openDatagramChannel()) {
                server.bind(new InetSocketAddress(6001));
                server.configureBlocking(false);
                a.pingAsync(ip(B), 8, Duration.ofSeconds(1)).get(60, TimeUnit.SECONDS); // resolve ARP first
                // drop the second fragment (offset 1480) of what follows
                lossy.drop = f -> f.remaining() > 34 && f.getShort(f.position() + 12) == Ethernet.TYPE_IPV4
                        && (f.getShort(f.position() + 20) & 0x1fff) == 185;
                client.send(ByteBuffer.allocate(4000), new InetSocketAddress(B, 6001));
                assertThat(await(() -> b.counter(Counter.IP_REASM_REQDS) == 2)).as(() -> "a=" + nonZero(a) + " b=" + nonZero(b)).isTrue();
                net.settle();
                assertThat(b.onLoop(() -> b.ipv4.reassembler().inProgress())).isEqualTo(1);
                net.advance(Duration.ofSeconds(31), 4);
                assertThat(b.counter(Counter.IP_REASM_TIMEOUT)).isEqualTo(1);
                assertThat(b.counter(Counter.IP_REASM_FAILS)).isEqualTo(1);
                assertThat(b.onLoop(() -> b.ipv4.reassembler().memory())).isZero();
                // the first fragment arrived, so the sender hears "reassembly time exceeded"
                assertThat(await(() -> a.counter(Counter.ICMP_IN_TIME_EXCDS) == 1)).isTrue();
                assertThat(server.receive(ByteBuffer.allocate(10))).isNull();
                assertThat(lossy.dropped).isEqualTo(1);
            }
        }
    }

    @Test
    void reuseAddressAndBindConflicts() throws Exception {
        try (TestNet net = new TestNet()) {
            JnetStack a = net.stack("", net.newSwitch(), A + "/24");
            try (DatagramChannel x = a.provider().openDatagramChannel();
                 DatagramChannel y = a.provider().openDatagramChannel();
                 DatagramChannel z = a.provider().openDatagramChannel()) {
                x.bind(new InetSocketAddress(7000));
                assertThatThrownBy(() -> y.bind(new InetSocketAddress(7000))).isInstanceOf(java.net.BindException.class);
                assertThatThrownBy(() -> y.bind(new InetSocketAddress("10.9.9.9", 7001)))
                        .isInstanceOf(java.net.BindException.class).hasMessageContaining("Cannot assign requested address");
                y.bind(new InetSocketAddress(7002));
                z.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                assertThatThrownBy(() -> z.bind(new InetSocketAddress(7002))).isInstanceOf(java.net.BindException.class);
                try (DatagramChannel r1 = a.provider().openDatagramChannel();
                     DatagramChannel r2 = a.provider().openDatagramChannel()) {
                    r1.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                    r2.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                    r1.bind(new InetSocketAddress(7003));
                    r2.bind(new InetSocketAddress(7003));
                }
                assertThat(a.sockets().openCount()).isEqualTo(3);
            }
            assertThat(a.sockets().openCount()).isZero();
        }
    }

    @Test
    void broadcastNeedsSoBroadcastAndReachesEveryone() throws Exception {
        try (TestNet net = new TestNet()) {
            EthernetNode sw = net.newSwitch();
            JnetStack a = net.stack("", sw, A + "/24");
            JnetStack b = net.stack("", sw, B + "/24");
            JnetStack c = net.stack("", sw, "192.168.250.3/24");
            try (DatagramChannel tx = a.provider().openDatagramChannel();
                 DatagramChannel rb = b.provider().openDatagramChannel();
                 DatagramChannel rc = c.provider().openDatagramChannel()) {
                rb.bind(new InetSocketAddress(8000));
                rc.bind(new InetSocketAddress(8000));
                assertThatThrownBy(() -> tx.send(utf8("all"), new InetSocketAddress("192.168.250.255", 8000)))
                        .hasMessageContaining("Permission denied");
                tx.setOption(StandardSocketOptions.SO_BROADCAST, true);
                tx.send(utf8("all"), new InetSocketAddress("192.168.250.255", 8000));
                tx.send(utf8("all2"), new InetSocketAddress("255.255.255.255", 8000));
                for (DatagramChannel r : new DatagramChannel[] {rb, rc}) {
                    ByteBuffer m = ByteBuffer.allocate(10);
                    r.receive(m);
                    assertThat(text(m)).isEqualTo("all");
                    m.clear();
                    r.receive(m);
                    assertThat(text(m)).isEqualTo("all2");
                }
                assertThat(a.counter(Counter.ARP_OUT_REQUESTS)).isZero();
            }
        }
    }

    @Test
    void closeWakesABlockedReceiver() throws Exception {
        try (TestNet net = new TestNet()) {
            JnetStack a = net.stack("", net.newSwitch(), A + "/24");
            DatagramChannel ch = a.provider().openDatagramChannel();
            ch.bind(null);
            CompletableFuture<Throwable> f = new CompletableFuture<>();
            Thread t = Thread.ofVirtual().start(() -> {
                try {
                    ch.receive(ByteBuffer.allocate(10));
                    f.complete(null);
                } catch (Throwable e) {
                    f.complete(e);
                }
            });
            Thread.sleep(50); // let it block; the assertion below holds either way
            ch.close();
            assertThat(f.get(60, TimeUnit.SECONDS)).isInstanceOf(java.nio.channels.ClosedChannelException.class);
            t.join();
        }
    }

    static java.util.Map<String, Long> nonZero(JnetStack s) {
        java.util.Map<String, Long> m = new java.util.LinkedHashMap<>(s.statistics());
        m.values().removeIf(v -> v == 0);
        return m;
    }

    static ByteBuffer utf8(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    static String text(ByteBuffer b) {
        return new String(b.array(), 0, b.position(), StandardCharsets.UTF_8);
    }
}
