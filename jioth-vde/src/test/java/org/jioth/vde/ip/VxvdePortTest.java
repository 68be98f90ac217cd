package org.jioth.vde.ip;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import org.jioth.vde.testing.Await;
import org.jioth.vde.testing.CollectingSink;
import org.jioth.vde.testing.Frames;
import org.jioth.vde.testing.TestNetns;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Three of our vxvde:// nodes on one group, inside a network namespace the test creates. */
class VxvdePortTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String A = "02:00:00:00:00:0a";
    private static final String B = "02:00:00:00:00:0b";
    private TestNetns ns;

    @BeforeEach
    void namespace() throws Exception {
        ns = TestNetns.create();
    }

    @AfterEach
    void removeNamespace() throws Exception {
        if (ns != null) {
            ns.close();
        }
    }

    private VxvdePort open(String main, Map<String, String> options) throws Exception {
        return ns.call(() -> new VxvdePort(VxvdeSettings.fromOptions(main, options)));
    }

    @Test
    void ipv4NodesLearnUnicastAndForgetOnGoodbye() throws Exception {
        Map<String, String> opts = Map.of("port", "15001", "vni", "42");
        try (VxvdePort a = open("239.7.7.7", opts); VxvdePort b = open("239.7.7.7", opts);
                VxvdePort c = open("239.7.7.7", opts)) {
            CollectingSink sa = new CollectingSink();
            CollectingSink sb = new CollectingSink();
            CollectingSink sc = new CollectingSink();
            a.setSink(sa);
            b.setSink(sb);
            c.setSink(sc);
            // A broadcasts (until both heard it: a datagram sent before a join has settled is lost
            // for good): B and C hear it, A does not hear itself.
            byte[] hello = Frames.frame("ff:ff:ff:ff:ff:ff", A, 50, 1);
            boolean[] heard = new boolean[2];
            assertThat(Await.until(() -> {
                heard[0] |= sendUntilHeard(a, hello, sb);
                heard[1] |= heardWithin(sc, hello);
                return heard[0] && heard[1];
            }, WAIT)).as("B and C hear A's broadcast").isTrue();
            // B answers A's MAC: learnt, so unicast: A hears it, C does not.
            byte[] reply = Frames.frame(A, B, 60, 2);
            assertThat(b.send(ByteBuffer.wrap(reply))).isTrue();
            assertThat(sa.poll(WAIT)).isEqualTo(reply);
            // C then gets a broadcast from B; before it C sees nothing but A's hellos.
            byte[] marker = Frames.frame("ff:ff:ff:ff:ff:ff", B, 20, 3);
            b.send(ByteBuffer.wrap(marker));
            byte[] atC;
            while ((atC = sc.poll(WAIT)) != null && Arrays.equals(atC, hello)) {
                // a late copy of a repeated hello
            }
            assertThat(atC).isEqualTo(marker);
            assertThat(sa.poll(WAIT)).isEqualTo(marker);
            assertThat(sa.pending()).isZero();
            // A leaves with a goodbye; B forgets A's MAC and floods frames for it to the group again.
            a.close();
            byte[] afterBye = Frames.frame(A, B, 30, 4);
            assertThat(Await.until(() -> sendUntilHeard(b, afterBye, sc), WAIT)).isTrue();
        }
    }

    @Test
    void ipv6NodesExchangeFrames() throws Exception {
        ns.addVethPair();
        Map<String, String> opts = Map.of("port", "15002", "v6", "", "if", "v0", "bind", "fd00::1");
        try (VxvdePort a = open("", opts); VxvdePort b = open("", opts)) {
            CollectingSink sa = new CollectingSink();
            CollectingSink sb = new CollectingSink();
            a.setSink(sa);
            b.setSink(sb);
            // sent until heard: a datagram sent while the namespace's IPv6 multicast path is still
            // settling is lost for good (B got nothing in 60 s once, at load 8, after one send)
            byte[] hello = Frames.frame("ff:ff:ff:ff:ff:ff", A, 100, 1);
            assertThat(Await.until(() -> sendUntilHeard(a, hello, sb), WAIT)).as("B hears A's broadcast").isTrue();
            byte[] reply = Frames.frame(A, B, 100, 2);
            assertThat(Await.until(() -> sendUntilHeard(b, reply, sa), WAIT)).as("A hears B's unicast").isTrue();
        }
    }

    @Test
    void malformedAndForeignPayloadsAreCountedAndDropped() throws Exception {
        Map<String, String> opts = Map.of("port", "15003", "vni", "42");
        try (VxvdePort a = open("239.7.7.8", opts)) {
            CollectingSink sa = new CollectingSink();
            a.setSink(sa);
            InetSocketAddress group = new InetSocketAddress("239.7.7.8", 15003);
            byte[] frame = Frames.frame("ff:ff:ff:ff:ff:ff", B, 30, 5);
            ns.call(() -> {
                try (DatagramChannel raw = DatagramChannel.open(java.net.StandardProtocolFamily.INET)) {
                    raw.send(ByteBuffer.wrap(concat(VxHeader.bytes(43), frame)), group);        // other VNI
                    raw.send(ByteBuffer.wrap(concat(new byte[] {8, 0, 0, 1, 0, 0, 42, 0}, frame)), group); // reserved
                    raw.send(ByteBuffer.wrap(new byte[] {8, 0, 0}), group);                     // too short
                    raw.send(ByteBuffer.wrap(concat(VxHeader.bytes(42), new byte[10])), group);  // frame < 14
                    raw.send(ByteBuffer.wrap(concat(VxHeader.bytes(42), frame)), group);         // good
                }
                return null;
            });
            assertThat(sa.poll(WAIT)).isEqualTo(frame);
            assertThat(Await.until(() -> a.statistics().droppedMalformed.sum() == 3, WAIT)).isTrue();
            assertThat(a.statistics().droppedBadLength.sum()).isEqualTo(1);
            assertThat(a.statistics().framesIn.sum()).isEqualTo(1);
        }
    }

    /** Sends {@code frame} once; true when {@code to} received it within 200 ms. */
    private static boolean sendUntilHeard(VxvdePort from, byte[] frame, CollectingSink to) {
        try {
            from.send(ByteBuffer.wrap(frame));
            return heardWithin(to, frame);
        } catch (Exception e) {
            return false;
        }
    }

    /** True when {@code to} has or gets {@code frame} within 200 ms (other frames are skipped). */
    private static boolean heardWithin(CollectingSink to, byte[] frame) {
        try {
            boolean heard = false;
            byte[] got;
            while (!heard && (got = to.poll(Duration.ofMillis(200))) != null) {
                heard = Arrays.equals(got, frame);
            }
            return heard;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
