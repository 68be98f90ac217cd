package org.jioth.vde.ip;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.jioth.vde.testing.CollectingSink;
import org.jioth.vde.testing.Frames;
import org.jioth.vde.testing.TestNetns;
import org.jioth.vde.testing.VdePlugProcess;
import org.junit.jupiter.api.Test;

/** Our udp:// and vxvde:// ports against Debian's vde_plug (stream mode on its stdin/stdout). */
class VdePlugIpInteropTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String OURS = "02:00:00:00:00:0a";
    private static final String THEIRS = "02:00:00:00:00:0b";

    private static int freePort() throws Exception {
        try (DatagramChannel c = DatagramChannel.open()) {
            c.bind(new InetSocketAddress("127.0.0.1", 0));
            return ((InetSocketAddress) c.getLocalAddress()).getPort();
        }
    }

    @Test
    void udpAgainstVdePlug() throws Exception {
        VdePlugProcess.assumeInstalled();
        int ours = freePort();
        int theirs = freePort();
        try (UdpPort port = new UdpPort(UdpSettings.fromOptions(ours + "->127.0.0.1:" + theirs, Map.of()));
                VdePlugProcess plug = VdePlugProcess.start(List.of(), "udp://" + theirs + "->127.0.0.1:" + ours)) {
            CollectingSink sink = new CollectingSink();
            port.setSink(sink);
            byte[] in = Frames.frame(OURS, THEIRS, 1500, 3);
            plug.send(in);
            assertThat(sink.poll(WAIT)).as("frame from vde_plug; stderr: %s", plug.stderr()).isEqualTo(in);
            for (int size : new int[] {14, 60, 1514, 9234}) {
                byte[] out = Frames.frame(THEIRS, OURS, size - 14, size);
                assertThat(port.send(ByteBuffer.wrap(out))).isTrue();
                assertThat(plug.pollMatching(f -> Arrays.equals(f, out), WAIT))
                        .as("%d-byte frame out of vde_plug; stderr: %s", size, plug.stderr()).isEqualTo(out);
            }
        }
    }

    @Test
    void vxvdeAgainstVdePlug() throws Exception {
        VdePlugProcess.assumeInstalled();
        try (TestNetns ns = TestNetns.create()) {
            String vnl = "vxvde://239.5.6.7/port=15100/vni=4242";
            try (VxvdePort port = ns.call(() -> new VxvdePort(VxvdeSettings.fromOptions("239.5.6.7",
                            Map.of("port", "15100", "vni", "4242"))));
                    VdePlugProcess plug = VdePlugProcess.start(ns.exec(), vnl)) {
                CollectingSink sink = new CollectingSink();
                port.setSink(sink);
                // vde_plug joins asynchronously: repeat our broadcast until it comes out.
                byte[] hello = Frames.frame("ff:ff:ff:ff:ff:ff", OURS, 100, 1);
                byte[] seen = null;
                long deadline = System.nanoTime() + WAIT.toNanos();
                while (seen == null && System.nanoTime() < deadline) {
                    port.send(ByteBuffer.wrap(hello));
                    seen = plug.pollMatching(f -> Arrays.equals(f, hello), Duration.ofMillis(250));
                }
                assertThat(seen).as("broadcast out of vde_plug; stderr: %s", plug.stderr()).isEqualTo(hello);
                // vde_plug learnt us: its reply to our MAC comes unicast; ours to its MAC goes unicast too.
                byte[] reply = Frames.frame(OURS, THEIRS, 200, 2);
                plug.send(reply);
                assertThat(sink.pollMatching(f -> Arrays.equals(f, reply), WAIT)).isEqualTo(reply);
                byte[] unicast = Frames.frame(THEIRS, OURS, 9234 - 14, 3);
                assertThat(port.send(ByteBuffer.wrap(unicast))).isTrue();
                assertThat(plug.pollMatching(f -> Arrays.equals(f, unicast), WAIT)).isEqualTo(unicast);
                assertThat(port.statistics().droppedMalformed.sum()).isZero();
            }
        }
    }
}
