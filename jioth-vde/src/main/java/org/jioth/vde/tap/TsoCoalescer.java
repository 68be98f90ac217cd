package org.jioth.vde.tap;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Joins the consecutive TCP/IPv4 segments of one flow that a sender hands over in one burst into
 * one TSO super-frame for a tap opened with IFF_VNET_HDR (what a VM's virtio NIC hands its tap):
 * the kernel then takes the burst as one packet (one write, one pass through its stack, checksum
 * trusted as CHECKSUM_PARTIAL), as it takes its own GRO'd packets. Segments join only while they
 * continue each other exactly: same addresses, ports, ack, window, TTL, TOS and options, sequence
 * numbers back to back, flags ACK or ACK|PSH, every segment but the last of the first one's size
 * (the {@code gso_size}); a PSH or a shorter segment ends the super-frame. Anything else (other
 * protocols, fragments, IP options, SYN/FIN/RST/URG/ECN) is no candidate and goes out alone.
 *
 * <p>The buffer holds {@code [virtio_net_hdr][frame]}; {@link #finish} writes the header (zero for
 * a lone segment, whose own checksum stays as the sender computed it) and returns the byte count
 * to write. Not thread-safe: the port calls it under its send lock.
 */
final class TsoCoalescer {
    /** {@code struct virtio_net_hdr}: flags, gso_type, hdr_len, gso_size, csum_start, csum_offset. */
    static final int VNET_HDR = 10;
    static final int NEEDS_CSUM = 1;
    static final int GSO_TCPV4 = 1;
    private static final int ETH = 14;
    private static final int IP = 20;
    private static final int TCP_FLAGS = ETH + IP + 13;
    private static final int ACK = 0x10;
    private static final int PSH = 0x08;
    /** The IPv4 total length field's limit. */
    private static final int MAX_IP_LENGTH = 65535;
    /** The buffer a coalescer needs: a header and the largest IPv4 packet in an Ethernet frame. */
    static final int CAPACITY = VNET_HDR + ETH + MAX_IP_LENGTH;

    private final ByteBuffer out;
    /**
     * The first frame's Ethernet, IP and TCP headers, on the heap: every later segment's headers
     * are compared with these (a native buffer's reads each check its memory session; this is
     * read per segment).
     */
    private final byte[] head = new byte[ETH + IP + 60];
    private int frameLength;
    private int segments;
    private int gsoSize;
    private int nextSeq;
    private int tcpHeaderLength;
    private boolean ended;

    TsoCoalescer(ByteBuffer out) {
        if (out.capacity() < CAPACITY) {
            throw new IllegalArgumentException("a TSO buffer needs " + CAPACITY + " bytes, got " + out.capacity());
        }
        this.out = out.order(ByteOrder.BIG_ENDIAN);
    }

    boolean isEmpty() {
        return frameLength == 0;
    }

    /** How many frames the pending super-frame holds. */
    int segments() {
        return segments;
    }

    /**
     * Takes the frame (position..limit, left unchanged) when it starts a super-frame (nothing
     * pending) or continues the pending one; false when the caller must {@link #finish} what is
     * pending first, or when the frame is no candidate at all (then it goes out alone).
     */
    boolean offer(ByteBuffer f) {
        return take(f, 0);
    }

    /**
     * As {@link #offer}, for a TSO frame that a sender cut itself ({@code EthernetPort.sendSegmented}):
     * taken as the segments of {@code segmentSize} payload bytes it stands for (the last may be
     * shorter, and then ends the super-frame), so it joins the segments and TSO frames of its flow
     * that came before it in the burst, and those after it join it. Its checksum field is not read:
     * {@link #finish} writes the pseudo-header sum of the whole super-frame.
     */
    boolean offerSegmented(ByteBuffer f, int segmentSize) {
        return segmentSize > 0 && take(f, segmentSize);
    }

    /** Takes one segment ({@code segmentSize} 0: its payload is its size) or a TSO frame of segments. */
    private boolean take(ByteBuffer f, int segmentSize) {
        int p = f.position();
        int len = f.remaining();
        int thl = tcpHeaderLength(f, p, len);
        if (thl < 0) {
            return false;
        }
        int payload = len - ETH - IP - thl;
        int size = segmentSize > 0 ? segmentSize : payload;
        int count = (payload + size - 1) / size;
        boolean shortLast = payload % size != 0;
        int seq = f.getInt(p + ETH + IP + 4);
        boolean push = (f.get(p + TCP_FLAGS) & PSH) != 0;
        if (frameLength == 0) {
            out.put(VNET_HDR, f, p, len);
            f.get(p, head, 0, ETH + IP + thl);
            frameLength = len;
            segments = count;
            gsoSize = size;
            tcpHeaderLength = thl;
            nextSeq = seq + payload;
            ended = push || shortLast;
            return true;
        }
        boolean fits = segmentSize > 0 ? segmentSize == gsoSize : payload <= gsoSize;
        if (ended || !fits || thl != tcpHeaderLength || seq != nextSeq
                || frameLength + payload - ETH > MAX_IP_LENGTH || !sameFlow(f, p, thl)) {
            return false;
        }
        out.put(VNET_HDR + frameLength, f, p + ETH + IP + thl, payload);
        frameLength += payload;
        segments += count;
        nextSeq += payload;
        if (push) {
            out.put(VNET_HDR + TCP_FLAGS, (byte) (out.get(VNET_HDR + TCP_FLAGS) | PSH));
        }
        ended = push || shortLast || payload < gsoSize;
        return true;
    }

    /**
     * Completes the pending frame in the buffer and returns the bytes to write from its start
     * (header included), or 0 when nothing is pending; the coalescer is empty afterwards. A super
     * frame gets its IPv4 total length and header checksum, the TCP pseudo-header sum in its
     * checksum field and a header asking for TSO ({@code gso_size} = the first segment's payload)
     * and the checksum to be completed from {@code csum_start}.
     */
    int finish() {
        if (frameLength == 0) {
            return 0;
        }
        if (segments == 1) {
            loneHeader(out, frameLength);
        } else {
            int ip = VNET_HDR + ETH;
            int ipLength = frameLength - ETH;
            out.putShort(ip + 2, (short) ipLength);
            out.putShort(ip + 10, (short) 0);
            out.putShort(ip + 10, (short) ~fold(sum(out, ip, IP)));
            long pseudo = sum(out, ip + 12, 8) + 6 + (ipLength - IP);
            out.putShort(ip + IP + 16, (short) fold(pseudo));
            out.put(0, (byte) NEEDS_CSUM);
            out.put(1, (byte) GSO_TCPV4);
            putNative16(out, 2, ETH + IP + tcpHeaderLength);
            putNative16(out, 4, gsoSize);
            putNative16(out, 6, ETH + IP);
            putNative16(out, 8, 16);
        }
        int n = VNET_HDR + frameLength;
        frameLength = 0;
        segments = 0;
        return n;
    }

    /**
     * Writes the header in front of a frame of {@code length} bytes at {@code b[VNET_HDR..]} that goes
     * out alone: NEEDS_CSUM for an unfragmented TCP/IPv4 frame whose checksum field holds the folded
     * pseudo-header sum (a sender that was told {@code acceptsPartialChecksums}); zero otherwise.
     * A complete checksum that happens to equal that sum is completed by the kernel to itself, so
     * the test cannot go wrong.
     */
    static void loneHeader(ByteBuffer b, int length) {
        b.putLong(0, 0L);
        b.putShort(8, (short) 0);
        int ip = VNET_HDR + ETH;
        if (length < ETH + IP + 20 || b.getShort(VNET_HDR + 12) != 0x0800 || (b.get(ip) & 0xf0) != 0x40
                || (b.getShort(ip + 6) & 0x3fff) != 0 || b.get(ip + 9) != 6) {
            return;
        }
        int ihl = (b.get(ip) & 0x0f) * 4;
        int ipLength = b.getShort(ip + 2) & 0xffff;
        if (ihl < IP || ipLength < ihl + 20 || ETH + ipLength > length) {
            return;
        }
        long pseudo = sum(b, ip + 12, 8) + 6 + (ipLength - ihl);
        if ((b.getShort(ip + ihl + 16) & 0xffff) == fold(pseudo)) {
            b.put(0, (byte) NEEDS_CSUM);
            putNative16(b, 6, ETH + ihl);
            putNative16(b, 8, 16);
        }
    }

    /**
     * Writes the header in front of a TSO frame of {@code length} bytes at {@code b[VNET_HDR..]}
     * that a sender cut itself ({@code EthernetPort.sendSegmented}): TCP/IPv4, unfragmented,
     * flags ACK or ACK|PSH, its checksum field holding the folded pseudo-header sum over the whole
     * segment. The header asks for TSO in segments of {@code segmentSize} payload bytes, or, when
     * the payload fits one, is a lone segment's. False, header untouched, when the frame is not one.
     */
    static boolean segmentedHeader(ByteBuffer b, int length, int segmentSize) {
        int ip = VNET_HDR + ETH;
        if (segmentSize <= 0 || length < ETH + IP + 20 || b.getShort(VNET_HDR + 12) != 0x0800
                || (b.get(ip) & 0xf0) != 0x40 || (b.getShort(ip + 6) & 0x3fff) != 0 || b.get(ip + 9) != 6) {
            return false;
        }
        int ihl = (b.get(ip) & 0x0f) * 4;
        int ipLength = b.getShort(ip + 2) & 0xffff;
        if (ihl < IP || ETH + ipLength != length || ipLength < ihl + 20) {
            return false;
        }
        int tcp = ip + ihl;
        int thl = ((b.get(tcp + 12) & 0xff) >>> 4) * 4;
        int flags = b.get(tcp + 13) & 0xff;
        if (thl < 20 || ihl + thl > ipLength || (flags & ~PSH) != ACK) {
            return false;
        }
        long pseudo = sum(b, ip + 12, 8) + 6 + (ipLength - ihl);
        if ((b.getShort(tcp + 16) & 0xffff) != fold(pseudo)) {
            return false; // a complete checksum: the kernel would add the pseudo-header sum again
        }
        if (ipLength - ihl - thl <= segmentSize) {
            loneHeader(b, length);
            return true;
        }
        b.put(0, (byte) NEEDS_CSUM);
        b.put(1, (byte) GSO_TCPV4);
        putNative16(b, 2, ETH + ihl + thl);
        putNative16(b, 4, segmentSize);
        putNative16(b, 6, ETH + ihl);
        putNative16(b, 8, 16);
        return true;
    }

    /** The TCP header length of a frame that may join a super-frame, or -1 when it may not. */
    private static int tcpHeaderLength(ByteBuffer f, int p, int len) {
        if (len < ETH + IP + 20 + 1 || f.getShort(p + 12) != 0x0800 || f.get(p + ETH) != 0x45
                || (f.getShort(p + ETH + 6) & 0x3fff) != 0 || f.get(p + ETH + 9) != 6
                || (f.getShort(p + ETH + 2) & 0xffff) != len - ETH) {
            return -1; // not IPv4 without options, a fragment, not TCP, or padded
        }
        int flags = f.get(p + TCP_FLAGS) & 0xff;
        if ((flags & ~PSH) != ACK) {
            return -1;
        }
        int thl = ((f.get(p + ETH + IP + 12) & 0xff) >>> 4) * 4;
        return thl >= 20 && ETH + IP + thl < len ? thl : -1;
    }

    /** Same Ethernet header, IP fields (but id, length, checksum), ports, ack, window and options. */
    private boolean sameFlow(ByteBuffer f, int p, int thl) {
        return same(f, p, 0, ETH) && f.get(p + ETH + 1) == head[ETH + 1]
                && same(f, p, ETH + 6, 4) && same(f, p, ETH + 12, 8)
                && same(f, p, ETH + IP, 4) && same(f, p, ETH + IP + 8, 5)
                && same(f, p, ETH + IP + 14, 2) && same(f, p, ETH + IP + 18, thl - 18);
    }

    /**
     * Whether {@code n} bytes of the frame at {@code p + at} equal the first frame's headers at
     * {@code at}: straight on the frame's array when it has one (a stack's heap buffer), else a byte at a time.
     */
    private boolean same(ByteBuffer f, int p, int at, int n) {
        if (f.hasArray()) {
            int from = f.arrayOffset() + p + at;
            return Arrays.equals(f.array(), from, from + n, head, at, at + n);
        }
        for (int i = 0; i < n; i++) {
            if (f.get(p + at + i) != head[at + i]) {
                return false;
            }
        }
        return true;
    }

    /** The virtio-net header's fields are in the host's byte order, whatever {@code b}'s order is. */
    private static void putNative16(ByteBuffer b, int at, int value) {
        short v = (short) value;
        b.putShort(at, b.order() == ByteOrder.nativeOrder() ? v : Short.reverseBytes(v));
    }

    static long sum(ByteBuffer b, int off, int len) {
        long s = 0;
        int i = 0;
        for (; i + 1 < len; i += 2) {
            s += b.getShort(off + i) & 0xffff;
        }
        if (i < len) {
            s += (b.get(off + i) & 0xff) << 8;
        }
        return s;
    }

    static int fold(long s) {
        while ((s >>> 16) != 0) {
            s = (s & 0xffff) + (s >>> 16);
        }
        return (int) s;
    }
}
