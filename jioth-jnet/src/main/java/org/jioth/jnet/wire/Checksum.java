package org.jioth.jnet.wire;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The Internet checksum (RFC 1071): the one's complement of the one's complement sum of 16-bit
 * words. Sums are carried in a {@code long} so pieces (pseudo-header, header, payload) can be
 * added separately and folded once; every piece but the last must have even length.
 */
public final class Checksum {
    private Checksum() {
    }

    /** Little-endian long view of byte arrays: the native order on the usual hosts, so no byte swaps. */
    private static final VarHandle LONGS_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /** Adds {@code len} bytes at absolute offset {@code off} (odd tail padded with a zero byte). */
    public static long add(ByteBuffer b, int off, int len, long acc) {
        if (off < 0 || len < 0 || off + len > b.limit()) {
            throw new IndexOutOfBoundsException("checksum range " + off + "+" + len + " outside the buffer's limit " + b.limit());
        }
        if (b.hasArray()) {
            return add(b.array(), b.arrayOffset() + off, len, acc);
        }
        int i = off;
        int end = off + len;
        while (end - i >= 8) {
            long w = b.getLong(i);
            acc += (w >>> 32) + (w & 0xffffffffL);
            i += 8;
        }
        return addTail(b, i, end, acc);
    }

    /**
     * The fast path over a byte array: 16 bytes per step as two little-endian longs, each split
     * into 32-bit halves (so no carry is lost in the 64-bit sums). RFC 1071's byte-order
     * independence lets us sum in little-endian order and swap the folded 16-bit result once.
     */
    static long add(byte[] a, int off, int len, long acc) {
        int i = off;
        int end = off + len;
        long s1 = 0;
        long s2 = 0;
        while (end - i >= 16) {
            long w = (long) LONGS_LE.get(a, i);
            long v = (long) LONGS_LE.get(a, i + 8);
            s1 += (w >>> 32) + (w & 0xffffffffL);
            s2 += (v >>> 32) + (v & 0xffffffffL);
            i += 16;
        }
        if (end - i >= 8) {
            long w = (long) LONGS_LE.get(a, i);
            s1 += (w >>> 32) + (w & 0xffffffffL);
            i += 8;
        }
        int swapped = fold(s1 + s2);
        acc += ((swapped & 0xff) << 8) | (swapped >>> 8);
        while (end - i >= 2) {
            acc += ((a[i] & 0xff) << 8) | (a[i + 1] & 0xff);
            i += 2;
        }
        if (i < end) {
            acc += (a[i] & 0xff) << 8;
        }
        return acc;
    }

    private static long addTail(ByteBuffer b, int i, int end, long acc) {
        while (end - i >= 2) {
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
        // fixed steps, no loop: 64 bits -> at most 33 -> 18 -> 17 -> 16
        acc = (acc & 0xffffffffL) + (acc >>> 32);
        acc = (acc & 0xffff) + (acc >>> 16);
        acc = (acc & 0xffff) + (acc >>> 16);
        acc = (acc & 0xffff) + (acc >>> 16);
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
