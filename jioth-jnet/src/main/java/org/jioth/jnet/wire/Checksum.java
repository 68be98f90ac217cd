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
        // a direct buffer: longs in the buffer's order (big-endian unless changed), the same
        // 64-bit sum with counted carries as the array path
        int i = off;
        int end = off + len;
        long s = 0;
        long carries = 0;
        while (end - i >= 16) {
            long w0 = b.getLong(i);
            long w1 = b.getLong(i + 8);
            s += w0;
            carries += Long.compareUnsigned(s, w0) >>> 63;
            s += w1;
            carries += Long.compareUnsigned(s, w1) >>> 63;
            i += 16;
        }
        if (end - i >= 8) {
            long w = b.getLong(i);
            s += w;
            carries += Long.compareUnsigned(s, w) >>> 63;
            i += 8;
        }
        return addTail(b, i, end, acc + fold((s >>> 32) + (s & 0xffffffffL) + carries));
    }

    /**
     * The fast path over a byte array: 32 bytes per step as four little-endian longs added into one
     * 64-bit sum, each carry out of bit 63 counted apart and added back at the end (end-around
     * carry). RFC 1071's byte-order independence lets us sum in little-endian order and swap the
     * folded 16-bit result once.
     */
    static long add(byte[] a, int off, int len, long acc) {
        int i = off;
        int end = off + len;
        long s = 0;
        long carries = 0;
        while (end - i >= 32) {
            long w0 = (long) LONGS_LE.get(a, i);
            long w1 = (long) LONGS_LE.get(a, i + 8);
            long w2 = (long) LONGS_LE.get(a, i + 16);
            long w3 = (long) LONGS_LE.get(a, i + 24);
            s += w0;
            carries += Long.compareUnsigned(s, w0) >>> 63;
            s += w1;
            carries += Long.compareUnsigned(s, w1) >>> 63;
            s += w2;
            carries += Long.compareUnsigned(s, w2) >>> 63;
            s += w3;
            carries += Long.compareUnsigned(s, w3) >>> 63;
            i += 32;
        }
        while (end - i >= 8) {
            long w = (long) LONGS_LE.get(a, i);
            s += w;
            carries += Long.compareUnsigned(s, w) >>> 63;
            i += 8;
        }
        return addTail(a, i, end, acc + swappedFold(s, carries));
    }

    /**
     * Copies {@code len} bytes from {@code src[srcOff..]} to {@code dst[dstOff..]} and adds them to
     * {@code acc}, in one pass (each long is read once, stored and summed): the sum equals
     * {@link #add(byte[], int, int, long)} over the copy.
     */
    static long copyAndAdd(byte[] src, int srcOff, byte[] dst, int dstOff, int len, long acc) {
        java.util.Objects.checkFromIndexSize(srcOff, len, src.length);
        java.util.Objects.checkFromIndexSize(dstOff, len, dst.length);
        int i = 0;
        long s = 0;
        long carries = 0;
        while (len - i >= 32) {
            long w0 = (long) LONGS_LE.get(src, srcOff + i);
            long w1 = (long) LONGS_LE.get(src, srcOff + i + 8);
            long w2 = (long) LONGS_LE.get(src, srcOff + i + 16);
            long w3 = (long) LONGS_LE.get(src, srcOff + i + 24);
            LONGS_LE.set(dst, dstOff + i, w0);
            LONGS_LE.set(dst, dstOff + i + 8, w1);
            LONGS_LE.set(dst, dstOff + i + 16, w2);
            LONGS_LE.set(dst, dstOff + i + 24, w3);
            s += w0;
            carries += Long.compareUnsigned(s, w0) >>> 63;
            s += w1;
            carries += Long.compareUnsigned(s, w1) >>> 63;
            s += w2;
            carries += Long.compareUnsigned(s, w2) >>> 63;
            s += w3;
            carries += Long.compareUnsigned(s, w3) >>> 63;
            i += 32;
        }
        while (len - i >= 8) {
            long w = (long) LONGS_LE.get(src, srcOff + i);
            LONGS_LE.set(dst, dstOff + i, w);
            s += w;
            carries += Long.compareUnsigned(s, w) >>> 63;
            i += 8;
        }
        System.arraycopy(src, srcOff + i, dst, dstOff + i, len - i);
        return addTail(dst, dstOff + i, dstOff + len, acc + swappedFold(s, carries));
    }

    /**
     * Copies {@code len} bytes from {@code src} at absolute {@code srcOff} to {@code dst} at absolute
     * {@code dstOff} (positions and limits untouched) and returns {@code acc} plus their sum, as
     * {@link #add(ByteBuffer, int, int, long)} over the copy would: one pass where both are heap
     * buffers. The copy must start at an even offset of the checksummed data (else see
     * {@link #atOddOffset}).
     */
    public static long copyAndAdd(ByteBuffer src, int srcOff, ByteBuffer dst, int dstOff, int len, long acc) {
        if (src.hasArray() && dst.hasArray() && !dst.isReadOnly()) {
            java.util.Objects.checkFromIndexSize(srcOff, len, src.limit());
            java.util.Objects.checkFromIndexSize(dstOff, len, dst.limit());
            return copyAndAdd(src.array(), src.arrayOffset() + srcOff, dst.array(), dst.arrayOffset() + dstOff, len, acc);
        }
        dst.put(dstOff, src, srcOff, len);
        return add(dst, dstOff, len, acc);
    }

    /** As {@link #copyAndAdd(ByteBuffer, int, ByteBuffer, int, int, long)} from a byte array. */
    public static long copyAndAdd(byte[] src, int srcOff, ByteBuffer dst, int dstOff, int len, long acc) {
        if (dst.hasArray() && !dst.isReadOnly()) {
            java.util.Objects.checkFromIndexSize(dstOff, len, dst.limit());
            return copyAndAdd(src, srcOff, dst.array(), dst.arrayOffset() + dstOff, len, acc);
        }
        dst.put(dstOff, src, srcOff, len);
        return add(dst, dstOff, len, acc);
    }

    /**
     * The sum of a piece that starts at an odd offset of the checksummed data, from its sum taken
     * as if it started at an even one: RFC 1071 (byte-order independence) makes it the byte swap.
     */
    public static long atOddOffset(long pieceSum) {
        int f = fold(pieceSum);
        return ((f & 0xff) << 8) | (f >>> 8);
    }

    /** Folds a little-endian 64-bit sum and its carries to 16 bits and swaps them to network order. */
    private static long swappedFold(long s, long carries) {
        int f = fold((s >>> 32) + (s & 0xffffffffL) + carries);
        return ((f & 0xff) << 8) | (f >>> 8);
    }

    private static long addTail(byte[] a, int i, int end, long acc) {
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
