package org.jioth.vde.ptp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.jioth.linux.unix.UnixSocket;
import org.jioth.vde.testing.Await;
import org.jioth.vde.testing.CollectingSink;
import org.jioth.vde.testing.Frames;
import org.jioth.vde.testing.VdePlugProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ptp:// legacy (datagram) mode: two of ours, and ours against Debian's vde_plug; seqpacket mode (the
 * current protocol, which Debian's vdeplug 4.0.1 does not speak) between our own ends.
 */
class PtpPortTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String A = "02:00:00:00:00:0a";
    private static final String B = "02:00:00:00:00:0b";

    @TempDir
    Path dir;

    private PtpSettings settings(Path p) {
        return PtpSettings.fromOptions(p.toString(), Map.of("mode", "legacy"));
    }

    @Test
    void twoOfOursTalkAndCleanUp() throws Exception {
        Path link = dir.resolve("l");
        try (PtpPort first = new PtpPort(settings(link)); PtpPort second = new PtpPort(settings(link))) {
            assertThat(first.boundPath()).isEqualTo(link.toString());
            assertThat(second.boundPath()).isEqualTo(link + "+");
            assertThatThrownBy(() -> new PtpPort(settings(link))).hasMessageContaining("both ends");
            CollectingSink s1 = new CollectingSink();
            CollectingSink s2 = new CollectingSink();
            first.setSink(s1);
            second.setSink(s2);
            byte[] f = Frames.frame(B, A, 9234 - 14, 1);
            assertThat(first.send(ByteBuffer.wrap(f))).isTrue();
            assertThat(s2.poll(WAIT)).isEqualTo(f);
            byte[] g = Frames.frame(A, B, 0, 2);
            assertThat(second.send(ByteBuffer.allocateDirect(14).put(g).flip())).isTrue();
            assertThat(s1.poll(WAIT)).isEqualTo(g);
            assertThat(first.send(ByteBuffer.allocate(13))).isFalse();
            assertThat(first.statistics().droppedBadLength.sum()).isEqualTo(1);
        }
        assertThat(Files.exists(link)).isFalse();
        assertThat(Files.exists(Path.of(link + "+"))).isFalse();
    }

    @Test
    void sendingWithoutAPeerIsCountedAndAStaleFileIsTakenOver() throws Exception {
        Path link = dir.resolve("s");
        // A crashed first end: a socket bound at the path, closed without unlinking it.
        try (UnixSocket crashed = UnixSocket.open(UnixSocket.Type.DATAGRAM)) {
            crashed.bind(link.toString());
        }
        assertThat(Files.exists(link)).isTrue();
        try (PtpPort alone = new PtpPort(settings(link))) {
            assertThat(alone.boundPath()).isEqualTo(link.toString());
            assertThat(alone.send(ByteBuffer.wrap(Frames.frame(B, A, 10, 0)))).isFalse();
            assertThat(alone.statistics().droppedQueueFull.sum()).isEqualTo(1);
        }
    }

    @Test
    void againstDebianVdePlug() throws Exception {
        Path link = dir.resolve("p");
        for (boolean plugFirst : new boolean[] {true, false}) {
            PtpPort ours = plugFirst ? null : new PtpPort(settings(link));
            try (VdePlugProcess plug = VdePlugProcess.start(List.of(), "ptp://" + link)) {
                if (plugFirst) {
                    assertThat(Await.until(() -> Files.exists(link), WAIT)).as("vde_plug created %s", link).isTrue();
                    ours = new PtpPort(settings(link));
                    assertThat(ours.boundPath()).isEqualTo(link + "+");
                } else {
                    assertThat(Await.until(() -> Files.exists(Path.of(link + "+")), WAIT)).isTrue();
                }
                CollectingSink sink = new CollectingSink();
                ours.setSink(sink);
                byte[] in = Frames.frame(A, B, 1000, 4);
                PtpPort port = ours;
                // The legacy first end learns nothing: it sends to PATH+; retry until vde_plug's side is up.
                plug.send(in);
                assertThat(sink.poll(WAIT)).as("frame from vde_plug; stderr %s", plug.stderr()).isEqualTo(in);
                byte[] out = Frames.frame(B, A, 60, 5);
                assertThat(port.send(ByteBuffer.wrap(out))).isTrue();
                assertThat(plug.pollMatching(f -> Arrays.equals(f, out), WAIT)).isEqualTo(out);
            } finally {
                if (ours != null) {
                    ours.close();
                }
            }
            assertThat(Await.until(() -> !Files.exists(link) && !Files.exists(Path.of(link + "+")), WAIT)).isTrue();
        }
    }

    private PtpSettings seqpacket(Path p) {
        return PtpSettings.fromOptions(p.toString(), Map.of("mode", "seqpacket"));
    }

    private static void exchange(PtpPort x, CollectingSink xSink, PtpPort y, CollectingSink ySink, int seed) throws Exception {
        byte[] f = Frames.frame(B, A, 9234 - 14, seed);
        // the accepted end may still be starting its reader: retry until a frame gets through
        byte[] got = null;
        for (int i = 0; i < 100 && got == null; i++) {
            x.send(ByteBuffer.wrap(f));
            got = ySink.poll(Duration.ofMillis(200));
        }
        assertThat(got).isEqualTo(f);
        byte[] g = Frames.frame(A, B, 0, seed + 1);
        assertThat(y.send(ByteBuffer.wrap(g))).isTrue();
        assertThat(xSink.pollMatching(h -> Arrays.equals(h, g), WAIT)).isEqualTo(g);
    }

    private PtpPort openOnceFree(Path link) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            try {
                return new PtpPort(seqpacket(link));
            } catch (java.io.IOException e) {
                if (!e.getMessage().contains("EISCONN") || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(20);
            }
        }
    }

    @Test
    void seqpacketModeListenerAndConnectorTalkRefuseAThirdAndReconnect() throws Exception {
        Path link = dir.resolve("q");
        PtpPort first = new PtpPort(seqpacket(link));
        PtpPort second = null;
        PtpPort again = null;
        try {
            assertThat(first.boundPath()).as("nobody there: the first end listens").isEqualTo(link.toString());
            assertThat(first.description()).isEqualTo("ptp://" + link + "[mode=seqpacket]");
            CollectingSink s1 = new CollectingSink();
            first.setSink(s1);
            assertThat(first.send(ByteBuffer.wrap(Frames.frame(B, A, 10, 0)))).as("no peer yet").isFalse();
            assertThat(first.statistics().droppedQueueFull.sum()).isEqualTo(1);

            second = new PtpPort(seqpacket(link));
            assertThat(second.boundPath()).as("the second end connects").isNull();
            CollectingSink s2 = new CollectingSink();
            second.setSink(s2);
            exchange(first, s1, second, s2, 10);
            assertThat(first.send(ByteBuffer.allocate(13))).isFalse();
            assertThat(first.statistics().droppedBadLength.sum()).isEqualTo(1);

            assertThatThrownBy(() -> new PtpPort(seqpacket(link))).hasMessageContaining("already has two ends")
                    .hasMessageContaining("EISCONN");

            // the connecting end leaves: the listener waits for a new one
            second.close();
            again = openOnceFree(link); // until the listener has seen the hang-up it answers EISCONN
            CollectingSink s3 = new CollectingSink();
            again.setSink(s3);
            exchange(first, s1, again, s3, 20);

            // the listener leaves: the connecting end opens again and, finding nobody, listens itself
            first.close();
            PtpPort survivor = again;
            assertThat(Await.until(() -> link.toString().equals(survivor.boundPath()), WAIT))
                    .as("the connector became the listener").isTrue();
            assertThat(survivor.hasEnded()).isFalse();
            first = new PtpPort(seqpacket(link));
            assertThat(first.boundPath()).isNull();
            CollectingSink s4 = new CollectingSink();
            first.setSink(s4);
            exchange(first, s4, survivor, s3, 30);
        } finally {
            first.close();
            if (second != null) {
                second.close();
            }
            if (again != null) {
                again.close();
            }
        }
        assertThat(Await.until(() -> !Files.exists(link), WAIT)).as("the listener unlinks its path").isTrue();
    }

    @Test
    void seqpacketModeTakesOverAStaleSocketFile() throws Exception {
        Path link = dir.resolve("stale");
        try (UnixSocket crashed = UnixSocket.open(UnixSocket.Type.SEQPACKET)) {
            crashed.bind(link.toString());
        }
        assertThat(Files.exists(link)).isTrue();
        try (PtpPort port = new PtpPort(seqpacket(link))) {
            assertThat(port.boundPath()).isEqualTo(link.toString());
        }
        assertThat(Await.until(() -> !Files.exists(link), WAIT)).isTrue();
    }
}
