package org.jioth.jnet.wire;

import java.nio.ByteBuffer;

/**
 * Ethernet II frame view. One 802.1Q tag is tolerated (skipped; the VLAN is not interpreted).
 * {@link #wrap} checks only that the headers fit.
 */
public final class Ethernet {
    public static final int HEADER = 14;
    public static final int TYPE_IPV4 = 0x0800;
    public static final int TYPE_ARP = 0x0806;
    public static final int TYPE_VLAN = 0x8100;
    public static final int TYPE_IPV6 = 0x86dd;

    private ByteBuffer buf;
    private int off;
    private int end;
    private int type;
    private int payload;

    /** Views {@code len} bytes at {@code off}; false when the headers do not fit. */
    public boolean wrap(ByteBuffer b, int off, int len) {
        this.buf = b;
        this.off = off;
        this.end = off + len;
        if (len < HEADER) {
            return false;
        }
        type = b.getShort(off + 12) & 0xffff;
        payload = off + HEADER;
        if (type == TYPE_VLAN) {
            if (len < HEADER + 4) {
                return false;
            }
            type = b.getShort(off + 16) & 0xffff;
            payload += 4;
        }
        return true;
    }

    public long destination() {
        return Mac.get(buf, off);
    }

    public long source() {
        return Mac.get(buf, off + 6);
    }

    /** The ethertype after any VLAN tag. */
    public int etherType() {
        return type;
    }

    public int payloadOffset() {
        return payload;
    }

    public int payloadLength() {
        return end - payload;
    }

    /** Writes a 14-byte header at {@code off}. */
    public static void emit(ByteBuffer b, int off, long dst, long src, int type) {
        Mac.put(b, off, dst);
        Mac.put(b, off + 6, src);
        b.putShort(off + 12, (short) type);
    }
}
