package org.jioth.jnet.wire;

import java.nio.ByteBuffer;

/** IPv4 header view (RFC 791). Options are validated for length only and skipped. */
public final class Ipv4 {
    public static final int HEADER = 20;
    public static final int PROTO_ICMP = 1;
    public static final int PROTO_TCP = 6;
    public static final int PROTO_UDP = 17;
    public static final int FLAG_DF = 0x4000;
    public static final int FLAG_MF = 0x2000;

    /** What {@link #wrap} found. */
    public enum Check { OK, TRUNCATED, BAD_VERSION, BAD_HEADER_LENGTH, BAD_TOTAL_LENGTH, BAD_CHECKSUM }

    private ByteBuffer buf;
    private int off;

    /**
     * Views a datagram of at most {@code len} bytes (a link may pad it) at {@code off} and validates
     * version, IHL, total length against {@code len}, and the header checksum.
     */
    public Check wrap(ByteBuffer b, int off, int len) {
        this.buf = b;
        this.off = off;
        if (len < HEADER) {
            return Check.TRUNCATED;
        }
        int vihl = b.get(off) & 0xff;
        if (vihl >>> 4 != 4) {
            return Check.BAD_VERSION;
        }
        int hl = (vihl & 0xf) * 4;
        if (hl < HEADER || hl > len) {
            return Check.BAD_HEADER_LENGTH;
        }
        int total = totalLength();
        if (total < hl || total > len) {
            return Check.BAD_TOTAL_LENGTH;
        }
        if (Checksum.fold(Checksum.add(b, off, hl, 0)) != 0xffff) {
            return Check.BAD_CHECKSUM;
        }
        return Check.OK;
    }

    public int offset() {
        return off;
    }

    public int headerLength() {
        return (buf.get(off) & 0xf) * 4;
    }

    public int tos() {
        return buf.get(off + 1) & 0xff;
    }

    public int totalLength() {
        return buf.getShort(off + 2) & 0xffff;
    }

    public int identification() {
        return buf.getShort(off + 4) & 0xffff;
    }

    public boolean dontFragment() {
        return (buf.getShort(off + 6) & FLAG_DF) != 0;
    }

    public boolean moreFragments() {
        return (buf.getShort(off + 6) & FLAG_MF) != 0;
    }

    /** The fragment offset in bytes. */
    public int fragmentOffset() {
        return (buf.getShort(off + 6) & 0x1fff) * 8;
    }

    public boolean isFragment() {
        return (buf.getShort(off + 6) & (FLAG_MF | 0x1fff)) != 0;
    }

    public int ttl() {
        return buf.get(off + 8) & 0xff;
    }

    public int protocol() {
        return buf.get(off + 9) & 0xff;
    }

    public int checksum() {
        return buf.getShort(off + 10) & 0xffff;
    }

    public int source() {
        return buf.getInt(off + 12);
    }

    public int destination() {
        return buf.getInt(off + 16);
    }

    public int payloadOffset() {
        return off + headerLength();
    }

    public int payloadLength() {
        return totalLength() - headerLength();
    }

    /** Decrements the TTL in place, updating the checksum incrementally (RFC 1624). */
    public void decrementTtl() {
        int oldWord = buf.getShort(off + 8) & 0xffff;
        int newWord = oldWord - 0x100;
        buf.putShort(off + 8, (short) newWord);
        buf.putShort(off + 10, (short) Checksum.adjust(checksum(), oldWord, newWord));
    }

    /**
     * Writes a 20-byte header (no options) at {@code off}, checksum included.
     *
     * @param flagsAndOffset the flags bits ({@link #FLAG_DF}, {@link #FLAG_MF}) or-ed with the
     *                       fragment offset in 8-byte units
     */
    public static void emit(ByteBuffer b, int off, int tos, int totalLength, int id, int flagsAndOffset,
                            int ttl, int protocol, int src, int dst) {
        b.put(off, (byte) 0x45);
        b.put(off + 1, (byte) tos);
        b.putShort(off + 2, (short) totalLength);
        b.putShort(off + 4, (short) id);
        b.putShort(off + 6, (short) flagsAndOffset);
        b.put(off + 8, (byte) ttl);
        b.put(off + 9, (byte) protocol);
        b.putShort(off + 10, (short) 0);
        b.putInt(off + 12, src);
        b.putInt(off + 16, dst);
        b.putShort(off + 10, (short) Checksum.of(b, off, HEADER));
    }
}
