package org.jioth.jnet.wire;

import java.nio.ByteBuffer;

/**
 * UDP header view (RFC 768) with the pseudo-header checksum of either family (int forms: IPv4
 * addresses; long forms: an {@link Ip128#addressSum}). Over IPv6 the checksum is mandatory
 * (RFC 8200 8.1): {@link #wrap6} refuses a zero one.
 */
public final class Udp {
    public static final int HEADER = 8;

    /** What {@link #wrap} found. */
    public enum Check { OK, TRUNCATED, BAD_LENGTH, BAD_CHECKSUM }

    private ByteBuffer buf;
    private int off;

    /**
     * Views a UDP datagram carried in {@code len} IP payload bytes from {@code src} to {@code dst};
     * the length field must fit in {@code len}; a non-zero checksum must verify.
     */
    public Check wrap(ByteBuffer b, int off, int len, int src, int dst) {
        return wrap(b, off, len, Checksum.addInt(Checksum.addInt(0, src), dst), false);
    }

    /** {@link #wrap(ByteBuffer, int, int, int, int)} over IPv6: a zero checksum is a bad one. */
    public Check wrap6(ByteBuffer b, int off, int len, long addressSum) {
        return wrap(b, off, len, addressSum, true);
    }

    private Check wrap(ByteBuffer b, int off, int len, long addressSum, boolean mandatory) {
        this.buf = b;
        this.off = off;
        if (len < HEADER) {
            return Check.TRUNCATED;
        }
        int ulen = length();
        if (ulen < HEADER || ulen > len) {
            return Check.BAD_LENGTH;
        }
        if (mandatory && checksum() == 0) {
            return Check.BAD_CHECKSUM;
        }
        if (checksum() != 0) {
            long sum = Checksum.add(b, off, ulen, addressSum + Ipv4.PROTO_UDP + ulen);
            if (Checksum.fold(sum) != 0xffff) {
                return Check.BAD_CHECKSUM;
            }
        }
        return Check.OK;
    }

    public int sourcePort() {
        return buf.getShort(off) & 0xffff;
    }

    public int destinationPort() {
        return buf.getShort(off + 2) & 0xffff;
    }

    public int length() {
        return buf.getShort(off + 4) & 0xffff;
    }

    public int checksum() {
        return buf.getShort(off + 6) & 0xffff;
    }

    public int payloadOffset() {
        return off + HEADER;
    }

    public int payloadLength() {
        return length() - HEADER;
    }

    /**
     * Writes the header for a datagram of {@code length} bytes (header included) whose payload is
     * already in place after it, with the checksum (0 is sent as 0xffff).
     */
    public static void emit(ByteBuffer b, int off, int sport, int dport, int length, int src, int dst) {
        emit(b, off, sport, dport, length, Checksum.addInt(Checksum.addInt(0, src), dst));
    }

    /** {@link #emit(ByteBuffer, int, int, int, int, int, int)} for either family. */
    public static void emit(ByteBuffer b, int off, int sport, int dport, int length, long addressSum) {
        b.putShort(off, (short) sport);
        b.putShort(off + 2, (short) dport);
        b.putShort(off + 4, (short) length);
        b.putShort(off + 6, (short) 0);
        int c = Checksum.finish(Checksum.add(b, off, length, addressSum + Ipv4.PROTO_UDP + length));
        b.putShort(off + 6, (short) (c == 0 ? 0xffff : c));
    }
}
