package org.jioth.jnet.wire;

import java.nio.ByteBuffer;

/**
 * TCP header view (RFC 9293 3.1) with the pseudo-header checksum of either family (the int forms
 * take IPv4 addresses, the long forms an {@link Ip128#addressSum}); options via {@link TcpOptions}.
 */
public final class Tcp {
    public static final int HEADER = 20;
    public static final int MAX_HEADER = 60;
    public static final int FIN = 0x01;
    public static final int SYN = 0x02;
    public static final int RST = 0x04;
    public static final int PSH = 0x08;
    public static final int ACK = 0x10;
    public static final int URG = 0x20;
    public static final int ECE = 0x40;
    public static final int CWR = 0x80;

    /** What {@link #wrap} found. */
    public enum Check { OK, TRUNCATED, BAD_OFFSET, BAD_CHECKSUM }

    private ByteBuffer buf;
    private int off;
    private int len;

    /** Views a segment of {@code len} IP payload bytes from {@code src} to {@code dst}; verifies the checksum. */
    public Check wrap(ByteBuffer b, int off, int len, int src, int dst) {
        return wrap(b, off, len, Checksum.addInt(Checksum.addInt(0, src), dst));
    }

    /** {@link #wrap(ByteBuffer, int, int, int, int)} with the pseudo-header's address sum given. */
    public Check wrap(ByteBuffer b, int off, int len, long addressSum) {
        this.buf = b;
        this.off = off;
        this.len = len;
        if (len < HEADER) {
            return Check.TRUNCATED;
        }
        int hl = headerLength();
        if (hl < HEADER || hl > len) {
            return Check.BAD_OFFSET;
        }
        long sum = Checksum.add(b, off, len, addressSum + Ipv4.PROTO_TCP + len);
        if (Checksum.fold(sum) != 0xffff) {
            return Check.BAD_CHECKSUM;
        }
        return Check.OK;
    }

    public int sourcePort() {
        return buf.getShort(off) & 0xffff;
    }

    public int destinationPort() {
        return buf.getShort(off + 2) & 0xffff;
    }

    public int seq() {
        return buf.getInt(off + 4);
    }

    public int ack() {
        return buf.getInt(off + 8);
    }

    public int headerLength() {
        return ((buf.get(off + 12) & 0xf0) >>> 4) * 4;
    }

    public int flags() {
        return buf.get(off + 13) & 0xff;
    }

    public boolean has(int flag) {
        return (flags() & flag) != 0;
    }

    public int window() {
        return buf.getShort(off + 14) & 0xffff;
    }

    public int checksum() {
        return buf.getShort(off + 16) & 0xffff;
    }

    public int urgentPointer() {
        return buf.getShort(off + 18) & 0xffff;
    }

    public int payloadOffset() {
        return off + headerLength();
    }

    public int payloadLength() {
        return len - headerLength();
    }

    /** Parses the options into {@code into}; false when they are malformed. */
    public boolean options(TcpOptions into) {
        return into.parse(buf, off + HEADER, headerLength() - HEADER);
    }

    public ByteBuffer buffer() {
        return buf;
    }

    /** The header length a segment with {@code options} (null: none) will have. */
    public static int headerLength(TcpOptions options) {
        return HEADER + (options == null ? 0 : options.encodedLength());
    }

    /**
     * Writes the header and options at {@code off} for a segment whose {@code payloadLength} bytes
     * are already in place after the header ({@link #headerLength(TcpOptions)}), with the checksum.
     * Returns the segment's total length.
     */
    public static int emit(ByteBuffer b, int off, int sport, int dport, int seq, int ack, int flags, int window,
            TcpOptions options, int payloadLength, int src, int dst) {
        return emit(b, off, sport, dport, seq, ack, flags, window, options, payloadLength,
                Checksum.addInt(Checksum.addInt(0, src), dst));
    }

    /** {@link #emit(ByteBuffer, int, int, int, int, int, int, int, TcpOptions, int, int, int)} for either family. */
    public static int emit(ByteBuffer b, int off, int sport, int dport, int seq, int ack, int flags, int window,
            TcpOptions options, int payloadLength, long addressSum) {
        int hl = headerLength(options);
        b.putShort(off, (short) sport);
        b.putShort(off + 2, (short) dport);
        b.putInt(off + 4, seq);
        b.putInt(off + 8, ack);
        b.put(off + 12, (byte) ((hl / 4) << 4));
        b.put(off + 13, (byte) flags);
        b.putShort(off + 14, (short) window);
        b.putShort(off + 16, (short) 0);
        b.putShort(off + 18, (short) 0);
        if (options != null) {
            options.emit(b, off + HEADER);
        }
        int total = hl + payloadLength;
        int c = Checksum.finish(Checksum.add(b, off, total, addressSum + Ipv4.PROTO_TCP + total));
        b.putShort(off + 16, (short) c);
        return total;
    }
}
