package org.jioth.vde.ip;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import org.jioth.vde.testing.Await;
import org.jioth.vde.testing.CollectingSink;
import org.jioth.vde.testing.Frames;
import org.jioth.vde.testing.TestNetns;
import org.junit.jupiter.api.Test;

/** vxlan:// input checks, and interop with the Linux kernel's vxlan device across two namespaces. */
class VxlanPortTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String OURS = "02:00:00:00:00:0a";

    @Test
    void malformedInputIsCountedAndGoodFramesDelivered() throws Exception {
        try (TestNetns ns = TestNetns.create();
                VxlanPort port = ns.call(() -> new VxlanPort(VxlanSettings.fromOptions("239.3.3.3",
                        Map.of("port", "14790", "vni", "42", "if", "lo"))))) {
            CollectingSink sink = new CollectingSink();
            port.setSink(sink);
            byte[] frame = Frames.frame(OURS, "02:00:00:00:00:0b", 40, 1);
            InetSocketAddress to = new InetSocketAddress("127.0.0.1", 14790);
            ns.call(() -> {
                try (DatagramChannel raw = DatagramChannel.open(StandardProtocolFamily.INET)) {
                    raw.send(ByteBuffer.wrap(VxvdePortTest.concat(VxHeader.bytes(41), frame)), to);   // other VNI
                    raw.send(ByteBuffer.wrap(VxvdePortTest.concat(new byte[] {0, 0, 0, 0, 0, 0, 42, 0}, frame)), to);
                    raw.send(ByteBuffer.wrap(new byte[5]), to);                                       // short
                    raw.send(ByteBuffer.wrap(VxvdePortTest.concat(VxHeader.bytes(42), new byte[13])), to);
                    // reserved bits set: accepted, as the reference and RFC 7348 receivers do
                    raw.send(ByteBuffer.wrap(VxvdePortTest.concat(new byte[] {8, 1, 2, 3, 0, 0, 42, 4}, frame)), to);
                }
                return null;
            });
            assertThat(sink.poll(WAIT)).isEqualTo(frame);
            assertThat(Await.until(() -> port.statistics().droppedMalformed.sum() == 3, WAIT)).isTrue();
            assertThat(port.statistics().droppedBadLength.sum()).isEqualTo(1);
            assertThat(port.send(ByteBuffer.allocate(10))).isFalse();
        }
    }

    /** ARP for the kernel's address on its vxlan device; the kernel answers through VXLAN. */
    @Test
    void kernelVxlanDeviceAnswersArp() throws Exception {
        try (TestNetns mine = TestNetns.create(); TestNetns kernel = TestNetns.create()) {
            kernel.ip("link", "add", "vk", "type", "veth", "peer", "name", "vj", "netns", mine.name);
            kernel.ip("addr", "add", "192.168.250.1/24", "dev", "vk");
            kernel.ip("link", "set", "vk", "up");
            kernel.ip("link", "add", "vx0", "type", "vxlan", "id", "42", "group", "239.1.1.1", "dev", "vk", "dstport", "4789");
            kernel.ip("addr", "add", "192.168.251.1/24", "dev", "vx0");
            kernel.ip("link", "set", "vx0", "up");
            mine.ip("addr", "add", "192.168.250.2/24", "dev", "vj");
            mine.ip("link", "set", "vj", "up");
            try (VxlanPort port = mine.call(() -> new VxlanPort(VxlanSettings.fromOptions("239.1.1.1",
                    Map.of("vni", "42", "if", "vj"))))) {
                CollectingSink sink = new CollectingSink();
                port.setSink(sink);
                byte[] request = HexFormat.of().parseHex("ffffffffffff" + "02000000000a" + "0806"
                        + "0001080006040001" + "02000000000a" + "c0a8fb02" + "000000000000" + "c0a8fb01");
                byte[] reply = null;
                long deadline = System.nanoTime() + WAIT.toNanos();
                while (reply == null && System.nanoTime() < deadline) {
                    port.send(ByteBuffer.wrap(request)); // repeated: the veth and IGMP join settle first
                    reply = sink.pollMatching(f -> f.length >= 42 && f[12] == 0x08 && f[13] == 0x06 && f[21] == 2,
                            Duration.ofMillis(300));
                }
                assertThat(reply).as("an ARP reply from the kernel's vxlan device").isNotNull();
                ByteBuffer r = ByteBuffer.wrap(reply);
                assertThat(Arrays.copyOfRange(reply, 0, 6)).isEqualTo(Frames.mac(OURS));
                assertThat(r.getInt(28)).as("sender IP").isEqualTo(0xc0a8fb01);
                assertThat(Arrays.copyOfRange(reply, 32, 38)).as("target MAC").isEqualTo(Frames.mac(OURS));
                assertThat(r.getInt(38)).as("target IP").isEqualTo(0xc0a8fb02);
                // The kernel learnt our MAC behind our VTEP address.
                assertThat(TestNetns.run("bridge", "-n", kernel.name, "fdb", "show", "dev", "vx0").output())
                        .contains(OURS).contains("dst 192.168.250.2");
                assertThat(kernel.ip("neigh", "show", "dev", "vx0")).contains("192.168.251.2");
            }
        }
    }

    private static final class Arrays {
        static byte[] copyOfRange(byte[] a, int from, int to) {
            return java.util.Arrays.copyOfRange(a, from, to);
        }
    }
}
