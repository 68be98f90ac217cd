package org.jioth.vde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.jioth.linux.unix.UnixSocket;
import org.jioth.vde.VdeTools.VdePlug;
import org.jioth.vde.VdeTools.VdeSwitch;
import org.jioth.vde.testing.Await;
import org.jioth.vde.testing.CollectingSink;
import org.jioth.vde.testing.Frames;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** cmd:// (with a real vde_plug as the command) and seqpacket:// (over a socketpair). */
class StreamSchemesTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String A = "02:00:00:00:00:0a";
    private static final String B = "02:00:00:00:00:0b";
    private static final String BCAST = "ff:ff:ff:ff:ff:ff";

    @TempDir
    Path base;

    @Test
    void cmdRunningVdePlugJoinsARealSwitchBothWays() throws Exception {
        try (VdeSwitch sw = new VdeSwitch(base, false);
                VdePlug peer = new VdePlug("peer", "vde://" + sw.dir);
                EthernetPort ours = EthernetPorts.open("cmd://vde_plug -D 'jioth cmd' vde://" + sw.dir)) {
            CollectingSink sink = new CollectingSink();
            ours.setSink(sink);
            // Until our vde_plug has joined, what we send is lost: repeat a broadcast until the peer sees it.
            byte[] hello = Frames.frame(BCAST, A, 46, 1);
            byte[] seen = null;
            for (int i = 0; i < 100 && seen == null; i++) {
                assertThat(ours.send(ByteBuffer.wrap(hello))).isTrue();
                seen = peer.next(Duration.ofMillis(200));
            }
            assertThat(seen).as("our frame through cmd:// reached the switch").isEqualTo(hello);
            byte[] big = Frames.frame(A, B, 1500, 7);
            peer.send(big);
            assertThat(sink.pollMatching(f -> Arrays.equals(f, big), WAIT)).isEqualTo(big);
            byte[] toB = Frames.frame(B, A, 1500, 3); // vde_switch 2.3.2 carries at most 1514-byte frames
            assertThat(ours.send(ByteBuffer.wrap(toB))).isTrue();
            byte[] got;
            do {
                got = peer.next(WAIT);
            } while (got != null && !Arrays.equals(got, toB));
            assertThat(got).isEqualTo(toB);
            assertThat(sw.command("port/print")).contains("jioth cmd");
            assertThat(ours.hasEnded()).isFalse();
        }
    }

    @Test
    void cmdCarriesTheFramingThroughCatAndEndsWhenTheCommandExits() throws Exception {
        VdeTools.assumeTool("cat");
        try (EthernetPort echo = EthernetPorts.open("cmd://cat")) {
            CollectingSink sink = new CollectingSink();
            echo.setSink(sink);
            byte[][] sent = {Frames.frame(B, A, 0, 1), Frames.frame(B, A, 9220, 2), Frames.frame(B, A, 100, 3)};
            for (byte[] f : sent) {
                assertThat(echo.send(ByteBuffer.wrap(f))).isTrue();
            }
            for (byte[] f : sent) {
                assertThat(sink.poll(WAIT)).isEqualTo(f);
            }
            assertThat(echo.send(ByteBuffer.allocate(13))).isFalse();
            assertThat(echo.statistics().droppedBadLength.sum()).isEqualTo(1);
            assertThat(echo.statistics().framesIn.sum()).isEqualTo(3);
        }
        try (EthernetPort quitting = EthernetPorts.open("cmd://sh -c 'exit 0'")) {
            assertThat(Await.until(quitting::hasEnded, WAIT)).as("the port ends with its command").isTrue();
        }
    }

    @Test
    void cmdErrorsNameTheVnl() {
        assertThatThrownBy(() -> EthernetPorts.open("cmd://")).isInstanceOf(VnlException.class)
                .hasMessageContaining("no command");
        assertThatThrownBy(() -> EthernetPorts.open("cmd://sh -c 'x")).isInstanceOf(VnlException.class)
                .hasMessageContaining("unterminated");
        assertThatThrownBy(() -> EthernetPorts.open("cmd://no-such-command-jioth")).isInstanceOf(java.io.IOException.class)
                .hasMessageContaining("cannot run no-such-command-jioth");
    }

    @Test
    void seqpacketCarriesOneFramePerMessageAndEndsWhenThePeerHangsUp() throws Exception {
        UnixSocket[] pair = UnixSocket.pair(UnixSocket.Type.SEQPACKET);
        UnixSocket other = pair[1];
        try (EthernetPort port = EthernetPorts.open("seqpacket://0x" + Integer.toHexString(pair[0].fd()))) {
            CollectingSink sink = new CollectingSink();
            port.setSink(sink);
            byte[] in = Frames.frame(A, B, 9234 - 14, 5);
            assertThat(other.send(ByteBuffer.wrap(in))).isEqualTo(in.length);
            assertThat(sink.poll(WAIT)).isEqualTo(in);
            assertThat(other.send(ByteBuffer.wrap(new byte[5]))).isEqualTo(5); // too short: counted
            byte[] out = Frames.frame(B, A, 50, 6);
            assertThat(port.send(ByteBuffer.wrap(out))).isTrue();
            ByteBuffer got = ByteBuffer.allocate(10_000);
            assertThat(Await.until(() -> {
                try {
                    return other.receive(got) > 0;
                } catch (java.io.IOException e) {
                    return false;
                }
            }, WAIT)).isTrue();
            assertThat(Arrays.copyOf(got.array(), got.position())).isEqualTo(out);
            assertThat(Await.until(() -> port.statistics().droppedBadLength.sum() == 1, WAIT)).isTrue();
            other.close();
            assertThat(Await.until(port::hasEnded, WAIT)).as("peer hang-up ends the port").isTrue();
            assertThat(port.send(ByteBuffer.wrap(out))).isFalse();
        } finally {
            other.close();
        }
    }

    @Test
    void seqpacketDescriptorsAreReadAsStrtolDoes() {
        VnlSyntax raw = VnlSyntax.raw();
        assertThat(SeqpacketScheme.descriptor(Vnl.parse("seqpacket://12", raw))).isEqualTo(12);
        assertThat(SeqpacketScheme.descriptor(Vnl.parse("seqpacket://0x1f", raw))).isEqualTo(31);
        assertThat(SeqpacketScheme.descriptor(Vnl.parse("seqpacket://017", raw))).isEqualTo(15);
        assertThat(SeqpacketScheme.descriptor(Vnl.parse("seqpacket://0", raw))).isZero();
        assertThatThrownBy(() -> EthernetPorts.open("seqpacket://three")).isInstanceOf(VnlException.class)
                .hasMessageContaining("descriptor number");
    }
}
