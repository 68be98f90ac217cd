package org.jioth.jnet;

import static org.assertj.core.api.Assertions.assertThat;
import org.jioth.testkit.SwitchControl;
import static org.jioth.jnet.TestNet.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jioth.NetConfig.LinkData;
import org.jioth.testkit.ChildProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stack with one {@code vde://} port reads that port on its own loop thread (no reactor hand-off),
 * against Debian's vde_switch: 4 MiB cross between two such stacks byte-exact (SHA-256), and when a
 * second interface joins, the loop hands the port back to the reactor and traffic goes on.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LoopReadsPortTest {
    @TempDir
    Path dir;

    @Test
    void aOnePortStackReadsItsSocketItselfUntilASecondPortJoins() throws Exception {
        assumeTrue(ChildProcess.works("sh", "-c", "command -v vde_switch"), "vde_switch (Debian vde-switch) is not installed");
        Path sw = dir.resolve("sw");
        Process vdeSwitch = new ProcessBuilder("vde_switch", "-s", sw.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("switch.log").toFile()).start();
        try {
            assertThat(await(() -> SwitchControl.listening(sw))).as("switch control socket").isTrue();
            JnetStack a = JnetStack.builder().options("seed=1").vnl("vde0:vde://" + sw).build();
            JnetStack b = JnetStack.builder().options("seed=2").vnl("vde0:vde://" + sw).build();
            try {
                assertThat(a.loop().readsPort()).isTrue();
                assertThat(b.loop().readsPort()).isTrue();
                configure(a, "192.168.250.1");
                configure(b, "192.168.250.2");
                try (ServerSocketChannel ss = b.provider().openServerSocketChannel()) {
                    ss.bind(new InetSocketAddress("0.0.0.0", 7));
                    transfer(a, ss, 4 << 20, 1);
                    // the port's frames and system calls are in the stack's statistics: 4 MiB is
                    // ~2,900 data frames, of which only the last sendmmsg's (<= 256) may still be uncounted
                    java.util.Map<String, Long> st = a.statistics();
                    assertThat(st.get("Port.FramesOut")).as("%s", st).isGreaterThan(1000L);
                    assertThat(st.get("Port.SendCalls")).as("%s", st).isPositive();
                    assertThat(st.get("Port.ReceiveCalls")).as("the ACKs were read: %s", st).isPositive();
                    assertThat(st.get("Loop.Sleeps")).as("%s", st).isPositive();

                    int extra = a.config().ipLinkAdd("extra0", -1, "vde",
                            List.of(LinkData.ofString(LinkData.IFLA_VDE_VNL, "null://")));
                    assertThat(extra).isPositive();
                    assertThat(a.loop().readsPort()).as("two ports: the loop parks, the reactor reads").isFalse();
                    transfer(a, ss, 1 << 20, 2);
                }
            } finally {
                a.sockets().closeAll();
                b.sockets().closeAll();
                a.close();
                b.close();
            }
        } finally {
            vdeSwitch.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
        }
    }

    private static void configure(JnetStack s, String address) throws IOException {
        int i = s.config().ifNameToIndex("vde0");
        s.config().linkSetUpDown(i, true);
        s.config().ipAddrAdd(InetAddress.ofLiteral(address), 24, i);
    }

    /** {@code bytes} of seeded data from {@code from} to a connection accepted on {@code ss}, SHA-256 compared. */
    private static void transfer(JnetStack from, ServerSocketChannel ss, int bytes, long seed) throws Exception {
        byte[] data = new byte[bytes];
        new Random(seed).nextBytes(data);
        try (SocketChannel c = from.provider().openSocketChannel()) {
            c.connect(new InetSocketAddress("192.168.250.2", 7));
            try (SocketChannel s = ss.accept()) {
                CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> {
                    try {
                        MessageDigest sha = MessageDigest.getInstance("SHA-256");
                        ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
                        long left = bytes;
                        while (left > 0) {
                            buf.clear();
                            int n = s.read(buf);
                            if (n < 0) {
                                throw new IOException("EOF after " + (bytes - left) + " bytes");
                            }
                            sha.update(buf.array(), 0, n);
                            left -= n;
                        }
                        return sha.digest();
                    } catch (Exception e) {
                        throw new java.util.concurrent.CompletionException(e);
                    }
                }, r -> Thread.ofVirtual().start(r));
                ByteBuffer out = ByteBuffer.wrap(data);
                while (out.hasRemaining()) {
                    c.write(out);
                }
                assertThat(received.get(60, TimeUnit.SECONDS)).isEqualTo(MessageDigest.getInstance("SHA-256").digest(data));
            }
        }
    }
}
