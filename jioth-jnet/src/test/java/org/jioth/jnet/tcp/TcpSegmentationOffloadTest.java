package org.jioth.jnet.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jioth.jnet.tcp.TcpHarness.LOCAL_ISS;
import static org.jioth.jnet.tcp.TcpHarness.REMOTE_ISS;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;
import org.jioth.jnet.tcp.TcpHarness.Seg;
import org.jioth.jnet.wire.Tcp;
import org.junit.jupiter.api.Test;

/**
 * TSO in jnet's TCP, with crafted segments on a manual clock: toward a link that segments, new data
 * leaves as one segment of several MSS, and what the wire then carries (each TSO segment cut into
 * MSS-sized ones, as the kernel cuts a tap's super-frame) is exactly what the same connection sends
 * without TSO, through the same losses: so pacing, pipe, RACK/SACK and retransmission account
 * per MSS.
 */
class TcpSegmentationOffloadTest {
    static final int L = LOCAL_ISS + 1;
    static final int R = REMOTE_ISS + 1;
    /** What a tap with offload lets TCP put in one segment (64 KB less the IP and longest TCP header). */
    static final int LIMIT = 65535 - 20 - 60;

    @Test
    void aWindowOfNewDataLeavesAsOneSegmentCutAtTheMss() {
        TcpHarness h = new TcpHarness();
        h.segmentationLimit = LIMIT;
        h.established();
        byte[] data = TcpHarness.bytes(20 * TcpHarness.MSS, 3);
        h.write(data);
        Seg first = h.recv();
        // the initial window, ten segments, in one
        assertThat(first.segmentSize()).isEqualTo(TcpHarness.MSS);
        assertThat(first.len()).isEqualTo(10 * TcpHarness.MSS);
        assertThat(first.seq()).isEqualTo(L);
        assertThat(first.has(Tcp.PSH)).isFalse();
        assertThat(first.payload()).isEqualTo(Arrays.copyOf(data, 10 * TcpHarness.MSS));
        h.recvNothing();
        assertThat(h.c.stats.segmentsOut).as("segments on the wire, the handshake's one included").isEqualTo(11);
        // the ACK of all ten opens twenty: the ten left, with PSH (they end the data)
        h.seg().flags(Tcp.ACK).seq(R).ack(L + 10 * TcpHarness.MSS).win(65535).send();
        Seg second = h.recv();
        assertThat(second.segmentSize()).isEqualTo(TcpHarness.MSS);
        assertThat(second.len()).isEqualTo(10 * TcpHarness.MSS);
        assertThat(second.has(Tcp.PSH)).isTrue();
        h.recvNothing();
    }

    @Test
    void aLinkThatDoesNotSegmentGetsMssSizedSegments() {
        TcpHarness h = new TcpHarness();
        h.established();
        h.write(TcpHarness.bytes(5 * TcpHarness.MSS, 4));
        List<Seg> out = h.recvAll();
        assertThat(out).hasSize(5).allSatisfy(s -> {
            assertThat(s.segmentSize()).isZero();
            assertThat(s.len()).isEqualTo(TcpHarness.MSS);
        });
    }

    @Test
    void theShortTailAndTheFinLeaveAsPlainSegments() {
        TcpHarness h = new TcpHarness();
        h.segmentationLimit = LIMIT;
        h.established();
        h.write(TcpHarness.bytes(3 * TcpHarness.MSS + 100, 5));
        h.c.shutdownOutput(h.now);
        List<Seg> out = h.recvAll();
        assertThat(out).hasSize(2);
        assertThat(out.get(0).len()).isEqualTo(3 * TcpHarness.MSS);
        assertThat(out.get(0).segmentSize()).isEqualTo(TcpHarness.MSS);
        assertThat(out.get(0).has(Tcp.FIN)).isFalse();
        assertThat(out.get(1).len()).isEqualTo(100);
        assertThat(out.get(1).segmentSize()).isZero();
        assertThat(out.get(1).has(Tcp.FIN)).isTrue();
    }

    @Test
    void aSmallLimitCutsTheWindowIntoSeveralTsoSegments() {
        TcpHarness h = new TcpHarness();
        h.segmentationLimit = 4 * TcpHarness.MSS + 10;
        h.established();
        h.write(TcpHarness.bytes(10 * TcpHarness.MSS, 6));
        List<Seg> out = h.recvAll();
        assertThat(out).extracting(Seg::len).containsExactly(4 * TcpHarness.MSS, 4 * TcpHarness.MSS, 2 * TcpHarness.MSS);
    }

    /**
     * A seeded lossy transfer (SACK, timestamps, RACK), once without and once with TSO: the wire
     * sees the same segments, the same retransmissions (each one MSS or less), in the same order.
     */
    @Test
    void throughLossTheWireCarriesWhatItCarriesWithoutTso() {
        for (long seed = 1; seed <= 6; seed++) {
            Transfer plain = new Transfer(seed, 0, false).run();
            Transfer tso = new Transfer(seed, LIMIT, false).run();
            assertThat(tso.wire).as("seed %d", seed).hasSameSizeAs(plain.wire);
            for (int i = 0; i < plain.wire.size(); i++) {
                assertThat(tso.wire.get(i)).as("seed %d, wire segment %d", seed, i).isEqualTo(plain.wire.get(i));
            }
            assertThat(tso.h.c.stats.retransmissions).isEqualTo(plain.h.c.stats.retransmissions).isPositive();
            assertThat(tso.h.c.stats.segmentsOut).isEqualTo(plain.h.c.stats.segmentsOut);
            assertThat(tso.tsoSegments).as("TSO segments, seed %d", seed).isPositive();
            assertThat(tso.largestTsoChunks).isGreaterThanOrEqualTo(10);
            assertThat(tso.retransmittedTso).as("retransmissions in TSO segments").isZero();
        }
    }

    /** The same with pacing on: a TSO segment holds what the pacer lets leave back to back. */
    @Test
    void pacedTheWireCarriesWhatItCarriesWithoutTso() {
        for (long seed = 11; seed <= 14; seed++) {
            Transfer plain = new Transfer(seed, 0, true).run();
            Transfer tso = new Transfer(seed, LIMIT, true).run();
            assertThat(tso.wire).as("seed %d", seed).isEqualTo(plain.wire);
            assertThat(tso.tsoSegments).as("TSO segments, seed %d", seed).isPositive();
        }
    }

    /** One wire segment (a TSO segment's cut), its payload as a string for equality. */
    record Wire(int seq, int ack, int flags, int window, String options, String payload) {
    }

    /**
     * Sends 600 KB to a SACK receiver that loses ~3 % of the wire segments (seeded) and acknowledges
     * each one it gets, one millisecond after the burst that carried it.
     */
    static final class Transfer {
        static final int TOTAL = 600 * 1024;
        final TcpHarness h;
        final SplittableRandom random;
        final List<Wire> wire = new ArrayList<>();
        final BitSet received = new BitSet(TOTAL);
        int tsoSegments;
        int largestTsoChunks;
        int retransmittedTso;
        private int highestSent = L;
        /** The receiver's timestamp clock: only goes forward (PAWS). */
        private int peerTs = 5000;

        Transfer(long seed, int limit, boolean paced) {
            TcpConfig cfg = TcpHarness.unpaced();
            cfg.pacing = paced;
            cfg.sendBuffer = 256 * 1024;
            h = new TcpHarness(cfg);
            h.segmentationLimit = limit;
            random = new SplittableRandom(seed);
        }

        Transfer run() {
            h.established(h.synFromPeer().wscale(7).sackPermitted().ts(1000, 0));
            byte[] data = TcpHarness.bytes(TOTAL, 9);
            int written = 0;
            for (int round = 0; round < 20_000 && received.nextClearBit(0) < TOTAL; round++) {
                if (written < TOTAL) {
                    written += h.write(Arrays.copyOfRange(data, written, TOTAL));
                }
                List<Seg> burst = h.recvAll();
                h.advance(1);
                for (Seg s : burst) {
                    deliver(s);
                }
                h.advance(1);
            }
            assertThat(received.nextClearBit(0)).as("bytes delivered").isEqualTo(TOTAL);
            return this;
        }

        /** Cuts our segment as the link would, and lets the receiver take or lose each piece. */
        private void deliver(Seg s) {
            int cut = s.segmentSize() > 0 ? s.segmentSize() : Math.max(1, s.len());
            if (s.segmentSize() > 0) {
                tsoSegments++;
                largestTsoChunks = Math.max(largestTsoChunks, (s.len() + cut - 1) / cut);
                if (s.seq() - highestSent < 0) {
                    retransmittedTso++;
                }
            }
            for (int at = 0; at < Math.max(1, s.len()); at += cut) {
                int n = Math.min(cut, s.len() - at);
                boolean last = at + n >= s.len();
                int flags = last ? s.flags() : s.flags() & ~(Tcp.PSH | Tcp.FIN);
                byte[] piece = Arrays.copyOfRange(s.payload(), at, at + n);
                wire.add(new Wire(s.seq() + at, s.ack(), flags, s.window(), describe(s.options()),
                        new String(piece, java.nio.charset.StandardCharsets.ISO_8859_1)));
                int seq = s.seq() + at;
                if (seq + n - highestSent > 0) {
                    highestSent = seq + n;
                }
                if (n > 0 && random.nextInt(100) < 3) {
                    continue; // lost
                }
                if (n > 0) {
                    received.set(seq - L, seq - L + n);
                }
                acknowledge(seq - L, n, s.options().tsVal);
            }
        }

        private static String describe(org.jioth.jnet.wire.TcpOptions o) {
            return o.tsVal + "/" + o.tsEcr + Arrays.toString(Arrays.copyOf(o.sack, 2 * o.sackCount));
        }

        /** A cumulative ACK with SACK blocks: the one holding what just came first, then the highest. */
        private void acknowledge(int from, int n, int tsVal) {
            int cum = received.nextClearBit(0);
            TcpHarness.SegBuilder ack = h.seg().flags(Tcp.ACK).seq(R).ack(L + cum).win(65535).ts(++peerTs, tsVal);
            int blocks = 0;
            if (n > 0 && from > cum) {
                int left = received.previousClearBit(from) + 1;
                int right = received.nextClearBit(from);
                ack.sack(L + left, L + right);
                blocks++;
            }
            int end = received.length();
            while (blocks < 3 && end > cum) {
                int left = received.previousClearBit(end - 1) + 1;
                if (left <= cum) {
                    break;
                }
                if (!(n > 0 && from >= left && from < end)) {
                    ack.sack(L + left, L + end);
                    blocks++;
                }
                end = received.previousSetBit(left - 1) + 1;
            }
            ack.send();
        }
    }
}
