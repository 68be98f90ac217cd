package org.jioth.vde.ip;

import java.nio.ByteBuffer;

/**
 * The 8-byte header that precedes every frame of vxvde and vxlan (RFC 7348): flags {@code 0x08}
 * (VNI present), three reserved zero bytes, the 24-bit VNI big-endian, one reserved zero byte.
 */
public final class VxHeader {
    public static final int LENGTH = 8;
    public static final int FLAG_VNI = 0x08;
    public static final int MAX_VNI = 0xFF_FFFF;

    private VxHeader() {
    }

    /** Writes the header for {@code vni} at {@code offset} (absolute; positions unchanged). */
    public static void write(ByteBuffer buf, int offset, int vni) {
        buf.putInt(offset, FLAG_VNI << 24);
        buf.putInt(offset + 4, (vni & MAX_VNI) << 8);
    }

    /** The header as a new array, for tests and goodbye messages. */
    public static byte[] bytes(int vni) {
        byte[] b = new byte[LENGTH];
        write(ByteBuffer.wrap(b), 0, vni);
        return b;
    }

    /** vxvde's check: all 8 bytes equal our own header exactly (flags, zeros, VNI). */
    public static boolean matchesExactly(ByteBuffer buf, int offset, int vni) {
        return buf.getInt(offset) == FLAG_VNI << 24 && buf.getInt(offset + 4) == (vni & MAX_VNI) << 8;
    }

    /** vxlan's check (as the reference does): flags byte is 0x08 and the VNI matches; reserved bytes ignored. */
    public static boolean matchesVxlan(ByteBuffer buf, int offset, int vni) {
        return (buf.get(offset) & 0xFF) == FLAG_VNI && vniOf(buf, offset) == (vni & MAX_VNI);
    }

    public static int vniOf(ByteBuffer buf, int offset) {
        return buf.getInt(offset + 4) >>> 8;
    }
}
