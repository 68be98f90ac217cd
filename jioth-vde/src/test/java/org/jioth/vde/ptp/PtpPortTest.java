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
import org.jioth.vde.testing.Await;
import org.jioth.vde.testing.CollectingSink;
import org.jioth.vde.testing.Frames;
import org.jioth.vde.testing.VdePlugProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ptp:// legacy (datagram) mode: two of ours, and ours against Debian's vde_plug. */
class PtpPortTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
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
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            var state = org.jioth.linux.NativeSupport.newCallState(arena);
            int fd = org.jioth.linux.ptp.UnixSocket.socket(state, org.jioth.linux.ptp.UnixSocket.SOCK_DGRAM);
            org.jioth.linux.ptp.UnixSocket.bind(state, fd, org.jioth.linux.ptp.UnixSocket.address(arena, link.toString()));
            org.jioth.linux.ptp.UnixSocket.close(fd);
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
}
