package org.jioth.jnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jioth.jnet.KernelPeers.inNamespace;
import static org.jioth.jnet.KernelPeers.ok;
import static org.jioth.jnet.KernelPeers.run;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.jioth.jnet.KernelPeers.Result;
import org.jioth.jnet.loop.Counter;
import org.jioth.vde.EthernetPort;
import org.jioth.vde.EthernetPorts;
import org.junit.jupiter.api.Test;

/**
 * jnet against the Linux kernel: a network namespace made by the test holds a tap whose other end
 * is a jnet interface. Needs root, iproute2, ping and socat; skips otherwise.
 */
class KernelInteropTest {
    static final String KERNEL = "192.168.251.1";
    static final String JNET = "192.168.251.2";

    @Test
    void pingAndUdpBothWaysWithTheKernel() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root to create a network namespace");
        assumeTrue(Files.exists(Path.of("/dev/net/tun")), "needs /dev/net/tun");
        for (String tool : List.of("ip", "ping", "socat")) {
            assumeTrue(run(10, "sh", "-c", "command -v " + tool).code() == 0, "needs " + tool);
        }
        String id = UUID.randomUUID().toString().substring(0, 6);
        String ns = "jnet-" + id;
        String tap = "jt" + id;
        Result made = run(10, "ip", "netns", "add", ns);
        assumeTrue(made.code() == 0, "cannot create a namespace: " + made.out());
        try {
            EthernetPort port = inNamespace(ns, () -> EthernetPorts.open("tap://" + tap));
            ok(run(10, "ip", "-n", ns, "addr", "add", KERNEL + "/24", "dev", tap));
            ok(run(10, "ip", "-n", ns, "link", "set", tap, "up"));
            ok(run(10, "ip", "-n", ns, "link", "set", "lo", "up"));
            JnetStack s = JnetStack.builder().options("seed=11").port("vde0", port).build();
            try {
                s.config().linkSetUpDown(2, true);
                s.config().ipAddrAdd(InetAddress.ofLiteral(JNET), 24, 2);

                Result kping = run(30, "ip", "netns", "exec", ns, "ping", "-c", "2", "-W", "5", JNET);
                assertThat(kping.code()).as(kping.out()).isZero();
                // The loop counts a reply just after handing it to the port, so ping may exit first.
                long countedBy = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (s.counter(Counter.ICMP_OUT_ECHO_REPS) < 2 && System.nanoTime() < countedBy) {
                    Thread.sleep(10);
                }
                assertThat(s.counter(Counter.ICMP_OUT_ECHO_REPS)).isGreaterThanOrEqualTo(2);

                assertThat(s.ping(InetAddress.ofLiteral(KERNEL), Duration.ofSeconds(10))).isNotNull();

                try (DatagramChannel ch = s.provider().openDatagramChannel()) {
                    ch.bind(new InetSocketAddress(5555));
                    Result sent = run(20, "ip", "netns", "exec", ns, "sh", "-c",
                            "echo from-kernel | socat -u - UDP4-SENDTO:" + JNET + ":5555");
                    ok(sent);
                    ByteBuffer in = ByteBuffer.allocate(100);
                    InetSocketAddress from = (InetSocketAddress) ch.receive(in);
                    assertThat(new String(in.array(), 0, in.position(), StandardCharsets.US_ASCII)).isEqualTo("from-kernel\n");
                    assertThat(from.getAddress()).isEqualTo(InetAddress.ofLiteral(KERNEL));

                    Process recv = new ProcessBuilder("ip", "netns", "exec", ns, "timeout", "60", "socat", "-u",
                            "UDP4-RECV:5556", "STDOUT").redirectErrorStream(true).start();
                    try {
                        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                        while (recv.isAlive() && System.nanoTime() < deadline) {
                            ch.send(ByteBuffer.wrap("from-jnet\n".getBytes(StandardCharsets.US_ASCII)),
                                    new InetSocketAddress(KERNEL, 5556));
                            recv.waitFor(200, TimeUnit.MILLISECONDS); // socat may not listen yet: resend
                            byte[] got = recv.getInputStream().available() > 0
                                    ? recv.getInputStream().readNBytes(recv.getInputStream().available()) : new byte[0];
                            if (new String(got, StandardCharsets.US_ASCII).contains("from-jnet")) {
                                break;
                            }
                            assertThat(System.nanoTime()).as("socat never got a datagram").isLessThan(deadline);
                        }
                    } finally {
                        recv.descendants().forEach(ProcessHandle::destroyForcibly); // timeout's child outlives it
                        recv.destroyForcibly();
                        recv.waitFor(10, TimeUnit.SECONDS);
                    }
                }
            } finally {
                s.close();
            }
        } finally {
            run(10, "ip", "netns", "del", ns);
        }
    }
}
