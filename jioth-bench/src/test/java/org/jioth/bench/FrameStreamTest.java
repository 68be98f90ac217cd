package org.jioth.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The private stdin/stdout framing of the benchmark: records split and coalesced arbitrarily. */
class FrameStreamTest {

    @Test
    void encodesLengthBigEndianThenTheFrame() {
        byte[] frame = VdeBench.frame(300);
        byte[] stream = FrameStream.encode(frame, 2);
        assertThat(stream).hasSize(2 * 302);
        assertThat(stream[0]).isEqualTo((byte) 0x01);
        assertThat(stream[1]).isEqualTo((byte) 0x2c);
        assertThat(stream[302]).isEqualTo((byte) 0x01);
        assertThat(stream[303]).isEqualTo((byte) 0x2c);
        assertThat(java.util.Arrays.copyOfRange(stream, 304, 604)).isEqualTo(frame);
    }

    @Test
    void decoderReassemblesRecordsFedOneByteOrManyAtATime() {
        byte[] a = FrameStream.encode(VdeBench.frame(64), 5);
        byte[] b = FrameStream.encode(VdeBench.frame(1514), 3);
        byte[] empty = {0, 0}; // a zero-length record is skipped
        byte[] stream = new byte[a.length + empty.length + b.length];
        System.arraycopy(a, 0, stream, 0, a.length);
        System.arraycopy(empty, 0, stream, a.length, empty.length);
        System.arraycopy(b, 0, stream, a.length + empty.length, b.length);
        for (int piece : new int[] {1, 2, 3, 63, 1000, stream.length}) {
            FrameCounter counter = new FrameCounter();
            counter.expect(64);
            FrameStream.Decoder d = new FrameStream.Decoder(counter);
            for (int i = 0; i < stream.length; i += piece) {
                d.feed(stream, i, Math.min(piece, stream.length - i));
            }
            assertThat(counter.count()).as("pieces of %d", piece).isEqualTo(5);
            assertThat(counter.others()).as("pieces of %d", piece).isEqualTo(3);
            assertThat(d.framingErrors).isZero();
        }
    }

    @Test
    void anOversizedLengthIsAFramingErrorNotAFrame() {
        FrameCounter counter = new FrameCounter();
        counter.expect(64);
        FrameStream.Decoder d = new FrameStream.Decoder(counter);
        d.feed(new byte[] {(byte) 0xff, (byte) 0xff}, 0, 2);
        assertThat(d.framingErrors).isEqualTo(1);
        assertThat(counter.count() + counter.others()).isZero();
    }
}
