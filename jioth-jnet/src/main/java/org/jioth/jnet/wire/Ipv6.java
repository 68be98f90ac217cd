package org.jioth.jnet.wire;

import java.nio.ByteBuffer;

/**
 * IPv6 header view (RFC 8200) with a bounded walk of the extension headers: hop-by-hop only right
 * after the fixed header, routing headers with segments left refused (type 0 by RFC 5095, every
 * other type because we are not a router), destination options, and the fragment header (an
 * atomic fragment, offset 0 without M, is processed as a whole datagram, RFC 8021/6946). Options
 * are walked TLV by TLV; an unknown option is skipped or refused by its action bits (RFC 8200 4.2).
 * After a non-first fragment's header the walk stops (data follows, walked again once reassembled).
 */
public final class Ipv6 {
    public static final int HEADER = 40;
    public static final int HOP_BY_HOP = 0;
    public static final int TCP = 6;
    public static final int UDP = 17;
    public static final int ROUTING = 43;
    public static final int FRAGMENT = 44;
    public static final int ICMPV6 = 58;
    public static final int NO_NEXT = 59;
    public static final int DESTINATION_OPTIONS = 60;
    /** Extension headers walked at most; a longer chain is refused (a peer must not make us loop). */
    public static final int MAX_EXTENSION_HEADERS = 8;

    /** What {@link #wrap} found; all but OK and the ICMP-worthy ones are silent drops. */
    public enum Check {
        OK, TRUNCATED, BAD_VERSION, BAD_PAYLOAD_LENGTH, HOP_BY_HOP_NOT_FIRST, ROUTING_HEADER,
        TOO_MANY_HEADERS, BAD_OPTION, UNKNOWN_OPTION_DISCARD, UNKNOWN_OPTION_REPORT, INCOMPLETE_HEADER_CHAIN
    }

    private ByteBuffer buf;
    private int off;
    private int upper;
    private int upperOffset;
    private int upperPointer;
    private int errorPointer;
    private boolean fragment;
    private int fragmentOffset;
    private boolean moreFragments;
    private int fragmentId;
    private int fragmentHeaderOffset;
    private int fragmentNextHeaderAt;

    /** Views a datagram of at most {@code len} bytes at {@code off}, checks it and walks its extension headers. */
    public Check wrap(ByteBuffer b, int off, int len) {
        this.buf = b;
        this.off = off;
        this.fragment = false;
        this.errorPointer = -1;
        if (len < HEADER) {
            return Check.TRUNCATED;
        }
        if ((b.get(off) & 0xff) >>> 4 != 6) {
            return Check.BAD_VERSION;
        }
        int end = off + HEADER + payloadLength();
        if (end > off + len) {
            return Check.BAD_PAYLOAD_LENGTH;
        }
        int nh = b.get(off + 6) & 0xff;
        int p = off + HEADER;
        int prevNextHeaderAt = off + 6;
        for (int n = 0; ; n++) {
            if (!isExtension(nh) || fragment && !isAtomicFragment() && fragmentOffset != 0) {
                break; // after a non-first fragment's header come data bytes, not headers (walked once reassembled)
            }
            if (n == MAX_EXTENSION_HEADERS) {
                return Check.TOO_MANY_HEADERS;
            }
            // in a first fragment the headers after the fragment header are only measured (RFC 7112);
            // they are checked once the datagram is reassembled (RFC 8200 4.5)
            boolean deferred = fragment && moreFragments;
            if (nh == HOP_BY_HOP && p != off + HEADER && !deferred) {
                errorPointer = prevNextHeaderAt - off;
                return Check.HOP_BY_HOP_NOT_FIRST; // RFC 8200 4.1: ICMP parameter problem code 1
            }
            if (p + 8 > end) {
                return fragment ? Check.INCOMPLETE_HEADER_CHAIN : Check.TRUNCATED;
            }
            int next = b.get(p) & 0xff;
            int hlen = nh == FRAGMENT ? 8 : ((b.get(p + 1) & 0xff) + 1) * 8;
            if (p + hlen > end) {
                return fragment ? Check.INCOMPLETE_HEADER_CHAIN : Check.TRUNCATED;
            }
            switch (deferred ? NO_NEXT : nh) {
                case NO_NEXT -> { }
                case HOP_BY_HOP, DESTINATION_OPTIONS -> {
                    Check c = options(p + 2, p + hlen);
                    if (c != Check.OK) {
                        return c;
                    }
                }
                case ROUTING -> {
                    if ((b.get(p + 3) & 0xff) != 0) {
                        errorPointer = p + 2 - off; // the routing type (RFC 5095 for type 0, 8200 4.4 for others)
                        return Check.ROUTING_HEADER;
                    }
                }
                case FRAGMENT -> {
                    if (fragment) {
                        return Check.BAD_OPTION; // two fragment headers
                    }
                    int fo = b.getShort(p + 2) & 0xffff;
                    fragment = true;
                    fragmentOffset = fo & ~7;
                    moreFragments = (fo & 1) != 0;
                    fragmentId = b.getInt(p + 4);
                    fragmentHeaderOffset = p - off;
                    fragmentNextHeaderAt = prevNextHeaderAt - off;
                }
                default -> {
                    return Check.TOO_MANY_HEADERS; // unreachable: isExtension
                }
            }
            prevNextHeaderAt = p;
            nh = next;
            p += hlen;
        }
        upper = nh;
        upperOffset = p - off;
        upperPointer = prevNextHeaderAt - off;
        if (fragment && fragmentOffset == 0 && moreFragments && nh != NO_NEXT && p + upperMinimum(nh) > end) {
            return Check.INCOMPLETE_HEADER_CHAIN; // RFC 7112: the first fragment holds the whole header chain
        }
        return Check.OK;
    }

    private static int upperMinimum(int nh) {
        return switch (nh) {
            case TCP -> 20;
            case UDP, ICMPV6 -> nh == UDP ? 8 : 4;
            default -> 0;
        };
    }

    static boolean isExtension(int nh) {
        return nh == HOP_BY_HOP || nh == ROUTING || nh == FRAGMENT || nh == DESTINATION_OPTIONS;
    }

    private Check options(int p, int end) {
        while (p < end) {
            int type = buf.get(p) & 0xff;
            if (type == 0) { // Pad1
                p++;
                continue;
            }
            if (p + 2 > end) {
                errorPointer = p - off;
                return Check.BAD_OPTION;
            }
            int olen = buf.get(p + 1) & 0xff;
            if (p + 2 + olen > end) {
                errorPointer = p + 1 - off;
                return Check.BAD_OPTION;
            }
            if (type != 1 && type != 5) { // not PadN or Router Alert (RFC 2711, used by MLD)
                switch (type >>> 6) {
                    case 0 -> { }
                    case 1 -> {
                        return Check.UNKNOWN_OPTION_DISCARD;
                    }
                    default -> {
                        errorPointer = p - off;
                        return Check.UNKNOWN_OPTION_REPORT; // ICMP parameter problem code 2 (type 3: unless multicast)
                    }
                }
            }
            p += 2 + olen;
        }
        return Check.OK;
    }

    public int offset() {
        return off;
    }

    public int trafficClass() {
        return (buf.getShort(off) >>> 4) & 0xff;
    }

    public int flowLabel() {
        return buf.getInt(off) & 0xfffff;
    }

    public int payloadLength() {
        return buf.getShort(off + 4) & 0xffff;
    }

    public int hopLimit() {
        return buf.get(off + 7) & 0xff;
    }

    /** The upper-layer protocol after the extension headers (in a non-first fragment: FRAGMENT's next). */
    public int upperProtocol() {
        return upper;
    }

    /** Where the upper-layer header starts, from the IPv6 header. */
    public int upperOffset() {
        return upperOffset;
    }

    /** The offset of the next-header field that names the upper-layer protocol (for "unrecognized next header"). */
    public int upperPointer() {
        return upperPointer;
    }

    /** For an ICMPv6 parameter problem: the offset of the offending byte, or -1. */
    public int errorPointer() {
        return errorPointer;
    }

    public boolean hasFragmentHeader() {
        return fragment;
    }

    /** An atomic fragment (RFC 8021/6946): a fragment header with offset 0 and no M flag, processed whole. */
    public boolean isAtomicFragment() {
        return fragment && fragmentOffset == 0 && !moreFragments;
    }

    public int fragmentOffset() {
        return fragmentOffset;
    }

    public boolean moreFragments() {
        return moreFragments;
    }

    public int fragmentId() {
        return fragmentId;
    }

    public int fragmentHeaderOffset() {
        return fragmentHeaderOffset;
    }

    /** The offset of the next-header field that names the fragment header (rewritten on reassembly). */
    public int fragmentNextHeaderAt() {
        return fragmentNextHeaderAt;
    }

    /** Copies the source address into {@code to} (16 bytes). */
    public byte[] source(byte[] to) {
        buf.get(off + 8, to, 0, 16);
        return to;
    }

    /** Copies the destination address into {@code to} (16 bytes). */
    public byte[] destination(byte[] to) {
        buf.get(off + 24, to, 0, 16);
        return to;
    }

    /** Writes a fixed header at {@code off}. */
    public static void emit(ByteBuffer b, int off, int trafficClass, int flowLabel, int payloadLength, int nextHeader,
                            int hopLimit, byte[] src, byte[] dst) {
        b.putInt(off, 6 << 28 | (trafficClass & 0xff) << 20 | flowLabel & 0xfffff);
        b.putShort(off + 4, (short) payloadLength);
        b.put(off + 6, (byte) nextHeader);
        b.put(off + 7, (byte) hopLimit);
        b.put(off + 8, src, 0, 16);
        b.put(off + 24, dst, 0, 16);
    }

    /** The RFC 8200 8.1 pseudo-header sum of the datagram at {@code ipOff}: addresses, upper length, next header. */
    public static long pseudoHeader(ByteBuffer b, int ipOff, int upperLength, int nextHeader) {
        long acc = Checksum.add(b, ipOff + 8, 32, 0);
        acc = Checksum.addInt(acc, upperLength);
        return Checksum.addInt(acc, nextHeader);
    }
}
