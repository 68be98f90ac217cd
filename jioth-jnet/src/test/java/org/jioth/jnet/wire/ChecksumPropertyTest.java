package org.jioth.jnet.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Seeded property tests: every checksum path (heap, direct, fused copy, split at an odd byte)
 * agrees with a plain RFC 1071 word-by-word reference, for random offsets, lengths (odd ones
 * included) and contents, and for the contents that stress carries (all 0xFF, all zero).
 */
class ChecksumPropertyTest {
    private static final int CASES = 3000;

    /** RFC 1071 word by word: big-endian 16-bit words, an odd last byte padded on the right. */
    private static long reference(byte[] a, int off, int len, long acc) {
        for (int i = 0; i + 1 < len; i += 2) {
            acc += ((a[off + i] & 0xff) << 8) | (a[off + i + 1] & 0xff);
        }
        if ((len & 1) != 0) {
            acc += (a[off + len - 1] & 0xff) << 8;
        }
        return acc;
    }

    private static byte[] contents(SplittableRandom r, int n) {
        byte[] a = new byte[n];
        switch (r.nextInt(4)) {
            case 0 -> Arrays.fill(a, (byte) 0xff);
            case 1 -> { } // all zero
            case 2 -> {
                r.nextBytes(a);
                for (int i = 0; i < n; i++) {
                    a[i] |= (byte) 0xf0; // mostly high bits: many carries
                }
            }
            default -> r.nextBytes(a);
        }
        return a;
    }

    private static int length(SplittableRandom r) {
        return switch (r.nextInt(3)) {
            case 0 -> r.nextInt(0, 80);
            case 1 -> r.nextInt(0, 1600);
            default -> r.nextInt(0, 65_536);
        };
    }

    @Test
    void everyPathAgreesWithTheWordByWordReference() {
        SplittableRandom r = new SplittableRandom(15);
        for (int n = 0; n < CASES; n++) {
            int len = length(r);
            int off = r.nextInt(0, 17);
            byte[] a = contents(r, off + len + r.nextInt(0, 9));
            long seed = r.nextLong(0, 1L << 40);
            int want = Checksum.fold(reference(a, off, len, seed));
            ByteBuffer heap = ByteBuffer.wrap(a);
            ByteBuffer direct = ByteBuffer.allocateDirect(a.length).put(0, a);
            assertThat(Checksum.fold(Checksum.add(heap, off, len, seed))).as("heap case %d: %d+%d", n, off, len).isEqualTo(want);
            assertThat(Checksum.fold(Checksum.add(direct, off, len, seed))).as("direct case %d: %d+%d", n, off, len).isEqualTo(want);
        }
    }

    @Test
    void fusedCopyCopiesExactlyAndSumsLikeTheReference() {
        SplittableRandom r = new SplittableRandom(16);
        for (int n = 0; n < CASES; n++) {
            int len = length(r);
            int srcOff = r.nextInt(0, 17);
            int dstOff = r.nextInt(0, 17);
            byte[] src = contents(r, srcOff + len + r.nextInt(0, 9));
            byte[] dst = new byte[dstOff + len + 8];
            Arrays.fill(dst, (byte) 0x5a);
            long seed = r.nextLong(0, 1L << 40);
            int want = Checksum.fold(reference(src, srcOff, len, seed));
            ByteBuffer d = r.nextBoolean() ? ByteBuffer.wrap(dst) : ByteBuffer.allocateDirect(dst.length).put(0, dst);
            long got = r.nextBoolean()
                    ? Checksum.copyAndAdd(src, srcOff, d, dstOff, len, seed)
                    : Checksum.copyAndAdd(ByteBuffer.wrap(src), srcOff, d, dstOff, len, seed);
            assertThat(Checksum.fold(got)).as("case %d: %d->%d+%d", n, srcOff, dstOff, len).isEqualTo(want);
            byte[] after = new byte[dst.length];
            d.get(0, after);
            assertThat(Arrays.copyOfRange(after, dstOff, dstOff + len)).isEqualTo(Arrays.copyOfRange(src, srcOff, srcOff + len));
            assertThat(Arrays.copyOfRange(after, 0, dstOff)).isEqualTo(filler(dstOff));
            assertThat(Arrays.copyOfRange(after, dstOff + len, after.length)).isEqualTo(filler(after.length - dstOff - len));
        }
    }

    private static byte[] filler(int n) {
        byte[] f = new byte[n];
        Arrays.fill(f, (byte) 0x5a);
        return f;
    }

    @Test
    void aPieceAtAnOddOffsetIsTheSwappedSum() {
        SplittableRandom r = new SplittableRandom(17);
        for (int n = 0; n < CASES; n++) {
            int len = length(r) + 2;
            byte[] a = contents(r, len);
            int cut = r.nextInt(1, len) | 1; // an odd split: the second piece starts at an odd offset
            if (cut >= len) {
                continue;
            }
            long first = Checksum.add(a, 0, cut, 0);
            long second = Checksum.atOddOffset(Checksum.add(a, cut, len - cut, 0));
            assertThat(Checksum.fold(first + second)).as("case %d: %d split at %d", n, len, cut)
                    .isEqualTo(Checksum.fold(reference(a, 0, len, 0)));
        }
    }
}
