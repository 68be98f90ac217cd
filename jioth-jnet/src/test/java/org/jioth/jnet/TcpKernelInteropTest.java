package org.jioth.jnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import org.jioth.linux.netns.NetNamespace;
import org.jioth.vde.EthernetPort;
import org.jioth.vde.EthernetPorts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * jnet TCP against the Linux kernel's: a namespace made by the test holds a tap whose other end is
 * a jnet interface; socat is the kernel-side peer. Byte-exact both ways (SHA-256 of 4 MiB), and
 * {@code ss -ti} in the namespace shows that SACK, timestamps and window scaling were negotiated.
 * Needs root, /dev/net/tun, iproute2 (ip, ss) and socat; skips otherwise.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TcpKernelInteropTest {
    static final String KERNEL = "192.168.252.1";
    static final String JNET = "192.168.252.2";
    static final int SIZE = 4 << 20;

    String ns;
    JnetStack stack;
    Path dir;
    byte[] data;

    @BeforeEach
    void setUp() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root to create a network namespace");
        assumeTrue(Files.exists(Path.of("/dev/net/tun")), "needs /dev/net/tun");
        for (String tool : List.of("ip", "ss", "socat")) {
            assumeTrue(run(10, "sh", "-c", "command -v " + tool).code == 0, "needs " + tool);
        }
        String id = UUID.randomUUID().toString().substring(0, 6);
        ns = "jtcp-" + id;
        String tap = "jc" + id;
        Result made = run(10, "ip", "netns", "add", ns);
        assumeTrue(made.code == 0, "cannot create a namespace: " + made.out);
        EthernetPort port = inNamespace(ns, () -> EthernetPorts.open("tap://" + tap));
        ok(run(10, "ip", "-n", ns, "addr", "add", KERNEL + "/24", "dev", tap));
        ok(run(10, "ip", "-n", ns, "link", "set", tap, "up"));
        ok(run(10, "ip", "-n", ns, "link", "set", "lo", "up"));
        stack = JnetStack.builder().options("seed=12").port("vde0", port).build();
        stack.config().linkSetUpDown(2, true);
        stack.config().ipAddrAdd(InetAddress.ofLiteral(JNET), 24, 2);
        dir = Files.createTempDirectory("jnet-tcp-interop");
        data = new byte[SIZE];
        new SplittableRandom(5).nextBytes(data);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (stack != null) {
            stack.sockets().closeAll();
            stack.close();
        }
        if (ns != null) {
            run(10, "ip", "netns", "del", ns);
        }
        if (dir != null) {
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(dir);
        }
    }

    @Test
    void kernelClientToJnetServerIsByteExact() throws Exception {
        Path file = dir.resolve("out.bin");
        Files.write(file, data);
        try (ServerSocketChannel ss = stack.provider().openServerSocketChannel()) {
            ss.bind(new InetSocketAddress(5000));
            Process client = new ProcessBuilder("ip", "netns", "exec", ns, "timeout", "60", "socat", "-u",
                    "OPEN:" + file, "TCP4:" + JNET + ":5000").redirectErrorStream(true).start();
            try (SocketChannel c = ss.accept()) {
                MessageDigest md = MessageDigest.getInstance("SHA-256");
                ByteBuffer buf = ByteBuffer.allocate(65536);
                long total = 0;
                int n;
                while ((n = c.read(buf)) >= 0) {
                    md.update(buf.array(), 0, n);
                    total += n;
                    buf.clear();
                }
                assertThat(total).isEqualTo(SIZE);
                assertThat(hex(md.digest())).isEqualTo(sha256(data));
            } finally {
                assertThat(client.waitFor(30, TimeUnit.SECONDS)).isTrue();
                String out = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(client.exitValue()).as(out).isZero();
            }
        }
    }

    /**
     * Every SYN answered with a cookie (tcp_syncookies=2): the kernel's timestamps echo the
     * window scale and SACK-permitted our cookie TSval carried, so the connection still has them
     * all, on both sides, and 4 MiB arrive byte-exact.
     */
    @Test
    void kernelClientThroughASynCookieKeepsSackTimestampsAndWindowScaling() throws Exception {
        stack.onLoop(() -> {
            stack.onLoopTcp().setSyncookies(2);
            return null;
        });
        Path file = dir.resolve("out.bin");
        Files.write(file, data);
        try (ServerSocketChannel ss = stack.provider().openServerSocketChannel()) {
            ss.bind(new InetSocketAddress(5002));
            Process client = new ProcessBuilder("ip", "netns", "exec", ns, "timeout", "60", "socat", "-u",
                    "OPEN:" + file, "TCP4:" + JNET + ":5002").redirectErrorStream(true).start();
            try (SocketChannel c = ss.accept()) {
                assertThat(stack.counter(Counter.TCP_SYNCOOKIES_RECV)).isEqualTo(1);
                assertThat(stack.counter(Counter.TCP_SYNCOOKIES_FAILED)).isZero();
                // ours: the kernel's ACK echoed the cookie TSval and the options came back from it
                assertThat(stack.onLoop(() -> stack.onLoopTcp().describe())).contains(" ts sack wscale=");
                MessageDigest md = MessageDigest.getInstance("SHA-256");
                ByteBuffer buf = ByteBuffer.allocate(65536);
                long total = 0;
                int n;
                boolean kernelChecked = false;
                while ((n = c.read(buf)) >= 0) {
                    md.update(buf.array(), 0, n);
                    total += n;
                    buf.clear();
                    if (!kernelChecked && total > SIZE / 2) {
                        // the kernel's: our window scale from the cookie SYN-ACK (3 for 256 KiB)
                        Result st = run(10, "ip", "netns", "exec", ns, "ss", "-tin", "state", "established");
                        assertThat(st.out).contains(JNET).contains("wscale:3,");
                        kernelChecked = true;
                    }
                }
                assertThat(kernelChecked).isTrue();
                assertThat(total).isEqualTo(SIZE);
                assertThat(hex(md.digest())).isEqualTo(sha256(data));
            } finally {
                assertThat(client.waitFor(30, TimeUnit.SECONDS)).isTrue();
                String out = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(client.exitValue()).as(out).isZero();
            }
        }
    }

    @Test
    void jnetClientToKernelServerIsByteExactWithSackTimestampsAndWindowScaling() throws Exception {
        Path out = dir.resolve("in.bin");
        Process capture = startSynCapture();
        Process server = new ProcessBuilder("ip", "netns", "exec", ns, "timeout", "60", "socat", "-u",
                "TCP4-LISTEN:5001,reuseaddr", "CREATE:" + out).redirectErrorStream(true).start();
        try {
            SocketChannel c = connectWhenListening(new InetSocketAddress(KERNEL, 5001));
            try (c) {
                ByteBuffer src = ByteBuffer.wrap(data);
                while (src.hasRemaining()) {
                    c.write(src);
                }
                // the kernel's view: our window scale (3 for a 256 KiB buffer) as its send scale
                Result ss = run(10, "ip", "netns", "exec", ns, "ss", "-tin", "state", "established");
                assertThat(ss.out).contains(JNET).contains("wscale:3,");
                // ours: everything offered was accepted (this kernel's ss does not print ts/sack, even
                // between two kernel sockets, so the SYN-ACK itself is checked below)
                assertThat(stack.onLoop(() -> stack.onLoopTcp().describe())).contains(" ts sack wscale=");
                c.shutdownOutput();
                assertThat(c.read(ByteBuffer.allocate(1))).isEqualTo(-1); // socat closes after EOF
            }
            assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(server.exitValue()).as(new String(server.getInputStream().readAllBytes())).isZero();
            assertThat(Files.size(out)).isEqualTo(SIZE);
            assertThat(sha256(Files.readAllBytes(out))).isEqualTo(sha256(data));
            // A third witness when tshark caught the kernel's SYN-ACK (it may start capturing a moment
            // after it says so on a loaded machine; the assertions above do not depend on it).
            if (capture != null && capture.waitFor(5, TimeUnit.SECONDS)) {
                String synAck = new String(capture.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(synAck).contains("SACK permitted").contains("Timestamps: TSval").contains("Window scale");
            }
        } finally {
            if (capture != null) {
                capture.destroyForcibly();
            }
            server.destroyForcibly();
            server.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void kernelRefusesAClosedPort() throws Exception {
        SocketChannel c = stack.provider().openSocketChannel();
        try {
            c.connect(new InetSocketAddress(KERNEL, 5999));
            throw new AssertionError("connected to a closed port");
        } catch (ConnectException e) {
            assertThat(e).hasMessage("Connection refused");
        }
    }

    /** tshark in the namespace printing the kernel's SYN-ACK in detail; null when tshark is missing. */
    private Process startSynCapture() throws Exception {
        if (run(10, "sh", "-c", "command -v tshark").code != 0) {
            return null;
        }
        Process p = new ProcessBuilder("ip", "netns", "exec", ns, "timeout", "60", "tshark", "-l", "-i", "any",
                "-c", "1", "-V", "-f", "tcp[tcpflags] & (tcp-syn|tcp-ack) == (tcp-syn|tcp-ack)").start();
        // wait until it captures (it says so on stderr)
        java.io.BufferedReader err = new java.io.BufferedReader(
                new java.io.InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = err.readLine()) != null && !line.contains("Capturing on")) {
            // tshark's start-up chatter
        }
        Thread.ofVirtual().start(() -> {
            try {
                err.transferTo(java.io.Writer.nullWriter());
            } catch (IOException ignored) {
                // ends with the process
            }
        });
        return p;
    }

    private SocketChannel connectWhenListening(InetSocketAddress to) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            SocketChannel c = stack.provider().openSocketChannel();
            try {
                c.connect(to);
                return c;
            } catch (ConnectException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100); // socat is not listening yet
            }
        }
    }

    private static String sha256(byte[] b) throws Exception {
        return hex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    private static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    private static <T> T inNamespace(String ns, Callable<T> body) throws Exception {
        FutureTask<T> task = new FutureTask<>(() -> {
            NetNamespace.enter(Path.of("/var/run/netns", ns));
            return body.call();
        });
        Thread t = Thread.ofPlatform().name("in-" + ns).start(task);
        try {
            return task.get(30, TimeUnit.SECONDS);
        } finally {
            t.join(5_000);
        }
    }

    private record Result(int code, String out) { }

    private static void ok(Result r) {
        assertThat(r.code).as(r.out).isZero();
    }

    private static Result run(int seconds, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new Result(-1, String.join(" ", cmd) + ": timed out");
        }
        return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }
}
