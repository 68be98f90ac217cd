package org.jioth.jnet.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** HyStart++ (RFC 9406) in CUBIC's slow start, driven round by round with chosen RTT samples. */
class HyStartTest {
    static final int M = 1000;
    static final long MS = 1_000_000L;

    private int ack;

    /** One round: 8 ACKs of one segment with RTT {@code rttMs}; the round ends where SND.NXT stood at its start. */
    private void round(Cubic cc, long rttMs) {
        int end = ack + 10 * M;
        for (int i = 0; i < 8; i++) {
            cc.onSlowStartAck(ack, end, rttMs * MS);
            if (cc.inSlowStart()) {
                cc.onAck(M, cc.cwnd(), 0, rttMs * MS);
            }
            ack += M;
        }
        ack = end;
    }

    @Test
    void aRisingRoundTripStartsConservativeSlowStartAndFiveRoundsOfItEndSlowStart() {
        Cubic cc = new Cubic();
        cc.init(M, 0);
        round(cc, 10);
        round(cc, 10);
        assertThat(cc.inConservativeSlowStart()).isFalse();
        round(cc, 15); // 15 >= 10 + max(4, 10/8) ms
        assertThat(cc.inConservativeSlowStart()).isTrue();
        int before = cc.cwnd();
        cc.onAck(2 * M, cc.cwnd(), 0, 15 * MS);
        assertThat(cc.cwnd() - before).isEqualTo(2 * M / HyStartPlusPlus.CSS_GROWTH_DIVISOR);
        for (int r = 0; r < HyStartPlusPlus.CSS_ROUNDS - 1; r++) {
            round(cc, 15);
            assertThat(cc.inSlowStart()).isTrue();
        }
        cc.onSlowStartAck(ack, ack + 10 * M, 15 * MS); // the fifth CSS round begins: slow start is over
        assertThat(cc.inSlowStart()).isFalse();
        assertThat(cc.ssthresh()).isEqualTo(cc.cwnd());
    }

    @Test
    void aRoundTripBackBelowTheBaselineReturnsToSlowStart() {
        Cubic cc = new Cubic();
        cc.init(M, 0);
        round(cc, 20);
        round(cc, 30); // 30 >= 20 + 4
        assertThat(cc.inConservativeSlowStart()).isTrue();
        round(cc, 25); // below the CSS baseline of 30 ms: the rise was spurious
        assertThat(cc.inConservativeSlowStart()).isFalse();
        assertThat(cc.inSlowStart()).isTrue();
    }

    @Test
    void aSmallRiseOrTooFewSamplesKeepSlowStart() {
        Cubic cc = new Cubic();
        cc.init(M, 0);
        round(cc, 40);
        round(cc, 44); // threshold is 40/8 = 5 ms
        assertThat(cc.inConservativeSlowStart()).isFalse();
        cc.onSlowStartAck(ack, ack + 10 * M, 90 * MS); // one sample of a new round only
        assertThat(cc.inConservativeSlowStart()).isFalse();
    }

    @Test
    void lossEndsHyStart() {
        Cubic cc = new Cubic();
        cc.init(M, 0);
        round(cc, 10);
        cc.onCongestion(cc.cwnd(), 0);
        cc.onTimeout(cc.cwnd(), 0);
        round(cc, 10);
        round(cc, 50);
        assertThat(cc.inConservativeSlowStart()).isFalse();
    }
}
