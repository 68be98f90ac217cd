package org.jioth.jnet.wire;

import java.nio.ByteBuffer;

/** ICMPv4 message view (RFC 792): type, code, checksum and the 4-byte rest of header. */
public final class Icmp4 {
    public static final int HEADER = 8;
    public static final int ECHO_REPLY = 0;
    public static final int DEST_UNREACHABLE = 3;
    public static final int ECHO_REQUEST = 8;
    public static final int TIME_EXCEEDED = 11;
    public static final int PARAMETER_PROBLEM = 12;

    public static final int CODE_NET_UNREACHABLE = 0;
    public static final int CODE_HOST_UNREACHABLE = 1;
    public static final int CODE_PROTOCOL_UNREACHABLE = 2;
    public static final int CODE_PORT_UNREACHABLE = 3;
    public static final int CODE_FRAGMENTATION_NEEDED = 4;
    public static final int CODE_TTL_EXCEEDED = 0;
    public static final int CODE_REASSEMBLY_EXCEEDED = 1;

    /** What {@link #wrap} found. */
    public enum Check { OK, TRUNCATED, BAD_CHECKSUM }

    private ByteBuffer buf;
    private int off;
    private int len;

    public Check wrap(ByteBuffer b, int off, int len) {
        this.buf = b;
        this.off = off;
        this.len = len;
        if (len < HEADER) {
            return Check.TRUNCATED;
        }
        if (Checksum.fold(Checksum.add(b, off, len, 0)) != 0xffff) {
            return Check.BAD_CHECKSUM;
        }
        return Check.OK;
    }

    public int type() {
        return buf.get(off) & 0xff;
    }

    public int code() {
        return buf.get(off + 1) & 0xff;
    }

    /** Echo identifier. */
    public int identifier() {
        return buf.getShort(off + 4) & 0xffff;
    }

    /** Echo sequence number. */
    public int sequence() {
        return buf.getShort(off + 6) & 0xffff;
    }

    /** For errors, the next-hop MTU of "fragmentation needed". */
    public int nextHopMtu() {
        return buf.getShort(off + 6) & 0xffff;
    }

    public int payloadOffset() {
        return off + HEADER;
    }

    public int payloadLength() {
        return len - HEADER;
    }

    /** Writes the 8-byte header; call {@link #finish} once the payload is in place. */
    public static void emit(ByteBuffer b, int off, int type, int code, int restOfHeader) {
        b.put(off, (byte) type);
        b.put(off + 1, (byte) code);
        b.putShort(off + 2, (short) 0);
        b.putInt(off + 4, restOfHeader);
    }

    /** Computes and stores the checksum over the whole message of {@code len} bytes. */
    public static void finish(ByteBuffer b, int off, int len) {
        b.putShort(off + 2, (short) 0);
        b.putShort(off + 2, (short) Checksum.of(b, off, len));
    }
}
