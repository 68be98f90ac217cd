package org.jioth.vde.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.jioth.vde.FrameSink;
import org.jioth.vde.PortStatistics;
import org.jioth.vde.testing.Frames;
import org.junit.jupiter.api.Test;

/** The stream framing of vde-protocols.md §12: golden bytes, any chunking, bad lengths. */
class FrameStreamCodecTest {
    private static final HexFormat HEX = HexFormat.of();

    /** Collects copies of delivered frames and counts batches. */
    private static final class Collector implements FrameSink {
        final List<byte[]> frames = new ArrayList<>();
        int batches;

        @Override
        public void frame(ByteBuffer frame) {
            byte[] b = new byte[frame.remaining()];
            frame.get(frame.position(), b);
            frames.add(b);
            frame.position(frame.limit()); // a sink that moves the position must not confuse the decoder
        }

        @Override
        public void endOfBatch() {
            batches++;
        }
    }

    @Test
    void encodesTheObservedRecordOfA55ByteFrame() {
        byte[] frame = Frames.frame("ff:ff:ff:ff:ff:ff", "02:00:00:00:00:01", 41, 0);
        assertThat(frame).hasSize(55);
        byte[] record = FrameStreamEncoder.encode(frame);
        assertThat(HEX.formatHex(record, 0, 18)).isEqualTo("0037" + "ffffffffffff" + "020000000001" + "88b5" + "0001");
        assertThat(HEX.formatHex(record)).isEqualTo("0037" + HEX.formatHex(frame));
        // the length is unsigned big-endian: 9234 = 0x2412, 300 = 0x012c
        assertThat(HEX.formatHex(FrameStreamEncoder.encode(new byte[9234]), 0, 2)).isEqualTo("2412");
        assertThat(HEX.formatHex(FrameStreamEncoder.encode(new byte[300]), 0, 2)).isEqualTo("012c");
    }

    @Test
    void encoderLeavesTheFramePositionAndRefusesOversizeFrames() {
        ByteBuffer frame = ByteBuffer.wrap(Frames.frame("02:00:00:00:00:02", "02:00:00:00:00:01", 10, 1));
        frame.position(0);
        ByteBuffer out = ByteBuffer.allocate(100);
        assertThat(FrameStreamEncoder.encode(frame, out)).isEqualTo(26);
        assertThat(frame.position()).isZero();
        assertThat(out.position()).isEqualTo(26);
        assertThatThrownBy(() -> FrameStreamEncoder.encode(new byte[9235])).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("9234");
        assertThatThrownBy(() -> FrameStreamEncoder.encode(ByteBuffer.wrap(new byte[60]), ByteBuffer.allocate(61)))
                .isInstanceOf(java.nio.BufferOverflowException.class);
    }

    @Test
    void decodesGoldenBytes() {
        Collector c = new Collector();
        FrameStreamDecoder d = new FrameStreamDecoder(c);
        byte[] f = HEX.parseHex("ffffffffffff020000000001" + "0806" + "0001080006040001");
        d.feed(ByteBuffer.wrap(HEX.parseHex("0016" + HEX.formatHex(f))));
        assertThat(c.frames).hasSize(1);
        assertThat(c.frames.getFirst()).isEqualTo(f);
        assertThat(c.batches).isEqualTo(1);
    }

    @Test
    void survivesEverySplitAndCoalescing() {
        Random r = new Random(42);
        List<byte[]> sent = new ArrayList<>();
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        int[] sizes = {14, 15, 60, 255, 256, 257, 1514, 9234, 14, 100};
        for (int i = 0; i < sizes.length; i++) {
            byte[] f = Frames.frame("02:00:00:00:00:02", "02:00:00:00:00:01", sizes[i] - 14, i * 7);
            sent.add(f);
            stream.writeBytes(FrameStreamEncoder.encode(f));
        }
        byte[] all = stream.toByteArray();
        // one byte at a time, every split into two, and random chunkings
        List<int[]> chunkings = new ArrayList<>();
        chunkings.add(new int[] {1});
        for (int trial = 0; trial < 200; trial++) {
            chunkings.add(new int[] {1 + r.nextInt(trial < 100 ? 5 : 3000)});
        }
        for (int[] chunking : chunkings) {
            Collector c = new Collector();
            FrameStreamDecoder d = new FrameStreamDecoder(c);
            int pos = 0;
            while (pos < all.length) {
                int n = Math.min(all.length - pos, chunking[0] == 1 ? 1 : 1 + r.nextInt(chunking[0]));
                ByteBuffer chunk = ByteBuffer.wrap(all, pos, n).slice();
                d.feed(chunk);
                assertThat(chunk.hasRemaining()).isFalse();
                pos += n;
            }
            assertThat(c.frames).as("chunking %s", chunking[0]).hasSize(sent.size());
            for (int i = 0; i < sent.size(); i++) {
                assertThat(c.frames.get(i)).isEqualTo(sent.get(i));
            }
            assertThat(d.inRecord()).isFalse();
            assertThat(d.framingErrors()).isZero();
        }
        for (int split = 0; split <= all.length; split++) {
            Collector c = new Collector();
            FrameStreamDecoder d = new FrameStreamDecoder(c);
            d.feed(ByteBuffer.wrap(all, 0, split));
            d.feed(ByteBuffer.wrap(all, split, all.length - split));
            assertThat(c.frames).hasSize(sent.size());
            assertThat(c.frames.getLast()).isEqualTo(sent.getLast());
        }
    }

    @Test
    void zeroLengthIsSkippedShortRecordsAreDroppedAndCounted() {
        Collector c = new Collector();
        PortStatistics stats = new PortStatistics();
        FrameStreamDecoder d = new FrameStreamDecoder(c, stats);
        byte[] good = Frames.frame("02:00:00:00:00:02", "02:00:00:00:00:01", 2, 3);
        d.feed(ByteBuffer.wrap(HEX.parseHex("0000" + "0003aabbcc" + "0000" + HEX.formatHex(FrameStreamEncoder.encode(good)))));
        assertThat(c.frames).containsExactly(good);
        assertThat(d.zeroLengthRecords()).isEqualTo(2);
        assertThat(d.shortFrames()).isEqualTo(1);
        assertThat(stats.droppedBadLength.sum()).isEqualTo(1);
        assertThat(d.frames()).isEqualTo(1);
    }

    @Test
    void aLengthAboveTheLargestFrameDiscardsTheChunkAndDecodingResumesWithTheNext() {
        Collector c = new Collector();
        PortStatistics stats = new PortStatistics();
        FrameStreamDecoder d = new FrameStreamDecoder(c, stats);
        byte[] before = Frames.frame("02:00:00:00:00:02", "02:00:00:00:00:01", 20, 1);
        byte[] after = Frames.frame("02:00:00:00:00:02", "02:00:00:00:00:01", 30, 2);
        ByteArrayOutputStream chunk = new ByteArrayOutputStream();
        chunk.writeBytes(FrameStreamEncoder.encode(before));
        chunk.writeBytes(HEX.parseHex("2413")); // 9235: more than any frame
        chunk.writeBytes(new byte[50]);
        chunk.writeBytes(FrameStreamEncoder.encode(after)); // lost with the rest of this chunk
        d.feed(ByteBuffer.wrap(chunk.toByteArray()));
        assertThat(c.frames).containsExactly(before);
        assertThat(d.framingErrors()).isEqualTo(1);
        assertThat(d.discardedBytes()).isEqualTo(50 + 2 + after.length);
        assertThat(stats.droppedMalformed.sum()).isEqualTo(1);
        assertThat(d.inRecord()).isFalse();
        d.feed(ByteBuffer.wrap(FrameStreamEncoder.encode(after)));
        assertThat(c.frames).containsExactly(before, after);
        // 0xffff as well, split between chunks
        d.feed(ByteBuffer.wrap(HEX.parseHex("ff")));
        assertThat(d.inRecord()).isTrue();
        d.feed(ByteBuffer.wrap(HEX.parseHex("ff0102")));
        assertThat(d.framingErrors()).isEqualTo(2);
        assertThat(d.inRecord()).isFalse();
    }

    @Test
    void aThrowingSinkLosesOnlyItsFrame() {
        List<byte[]> got = new ArrayList<>();
        FrameStreamDecoder d = new FrameStreamDecoder(frame -> {
            if (got.isEmpty() && frame.remaining() == 20) {
                got.add(null);
                throw new IllegalStateException("boom");
            }
            byte[] b = new byte[frame.remaining()];
            frame.get(frame.position(), b);
            got.add(b);
        });
        byte[] a = new byte[20];
        byte[] b = new byte[21];
        ByteArrayOutputStream s = new ByteArrayOutputStream();
        s.writeBytes(FrameStreamEncoder.encode(a));
        s.writeBytes(FrameStreamEncoder.encode(b));
        assertThat(d.feed(ByteBuffer.wrap(s.toByteArray()))).isEqualTo(2);
        assertThat(got).hasSize(2);
        assertThat(got.get(1)).isEqualTo(b);
    }

    @Test
    void inRecordTellsATruncatedStream() {
        FrameStreamDecoder d = new FrameStreamDecoder(new Collector());
        byte[] record = FrameStreamEncoder.encode(new byte[40]);
        d.feed(ByteBuffer.wrap(record, 0, 10));
        assertThat(d.inRecord()).isTrue();
        d.feed(ByteBuffer.wrap(record, 10, record.length - 10));
        assertThat(d.inRecord()).isFalse();
        assertThat(d.frames()).isEqualTo(1);
    }
}
