package org.jioth.jnet.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jioth.jnet.tcp.TcpHarness.LOCAL_ISS;
import static org.jioth.jnet.tcp.TcpHarness.REMOTE_ISS;

import java.util.ArrayList;
import java.util.List;
import org.jioth.jnet.wire.Tcp;
import org.junit.jupiter.api.Test;

/** Earliest-departure-time pacing ({@link Pacer}) and its rate, with crafted segments on a manual clock. */
class TcpPacingTest {
    static final int L = LOCAL_ISS + 1;
    static final int R = REMOTE_ISS + 1;

    @Test
    void aBurstOfTwoSegmentsCreditThenOneSegmentPerItsTimeAtTheRate() {
        Pacer p = new Pacer();
        p.setRate(1_000_000); // 1000 bytes per millisecond
        long t = 5_000_000_000L;
        int sent = 0;
        while (p.mayDepart(t)) {
            p.sent(1000, 1000, t);
            sent++;
        }
        // the burst allowance is max(1 ms at the rate, 2 segments) = 2 ms: three segments leave now
        assertThat(sent).isEqualTo(3);
        assertThat(p.departure() - t).isEqualTo(1_000_000L);
        t = p.departure();
        assertThat(p.mayDepart(t)).isTrue();
        p.sent(1000, 1000, t);
        assertThat(p.mayDepart(t)).isFalse();
        assertThat(p.departure() - t).isEqualTo(1_000_000L);
        // a wake-up a second late earns the allowance and what the rate allowed since the departure
        // time, but no more of it than the catch-up (4 ms): 2 + 4 ms at the rate, not a second's worth
        t += 1_000_000_000L;
        sent = 0;
        while (p.mayDepart(t)) {
            p.sent(1000, 1000, t);
            sent++;
        }
        assertThat(sent).isEqualTo(5);
    }

    /**
     * A sender always ready at 50 MB/s whose wake-ups come late, as a loop thread's on a busy
     * machine: 100 µs behind its departure, and every 16th 1.5 ms behind. It keeps its rate: a
     * wake-up sends what the rate allowed since the departure time at once, in bursts of at most
     * 32 KB (22 segments, and the one due now). Before the catch-up, each long-late wake-up
     * forfeited all but the allowance and the sender kept ~60 % of its rate.
     */
    @Test
    void aSenderWokenLateKeepsItsRateInBurstsOfAtMost32KB() {
        Pacer p = new Pacer();
        long rate = 50_000_000;
        p.setRate(rate);
        long start = 7_000_000_000L;
        long t = start;
        long end = start + 500_000_000L;
        long bytes = 0;
        int wakes = 0;
        int longestBurst = 0;
        while (t - end < 0) {
            int burst = 0;
            while (p.mayDepart(t)) {
                p.sent(1448, 1448, t);
                bytes += 1448;
                burst++;
            }
            longestBurst = Math.max(longestBurst, burst);
            wakes++;
            t = Math.max(t, p.departure()) + (wakes % 16 == 0 ? 1_500_000L : 100_000L);
        }
        long atTheRate = rate * (t - start) / 1_000_000_000L;
        assertThat(bytes).as("bytes sent in %d ms", (t - start) / 1_000_000).isGreaterThanOrEqualTo(atTheRate * 95 / 100)
                .isLessThanOrEqualTo(atTheRate + 9 * 1448);
        assertThat(longestBurst).isLessThanOrEqualTo(24);
    }

    /**
     * A sender at 30 MB/s whose every wake-up comes 1 ms after its departure time, as a loop
     * thread's on a machine at load 10-15 (the pacer's own count through wirefilter: 1.1 ms late
     * on average, `late=607waits/1106us`). It keeps its rate: each wake-up sends what the rate
     * allowed since its departure time and the allowance, at most 32 KB (Linux's pacing sends
     * about a millisecond's worth at a time, up to 64 KB). Before, a wake-up sent
     * at most the allowance, 8 segments, and the sender kept 42 % of its rate (6.4 of 15.0 MB).
     */
    @Test
    void aSenderAlwaysWokenAMillisecondLateKeepsItsRate() {
        Pacer p = new Pacer();
        long rate = 30_000_000;
        p.setRate(rate);
        long start = 9_000_000_000L;
        long t = start;
        long end = start + 500_000_000L;
        long bytes = 0;
        int longestBurst = 0;
        while (t - end < 0) {
            int burst = 0;
            while (p.mayDepart(t)) {
                p.sent(1448, 1448, t);
                bytes += 1448;
                burst++;
            }
            longestBurst = Math.max(longestBurst, burst);
            t = Math.max(t, p.departure()) + 1_000_000L;
        }
        long atTheRate = rate * (t - start) / 1_000_000_000L;
        assertThat(bytes).as("bytes sent in %d ms", (t - start) / 1_000_000).isGreaterThanOrEqualTo(atTheRate * 95 / 100)
                .isLessThanOrEqualTo(atTheRate + 44 * 1448);
        // what a millisecond at the rate allows (21 segments), within the lateness and the allowance
        assertThat(longestBurst).isLessThanOrEqualTo(28);
    }

    /** Time the pacer did not hold (an idle sender, a full window) earns no more than the allowance. */
    @Test
    void aSenderThatWasNotHeldEarnsOnlyTheAllowance() {
        Pacer p = new Pacer();
        p.setRate(10_000_000);
        long t = 3_000_000_000L;
        p.sent(1000, 1000, t);
        t += 2_000_000L; // the next segment was due 1.9 ms ago, but nobody asked the pacer
        int sent = 0;
        while (p.mayDepart(t)) {
            p.sent(1000, 1000, t);
            sent++;
        }
        assertThat(sent).isEqualTo(9); // the allowance: 0.8 ms at the rate, and the one due now
        t = p.departure();
        sent = 0;
        for (int i = 0; i < 20 && p.mayDepart(t); i++) {
            p.sent(1000, 1000, t);
            sent++;
        }
        assertThat(sent).as("then one per 100 µs, no catch-up").isEqualTo(1);
    }

    @Test
    void unpacedWithoutARate() {
        Pacer p = new Pacer();
        for (int i = 0; i < 100; i++) {
            assertThat(p.mayDepart(0)).isTrue();
            p.sent(1460, 1460, 0);
        }
    }

    /** Linux's gains: 2 x cwnd / SRTT below half of ssthresh (slow start), 1.2 x after. */
    @Test
    void windowBasedPacingRateUsesLinuxGains() {
        CongestionControl c = new NewReno();
        c.init(1000, 0);
        assertThat(c.cwnd()).isEqualTo(10_000);
        assertThat(c.pacingRate(10_000_000L, 0)).isEqualTo(2_000_000L); // 2 x 10 000 B / 10 ms
        c.onCongestion(10_000, 0);
        assertThat(c.cwnd()).isEqualTo(5_000);
        assertThat(c.pacingRate(10_000_000L, 0)).isEqualTo(600_000L); // 1.2 x 5 000 B / 10 ms
        assertThat(c.pacingRate(10_000_000L, 8_000)).as("what is in flight, if more").isEqualTo(960_000L);
        assertThat(c.pacingRate(0, 0)).as("no RTT estimate: unpaced").isZero();
    }

    /**
     * The initial window after a 40 ms handshake: rate 2 x 14 600 B / 40 ms = 730 kB/s, 2 ms per
     * 1460-byte segment: three leave at once, then one every 2 ms on the loop timer; none early.
     */
    @Test
    void theInitialWindowLeavesPacedOnTheTimer() {
        TcpConfig cfg = new TcpConfig();
        cfg.pacing = true;
        TcpHarness h = new TcpHarness(cfg);
        h.c.acceptSyn(h.synFromPeer().sackPermitted().build(), LOCAL_ISS, h.now);
        h.recv();
        h.advance(40);
        h.seg().flags(Tcp.ACK).seq(R).ack(L).win(65535).send();
        // an ACK sets the rate; the handshake's ACK already did
        int m = h.c.sendMss();
        long start = h.now;
        h.write(TcpHarness.bytes(10 * m, 1));
        List<Long> times = new ArrayList<>();
        h.recvAll().forEach(seg -> times.add(0L));
        assertThat(times).hasSize(3);
        assertThat(h.msToDeadline()).isEqualTo(2);
        for (int ms = 1; ms <= 40 && times.size() < 10; ms++) {
            h.advance(1);
            long at = (h.now - start) / 1_000_000L;
            h.recvAll().forEach(seg -> times.add(at));
        }
        assertThat(times).hasSize(10);
        for (int i = 3; i < times.size(); i++) {
            assertThat(times.get(i) - times.get(i - 1)).as("gap before segment %d", i).isGreaterThanOrEqualTo(1);
        }
        assertThat(times.getLast()).isLessThanOrEqualTo(16);
        assertThat(h.c.stats().retransmissions).isZero();
    }

    @Test
    void pacingOffSendsTheWindowAtOnce() {
        TcpConfig cfg = TcpHarness.unpaced();
        TcpHarness h = new TcpHarness(cfg);
        h.c.acceptSyn(h.synFromPeer().sackPermitted().build(), LOCAL_ISS, h.now);
        h.recv();
        h.advance(40);
        h.seg().flags(Tcp.ACK).seq(R).ack(L).win(65535).send();
        h.write(TcpHarness.bytes(10 * h.c.sendMss(), 1));
        assertThat(h.recvAll()).hasSize(10);
    }

    /**
     * The path policy (PacingPolicy): behind a first hop that pushes back without loss (a
     * {@code vde://} port) on a short path (handshake round trip 1 ms), the initial window leaves
     * at once, unpaced; the same port behind a 2 ms round trip, or another port on the 1 ms one,
     * or TCP_PACING asked for, keeps the pacer's burst allowance (at most 8 segments and the one
     * due now).
     */
    @Test
    void aShortPathBehindAPortThatPushesBackIsNotPaced() {
        assertThat(initialBurst(true, 1, false)).as("vde:// first hop, 1 ms").isEqualTo(10);
        assertThat(initialBurst(true, 2, false)).as("vde:// first hop, 2 ms: a longer path").isBetween(2, 9);
        assertThat(initialBurst(false, 1, false)).as("a port that may drop, 1 ms").isBetween(2, 9);
        assertThat(initialBurst(true, 1, true)).as("TCP_PACING asked for").isBetween(2, 9);
    }

    /** Once a sample shows a short path, a connection behind a port that pushes back stops pacing. */
    @Test
    void aPathFoundShortLaterStopsPacing() {
        TcpConfig cfg = new TcpConfig();
        cfg.pacing = true;
        TcpHarness h = new TcpHarness(cfg);
        h.c.setFirstHopPushesBack(true);
        assertThat(h.c.paced()).as("no round trip measured yet").isTrue();
        h.c.acceptSyn(h.synFromPeer().sackPermitted().build(), LOCAL_ISS, h.now);
        h.recv();
        h.advance(3);
        h.seg().flags(Tcp.ACK).seq(R).ack(L).win(65535).send();
        assertThat(h.c.paced()).as("3 ms").isTrue();
        assertThat(h.c.pacingRate()).isPositive();
        h.write(TcpHarness.bytes(h.c.sendMss(), 1));
        h.recvAll();
        h.seg().flags(Tcp.ACK).seq(R).ack(L + h.c.sendMss()).win(65535).send(); // acknowledged at once: 0 ms
        assertThat(h.c.paced()).isFalse();
        assertThat(h.c.pacingRate()).isZero();
    }

    /** Segments of the initial window (10) that leave at once after a handshake of {@code rttMillis}. */
    private static int initialBurst(boolean firstHopPushesBack, long rttMillis, boolean pacingAskedFor) {
        TcpConfig cfg = new TcpConfig();
        cfg.pacing = true;
        cfg.pacingOnEveryPath = pacingAskedFor;
        TcpHarness h = new TcpHarness(cfg);
        h.c.setFirstHopPushesBack(firstHopPushesBack);
        h.c.acceptSyn(h.synFromPeer().sackPermitted().build(), LOCAL_ISS, h.now);
        h.recv();
        h.advance(rttMillis);
        h.seg().flags(Tcp.ACK).seq(R).ack(L).win(65535).send();
        h.write(TcpHarness.bytes(10 * h.c.sendMss(), 1));
        List<TcpHarness.Seg> first = h.recvAll();
        h.advance(100);
        // the rest of the window left later (with tail-loss probes and timeouts resending some)
        java.util.Set<Integer> seqs = new java.util.HashSet<>();
        first.forEach(seg -> seqs.add(seg.seq()));
        h.recvAll().forEach(seg -> seqs.add(seg.seq()));
        assertThat(seqs).as("every segment of the window").hasSize(10);
        return first.size();
    }
}
