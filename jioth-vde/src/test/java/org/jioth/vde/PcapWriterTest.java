package org.jioth.vde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PcapWriterTest {
    @TempDir
    Path dir;

    @Test
    void writesTheClassicFormatByteForByte() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        InstantSource clock = InstantSource.fixed(Instant.ofEpochSecond(0x01020304L, 5));
        try (PcapWriter w = new PcapWriter(Channels.newChannel(bytes), 20, clock)) {
            w.write(Frames.frame("ff:ff:ff:ff:ff:ff", "02:00:00:00:00:01", "abcdefghij")); // 24 bytes, cut to 20
            assertThat(w.records()).isEqualTo(1);
        }
        byte[] b = bytes.toByteArray();
        assertThat(HexFormat.of().formatHex(b, 0, 24))
                .isEqualTo("4d3cb2a1" + "0200" + "0400" + "00000000" + "00000000" + "14000000" + "01000000");
        ByteBuffer r = ByteBuffer.wrap(b, 24, b.length - 24).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(r.getInt()).isEqualTo(0x01020304);
        assertThat(r.getInt()).isEqualTo(5);
        assertThat(r.getInt()).isEqualTo(20);
        assertThat(r.getInt()).isEqualTo(24);
        assertThat(r.remaining()).isEqualTo(20);
    }

    @Test
    void tsharkReadsACaptureOfANodePort() throws Exception {
        Path file = dir.resolve("cap.pcap");
        EthernetNode hub = EthernetNode.newHub();
        try (PcapWriter w = new PcapWriter(FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE))) {
            EthernetPort a = w.capture(hub.attach("a"));
            a.setSink(f -> { });
            NodePort b = hub.attach("b");
            a.send(Frames.frame("02:00:00:00:00:0b", "02:00:00:00:00:0a", "out"));
            b.send(Frames.frame("02:00:00:00:00:0a", "02:00:00:00:00:0b", "in, a bit longer"));
            a.send(ByteBuffer.allocate(EthernetPort.MAX_FRAME)); // a jumbo frame goes through the big-record path
        }
        hub.close();
        assertThat(Files.size(file)).isEqualTo(24 + 16 + 17 + 16 + 30 + 16 + EthernetPort.MAX_FRAME);
        VdeTools.assumeTool("tshark");
        Process p = new ProcessBuilder("tshark", "-r", file.toString(), "-T", "fields", "-e", "frame.len", "-e", "eth.src")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes());
        assumeTrue(p.waitFor(30, TimeUnit.SECONDS), "tshark did not finish");
        assertThat(out.lines().toList()).isEqualTo(List.of("17\t02:00:00:00:00:0a", "30\t02:00:00:00:00:0b",
                EthernetPort.MAX_FRAME + "\t00:00:00:00:00:00"));
    }
}
