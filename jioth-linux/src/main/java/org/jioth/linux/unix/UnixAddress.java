package org.jioth.linux.unix;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The Linux {@code struct sockaddr_un}: {@code sun_family} (u16, host order, AF_UNIX = 1) and
 * {@code sun_path[108]}, NUL padded; 110 bytes. The vde protocol sends it on the wire, so it is
 * also available as plain bytes.
 */
public final class UnixAddress {
    /** sizeof(struct sockaddr_un). */
    public static final int SIZE = UnixNative.SOCKADDR_UN_SIZE;
    /** The longest path that fits with its terminating NUL. */
    public static final int MAX_PATH = 107;

    private UnixAddress() {
    }

    /** The 110 bytes naming {@code path}; an {@link IllegalArgumentException} if it is too long. */
    public static byte[] encode(String path) {
        byte[] p = path.getBytes(StandardCharsets.UTF_8);
        if (p.length > MAX_PATH) {
            throw new IllegalArgumentException("AF_UNIX path longer than " + MAX_PATH + " bytes: " + path);
        }
        byte[] a = new byte[SIZE];
        short family = (short) UnixNative.AF_UNIX;
        if (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN) {
            a[0] = (byte) family;
            a[1] = (byte) (family >> 8);
        } else {
            a[0] = (byte) (family >> 8);
            a[1] = (byte) family;
        }
        System.arraycopy(p, 0, a, 2, p.length);
        return a;
    }

    public static byte[] encode(Path path) {
        return encode(path.toString());
    }

    /**
     * The path in {@code bytes} (up to the first NUL); null when the family is not AF_UNIX or the
     * address is unnamed.
     */
    public static String decode(byte[] bytes, int length) {
        if (length < 2) {
            return null;
        }
        int family = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN
                ? (bytes[0] & 0xff) | (bytes[1] & 0xff) << 8
                : (bytes[0] & 0xff) << 8 | (bytes[1] & 0xff);
        if (family != UnixNative.AF_UNIX) {
            return null;
        }
        int end = 2;
        while (end < length && bytes[end] != 0) {
            end++;
        }
        return end == 2 ? null : new String(bytes, 2, end - 2, StandardCharsets.UTF_8);
    }

    static String decode(MemorySegment seg, int length) {
        byte[] b = seg.asSlice(0, Math.min(length, SIZE)).toArray(ValueLayout.JAVA_BYTE);
        return decode(b, b.length);
    }
}
