package org.jioth.jnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jioth.jnet.KernelPeers.inNamespace;
import static org.jioth.jnet.KernelPeers.ok;
import static org.jioth.jnet.KernelPeers.run;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * jnet's TCP sending TSO segments to the Linux kernel through a tap with {@code offload=1}: the
 * tap's kernel cuts each into MSS-sized segments (virtio-net header, {@code gso_size} = MSS) and
 * completes their checksums; a kernel socat in the test's namespace receives 32 MiB byte-exact.
 * Needs root, /dev/net/tun, ip, socat and sha256sum; skips otherwise.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class TcpSegmentationOffloadKernelTest {
    static final String KERNEL = "192.168.253.1";
    static final String JNET = "192.168.253.2";
    static final long SIZE = 32L << 20;

    String ns;
    EthernetPort tapPort;
    JnetStack stack;

    @BeforeEach
    void setUp() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root to create a network namespace");
        assumeTrue(Files.exists(Path.of("/dev/net/tun")), "needs /dev/net/tun");
        for (String tool : List.of("ip", "socat", "sha256sum")) {
            assumeTrue(run(10, "sh", "-c", "command -v " + tool).code() == 0, "needs " + tool);
        }
        String id = UUID.randomUUID().toString().substring(0, 6);
        ns = "jtso-" + id;
        String tap = "jt" + id;
        Result made = run(10, "ip", "netns", "add", ns); // recorded in the namespace ledger
        assumeTrue(made.code() == 0, "cannot create a namespace: " + made.out());
        tapPort = inNamespace(ns, () -> EthernetPorts.open("tap://" + tap + "/offload=1"));
        ok(run(10, "ip", "-n", ns, "addr", "add", KERNEL + "/24", "dev", tap));
        ok(run(10, "ip", "-n", ns, "link", "set", tap, "up"));
    }

    private void startStack(String options) throws Exception {
        stack = JnetStack.builder().options(options).port("vde0", tapPort).build();
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
    }

    @Test
    void jnetSendsTsoSegmentsThatTheKernelReceivesByteExact() throws Exception {
        startStack("seed=13,tso=1");
        assertThat(tapPort.maxSegmentedFrame()).isEqualTo(14 + 65535);
        sendToTheKernel(SIZE);
        long tsoFrames = stack.counter(Counter.ETH_OUT_TSO_FRAMES);
        long segments = stack.counter(Counter.TCP_OUT_SEGS);
        long frames = stack.counter(Counter.ETH_OUT_FRAMES);
        System.out.printf("TcpSegmentationOffloadKernelTest: %d TCP segments out in %d frames, %d of them TSO%n",
                segments, frames, tsoFrames);
        assertThat(tsoFrames).as("TSO frames").isPositive();
        assertThat(segments).as("TCP segments on the wire, more than the frames that carried them").isGreaterThan(frames);
    }

    @Test
    void withoutTheTsoOptionTheSameTapGetsPlainSegments() throws Exception {
        assumeTrue(!JnetOptions.DEFAULT_TSO, "-Djioth.jnet.tso=true turns TSO on by default");
        startStack("seed=13");
        sendToTheKernel(4L << 20);
        assertThat(stack.counter(Counter.ETH_OUT_TSO_FRAMES)).as("TSO frames").isZero();
    }

    /** Sends {@code size} bytes to socat in the namespace and checks its SHA-256 of them. */
    private void sendToTheKernel(long size) throws Exception {
        Process server = new ProcessBuilder("ip", "netns", "exec", ns, "timeout", "120", "sh", "-c",
                "socat -u TCP4-LISTEN:5001,reuseaddr STDOUT | sha256sum").redirectErrorStream(true).start();
        try {
            String sent;
            try (SocketChannel c = connectWhenListening(new InetSocketAddress(KERNEL, 5001))) {
                sent = Pattern.write(c, size);
                c.shutdownOutput();
                assertThat(c.read(ByteBuffer.allocate(1))).isEqualTo(-1); // socat closes after EOF
            }
            assertThat(server.waitFor(60, TimeUnit.SECONDS)).isTrue();
            String out = new String(server.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(server.exitValue()).as(out).isZero();
            assertThat(out.trim()).startsWith(sent);
        } finally {
            server.descendants().forEach(ProcessHandle::destroyForcibly); // timeout's children outlive it
            server.destroyForcibly();
            server.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private SocketChannel connectWhenListening(InetSocketAddress to) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            SocketChannel c = stack.provider().openSocketChannel();
            try {
                c.connect(to);
                return c;
            } catch (ConnectException e) {
                c.close();
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100); // socat is not listening yet
            }
        }
    }
}
