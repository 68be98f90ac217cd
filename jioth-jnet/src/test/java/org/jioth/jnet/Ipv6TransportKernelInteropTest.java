package org.jioth.jnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jioth.jnet.loop.Counter;
import org.jioth.testkit.ChildProcess;
import org.jioth.testkit.SwitchNamespace;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * jnet's TCP and UDP over IPv6 against the Linux kernel in a namespace on the same Debian
 * vde_switch, socat being the kernel's peer: 1 MiB echoed byte-exact each way, 64 MiB each way
 * (SHA-256), UDP datagrams both ways, and dual-stack: the kernel reaching a jnet INET6 listener on
 * {@code ::} over IPv4 (jnet sees the IPv4 peer, as the JDK shows v4-mapped ones), refused once
 * the listener is IPV6_V6ONLY. Needs root, /dev/net/tun, vde_switch, vde_plug and socat.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class Ipv6TransportKernelInteropTest {
    static final String KERNEL4 = "192.168.253.1";
    static final String JNET4 = "192.168.253.2";
    static final String KERNEL = "fd00:14::1";
    static final String JNET = "fd00:14::2";

    @TempDir
    Path dir;
    SwitchNamespace net;
    JnetStack stack;

    @BeforeEach
    void setUp() throws Exception {
        String missing = SwitchNamespace.missing("socat", "sha256sum");
        assumeTrue(missing == null, missing);
        net = SwitchNamespace.start(dir, KERNEL4 + "/24");
        ok(net.exec(10, "ip", "-6", "addr", "add", KERNEL + "/64", "dev", net.tap(), "nodad"));
        stack = JnetStack.builder().options("seed=14").vnl("vde://" + net.switchDir()).build();
        stack.config().linkSetUpDown(2, true);
        stack.config().ipAddrAdd(InetAddress.ofLiteral(JNET4), 24, 2);
        stack.config().ipAddrAdd(InetAddress.ofLiteral(JNET), 64, 2);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (stack != null) {
            assertThat(stack.counter(Counter.LOOP_ERRORS)).isZero();
            stack.close();
        }
        if (net != null) {
            net.close();
        }
    }

    static void ok(ChildProcess.Result r) {
        assertThat(r.exitCode()).as(r.output()).isZero();
    }

    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    /** Echoes every connection accepted on {@code server} until it closes. */
    static void echo(ServerSocketChannel server) {
        Thread.ofVirtual().start(() -> {
            while (server.isOpen()) {
                try {
                    SocketChannel c = server.accept();
                    Thread.ofVirtual().start(() -> {
                        try (c) {
                            ByteBuffer b = ByteBuffer.allocate(65536);
                            while (c.read(b) >= 0) {
                                b.flip();
                                while (b.hasRemaining()) {
                                    c.write(b);
                                }
                                b.clear();
                            }
                        } catch (Exception ignored) {
                            // the test sees the damage
                        }
                    });
                } catch (Exception e) {
                    return;
                }
            }
        });
    }

    @Test
    void oneMebibyteEchoedByteExactBothWays() throws Exception {
        byte[] data = random(1 << 20, 1);
        Path in = dir.resolve("in");
        Path out = dir.resolve("out");
        Files.write(in, data);
        try (ServerSocketChannel server = stack.provider().openServerSocketChannel(StandardProtocolFamily.INET6)) {
            server.bind(new InetSocketAddress(7000));
            echo(server);
            // the kernel's client through jnet's echo server
            ok(net.exec(120, "socat", "-t", "30", "OPEN:" + in + ",rdonly!!CREATE:" + out, "TCP6:[" + JNET + "]:7000"));
            assertThat(Arrays.equals(Files.readAllBytes(out), data)).as("kernel -> jnet -> kernel").isTrue();
        }
        // jnet's client through the kernel's echo server
        net.spawn("echo.log", "socat", "TCP6-LISTEN:7001,reuseaddr,ipv6only=1", "PIPE");
        try (SocketChannel c = connectWithRetry(new InetSocketAddress(InetAddress.ofLiteral(KERNEL), 7001))) {
            CompletableFuture<byte[]> back = CompletableFuture.supplyAsync(() -> readAll(c, data.length), r -> Thread.ofVirtual().start(r));
            ByteBuffer b = ByteBuffer.wrap(data);
            while (b.hasRemaining()) {
                c.write(b);
            }
            assertThat(Arrays.equals(back.get(120, TimeUnit.SECONDS), data)).as("jnet -> kernel -> jnet").isTrue();
        }
    }

    @Test
    void sixtyFourMebibytesEachWayWithSha256() throws Exception {
        byte[] data = random(64 << 20, 2);
        Path file = dir.resolve("big");
        Files.write(file, data);
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        // kernel -> jnet
        try (ServerSocketChannel server = stack.provider().openServerSocketChannel(StandardProtocolFamily.INET6)) {
            server.bind(new InetSocketAddress(7002));
            CompletableFuture<String> got = CompletableFuture.supplyAsync(() -> {
                try (SocketChannel c = server.accept()) {
                    MessageDigest md = MessageDigest.getInstance("SHA-256");
                    ByteBuffer b = ByteBuffer.allocate(1 << 16);
                    long n = 0;
                    while (c.read(b) >= 0) {
                        b.flip();
                        n += b.remaining();
                        md.update(b);
                        b.clear();
                    }
                    assertThat(n).isEqualTo(data.length);
                    assertThat(((InetSocketAddress) c.getRemoteAddress()).getAddress())
                            .isEqualTo(InetAddress.ofLiteral(KERNEL));
                    return HexFormat.of().formatHex(md.digest());
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }, r -> Thread.ofVirtual().start(r));
            ok(net.exec(240, "socat", "-u", "OPEN:" + file + ",rdonly", "TCP6:[" + JNET + "]:7002"));
            assertThat(got.get(120, TimeUnit.SECONDS)).as("kernel -> jnet").isEqualTo(sha);
        }
        // jnet -> kernel
        Path received = dir.resolve("received");
        Process sink = net.spawn("sink.log", "socat", "-u", "TCP6-LISTEN:7003,reuseaddr", "CREATE:" + received);
        try (SocketChannel c = connectWithRetry(new InetSocketAddress(InetAddress.ofLiteral(KERNEL), 7003))) {
            ByteBuffer b = ByteBuffer.wrap(data);
            while (b.hasRemaining()) {
                c.write(b);
            }
        }
        assertThat(sink.waitFor(240, TimeUnit.SECONDS)).as(net.log("sink.log")).isTrue();
        ChildProcess.Result sum = net.exec(60, "sha256sum", received.toString());
        ok(sum);
        assertThat(sum.output()).as("jnet -> kernel").startsWith(sha);
    }

    @Test
    void udpOverIpv6BothWays() throws Exception {
        try (DatagramChannel d = stack.provider().openDatagramChannel(StandardProtocolFamily.INET6)) {
            d.bind(new InetSocketAddress(7004));
            Thread.ofVirtual().start(() -> {
                ByteBuffer b = ByteBuffer.allocate(2048);
                try {
                    while (true) {
                        b.clear();
                        InetSocketAddress from = (InetSocketAddress) d.receive(b);
                        b.flip();
                        d.send(b, from);
                    }
                } catch (Exception closed) {
                    // done
                }
            });
            // socat sends its stdin as one datagram and prints what comes back
            ChildProcess.Result r = net.exec(30, "sh", "-c",
                    "echo hello-udp6 | socat -T 5 - UDP6:[" + JNET + "]:7004");
            ok(r);
            assertThat(r.output()).contains("hello-udp6");
        }
    }

    @Test
    void kernelReachesADualStackListenerOverIpv4UnlessV6Only() throws Exception {
        try (ServerSocketChannel server = stack.provider().openServerSocketChannel()) { // INET6 on ::
            server.bind(new InetSocketAddress(7006));
            assertThat(((InetSocketAddress) server.getLocalAddress()).getAddress()).isEqualTo(InetAddress.ofLiteral("::"));
            CompletableFuture<InetSocketAddress> peer = CompletableFuture.supplyAsync(() -> {
                try (SocketChannel c = server.accept()) {
                    InetSocketAddress a = (InetSocketAddress) c.getRemoteAddress();
                    c.write(ByteBuffer.wrap("mapped\n".getBytes()));
                    return a;
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }, r -> Thread.ofVirtual().start(r));
            ChildProcess.Result r = net.exec(30, "socat", "-T", "5", "-u", "TCP4:" + JNET4 + ":7006", "-");
            ok(r);
            assertThat(r.output()).contains("mapped");
            InetSocketAddress a = peer.get(30, TimeUnit.SECONDS);
            assertThat(a.getAddress()).isInstanceOf(Inet4Address.class).isEqualTo(InetAddress.ofLiteral(KERNEL4));
        }
        try (ServerSocketChannel only6 = stack.provider().openServerSocketChannel(StandardProtocolFamily.INET6)) {
            only6.setOption(JnetSocketOptions.IPV6_V6ONLY, true);
            only6.bind(new InetSocketAddress(7007));
            ChildProcess.Result r = net.exec(30, "socat", "-T", "5", "-u", "TCP4:" + JNET4 + ":7007", "-");
            assertThat(r.exitCode()).as(r.output()).isNotZero();
            assertThat(r.output()).contains("Connection refused");
            ChildProcess.Result r6 = net.exec(30, "sh", "-c", "echo x | socat -T 5 - TCP6:[" + JNET + "]:7007");
            assertThat(r6.output()).doesNotContain("refused");
        }
    }

    private SocketChannel connectWithRetry(InetSocketAddress to) throws Exception {
        // the kernel's listener starts in the background
        for (int i = 0; ; i++) {
            SocketChannel c = stack.provider().openSocketChannel(StandardProtocolFamily.INET6);
            try {
                c.connect(to);
                return c;
            } catch (java.net.ConnectException refused) {
                c.close();
                if (i == 100) {
                    throw refused;
                }
                Thread.sleep(100);
            }
        }
    }

    static byte[] readAll(SocketChannel c, int n) {
        ByteBuffer b = ByteBuffer.allocate(n);
        try {
            while (b.hasRemaining() && c.read(b) >= 0) {
                // more
            }
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
        return Arrays.copyOf(b.array(), b.position());
    }
}
