package org.jioth.vde.tap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TsoCoalescerTest {
    private static final int ACK = 0x10;
    private static final int PSH = 0x08;

    private final ByteBuffer out = ByteBuffer.allocate(TsoCoalescer.CAPACITY);
    private final TsoCoalescer c = new TsoCoalescer(out);

    /** An Ethernet/IPv4/TCP frame with complete checksums and 12 bytes of options (a timestamp). */
    static ByteBuffer segment(int seq, int flags, byte[] payload, int ack, int window) {
        int thl = 32;
        ByteBuffer f = ByteBuffer.allocate(14 + 20 + thl + payload.length);
        f.put(0, new byte[] {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 8, 0});
        int ip = 14;
        f.put(ip, (byte) 0x45).putShort(ip + 2, (short) (20 + thl + payload.length)).putShort(ip + 4, (short) seq)
                .putShort(ip + 6, (short) 0x4000).put(ip + 8, (byte) 64).put(ip + 9, (byte) 6)
                .putInt(ip + 12, 0x0a000202).putInt(ip + 16, 0x0a00020f);
        f.putShort(ip + 10, (short) ~TsoCoalescer.fold(TsoCoalescer.sum(f, ip, 20)));
        int t = ip + 20;
        f.putShort(t, (short) 80).putShort(t + 2, (short) 40000).putInt(t + 4, seq).putInt(t + 8, ack)
                .put(t + 12, (byte) ((thl / 4) << 4)).put(t + 13, (byte) flags).putShort(t + 14, (short) window);
        f.put(t + 20, new byte[] {1, 1, 8, 10, 0, 0, 0, 7, 0, 0, 0, 9});
        f.put(t + thl, payload);
        int tcpLength = thl + payload.length;
        long pseudo = TsoCoalescer.sum(f, ip + 12, 8) + 6 + tcpLength;
        f.putShort(t + 16, (short) ~TsoCoalescer.fold(pseudo + TsoCoalescer.sum(f, t, tcpLength)));
        return f;
    }

    private static byte[] bytes(SplittableRandom r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    private static int native16(ByteBuffer b, int at) {
        return (ByteOrder.nativeOrder() == ByteOrder.BIG_ENDIAN ? b.getShort(at) : Short.reverseBytes(b.getShort(at))) & 0xffff;
    }

    @Test
    void consecutiveSegmentsBecomeOneSuperFrameTheKernelCanCheck() {
        SplittableRandom r = new SplittableRandom(1);
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        int seq = 1000;
        for (int i = 0; i < 5; i++) {
            byte[] p = bytes(r, i < 4 ? 1448 : 300);
            all.writeBytes(p);
            assertThat(c.offer(segment(seq, i == 4 ? ACK | PSH : ACK, p, 77, 500))).isTrue();
            seq += p.length;
        }
        assertThat(c.segments()).isEqualTo(5);
        int n = c.finish();
        assertThat(c.isEmpty()).isTrue();
        int h = TsoCoalescer.VNET_HDR;
        int ip = h + 14;
        int tcpLength = 32 + all.size();
        assertThat(n).isEqualTo(h + 14 + 20 + tcpLength);
        assertThat(out.get(0)).isEqualTo((byte) TsoCoalescer.NEEDS_CSUM);
        assertThat(out.get(1)).isEqualTo((byte) TsoCoalescer.GSO_TCPV4);
        assertThat(native16(out, 2)).as("hdr_len").isEqualTo(14 + 20 + 32);
        assertThat(native16(out, 4)).as("gso_size").isEqualTo(1448);
        assertThat(native16(out, 6)).as("csum_start").isEqualTo(34);
        assertThat(native16(out, 8)).as("csum_offset").isEqualTo(16);
        assertThat(out.getShort(ip + 2) & 0xffff).isEqualTo(20 + tcpLength);
        assertThat(TsoCoalescer.fold(TsoCoalescer.sum(out, ip, 20))).as("IP header checksum").isEqualTo(0xffff);
        assertThat(out.getInt(ip + 24)).as("first sequence number").isEqualTo(1000);
        assertThat(out.get(ip + 33) & 0xff).as("flags: the last segment's PSH").isEqualTo(ACK | PSH);
        assertThat(Arrays.copyOfRange(out.array(), ip + 52, n)).isEqualTo(all.toByteArray());
        // what the kernel does with a partial checksum: sum from csum_start, store the complement
        int t = ip + 20;
        out.putShort(t + 16, (short) ~TsoCoalescer.fold(TsoCoalescer.sum(out, t, tcpLength)));
        long pseudo = TsoCoalescer.sum(out, ip + 12, 8) + 6 + tcpLength;
        assertThat(TsoCoalescer.fold(pseudo + TsoCoalescer.sum(out, t, tcpLength))).as("TCP checksum").isEqualTo(0xffff);
    }

    @Test
    void aLoneSegmentGoesOutUntouchedBehindAZeroHeader() {
        ByteBuffer f = segment(5, ACK | PSH, new byte[] {42}, 1, 2);
        assertThat(c.offer(f)).isTrue();
        int n = c.finish();
        assertThat(n).isEqualTo(TsoCoalescer.VNET_HDR + f.capacity());
        assertThat(Arrays.copyOfRange(out.array(), 0, TsoCoalescer.VNET_HDR)).containsOnly(0);
        assertThat(Arrays.copyOfRange(out.array(), TsoCoalescer.VNET_HDR, n)).isEqualTo(f.array());
        assertThat(c.finish()).isZero();
    }

    @Test
    void aLoneSegmentWithAPartialChecksumAsksTheKernelToCompleteIt() {
        ByteBuffer f = segment(5, ACK | 0x01, new byte[] {1, 2, 3}, 1, 2); // a FIN: never joins
        int t = 14 + 20;
        int full = f.getShort(t + 16) & 0xffff;
        long pseudo = TsoCoalescer.sum(f, 14 + 12, 8) + 6 + (f.capacity() - t);
        f.putShort(t + 16, (short) TsoCoalescer.fold(pseudo));
        ByteBuffer b = ByteBuffer.allocate(TsoCoalescer.VNET_HDR + f.capacity());
        b.put(TsoCoalescer.VNET_HDR, f, 0, f.capacity());
        TsoCoalescer.loneHeader(b, f.capacity());
        assertThat(b.get(0)).isEqualTo((byte) TsoCoalescer.NEEDS_CSUM);
        assertThat(b.get(1)).as("no GSO").isZero();
        assertThat(native16(b, 6)).isEqualTo(34);
        assertThat(native16(b, 8)).isEqualTo(16);
        // the kernel's completion gives the full checksum
        int h = TsoCoalescer.VNET_HDR;
        int completed = ~TsoCoalescer.fold(TsoCoalescer.sum(b, h + t, f.capacity() - t)) & 0xffff;
        assertThat(completed).isEqualTo(full);

        f.putShort(t + 16, (short) full); // a complete checksum: left alone
        b.put(TsoCoalescer.VNET_HDR, f, 0, f.capacity());
        TsoCoalescer.loneHeader(b, f.capacity());
        assertThat(Arrays.copyOfRange(b.array(), 0, TsoCoalescer.VNET_HDR)).containsOnly(0);
    }

    @Test
    void onlyExactContinuationsJoin() {
        byte[] p = new byte[100];
        assertThat(c.offer(segment(0, ACK, p, 1, 9))).isTrue();
        assertThat(c.offer(segment(101, ACK, p, 1, 9))).as("a gap").isFalse();
        assertThat(c.offer(segment(100, ACK, p, 2, 9))).as("another ack").isFalse();
        assertThat(c.offer(segment(100, ACK, p, 1, 8))).as("another window").isFalse();
        assertThat(c.offer(segment(100, ACK, new byte[101], 1, 9))).as("larger than the first").isFalse();
        assertThat(c.offer(segment(100, ACK | 0x01, p, 1, 9))).as("FIN").isFalse();
        assertThat(c.offer(segment(100, ACK, p, 1, 9))).isTrue();
        assertThat(c.offer(segment(200, ACK, new byte[50], 1, 9))).as("a shorter last one").isTrue();
        assertThat(c.offer(segment(250, ACK, p, 1, 9))).as("after the shorter one").isFalse();
        assertThat(c.segments()).isEqualTo(3);
        c.finish();
        assertThat(c.offer(segment(0, ACK | PSH, p, 1, 9))).isTrue();
        assertThat(c.offer(segment(100, ACK, p, 1, 9))).as("after a PSH").isFalse();
        c.finish();
        ByteBuffer udp = segment(0, ACK, p, 1, 9);
        udp.put(14 + 9, (byte) 17);
        assertThat(c.offer(udp)).as("not TCP").isFalse();
        ByteBuffer syn = segment(0, 0x02 | ACK, new byte[0], 1, 9);
        assertThat(c.offer(syn)).as("no payload, SYN").isFalse();
        ByteBuffer fragment = segment(0, ACK, p, 1, 9);
        fragment.putShort(14 + 6, (short) 0x2000);
        assertThat(c.offer(fragment)).as("a fragment").isFalse();
        assertThat(c.isEmpty()).isTrue();
    }

    @Test
    void aDifferenceInAnyComparedHeaderByteKeepsASegmentOut() {
        differencesKeepSegmentsOut(f -> f);
    }

    /** The coalescer compares a heap frame's array directly: frames in a direct buffer, or inside a larger array, too. */
    @Test
    void aDifferenceKeepsASegmentOutOfADirectFrameOrOneInsideALargerArray() {
        differencesKeepSegmentsOut(f -> ByteBuffer.allocateDirect(f.capacity()).put(0, f, 0, f.capacity()));
        differencesKeepSegmentsOut(f -> {
            ByteBuffer big = ByteBuffer.allocate(f.capacity() + 40);
            big.put(23, f, 0, f.capacity());
            return big.position(7).slice().position(16).limit(16 + f.capacity()); // array offset 7, position 16
        });
    }

    private void differencesKeepSegmentsOut(java.util.function.UnaryOperator<ByteBuffer> placed) {
        byte[] p = new byte[100];
        int ip = 14;
        int t = ip + 20;
        java.util.List<Integer> compared = new java.util.ArrayList<>();
        for (int i = 0; i < 14; i++) {
            compared.add(i); // Ethernet
        }
        compared.add(ip + 1); // TOS
        compared.add(ip + 8); // TTL
        for (int i = ip + 12; i < ip + 20; i++) {
            compared.add(i); // addresses
        }
        for (int i : new int[] {0, 1, 2, 3, 8, 9, 10, 11, 14, 15}) {
            compared.add(t + i); // ports, ack, window
        }
        for (int i = t + 18; i < t + 32; i++) {
            compared.add(i); // urgent pointer and options
        }
        for (int at : compared) {
            c.finish();
            assertThat(c.offer(placed.apply(segment(0, ACK, p, 1, 9)))).isTrue();
            ByteBuffer next = segment(100, ACK, p, 1, 9);
            next.put(at, (byte) (next.get(at) ^ 0x10));
            assertThat(c.offer(placed.apply(next))).as("byte %d differs", at).isFalse();
            assertThat(c.offer(placed.apply(segment(100, ACK, p, 1, 9)))).as("then the real continuation").isTrue();
        }
    }

    @Test
    void superFramesStopAtTheIpv4LengthLimit() {
        byte[] p = new byte[8000];
        int seq = 0;
        int joined = 0;
        while (c.offer(segment(seq, ACK, p, 1, 9))) {
            seq += p.length;
            joined++;
        }
        assertThat(joined).isEqualTo((65535 - 20 - 32) / 8000);
        assertThat(c.finish()).isLessThanOrEqualTo(TsoCoalescer.CAPACITY);
    }

    @Test
    void aPartialChecksumFromTheKernelIsCompleted() {
        ByteBuffer f = segment(9, ACK, new byte[] {1, 2, 3, 4, 5}, 1, 2);
        int t = 14 + 20;
        int tcpLength = f.capacity() - t;
        int full = f.getShort(t + 16) & 0xffff;
        long pseudo = TsoCoalescer.sum(f, 14 + 12, 8) + 6 + tcpLength;
        f.putShort(t + 16, (short) TsoCoalescer.fold(pseudo)); // as the kernel leaves it
        ByteBuffer read = ByteBuffer.allocate(TsoCoalescer.VNET_HDR + f.capacity());
        read.put(0, (byte) TsoCoalescer.NEEDS_CSUM);
        ByteBuffer hdr = read.duplicate().order(ByteOrder.nativeOrder());
        hdr.putShort(6, (short) t).putShort(8, (short) 16);
        read.put(TsoCoalescer.VNET_HDR, f, 0, f.capacity());
        assertThat(VnetReceive.accept(read, read.capacity())).isTrue();
        assertThat(read.getShort(TsoCoalescer.VNET_HDR + t + 16) & 0xffff).isEqualTo(full);
        read.put(1, (byte) TsoCoalescer.GSO_TCPV4);
        assertThat(VnetReceive.accept(read, read.capacity())).as("GSO is refused").isFalse();
        read.put(1, (byte) 0);
        hdr.putShort(6, (short) (f.capacity() - 1));
        assertThat(VnetReceive.accept(read, read.capacity())).as("csum_start out of the frame").isFalse();
        assertThat(VnetReceive.accept(read, 4)).as("shorter than the header").isFalse();
    }
    /** A sender's own TSO segment (payload 3 MSS + 100, partial checksum) behind its header. */
    private static ByteBuffer senderTso(int flags, int payload) {
        ByteBuffer f = segment(7, flags, new byte[payload], 1, 2);
        int t = 14 + 20;
        long pseudo = TsoCoalescer.sum(f, 14 + 12, 8) + 6 + (f.capacity() - t);
        f.putShort(t + 16, (short) TsoCoalescer.fold(pseudo));
        ByteBuffer b = ByteBuffer.allocate(TsoCoalescer.VNET_HDR + f.capacity());
        b.put(TsoCoalescer.VNET_HDR, f, 0, f.capacity());
        return b;
    }

    @Test
    void aSendersTsoSegmentGetsAHeaderAskingForItsSegmentSize() {
        ByteBuffer b = senderTso(ACK | PSH, 3 * 1448 + 100);
        assertThat(TsoCoalescer.segmentedHeader(b, b.capacity() - TsoCoalescer.VNET_HDR, 1448)).isTrue();
        assertThat(b.get(0)).isEqualTo((byte) TsoCoalescer.NEEDS_CSUM);
        assertThat(b.get(1)).isEqualTo((byte) TsoCoalescer.GSO_TCPV4);
        assertThat(native16(b, 2)).as("hdr_len").isEqualTo(14 + 20 + 32);
        assertThat(native16(b, 4)).as("gso_size").isEqualTo(1448);
        assertThat(native16(b, 6)).as("csum_start").isEqualTo(34);
        assertThat(native16(b, 8)).as("csum_offset").isEqualTo(16);
        // one segment's worth: a lone segment's header, no GSO
        ByteBuffer small = senderTso(ACK, 1448);
        assertThat(TsoCoalescer.segmentedHeader(small, small.capacity() - TsoCoalescer.VNET_HDR, 1448)).isTrue();
        assertThat(small.get(0)).isEqualTo((byte) TsoCoalescer.NEEDS_CSUM);
        assertThat(small.get(1)).isZero();
    }

    @Test
    void whatIsNoTsoSegmentIsRefused() {
        int n = 3 * 1448 + 14 + 20 + 32;
        ByteBuffer syn = senderTso(0x02 | ACK, 3 * 1448);
        assertThat(TsoCoalescer.segmentedHeader(syn, n, 1448)).as("SYN").isFalse();
        ByteBuffer full = ByteBuffer.allocate(TsoCoalescer.VNET_HDR + n);
        full.put(TsoCoalescer.VNET_HDR, segment(7, ACK, new byte[3 * 1448], 1, 2), 0, n);
        assertThat(TsoCoalescer.segmentedHeader(full, n, 1448)).as("a complete checksum").isFalse();
        ByteBuffer ok = senderTso(ACK, 3 * 1448);
        assertThat(TsoCoalescer.segmentedHeader(ok, n - 1, 1448)).as("a length the IP header does not say").isFalse();
        assertThat(TsoCoalescer.segmentedHeader(ok, n, 0)).as("no segment size").isFalse();
        assertThat(Arrays.copyOfRange(ok.array(), 0, TsoCoalescer.VNET_HDR)).as("header untouched").containsOnly(0);
    }

    @Test
    void aSendersTsoFrameJoinsTheLoneSegmentBeforeItAndTheTailAfterIt() {
        // what a loop's turn sends since TSO in TCP: a lone MSS (cwnd room for one), a 3-MSS TSO
        // frame, the short PSH tail; they must leave in one write, as MSS segments did
        SplittableRandom r = new SplittableRandom(2);
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] lone = bytes(r, 1448);
        byte[] burst = bytes(r, 3 * 1448);
        byte[] tail = bytes(r, 300);
        all.writeBytes(lone);
        all.writeBytes(burst);
        all.writeBytes(tail);
        assertThat(c.offer(segment(1000, ACK, lone, 77, 500))).isTrue();
        assertThat(c.offerSegmented(segment(1000 + 1448, ACK, burst, 77, 500), 1448)).as("the TSO frame joins").isTrue();
        assertThat(c.offerSegmented(segment(1000 + 4 * 1448, ACK, lone, 77, 500), 1000)).as("another segment size").isFalse();
        assertThat(c.offer(segment(1000 + 4 * 1448, ACK | PSH, tail, 77, 500))).as("the tail joins").isTrue();
        assertThat(c.segments()).isEqualTo(5);
        int n = c.finish();
        int h = TsoCoalescer.VNET_HDR;
        int ip = h + 14;
        int tcpLength = 32 + all.size();
        assertThat(n).isEqualTo(h + 14 + 20 + tcpLength);
        assertThat(out.get(1)).isEqualTo((byte) TsoCoalescer.GSO_TCPV4);
        assertThat(native16(out, 4)).as("gso_size").isEqualTo(1448);
        assertThat(out.getShort(ip + 2) & 0xffff).isEqualTo(20 + tcpLength);
        assertThat(out.get(ip + 33) & 0xff).as("flags: the tail's PSH").isEqualTo(ACK | PSH);
        assertThat(Arrays.copyOfRange(out.array(), ip + 52, n)).isEqualTo(all.toByteArray());
        int t = ip + 20;
        out.putShort(t + 16, (short) ~TsoCoalescer.fold(TsoCoalescer.sum(out, t, tcpLength)));
        long pseudo = TsoCoalescer.sum(out, ip + 12, 8) + 6 + tcpLength;
        assertThat(TsoCoalescer.fold(pseudo + TsoCoalescer.sum(out, t, tcpLength))).as("TCP checksum").isEqualTo(0xffff);
    }

    @Test
    void aTsoFrameStartsASuperFrameThatMoreSegmentsContinueUntilAShortOne() {
        byte[] p = new byte[100];
        assertThat(c.offerSegmented(segment(0, ACK, new byte[300], 1, 9), 100)).isTrue();
        assertThat(c.offer(segment(300, ACK, p, 1, 9))).isTrue();
        assertThat(c.offerSegmented(segment(400, ACK, new byte[250], 1, 9), 100)).as("ends short").isTrue();
        assertThat(c.offer(segment(650, ACK, p, 1, 9))).as("after the short end").isFalse();
        assertThat(c.segments()).isEqualTo(7);
        assertThat(c.finish()).isEqualTo(TsoCoalescer.VNET_HDR + 14 + 20 + 32 + 650);
        assertThat(c.offerSegmented(segment(0, ACK, p, 1, 9), 0)).as("no segment size").isFalse();
        assertThat(c.offerSegmented(segment(0, ACK | 0x01, new byte[300], 1, 9), 100)).as("FIN").isFalse();
    }
}
