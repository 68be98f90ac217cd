package org.jioth.jnet.wire;

import java.nio.ByteBuffer;

/**
 * ICMPv6 message view and writer (RFC 4443). The checksum covers the RFC 8200 pseudo-header, so
 * {@link #wrap} and {@link #finish} take the IPv6 header's offset as well as the message's.
 */
public final class Icmp6 {
    public static final int HEADER = 8;
    public static final int DEST_UNREACHABLE = 1;
    public static final int PACKET_TOO_BIG = 2;
    public static final int TIME_EXCEEDED = 3;
    public static final int PARAMETER_PROBLEM = 4;
    public static final int ECHO_REQUEST = 128;
    public static final int ECHO_REPLY = 129;
    public static final int ROUTER_SOLICITATION = 133;
    public static final int ROUTER_ADVERTISEMENT = 134;
    public static final int NEIGHBOR_SOLICITATION = 135;
    public static final int NEIGHBOR_ADVERTISEMENT = 136;
    public static final int REDIRECT = 137;
    /** Parameter problem codes (RFC 4443 3.4). */
    public static final int CODE_ERRONEOUS_HEADER = 0;
    public static final int CODE_UNRECOGNIZED_NEXT_HEADER = 1;
    public static final int CODE_UNRECOGNIZED_OPTION = 2;
    /** Destination unreachable, port unreachable. */
    public static final int CODE_PORT_UNREACHABLE = 4;
    /** Time exceeded, fragment reassembly time exceeded. */
    public static final int CODE_REASSEMBLY_EXCEEDED = 1;

    public enum Check { OK, TRUNCATED, BAD_CHECKSUM }

    private ByteBuffer buf;
    private int off;
    private int len;

    /** Views the {@code len}-byte message at {@code off} of the datagram whose IPv6 header is at {@code ipOff}. */
    public Check wrap(ByteBuffer b, int ipOff, int off, int len) {
        this.buf = b;
        this.off = off;
        this.len = len;
        if (len < 4) {
            return Check.TRUNCATED;
        }
        long acc = Ipv6.pseudoHeader(b, ipOff, len, Ipv6.ICMPV6);
        if (Checksum.fold(Checksum.add(b, off, len, acc)) != 0xffff) {
            return Check.BAD_CHECKSUM;
        }
        return Check.OK;
    }

    /** True for error messages (types below 128, RFC 4443 2.1). */
    public static boolean isError(int type) {
        return type < 128;
    }

    public int type() {
        return buf.get(off) & 0xff;
    }

    public int code() {
        return buf.get(off + 1) & 0xff;
    }

    public int offset() {
        return off;
    }

    public int length() {
        return len;
    }

    /** The 32-bit word after the checksum (identifier and sequence, MTU, pointer, ND flags). */
    public int rest() {
        return len >= HEADER ? buf.getInt(off + 4) : 0;
    }

    public int identifier() {
        return len >= HEADER ? buf.getShort(off + 4) & 0xffff : -1;
    }

    public int sequence() {
        return len >= HEADER ? buf.getShort(off + 6) & 0xffff : -1;
    }

    /** Writes type, code, a zero checksum and the rest word at {@code off}. */
    public static void emit(ByteBuffer b, int off, int type, int code, int rest) {
        b.put(off, (byte) type);
        b.put(off + 1, (byte) code);
        b.putShort(off + 2, (short) 0);
        b.putInt(off + 4, rest);
    }

    /**
     * Stores the checksum of the {@code len}-byte message at {@code off}; the IPv6 header at
     * {@code ipOff} must already hold the addresses.
     */
    public static void finish(ByteBuffer b, int ipOff, int off, int len) {
        b.putShort(off + 2, (short) 0);
        long acc = Ipv6.pseudoHeader(b, ipOff, len, Ipv6.ICMPV6);
        b.putShort(off + 2, (short) Checksum.finish(Checksum.add(b, off, len, acc)));
    }
}
