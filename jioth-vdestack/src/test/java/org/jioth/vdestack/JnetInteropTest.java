package org.jioth.vdestack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.jioth.Ioth;
import org.jioth.IothStack;
import org.jioth.vde.EthernetPort;
import org.jioth.vde.EthernetPorts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * jnet (pure-Java TCP) against vdestack (the Linux kernel's TCP in a namespace) on one in-JVM
 * {@code switch://}: the kernel pings jnet, and TCP both ways is byte-exact (SHA-256 of 16 MiB
 * from the client, then 4 MiB back on the same connection after the client's half-close).
 * Skips where vdestack cannot run (no unprivileged user+net namespaces).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class JnetInteropTest {
    static final InetAddress JNET = InetAddress.ofLiteral("192.168.250.31");
    static final InetAddress VDESTACK = InetAddress.ofLiteral("192.168.250.32");
    static final int UP = 16 << 20;
    static final int DOWN = 4 << 20;

    @TempDir
    Path dir;
    EthernetPort host;
    IothStack jnet;
    IothStack vdestack;
    final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

    @BeforeEach
    void setUp() throws Exception {
        VdestackTest.assumeNamespaces();
        Path sw = dir.resolve("sw");
        host = EthernetPorts.open("switch://" + sw);
        jnet = Ioth.newStack("jnet,seed=21", "vde://" + sw);
        vdestack = Ioth.newStack("vdestack", "vde://" + sw);
        TwoStacksScenario.configure(jnet, JNET);
        TwoStacksScenario.configure(vdestack, VDESTACK);
    }

    @AfterEach
    void tearDown() throws Exception {
        threads.shutdownNow();
        for (IothStack s : new IothStack[] {jnet, vdestack}) {
            if (s != null) {
                s.closeForcibly();
            }
        }
        if (host != null) {
            host.close();
        }
    }

    @Test
    void theKernelPingsJnet() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TwoStacksScenario.ping(vdestack, JNET, new PrintStream(out, true));
        assertThat(out.toString()).contains("ping 192.168.250.31");
        assertThat(jnet.statistics().get("Icmp.InEchos")).isPositive();
    }

    @Test
    void jnetClientToVdestackServer() throws Exception {
        transfer(jnet, vdestack, VDESTACK, 6001);
        assertThat(jnet.statistics().get("Tcp.ActiveOpens")).isEqualTo(1L);
    }

    @Test
    void vdestackClientToJnetServer() throws Exception {
        transfer(vdestack, jnet, JNET, 6002);
        assertThat(jnet.statistics().get("Tcp.PassiveOpens")).isEqualTo(1L);
    }

    @Test
    void manyConcurrentConnectionsFromTheKernelToJnet() throws Exception {
        concurrentEchoes(vdestack, jnet, JNET, 6003, 200);
        assertThat(jnet.statistics().get("Tcp.PassiveOpens")).isEqualTo(200L);
    }

    @Test
    void manyConcurrentConnectionsFromJnetToTheKernel() throws Exception {
        concurrentEchoes(jnet, vdestack, VDESTACK, 6004, 200);
        assertThat(jnet.statistics().get("Tcp.ActiveOpens")).isEqualTo(200L);
    }

    /** {@code n} clients at once, each sending a distinct message, half-closing and reading its echo. */
    void concurrentEchoes(IothStack client, IothStack server, InetAddress serverAddr, int port, int n) throws Exception {
        try (ServerSocketChannel ss = server.provider().openServerSocketChannel()) {
            ss.bind(new InetSocketAddress(port), n);
            org.jioth.testkit.ChannelEchoServer.start(ss);
            java.util.List<java.util.concurrent.Future<String>> all = new java.util.ArrayList<>();
            for (int i = 0; i < n; i++) {
                String msg = "connection " + i + " " + "x".repeat(i * 7);
                all.add(threads.submit(() -> {
                    try (SocketChannel c = client.provider().openSocketChannel()) {
                        c.connect(new InetSocketAddress(serverAddr, port));
                        writeAll(c, msg.getBytes());
                        c.shutdownOutput();
                        ByteBuffer in = ByteBuffer.allocate(msg.length() + 1);
                        while (c.read(in) >= 0 && in.hasRemaining()) {
                            // until EOF
                        }
                        return new String(in.array(), 0, in.position());
                    }
                }));
            }
            for (int i = 0; i < n; i++) {
                assertThat(all.get(i).get(120, TimeUnit.SECONDS)).startsWith("connection " + i + " ")
                        .hasSize(("connection " + i + " ").length() + i * 7);
            }
        }
        awaitNoSockets(client);
        awaitNoSockets(server);
    }

    /**
     * MSS both ways, seen by the kernel ({@code ss -tin} in the helper's namespace, root only):
     * a jnet stack with MTU 9000 keeps to the kernel's MSS (the largest segment the kernel got,
     * rcvmss, is at most 1460), and one with MTU 576 announces an MSS (536) the kernel keeps to.
     * Both transfer byte-exact.
     */
    @Test
    void jnetKeepsToTheKernelsMssAndTheKernelToJnets() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
                "reads ss in the helper's namespace with nsenter, which needs root");
        org.junit.jupiter.api.Assumptions.assumeTrue(org.jioth.testkit.ChildProcess.works("sh", "-c", "command -v nsenter && command -v ss"),
                "needs nsenter and ss");
        long helper = vdestack.statistics().get("helper.pid");
        InetAddress otherAddr = InetAddress.ofLiteral("192.168.250.33");
        for (int mtu : new int[] {9000, 576}) {
            int port = mtu == 9000 ? 6011 : 6012; // the other's may still be in TIME_WAIT
            IothStack other = Ioth.newStack("jnet,seed=22,mtu=" + mtu, "vde://" + dir.resolve("sw"));
            try {
                TwoStacksScenario.configure(other, otherAddr);
                try (ServerSocketChannel ss = vdestack.provider().openServerSocketChannel()) {
                    ss.bind(new InetSocketAddress(port));
                    try (SocketChannel c = other.provider().openSocketChannel()) {
                        c.connect(new InetSocketAddress(VDESTACK, port));
                        try (SocketChannel peer = ss.accept()) {
                            byte[] data = random(1 << 20, mtu);
                            // the kernel echoes (so segments flow both ways), jnet writes from a thread and reads here
                            CompletableFuture<Void> echo = CompletableFuture.runAsync(() -> {
                                try {
                                    ByteBuffer buf = ByteBuffer.allocate(32768);
                                    long left = data.length;
                                    while (left > 0 && peer.read(buf) >= 0) {
                                        buf.flip();
                                        left -= buf.remaining();
                                        while (buf.hasRemaining()) {
                                            peer.write(buf);
                                        }
                                        buf.clear();
                                    }
                                } catch (Exception e) {
                                    throw new RuntimeException(e);
                                }
                            }, threads);
                            CompletableFuture<Void> send = CompletableFuture.runAsync(() -> {
                                try {
                                    writeAll(c, data);
                                } catch (Exception e) {
                                    throw new RuntimeException(e);
                                }
                            }, threads);
                            byte[] got = new byte[data.length];
                            readFully(c, got);
                            send.get(60, TimeUnit.SECONDS);
                            echo.get(60, TimeUnit.SECONDS);
                            assertThat(got).isEqualTo(data);
                            var r = org.jioth.testkit.ChildProcess.run(java.util.List.of("nsenter", "-t", Long.toString(helper), "-n",
                                    "ss", "-tin", "state", "established"), 20);
                            String line = r.output().lines().dropWhile(l -> !l.contains(otherAddr.getHostAddress()))
                                    .skip(1).findFirst().orElse("");
                            assertThat(r.output()).as("ss in the helper's namespace").contains(otherAddr.getHostAddress());
                            if (mtu == 9000) {
                                assertThat(field(line, "rcvmss")).as("largest segment from jnet (mtu 9000): %s", line)
                                        .isBetween(536, 1460);
                                assertThat(field(line, "mss")).as(line).isBetween(1400, 1460);
                            } else {
                                assertThat(field(line, "mss")).as("the kernel's send MSS to jnet (mtu 576): %s", line)
                                        .isLessThanOrEqualTo(536);
                            }
                        }
                    }
                }
            } finally {
                other.closeForcibly();
            }
        }
    }

    /** {@code name:NUMBER} from an ss -i line. */
    static int field(String line, String name) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?:^|\\s)" + name + ":(\\d+)").matcher(line);
        assertThat(m.find()).as("%s in %s", name, line).isTrue();
        return Integer.parseInt(m.group(1));
    }

    static void readFully(SocketChannel c, byte[] into) throws Exception {
        ByteBuffer b = ByteBuffer.wrap(into);
        while (b.hasRemaining()) {
            if (c.read(b) < 0) {
                throw new AssertionError("EOF after " + b.position() + " bytes");
            }
        }
    }

    @Test
    void refusedBothWays() throws Exception {
        for (var pair : new Object[][] {{jnet, VDESTACK}, {vdestack, JNET}}) {
            try (SocketChannel c = ((IothStack) pair[0]).provider().openSocketChannel()) {
                try {
                    c.connect(new InetSocketAddress((InetAddress) pair[1], 6999));
                    throw new AssertionError("connected to a closed port of " + pair[1]);
                } catch (ConnectException e) {
                    assertThat(e).hasMessageContaining("Connection refused");
                }
            }
        }
    }

    /**
     * The client sends {@link #UP} bytes and half-closes; the server hashes them until EOF, then
     * sends {@link #DOWN} bytes and closes; the client hashes those until EOF. Both sides compare
     * with the SHA-256 of what was sent, and both stacks close without EBUSY afterwards.
     */
    void transfer(IothStack client, IothStack server, InetAddress serverAddr, int port) throws Exception {
        byte[] up = random(UP, port);
        byte[] down = random(DOWN, port + 1);
        try (ServerSocketChannel ss = server.provider().openServerSocketChannel()) {
            ss.bind(new InetSocketAddress(port));
            CompletableFuture<String> serverSide = CompletableFuture.supplyAsync(() -> {
                try (SocketChannel c = ss.accept()) {
                    String got = drain(c);
                    writeAll(c, down);
                    return got;
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }, threads);
            String back;
            try (SocketChannel c = client.provider().openSocketChannel()) {
                c.connect(new InetSocketAddress(serverAddr, port));
                writeAll(c, up);
                c.shutdownOutput();
                back = drain(c);
            }
            assertThat(serverSide.get(120, TimeUnit.SECONDS)).as("server's digest of %d bytes", UP).isEqualTo(sha256(up));
            assertThat(back).as("client's digest of %d bytes", DOWN).isEqualTo(sha256(down));
        }
        awaitNoSockets(client);
        awaitNoSockets(server);
    }

    static void awaitNoSockets(IothStack s) throws Exception {
        TwoStacksScenario.await(() -> s.openSockets() == 0, "no sockets left open on " + s);
    }

    static void writeAll(SocketChannel c, byte[] data) throws Exception {
        ByteBuffer src = ByteBuffer.wrap(data);
        while (src.hasRemaining()) {
            // at most 100 KiB per call, so the transfer goes through many partial writes
            ByteBuffer slice = src.slice(src.position(), Math.min(100_000, src.remaining()));
            src.position(src.position() + c.write(slice));
        }
    }

    /** SHA-256 (hex) and length of everything until EOF. */
    static String drain(SocketChannel c) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        ByteBuffer buf = ByteBuffer.allocateDirect(65536);
        long total = 0;
        while (c.read(buf) >= 0) {
            buf.flip();
            total += buf.remaining();
            md.update(buf);
            buf.clear();
        }
        return java.util.HexFormat.of().formatHex(md.digest()) + " (" + total + " bytes)";
    }

    static String sha256(byte[] b) throws Exception {
        return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b)) + " (" + b.length + " bytes)";
    }

    static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }
}
