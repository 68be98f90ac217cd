package org.jioth.vde.tap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import org.jioth.vde.testing.CollectingSink;
import org.jioth.vde.testing.Frames;
import org.jioth.vde.testing.TestNetns;
import org.junit.jupiter.api.Test;

/** tap:// inside a namespace the test creates: the kernel answers our ARP through the tap. */
class TapPortTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void settingsRejectBadNames() {
        assertThat(TapSettings.fromOptions("tap0", Map.of()).interfaceName()).isEqualTo("tap0");
        assertThatThrownBy(() -> TapSettings.fromOptions("a-name-that-is-too-long", Map.of())).hasMessageContaining("1..15");
        assertThatThrownBy(() -> TapSettings.fromOptions("tap0", Map.of("x", "1"))).hasMessageContaining("unknown option 'x'");
        assertThat(TapSettings.fromOptions("tap0", Map.of()).offload()).isFalse();
        assertThat(TapSettings.fromOptions("tap0", Map.of("offload", "1"))).isEqualTo(new TapSettings("tap0", true));
        assertThat(TapSettings.fromOptions("tap0", Map.of("offload", "0")).offload()).isFalse();
        assertThat(new TapSettings("tap0", true)).hasToString("tap://tap0/offload=1");
    }

    @Test
    void kernelAnswersArpThroughTheTap() throws Exception {
        try (TestNetns ns = TestNetns.create();
                TapPort port = ns.call(() -> new TapPort(TapSettings.fromOptions("jtap0", Map.of())))) {
            ns.ip("addr", "add", "192.168.250.1/24", "dev", "jtap0");
            ns.ip("link", "set", "jtap0", "up");
            CollectingSink sink = new CollectingSink();
            port.setSink(sink);
            byte[] request = HexFormat.of().parseHex("ffffffffffff" + "02000000000a" + "0806"
                    + "0001080006040001" + "02000000000a" + "c0a8fa02" + "000000000000" + "c0a8fa01");
            byte[] reply = null;
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (reply == null && System.nanoTime() < deadline) {
                port.send(ByteBuffer.wrap(request));
                reply = sink.pollMatching(f -> f.length >= 42 && f[12] == 0x08 && f[13] == 0x06 && f[21] == 2,
                        Duration.ofMillis(300));
            }
            assertThat(reply).as("ARP reply from the kernel").isNotNull();
            assertThat(Arrays.copyOfRange(reply, 0, 6)).isEqualTo(Frames.mac("02:00:00:00:00:0a"));
            assertThat(ByteBuffer.wrap(reply).getInt(28)).isEqualTo(0xc0a8fa01);
            assertThat(port.statistics().framesIn.sum()).isGreaterThanOrEqualTo(1);
        }
    }

    @Test
    void framesQueuedInTheTapAreReadAsOneBatch() throws Exception {
        int burst = 20;
        try (TestNetns ns = TestNetns.create();
                TapPort port = ns.call(() -> new TapPort(TapSettings.fromOptions("jtap0", Map.of())))) {
            TestNetns.run(ns.exec("sysctl", "-qw", "net.ipv6.conf.jtap0.disable_ipv6=1").toArray(String[]::new));
            ns.ip("addr", "add", "192.168.250.1/24", "dev", "jtap0");
            ns.ip("link", "set", "jtap0", "up");
            java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.atomic.AtomicInteger replies = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicInteger batches = new java.util.concurrent.atomic.AtomicInteger();
            port.setSink(new org.jioth.vde.FrameSink() {
                @Override
                public void frame(ByteBuffer f) {
                    if (f.remaining() >= 42 && f.getShort(f.position() + 12) == 0x0806 && f.get(f.position() + 21) == 2
                            && replies.incrementAndGet() == 1) {
                        try { // hold the receiver while the kernel queues the rest of the burst
                            release.await(60, java.util.concurrent.TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                }

                @Override
                public void endOfBatch() {
                    batches.incrementAndGet();
                }
            });
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (replies.get() == 0 && System.nanoTime() < deadline) {
                port.send(ByteBuffer.wrap(arpRequest(2)));
                Thread.sleep(100); // until the kernel has answered once (the first may go before the link is up)
            }
            assertThat(replies.get()).as("a first ARP reply").isPositive();
            long before = queuedToTheTap(ns);
            for (int i = 0; i < burst; i++) {
                port.send(ByteBuffer.wrap(arpRequest(3 + i)));
            }
            boolean queued = org.jioth.testkit.Eventually.holds(() -> queuedToTheTap(ns) >= before + burst);
            assertThat(queued).as("the kernel queued " + burst + " replies on the tap").isTrue();
            int batchesBefore = batches.get();
            release.countDown();
            // the batch ends after its last frame: wait for both
            boolean all = org.jioth.testkit.Eventually.holds(() -> replies.get() >= 1 + burst && batches.get() > batchesBefore);
            assertThat(all).as("all replies delivered: " + replies.get()).isTrue();
            assertThat(batches.get() - batchesBefore).as("the queued replies end one batch, not one each")
                    .isBetween(1, 2);
        }
    }

    /** An ARP request for 192.168.250.1 from 192.168.250.{@code host} (02:00:00:00:00:{@code host}). */
    private static byte[] arpRequest(int host) {
        String mac = String.format("0200000000%02x", host);
        String ip = String.format("c0a8fa%02x", host);
        return HexFormat.of().parseHex("ffffffffffff" + mac + "0806" + "0001080006040001" + mac + ip + "000000000000"
                + "c0a8fa01");
    }

    /** Frames the kernel's qdisc handed to the tap's queue (the tap's own TX counter counts what we read). */
    private static long queuedToTheTap(TestNetns ns) throws Exception {
        TestNetns.Result r = TestNetns.run(ns.exec("tc", "-s", "qdisc", "show", "dev", "jtap0").toArray(String[]::new));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("Sent \\d+ bytes (\\d+) pkt").matcher(r.output());
        if (r.code() != 0 || !m.find()) {
            throw new IllegalStateException("no qdisc counters for jtap0: " + r.output());
        }
        return Long.parseLong(m.group(1));
    }
}
