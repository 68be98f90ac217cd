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
}
