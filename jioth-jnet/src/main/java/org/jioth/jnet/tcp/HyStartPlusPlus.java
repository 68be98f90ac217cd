package org.jioth.jnet.tcp;

import static org.jioth.jnet.wire.SeqNum.ge;

/**
 * HyStart++ (RFC 9406): leaves slow start before the first loss when the round trip grows. Per
 * round (a window of data, ended when the ACK passes what was sent at its start), the minimum of
 * the first RTT samples is compared with the last round's; a rise of more than max(4 ms, min(16
 * ms, lastRoundMinRTT / 8)) starts Conservative Slow Start (growth divided by 4); an RTT back below
 * the baseline returns to slow start (the rise was spurious); five rounds of CSS end slow start
 * (ssthresh = cwnd). Loss ends it too. State only; {@link CongestionControl} applies it.
 */
final class HyStartPlusPlus {
    static final long MIN_RTT_THRESH = 4_000_000L;
    static final long MAX_RTT_THRESH = 16_000_000L;
    static final int MIN_RTT_DIVISOR = 8;
    static final int N_RTT_SAMPLE = 8;
    static final int CSS_GROWTH_DIVISOR = 4;
    static final int CSS_ROUNDS = 5;
    private static final long NONE = Long.MAX_VALUE;

    private boolean started;
    private int windowEnd;
    private long lastRoundMinRtt = NONE;
    private long currentRoundMinRtt = NONE;
    private int samples;
    private long cssBaselineMinRtt = NONE;
    private int cssRounds;
    private boolean inCss;
    private boolean finished;

    /**
     * An ACK of {@code ack} with SND.NXT at {@code sndNxt} and this ACK's RTT sample ({@code rtt}
     * ns, or negative for none), in slow start. True when slow start should end now.
     */
    boolean onAck(int ack, int sndNxt, long rtt) {
        if (finished) {
            return false;
        }
        if (!started || ge(ack, windowEnd)) {
            started = true;
            windowEnd = sndNxt;
            lastRoundMinRtt = currentRoundMinRtt;
            currentRoundMinRtt = NONE;
            samples = 0;
            if (inCss && ++cssRounds >= CSS_ROUNDS) {
                finished = true;
                return true;
            }
        }
        if (rtt >= 0) {
            currentRoundMinRtt = Math.min(currentRoundMinRtt, rtt);
            samples++;
        }
        if (samples < N_RTT_SAMPLE || currentRoundMinRtt == NONE) {
            return false;
        }
        if (!inCss) {
            if (lastRoundMinRtt != NONE) {
                long thresh = Math.clamp(lastRoundMinRtt / MIN_RTT_DIVISOR, MIN_RTT_THRESH, MAX_RTT_THRESH);
                if (currentRoundMinRtt >= lastRoundMinRtt + thresh) {
                    inCss = true;
                    cssBaselineMinRtt = currentRoundMinRtt;
                    cssRounds = 0;
                }
            }
        } else if (currentRoundMinRtt < cssBaselineMinRtt) {
            inCss = false; // the increase was spurious: back to slow start
            cssBaselineMinRtt = NONE;
        }
        return false;
    }

    /** Slow start's growth is divided by this (4 in Conservative Slow Start). */
    int growthDivisor() {
        return inCss ? CSS_GROWTH_DIVISOR : 1;
    }

    boolean inConservativeSlowStart() {
        return inCss;
    }

    /** A loss or timeout: HyStart++ is over for this connection's slow start. */
    void finish() {
        finished = true;
        inCss = false;
    }

    /** Slow start begins anew (after a timeout or idle restart): rounds are measured afresh. */
    void restart() {
        started = false;
        finished = false;
        inCss = false;
        lastRoundMinRtt = NONE;
        currentRoundMinRtt = NONE;
        samples = 0;
        cssBaselineMinRtt = NONE;
    }
}
