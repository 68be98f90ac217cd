package org.jioth.jnet.wire;

import java.nio.ByteBuffer;

/**
 * The Internet checksum (RFC 1071): the one's complement of the one's complement sum of 16-bit
 * words. Sums are carried in a {@code long} so pieces (pseudo-header, header, payload) can be
 * added separately and folded once; every piece but the last must have even length.
 */
public final class Checksum {
    private Checksum() {
    }

    /** Adds {@code len} bytes at absolute offset {@code off} (odd tail padded with a zero byte). */
    public static long add(ByteBuffer b, int off, int len, long acc) {
        int i = off;
        int end = off + len;
        while (end - i >= 4) {
            acc += b.getInt(i) & 0xffffffffL;
            i += 4;
        }
        if (end - i >= 2) {
            acc += b.getShort(i) & 0xffff;
            i += 2;
        }
        if (i < end) {
            acc += (b.get(i) & 0xff) << 8;
        }
        return acc;
    }

    /** Adds a 16-bit word. */
    public static long addWord(long acc, int word) {
        return acc + (word & 0xffff);
    }

    /** Adds a 32-bit value as two words (an IPv4 address). */
    public static long addInt(long acc, int value) {
        return acc + (value >>> 16) + (value & 0xffff);
    }

    /** Folds the carries into 16 bits: the one's complement sum. */
    public static int fold(long acc) {
        while ((acc >>> 16) != 0) {
            acc = (acc & 0xffff) + (acc >>> 16);
        }
        return (int) acc;
    }

    /** The checksum to store: the complement of the folded sum. */
    public static int finish(long acc) {
        return ~fold(acc) & 0xffff;
    }

    /** The checksum of {@code len} bytes at {@code off}. */
    public static int of(ByteBuffer b, int off, int len) {
        return finish(add(b, off, len, 0));
    }

    /** The IPv4 pseudo-header sum (RFC 768/793): addresses, protocol and upper-layer length. */
    public static long pseudoHeader(int src, int dst, int protocol, int length) {
        return addInt(addInt(0, src), dst) + protocol + length;
    }

    /**
     * Incremental update (RFC 1624, eqn. 3) of a stored checksum when one 16-bit word of the covered
     * data changes from {@code oldWord} to {@code newWord}.
     */
    public static int adjust(int checksum, int oldWord, int newWord) {
        long sum = (~checksum & 0xffff) + (~oldWord & 0xffff) + (newWord & 0xffff);
        return ~fold(sum) & 0xffff;
    }
}
