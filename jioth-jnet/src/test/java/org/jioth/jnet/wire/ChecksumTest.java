package org.jioth.jnet.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ChecksumTest {

    @Test
    void rfc1071Example() {
        // RFC 1071 §3: bytes 00 01 f2 03 f4 f5 f6 f7 sum to ddf2 (one's complement), checksum 220d.
        ByteBuffer b = Hex.buf("0001f203f4f5f6f7");
        assertThat(Checksum.fold(Checksum.add(b, 0, 8, 0))).isEqualTo(0xddf2);
        assertThat(Checksum.of(b, 0, 8)).isEqualTo(0x220d);
    }

    @Test
    void piecesAddUpLikeTheWhole() {
        ByteBuffer b = Hex.buf("0001f203f4f5f6f7");
        long acc = Checksum.add(b, 0, 2, 0);
        acc = Checksum.add(b, 2, 6, acc);
        assertThat(Checksum.finish(acc)).isEqualTo(0x220d);
    }

    @Test
    void oddLengthPadsTheLastByteOnTheRight() {
        // 01 02 03 -> words 0102 + 0300 = 0402 -> checksum fbfd
        assertThat(Checksum.of(Hex.buf("010203"), 0, 3)).isEqualTo(0xfbfd);
    }

    @Test
    void classicIpv4HeaderVerifiesAndRecomputes() {
        ByteBuffer h = Hex.buf("4500 0073 0000 4000 4011 b861 c0a8 0001 c0a8 00c7");
        assertThat(Checksum.fold(Checksum.add(h, 0, 20, 0))).isEqualTo(0xffff);
        h.putShort(10, (short) 0);
        assertThat(Checksum.of(h, 0, 20)).isEqualTo(0xb861);
    }

    @Test
    void incrementalUpdateMatchesRecomputation() {
        SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i < 1000; i++) {
            byte[] data = new byte[20];
            r.nextBytes(data);
            ByteBuffer b = ByteBuffer.wrap(data);
            b.putShort(10, (short) 0);
            int c = Checksum.of(b, 0, 20);
            int oldWord = b.getShort(8) & 0xffff;
            int newWord = r.nextInt(0x10000);
            b.putShort(8, (short) newWord);
            int expect = Checksum.of(b, 0, 20);
            // RFC 1624: the two differ only in the representation of zero (0x0000 vs 0xffff)
            int got = Checksum.adjust(c, oldWord, newWord);
            assertThat(got == expect || (got ^ expect) == 0xffff && (got == 0 || expect == 0))
                    .as("iteration %d: %04x vs %04x", i, got, expect).isTrue();
        }
    }

    @Test
    void pseudoHeaderSum() {
        long s = Checksum.pseudoHeader(0xc0a8fa01, 0xc0a8fa02, 17, 11);
        assertThat(s).isEqualTo(0xc0a8 + 0xfa01 + 0xc0a8 + 0xfa02 + 17 + 11);
    }

    @Test
    void fastPathsAgreeWithAWordByWordSumForEveryOffsetAndLength() {
        java.util.Random r = new java.util.Random(7);
        byte[] data = new byte[1600];
        r.nextBytes(data);
        ByteBuffer heap = ByteBuffer.wrap(data);
        ByteBuffer direct = ByteBuffer.allocateDirect(data.length).put(0, data);
        // a heap buffer whose array starts before index 0 (arrayOffset 3)
        ByteBuffer slice = ByteBuffer.wrap(data).slice(3, data.length - 3);
        for (int off = 0; off < 24; off++) {
            for (int len = 0; len < 1500; len += (len < 40 ? 1 : 37)) {
                long seed = r.nextInt(1 << 20);
                long expect = seed;
                for (int i = 0; i + 1 < len; i += 2) {
                    expect += ((data[off + i] & 0xff) << 8) | (data[off + i + 1] & 0xff);
                }
                if ((len & 1) != 0) {
                    expect += (data[off + len - 1] & 0xff) << 8;
                }
                int want = Checksum.fold(expect);
                assertThat(Checksum.fold(Checksum.add(heap, off, len, seed))).as("heap %d+%d", off, len).isEqualTo(want);
                assertThat(Checksum.fold(Checksum.add(direct, off, len, seed))).as("direct %d+%d", off, len).isEqualTo(want);
                if (off >= 3) {
                    assertThat(Checksum.fold(Checksum.add(slice, off - 3, len, seed))).as("slice %d+%d", off, len)
                            .isEqualTo(want);
                }
            }
        }
    }

    @Test
    void rangesBeyondTheLimitAreRefused() {
        ByteBuffer b = ByteBuffer.allocate(64).limit(20);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Checksum.add(b, 10, 11, 0))
                .isInstanceOf(IndexOutOfBoundsException.class);
    }
}
