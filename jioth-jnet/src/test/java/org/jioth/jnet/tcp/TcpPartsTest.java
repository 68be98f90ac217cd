package org.jioth.jnet.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** The pieces: assembler, buffers, RTT estimator, congestion controllers. */
class TcpPartsTest {

    @Test
    void assemblerMergesAndAdvances() {
        Assembler a = new Assembler();
        a.add(10, 20);
        a.add(30, 40);
        a.add(20, 25);
        assertThat(a.count()).isEqualTo(2);
        assertThat(a.start(0)).isEqualTo(10);
        assertThat(a.end(0)).isEqualTo(25);
        a.add(5, 35);
        assertThat(a.count()).isEqualTo(1);
        assertThat(a.end(0)).isEqualTo(40);
        assertThat(a.advance(5)).isEqualTo(40);
        assertThat(a.isEmpty()).isTrue();
        assertThat(a.advance(3)).isEqualTo(3);
    }

    @Test
    void assemblerIsBoundedAndTracksTheNewestRange() {
        Assembler a = new Assembler();
        for (int i = 0; i < Assembler.MAX_RANGES; i++) {
            assertThat(a.add(i * 10L, i * 10L + 5)).isTrue();
        }
        assertThat(a.add(1000, 1005)).isFalse();
        assertThat(a.add(2, 8)).isTrue(); // touches existing ranges: merges
        assertThat(a.lastChanged()).isZero();
        a.add(100, 102);
        assertThat(a.start(a.lastChanged())).isEqualTo(100);
        assertThat(a.covered()).isEqualTo(8 + 5 * (Assembler.MAX_RANGES - 1));
        a.dropBelow(101);
        assertThat(a.start(0)).isEqualTo(101);
        assertThat(a.highest()).isEqualTo(315);
        assertThat(a.coveredFrom(300)).isEqualTo(10); // [300,305) and [310,315)
    }

    @Test
    void sendBufferWrapsAround() {
        SendBuffer b = new SendBuffer(10);
        assertThat(b.write(ByteBuffer.wrap("abcdefgh".getBytes()))).isEqualTo(8);
        b.ackTo(6);
        assertThat(b.write(ByteBuffer.wrap("ijklmnop".getBytes()))).isEqualTo(8);
        assertThat(b.free()).isZero();
        ByteBuffer out = ByteBuffer.allocate(10);
        b.copy(6, out, 0, 10);
        assertThat(new String(out.array())).isEqualTo("ghijklmnop");
        assertThatThrownBy(() -> b.copy(5, out, 0, 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void receiveBufferParksOutOfOrderBytesInPlace() {
        ReceiveBuffer r = new ReceiveBuffer(8);
        assertThat(r.put(4, ByteBuffer.wrap("efgh".getBytes()), 0, 4)).isZero();
        assertThat(r.available()).isZero();
        assertThat(r.put(0, ByteBuffer.wrap("abcd".getBytes()), 0, 4)).isEqualTo(8);
        assertThat(r.window()).isZero();
        ByteBuffer out = ByteBuffer.allocate(5);
        r.read(out);
        assertThat(new String(out.array())).isEqualTo("abcde");
        assertThat(r.window()).isEqualTo(5);
        assertThat(r.put(8, ByteBuffer.wrap("ijklm".getBytes()), 0, 5)).isEqualTo(5); // wraps the ring
        out = ByteBuffer.allocate(8);
        r.read(out);
        assertThat(new String(out.array())).isEqualTo("fghijklm");
        assertThatThrownBy(() -> r.put(13, ByteBuffer.allocate(9), 0, 9)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rttEstimatorFollowsRfc6298() {
        RttEstimator e = new RttEstimator(1_000_000_000L, 200_000_000L, 60_000_000_000L);
        assertThat(e.rto()).isEqualTo(1_000_000_000L);
        e.sample(100_000_000L);
        assertThat(e.srtt()).isEqualTo(100_000_000L);
        assertThat(e.rttvar()).isEqualTo(50_000_000L);
        assertThat(e.rto()).isEqualTo(300_000_000L);
        e.backOff();
        e.backOff();
        assertThat(e.rto()).isEqualTo(1_200_000_000L);
        e.sample(100_000_000L);
        assertThat(e.rto()).isEqualTo(100_000_000L + 4 * 37_500_000L);
        for (int i = 0; i < 40; i++) {
            e.backOff();
        }
        assertThat(e.rto()).isEqualTo(60_000_000_000L);
    }

    /** A timestamp echo is a sample in 1 ms ticks; a negative one or one of an hour and more is ignored. */
    @Test
    void rttEstimatorTakesOnlyPlausibleTimestampEchoes() {
        RttEstimator e = new RttEstimator(1_000_000_000L, 200_000_000L, 60_000_000_000L);
        e.backOff();
        assertThat(e.sampleEcho(-1)).isEqualTo(-1);
        assertThat(e.sampleEcho(3_600_000)).isEqualTo(-1);
        assertThat(e.srtt()).as("no sample taken").isEqualTo(-1);
        assertThat(e.backoffCount()).as("the back-off stays").isEqualTo(1);
        assertThat(e.sampleEcho(0)).isZero();
        assertThat(e.sampleEcho(3_599_999)).isEqualTo(3_599_999_000_000L);
        assertThat(e.backoffCount()).isZero();
        assertThat(e.minRtt()).isZero();
    }

    @Test
    void newRenoSlowStartThenLinearGrowthAndHalving() {
        NewReno r = new NewReno();
        r.init(1000, 0);
        assertThat(r.cwnd()).isEqualTo(10_000);
        r.onAck(2000, 10_000, 0, 0);
        assertThat(r.cwnd()).isEqualTo(12_000);
        r.onCongestion(12_000, 0);
        assertThat(r.ssthresh()).isEqualTo(6000);
        assertThat(r.cwnd()).isEqualTo(6000);
        for (int i = 0; i < 6; i++) {
            r.onAck(1000, 6000, 0, 0);
        }
        assertThat(r.cwnd()).isEqualTo(7000); // one SMSS per window
        r.onTimeout(7000, 0);
        assertThat(r.cwnd()).isEqualTo(1000);
        assertThat(r.ssthresh()).isEqualTo(3500);
    }

    @Test
    void buffersAllocateOnFirstUseAndReleaseOnlyWhenEmpty() {
        SendBuffer sb = new SendBuffer(1000);
        assertThat(sb.allocated()).isFalse();
        assertThat(sb.free()).isEqualTo(1000);
        assertThat(sb.write(java.nio.ByteBuffer.wrap(new byte[0]))).isZero();
        assertThat(sb.allocated()).isFalse();
        assertThat(sb.write(java.nio.ByteBuffer.wrap("hello".getBytes()))).isEqualTo(5);
        assertThat(sb.allocated()).isTrue();
        sb.release(); // not empty: kept
        java.nio.ByteBuffer out = java.nio.ByteBuffer.allocate(5);
        sb.copy(0, out, 0, 5);
        assertThat(new String(out.array())).isEqualTo("hello");
        sb.ackTo(5);
        sb.release();
        assertThat(sb.allocated()).isFalse();
        assertThat(sb.free()).isEqualTo(1000);
        sb.write(java.nio.ByteBuffer.wrap("again".getBytes())); // offsets 5..10 in a fresh ring
        sb.copy(5, out.clear(), 0, 5);
        assertThat(new String(out.array())).isEqualTo("again");

        ReceiveBuffer rb = new ReceiveBuffer(1000);
        assertThat(rb.allocated()).isFalse();
        assertThat(rb.window()).isEqualTo(1000);
        assertThat(rb.read(java.nio.ByteBuffer.allocate(10))).isZero();
        rb.put(0, java.nio.ByteBuffer.wrap("data".getBytes()), 0, 4);
        rb.release(); // unread: kept
        java.nio.ByteBuffer got = java.nio.ByteBuffer.allocate(4);
        assertThat(rb.read(got)).isEqualTo(4);
        assertThat(new String(got.array())).isEqualTo("data");
        rb.release();
        assertThat(rb.allocated()).isFalse();
        rb.put(4, java.nio.ByteBuffer.wrap("more".getBytes()), 0, 4);
        assertThat(rb.read(got.clear())).isEqualTo(4);
        assertThat(new String(got.array())).isEqualTo("more");
    }

    @Test
    void slowStartWithoutLossNeverOverflowsTheWindow() {
        for (CongestionControl cc : new CongestionControl[] {new NewReno(), new Cubic()}) {
            cc.init(1448, 0);
            // 4 GiB acknowledged two segments at a time, always window-limited, never a loss
            for (long acked = 0; acked < (4L << 30); acked += 2 * 1448) {
                cc.onAck(2 * 1448, cc.cwnd(), acked, 1_000_000L);
            }
            assertThat(cc.cwnd()).as("%s", cc).isPositive().isLessThanOrEqualTo(CongestionControl.MAX_CWND);
        }
    }

    @Test
    void cubicReducesByBetaAndGrowsBackTowardsTheOldMaximum() {
        Cubic c = new Cubic();
        c.init(1000, 0);
        // leave slow start at 100 segments
        c.ssthresh = 100_000;
        c.cwnd = 100_000;
        c.onCongestion(100_000, 0);
        assertThat(c.cwnd()).isEqualTo(70_000);
        assertThat(c.wMax()).isEqualTo(100.0);
        long now = 0;
        long rtt = 50_000_000L;
        int before = c.cwnd();
        // a window's worth of ACKs per RTT for 10 s
        for (int r = 0; r < 200; r++) {
            now += rtt;
            int w = c.cwnd();
            for (int i = 0; i < w / 1000; i++) {
                c.onAck(1000, w, now, rtt);
            }
        }
        assertThat(c.cwnd()).isGreaterThan(before);
        // K = cbrt(100 * 0.3 / 0.4) ~ 4.2 s: after 10 s the curve is past Wmax
        assertThat(c.cwnd()).isGreaterThan(100_000);
        // fast convergence: a loss below the previous maximum lowers Wmax further
        c.cwnd = 80_000;
        c.onCongestion(80_000, now);
        c.cwnd = 60_000;
        c.onCongestion(60_000, now);
        assertThat(c.wMax()).isLessThan(60.0);
    }

    @Test
    void unknownCongestionControlIsAClearError() {
        assertThatThrownBy(() -> CongestionControl.create("vegas"))
                .hasMessageContaining("vegas").hasMessageContaining("cubic").hasMessageContaining("bbr");
    }
}
