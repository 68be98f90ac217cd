package org.jioth.jnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jioth.jnet.KernelPeers.inNamespace;
import static org.jioth.jnet.KernelPeers.ok;
import static org.jioth.jnet.KernelPeers.run;
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
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.jioth.jnet.KernelPeers.Result;
import org.jioth.jnet.loop.Counter;
import org.jioth.vde.EthernetPort;
import org.jioth.vde.EthernetPorts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * jnet TCP against the Linux kernel's: a namespace made by the test holds a tap whose other end is
 * a jnet interface; socat is the kernel-side peer. 64 MiB byte-exact each way (SHA-256, and every
 * byte checked where jnet receives): over a clean tap, with {@code tc netem} loss and reordering in
 * the namespace (skipped where the kernel has no netem), and with loss and reordering injected on
 * jnet's side of the tap in both directions ({@link FaultyPort}), so the kernel's SACK loss recovery
 * and ours run against each other. The clean jnet-to-kernel run also checks the negotiated options
 * ({@code ss -ti}, jnet's own view, tshark's view of the SYN-ACK). Needs root, /dev/net/tun, iproute2
 * (ip, ss, tc, nstat) and socat; skips otherwise.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class TcpKernelInteropTest {
    static final String KERNEL = "192.168.252.1";
    static final String JNET = "192.168.252.2";
    static final long SIZE = 64L << 20;
    /** Loss and reordering per direction on jnet's side of the tap. */
    static final double LOSS = 0.01;
    static final double REORDER = 0.01;

    String ns;
    String tap;
    EthernetPort tapPort;
    FaultyPort faulty;
    JnetStack stack;
    Path dir;

    @BeforeEach
    void setUp() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root to create a network namespace");
        assumeTrue(Files.exists(Path.of("/dev/net/tun")), "needs /dev/net/tun");
        for (String tool : List.of("ip", "ss", "socat")) {
            assumeTrue(run(10, "sh", "-c", "command -v " + tool).code() == 0, "needs " + tool);
        }
        String id = UUID.randomUUID().toString().substring(0, 6);
        ns = "jtcp-" + id;
        tap = "jc" + id;
        Result made = run(10, "ip", "netns", "add", ns);
        assumeTrue(made.code() == 0, "cannot create a namespace: " + made.out());
        tapPort = inNamespace(ns, () -> EthernetPorts.open("tap://" + tap));
        ok(run(10, "ip", "-n", ns, "addr", "add", KERNEL + "/24", "dev", tap));
        ok(run(10, "ip", "-n", ns, "link", "set", tap, "up"));
        ok(run(10, "ip", "-n", ns, "link", "set", "lo", "up"));
        dir = Files.createTempDirectory("jnet-tcp-interop");
    }

    /** The jnet stack on the tap, through a {@link FaultyPort} when {@code lossy}. */
    void startStack(boolean lossy) throws IOException {
        EthernetPort port = tapPort;
        if (lossy) {
            faulty = new FaultyPort(tapPort, LOSS, REORDER, 77);
            port = faulty;
        }
        stack = JnetStack.builder().options("seed=12").port("vde0", port).build();
        stack.config().linkSetUpDown(2, true);
        stack.config().ipAddrAdd(InetAddress.ofLiteral(JNET), 24, 2);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (stack != null) {
            stack.sockets().closeAll();
            stack.close();
        } else if (tapPort != null) {
            tapPort.close();
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
        startStack(false);
        kernelToJnet(5000);
    }

    /**
     * Every SYN answered with a cookie (tcp_syncookies=2): the kernel's timestamps echo the
     * window scale and SACK-permitted our cookie TSval carried, so the connection still has them
     * all, on both sides, and 4 MiB arrive byte-exact.
     */
    @Test
    void kernelClientThroughASynCookieKeepsSackTimestampsAndWindowScaling() throws Exception {
        startStack(false);
        stack.onLoop(() -> {
            stack.onLoopTcp().setSyncookies(2);
            return null;
        });
        long size = 4 << 20;
        Path file = dir.resolve("cookie.bin");
        writePatternFile(file, size);
        try (ServerSocketChannel ss = stack.provider().openServerSocketChannel()) {
            ss.bind(new InetSocketAddress(5002));
            Process client = new ProcessBuilder("ip", "netns", "exec", ns, "timeout", "60", "socat", "-u",
                    "OPEN:" + file, "TCP4:" + JNET + ":5002").redirectErrorStream(true).start();
            try (SocketChannel c = ss.accept()) {
                assertThat(stack.counter(Counter.TCP_SYNCOOKIES_RECV)).isEqualTo(1);
                assertThat(stack.counter(Counter.TCP_SYNCOOKIES_FAILED)).isZero();
                // ours: the kernel's ACK echoed the cookie TSval and the options came back from it
                assertThat(stack.onLoop(() -> stack.onLoopTcp().describe())).contains(" ts sack wscale=");
                // the kernel's: our window scale from the cookie SYN-ACK (7: autotuning up to 6 MiB); nothing
                // has been read yet, so the kernel's sender is still waiting on our window
                Result st = run(10, "ip", "netns", "exec", ns, "ss", "-tin", "state", "established");
                assertThat(st.out()).contains(JNET).contains("wscale:7,");
                assertThat(Pattern.readAndCheck(c)).isEqualTo(size);
            } finally {
                assertThat(client.waitFor(30, TimeUnit.SECONDS)).isTrue();
                String out = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(client.exitValue()).as(out).isZero();
            }
        }
    }

    @Test
    void jnetClientToKernelServerIsByteExactWithSackTimestampsAndWindowScaling() throws Exception {
        startStack(false);
        Process capture = startSynCapture();
        try {
            jnetToKernel(5001, c -> {
                // the kernel's view: our window scale (7: autotuning up to 6 MiB) as its send scale
                Result ss = run(10, "ip", "netns", "exec", ns, "ss", "-tin", "state", "established");
                assertThat(ss.out()).contains(JNET).contains("wscale:7,");
                // ours: everything offered was accepted (this kernel's ss does not print ts/sack, even
                // between two kernel sockets, so the SYN-ACK itself is checked below)
                assertThat(stack.onLoop(() -> stack.onLoopTcp().describe())).contains(" ts sack wscale=");
            });
            // A third witness when tshark caught the kernel's SYN-ACK (it may start capturing a moment
            // after it says so on a loaded machine; the assertions above do not depend on it).
            if (capture != null && capture.waitFor(5, TimeUnit.SECONDS)) {
                String synAck = new String(capture.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(synAck).contains("SACK permitted").contains("Timestamps: TSval").contains("Window scale");
            }
        } finally {
            if (capture != null) {
                capture.descendants().forEach(ProcessHandle::destroyForcibly); // timeout's child outlives it
                capture.destroyForcibly();
            }
        }
    }

    /** netem drops and reorders the kernel's data: the kernel must retransmit. */
    @Test
    void kernelClientToJnetServerThroughNetemLoss() throws Exception {
        startStack(false);
        addNetem();
        kernelToJnet(5002);
        assertThat(netemDrops()).isPositive();
        assertThat(nstat("TcpRetransSegs")).isPositive();
    }

    /** netem sits on the kernel's egress, so here it drops and reorders the kernel's ACKs. */
    @Test
    void jnetClientToKernelServerThroughNetemLoss() throws Exception {
        startStack(false);
        addNetem();
        jnetToKernel(5003, c -> { });
        assertThat(netemDrops()).isPositive();
    }

    /** The kernel sends through 1 % loss and reordering each way: it recovers with our SACK blocks. */
    @Test
    void kernelClientToJnetServerThroughALossyTap() throws Exception {
        startStack(true);
        kernelToJnet(5004);
        report("kernel -> jnet");
        assertThat(faulty.lost.get()).isPositive();
        assertThat(faulty.sackSegmentsOut.get()).as("segments with SACK blocks sent by jnet").isPositive();
        assertThat(nstat("TcpRetransSegs")).as("kernel retransmissions").isPositive();
        long sackRecoveries = nstat("TcpExtTCPSackRecovery");
        if (sackRecoveries >= 0) {
            assertThat(sackRecoveries).as("kernel SACK recovery episodes").isPositive();
        }
    }

    /** jnet sends through 1 % loss and reordering each way: it recovers with the kernel's SACK blocks. */
    @Test
    void jnetClientToKernelServerThroughALossyTap() throws Exception {
        startStack(true);
        jnetToKernel(5005, c -> { });
        report("jnet -> kernel");
        assertThat(faulty.lost.get()).isPositive();
        assertThat(faulty.sackSegmentsIn.get()).as("segments with SACK blocks sent by the kernel").isPositive();
        assertThat(stack.counter(Counter.TCP_RETRANS_SEGS)).isPositive();
    }

    private void report(String what) throws Exception {
        System.out.printf("TcpKernelInteropTest %s: %d frames lost, %d reordered, SACK segments from jnet %d, "
                + "from the kernel %d; jnet retransmitted %d; kernel retransmitted %d, SACK recoveries %d%n",
                what, faulty.lost.get(), faulty.reordered.get(), faulty.sackSegmentsOut.get(),
                faulty.sackSegmentsIn.get(), stack.counter(Counter.TCP_RETRANS_SEGS), nstat("TcpRetransSegs"),
                nstat("TcpExtTCPSackRecovery"));
    }

    /** socat in the namespace sends a 64 MiB pattern file to a jnet server, which checks every byte. */
    private void kernelToJnet(int port) throws Exception {
        Path file = dir.resolve("out.bin");
        writePatternFile(file, SIZE);
        long t0 = System.nanoTime();
        try (ServerSocketChannel ss = stack.provider().openServerSocketChannel()) {
            ss.bind(new InetSocketAddress(port));
            Process client = new ProcessBuilder("ip", "netns", "exec", ns, "timeout", "120", "socat", "-u",
                    "OPEN:" + file, "TCP4:" + JNET + ":" + port).redirectErrorStream(true).start();
            try (SocketChannel c = ss.accept()) {
                assertThat(Pattern.readAndCheck(c)).isEqualTo(SIZE);
            } finally {
                boolean ended = client.waitFor(60, TimeUnit.SECONDS);
                if (!ended) {
                    client.descendants().forEach(ProcessHandle::destroyForcibly); // timeout's child outlives it
                    client.destroyForcibly();
                }
                assertThat(ended).isTrue();
                String out = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(client.exitValue()).as(out).isZero();
            }
        }
        System.out.printf("TcpKernelInteropTest: kernel -> jnet, 64 MiB in %.1f s%n", (System.nanoTime() - t0) / 1e9);
    }

    /** A check made while the connection is still open. */
    private interface Check {
        void on(SocketChannel c) throws Exception;
    }

    /** A jnet client sends 64 MiB of pattern to socat in the namespace, which writes it to a file. */
    private void jnetToKernel(int port, Check whileOpen) throws Exception {
        Path out = dir.resolve("in.bin");
        long t0 = System.nanoTime();
        Process server = new ProcessBuilder("ip", "netns", "exec", ns, "timeout", "120", "socat", "-u",
                "TCP4-LISTEN:" + port + ",reuseaddr", "CREATE:" + out).redirectErrorStream(true).start();
        try {
            String sent;
            try (SocketChannel c = connectWhenListening(new InetSocketAddress(KERNEL, port))) {
                sent = Pattern.write(c, SIZE);
                whileOpen.on(c);
                c.shutdownOutput();
                assertThat(c.read(ByteBuffer.allocate(1))).isEqualTo(-1); // socat closes after EOF
            }
            assertThat(server.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(server.exitValue()).as(new String(server.getInputStream().readAllBytes())).isZero();
            assertThat(Files.size(out)).isEqualTo(SIZE);
            assertThat(sha256(out)).isEqualTo(sent);
        } finally {
            server.descendants().forEach(ProcessHandle::destroyForcibly); // timeout's child outlives it
            server.destroyForcibly();
            server.waitFor(10, TimeUnit.SECONDS);
        }
        System.out.printf("TcpKernelInteropTest: jnet -> kernel, 64 MiB in %.1f s%n", (System.nanoTime() - t0) / 1e9);
    }

    /** netem loss, delay and reordering on the kernel's side of the tap; skips where netem is missing. */
    private void addNetem() throws Exception {
        assumeTrue(run(10, "sh", "-c", "command -v tc").code() == 0, "needs tc");
        Result r = run(10, "ip", "netns", "exec", ns, "tc", "qdisc", "add", "dev", tap, "root", "netem",
                "loss", "1%", "delay", "1ms", "reorder", "5%", "50%");
        assumeTrue(r.code() == 0, "tc netem is not available in this kernel (sch_netem missing): " + r.out().strip());
    }

    /** Packets the netem qdisc on the tap dropped (tc -s), or -1 when tc does not say. */
    private long netemDrops() throws Exception {
        Result r = run(10, "ip", "netns", "exec", ns, "tc", "-s", "qdisc", "show", "dev", tap);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("dropped (\\d+)").matcher(r.out());
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    /** A kernel SNMP counter of the namespace (nstat), or -1 when nstat is missing or does not know it. */
    private long nstat(String name) throws Exception {
        Result r = run(10, "ip", "netns", "exec", ns, "nstat", "-asz", name);
        if (r.code() != 0) {
            return -1;
        }
        for (String line : r.out().split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 2 && f[0].equals(name)) {
                return Long.parseLong(f[1]);
            }
        }
        return -1;
    }

    private static void writePatternFile(Path file, long total) throws IOException {
        try (var out = Files.newOutputStream(file)) {
            byte[] chunk = new byte[Pattern.CHUNK];
            for (long off = 0; off < total; off += chunk.length) {
                int n = (int) Math.min(chunk.length, total - off);
                Pattern.fill(chunk, n, off);
                out.write(chunk, 0, n);
            }
        }
    }

    private static String sha256(Path file) throws IOException {
        MessageDigest md = Pattern.sha256();
        try (var in = Files.newInputStream(file)) {
            byte[] buf = new byte[Pattern.CHUNK];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    @Test
    void kernelRefusesAClosedPort() throws Exception {
        startStack(false);
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
        if (run(10, "sh", "-c", "command -v tshark").code() != 0) {
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
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
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
}
