package org.jioth.jnet.tcp;

/**
 * BBR congestion control, after draft-ietf-ccwg-bbr (BBRv3): a model of the path (the windowed
 * maximum delivery rate and the minimum round trip) sets the pacing rate and cwnd, so random
 * loss is not read as congestion. States STARTUP (pacing gain 2.77, cwnd gain 2.89: find the
 * bandwidth), DRAIN (0.35: empty the queue STARTUP made), PROBE_BW (DOWN 0.9, CRUISE 1, REFILL
 * 1, UP 1.25: probe for more bandwidth about every 8 rounds as Linux's BBR v1 does (see
 * {@link #PROBE_BW_CYCLE_ROUNDS}; the draft waits up to 63 rounds), at the latest every 2.5 s;
 * UP lasts while the bandwidth grows 25 % a round, the draft's full_bw_now), PROBE_RTT (cwnd
 * half the BDP for 200 ms and a round, when the minimum RTT has not been seen for 5 s).
 * STARTUP's window gain is Linux's 2.89, not the draft's 2 (see {@link #STARTUP_CWND_GAIN}). The
 * bandwidth filter keeps the maximum of the last two PROBE_BW cycles (8-20 rounds, Linux's is
 * 10); the minimum RTT filter is
 * 10 s long. Loss: packet conservation in the first round of recovery,
 * then growth to the model's window; the window before recovery (or a timeout) comes back after
 * it (the draft's BBRSaveCwnd/BBRRestoreCwnd). The draft's loss-rate bounds (inflight_hi,
 * bw_lo, its 2 % loss threshold) are not implemented (see docs/jnet-tcp.md). Fed every ACK's
 * {@link DeliveryRate.Sample}; cwnd in bytes, rates in bytes per second, times in ns. cwnd also
 * holds the ACK aggregation seen in the last ~10 rounds (the draft's extra_acked).
 */
public final class Bbr extends CongestionControl {
    enum Mode { STARTUP, DRAIN, PROBE_BW_DOWN, PROBE_BW_CRUISE, PROBE_BW_REFILL, PROBE_BW_UP, PROBE_RTT }

    static final double STARTUP_PACING_GAIN = 2.77; // 4 ln 2
    /**
     * Linux's BBR gain for STARTUP's window (2/ln 2), not the draft's 2: the window is gain x the
     * bandwidth x the minimum RTT, and on a path with jitter a flight takes well over that minimum
     * (wirefilter's 5±3 ms: 14 ms against 8), so a gain of 2 let the flight grow only ~14 % per
     * round, less with a recovery round in between; STARTUP then saw no 25 % growth and ended at a
     * fraction of the path's bandwidth.
     */
    static final double STARTUP_CWND_GAIN = 2.89;
    static final double DRAIN_PACING_GAIN = 0.35;
    static final double DOWN_PACING_GAIN = 0.9;
    static final double UP_PACING_GAIN = 1.25;
    static final double CWND_GAIN = 2.0;
    static final double UP_CWND_GAIN = 2.25;
    static final double PROBE_RTT_CWND_GAIN = 0.5;
    /** Pacing 1 % below the estimated bandwidth, so the bottleneck queue drains (the draft's pacing margin). */
    static final double PACING_MARGIN = 0.99;
    static final long MIN_RTT_FILTER = 10_000_000_000L;
    static final long PROBE_RTT_INTERVAL = 5_000_000_000L;
    static final long PROBE_RTT_DURATION = 200_000_000L;
    /** The draft picks 2-3 s at random; the midpoint keeps the stack's random source out of it. */
    static final long BW_PROBE_WAIT = 2_500_000_000L;
    /**
     * Rounds of DOWN and CRUISE before the next probe: with REFILL's round and UP's, a probe about
     * every 8 rounds, as Linux's BBR (v1: an 8-phase gain cycle of one minimum RTT each, 1.25 in
     * one of them). The draft waits min(BDP in segments, 63) rounds, for Reno flows sharing the
     * bottleneck; its loss bounds (inflight_hi, bw_lo) then restrain each probe. Without those
     * bounds, on a path of random loss an estimate left low by STARTUP (which recovery rounds end
     * early) stayed there: in virtual time at 5 % loss and 14 ms, STARTUP ended at 13 MB/s on a
     * path without a bottleneck and the next probe came 70 rounds (0.9 s) later.
     */
    static final int PROBE_BW_CYCLE_ROUNDS = 6;
    static final int FULL_BW_COUNT = 3;
    static final double FULL_BW_THRESH = 1.25;
    static final int MIN_PIPE_SEGMENTS = 4;
    /** A send quantum is this long at the pacing rate (Linux's pacing shift of 10: ~1 ms). */
    static final long SEND_QUANTUM_NANOS = 1_000_000L;
    /** The largest send quantum: Linux's GSO limit. */
    static final long MAX_SEND_QUANTUM = 65_536;
    /** Below this pacing rate a quantum is one segment (Linux's bbr_min_tso_rate, 1.2 Mbit/s). */
    static final long MIN_QUANTUM_RATE = 150_000;

    private Mode mode = Mode.STARTUP;
    private double pacingGain = STARTUP_PACING_GAIN;
    private double cwndGain = STARTUP_CWND_GAIN;
    private long pacingRate;

    // bandwidth: the maximum over the current and the previous PROBE_BW cycle
    private final long[] bwSlots = new long[2];
    private int cycleCount;
    private long maxBw;

    // round trips counted by delivered data
    private long nextRoundDelivered;
    private long roundCount;
    private boolean roundStart;

    private long minRtt = -1;
    private long minRttStamp;
    private long probeRttMinDelay = -1;
    private long probeRttMinStamp;
    private long probeRttDoneStamp;
    private boolean probeRttRoundDone;

    private long fullBw;
    /** The bandwidth estimate when STARTUP ended (diagnosis: {@link #toString}). */
    private long startupExitBw;
    private int fullBwCount;
    private boolean fullBwReached;

    private long cycleStamp;
    private long roundsSinceProbe;
    /** PROBE_BW_UP's own full-bandwidth check (the draft's full_bw/full_bw_count, reset at each probe). */
    private long upFullBw;
    private int upFullBwCount;
    private boolean idleRestart;

    // ACK aggregation (the draft's extra_acked): data acknowledged beyond bw x interval, a max over ~10 rounds
    static final int EXTRA_ACKED_SLOT_ROUNDS = 5;
    private final long[] extraAckedSlots = new long[2];
    private int extraAckedSlot;
    private long extraAckedSlotRounds;
    private long extraAckedIntervalStart = -1;
    private long extraAckedDelivered;

    private int priorCwnd;
    private boolean packetConservation;
    private long conservationEndRound;
    /** After a timeout: when it fired; the delivery of anything sent since ends the episode (-1: none). */
    private long timeoutAt = -1;

    @Override
    public void init(int smss, long now) {
        super.init(smss, now);
        minRttStamp = now;
        probeRttMinStamp = now;
        cycleStamp = now;
    }

    @Override
    public boolean wantsRateSamples() {
        return true;
    }

    /**
     * Three windows, as Linux's BBR provisions (bbr_sndbuf_expand): its window is already twice
     * the BDP, and under random loss a lost retransmission holds SND.UNA for a few rounds while
     * the SACKed data above it stays buffered; with two windows the buffer filled and the sender
     * waited for it 10-30 % of a transfer through wirefilter's 5 %.
     */
    @Override
    public int sendBufferWindows() {
        return 3;
    }

    @Override
    public boolean setsRecoveryWindow() {
        return true;
    }

    @Override
    public boolean inSlowStart() {
        return mode == Mode.STARTUP;
    }

    @Override
    public void onAck(int acked, int flight, long now, long srtt) {
        // the model sets cwnd in onRateSample, on every ACK
    }

    @Override
    public void onSlowStartAck(int ack, int sndNxt, long rtt) {
        // STARTUP ends when the bandwidth stops growing, not by HyStart++
    }

    @Override
    void setCwnd(int bytes) {
        // PRR and NewReno's inflation do not apply: BBR bounds the window in recovery itself
    }

    @Override
    public void onCongestion(int flight, long now) {
        // recovery begins: remember the window, then packet conservation for a round
        if (!packetConservation) {
            priorCwnd = Math.max(priorCwnd, cwnd);
        }
        packetConservation = true;
        conservationEndRound = roundCount + 1;
        cwnd = Math.max(smss, Math.min(cwnd, flight) - smss);
    }

    @Override
    public void onRecoveryExit(int flight) {
        packetConservation = false;
        cwnd = Math.max(cwnd, priorCwnd);
        priorCwnd = 0;
    }

    @Override
    public void onTimeout(int flight, long now) {
        if (timeoutAt < 0) {
            priorCwnd = Math.max(priorCwnd, cwnd);
        }
        packetConservation = false;
        timeoutAt = now;
        cwnd = smss;
    }

    @Override
    public void undo(int priorCwnd, int priorSsthresh) {
        packetConservation = false;
        cwnd = Math.max(cwnd, Math.max(this.priorCwnd, Math.min(priorCwnd, MAX_CWND)));
        this.priorCwnd = 0;
        timeoutAt = -1;
    }

    @Override
    public void onIdleRestart(long now) {
        // the draft's BBRHandleRestartFromIdle: the window stays, pacing at the estimate
        idleRestart = true;
        if (mode.ordinal() >= Mode.PROBE_BW_DOWN.ordinal() && mode != Mode.PROBE_RTT && maxBw > 0) {
            pacingRate = (long) (maxBw * PACING_MARGIN);
        }
    }

    private long delivered;

    @Override
    public void onRateSample(DeliveryRate.Sample rs, long totalDelivered, long inflight, long now, long srtt) {
        delivered = totalDelivered;
        if (rs.newlyDelivered <= 0) {
            return;
        }
        updateRound(rs, totalDelivered);
        updateMaxBw(rs);
        updateMinRtt(rs, now);
        checkStartupDone(rs);
        checkDrain(inflight, now);
        updateProbeBw(rs, inflight, now);
        checkProbeRtt(inflight, now);
        updateAckAggregation(rs, now);
        idleRestart = false;
        setPacingRate(srtt);
        setCwnd(rs, inflight);
    }

    private void updateRound(DeliveryRate.Sample rs, long totalDelivered) {
        roundStart = false;
        if (rs.rate >= 0 && rs.priorDelivered >= nextRoundDelivered && rs.delivered > 0) {
            nextRoundDelivered = totalDelivered;
            roundCount++;
            roundsSinceProbe++;
            roundStart = true;
            if (packetConservation && roundCount >= conservationEndRound) {
                packetConservation = false;
            }
        }
        if (timeoutAt >= 0 && rs.delivered > 0 && rs.sentTime - timeoutAt >= 0) {
            // data sent after the timeout arrived: the episode is over, the window comes back
            cwnd = Math.max(cwnd, priorCwnd);
            priorCwnd = 0;
            timeoutAt = -1;
        }
    }

    private void updateMaxBw(DeliveryRate.Sample rs) {
        if (!rs.valid()) {
            return;
        }
        if (rs.rate >= maxBw || !rs.appLimited) {
            int slot = cycleCount & 1;
            bwSlots[slot] = Math.max(bwSlots[slot], rs.rate);
            maxBw = Math.max(bwSlots[0], bwSlots[1]);
        }
    }

    /** A new PROBE_BW cycle: the filter forgets the cycle before the previous one. */
    private void advanceMaxBwFilter() {
        cycleCount++;
        bwSlots[cycleCount & 1] = 0;
        maxBw = Math.max(bwSlots[0], bwSlots[1]);
    }

    /** The draft's BBR.probe_rtt_expired: taken before this ACK's sample refreshes the stamp. */
    private boolean probeRttExpired;

    private void updateMinRtt(DeliveryRate.Sample rs, long now) {
        probeRttExpired = now - probeRttMinStamp > PROBE_RTT_INTERVAL;
        if (rs.rtt >= 0 && (probeRttMinDelay < 0 || rs.rtt < probeRttMinDelay || probeRttExpired)) {
            probeRttMinDelay = rs.rtt;
            probeRttMinStamp = now;
        }
        boolean minRttExpired = now - minRttStamp > MIN_RTT_FILTER;
        if (probeRttMinDelay >= 0 && (minRtt < 0 || probeRttMinDelay < minRtt || minRttExpired)) {
            minRtt = probeRttMinDelay;
            minRttStamp = probeRttMinStamp;
        }
    }

    private void checkStartupDone(DeliveryRate.Sample rs) {
        if (fullBwReached || !roundStart || rs.appLimited) {
            return;
        }
        if (maxBw >= fullBw * FULL_BW_THRESH) {
            fullBw = maxBw;
            fullBwCount = 0;
            return;
        }
        if (++fullBwCount >= FULL_BW_COUNT) {
            fullBwReached = true;
        }
        if (fullBwReached && mode == Mode.STARTUP) {
            startupExitBw = maxBw;
            mode = Mode.DRAIN;
            pacingGain = DRAIN_PACING_GAIN;
            cwndGain = STARTUP_CWND_GAIN;
        }
    }

    private void checkDrain(long inflight, long now) {
        if (mode == Mode.DRAIN && inflight <= inflightFor(1.0)) {
            startDown(now);
        }
    }

    private void startDown(long now) {
        mode = Mode.PROBE_BW_DOWN;
        pacingGain = DOWN_PACING_GAIN;
        cwndGain = CWND_GAIN;
        cycleStamp = now;
        roundsSinceProbe = 0;
        advanceMaxBwFilter();
    }

    private void updateProbeBw(DeliveryRate.Sample rs, long inflight, long now) {
        switch (mode) {
            case PROBE_BW_DOWN -> {
                if (timeToProbe(now)) {
                    startRefill();
                } else if (inflight <= inflightFor(1.0)) {
                    mode = Mode.PROBE_BW_CRUISE;
                    pacingGain = 1.0;
                    cwndGain = CWND_GAIN;
                }
            }
            case PROBE_BW_CRUISE -> {
                if (timeToProbe(now)) {
                    startRefill();
                }
            }
            case PROBE_BW_REFILL -> {
                if (roundStart) {
                    mode = Mode.PROBE_BW_UP;
                    pacingGain = UP_PACING_GAIN;
                    cwndGain = UP_CWND_GAIN;
                    cycleStamp = now;
                    upFullBw = 0;
                    upFullBwCount = 0;
                }
            }
            case PROBE_BW_UP -> {
                // The draft's full_bw_now: UP goes on while the bandwidth still grows 25 % a round,
                // so an estimate far below the path climbs 1.25x per round, not per probe cycle
                // (up to 63 rounds apart); three rounds without that growth end the probe.
                if (roundStart && !rs.appLimited) {
                    if (maxBw >= upFullBw * FULL_BW_THRESH) {
                        upFullBw = maxBw;
                        upFullBwCount = 0;
                    } else {
                        upFullBwCount++;
                    }
                }
                if (upFullBwCount >= FULL_BW_COUNT) {
                    startDown(now);
                }
            }
            default -> {
            }
        }
    }

    private boolean timeToProbe(long now) {
        return now - cycleStamp > BW_PROBE_WAIT || roundsSinceProbe >= PROBE_BW_CYCLE_ROUNDS;
    }

    private void startRefill() {
        mode = Mode.PROBE_BW_REFILL;
        pacingGain = 1.0;
        cwndGain = CWND_GAIN;
        roundsSinceProbe = 0;
    }

    private void checkProbeRtt(long inflight, long now) {
        if (mode != Mode.PROBE_RTT && probeRttExpired && !idleRestart
                && minRtt > 0) {
            mode = Mode.PROBE_RTT;
            pacingGain = 1.0;
            cwndGain = PROBE_RTT_CWND_GAIN;
            priorCwnd = Math.max(priorCwnd, cwnd);
            probeRttDoneStamp = 0;
        }
        if (mode != Mode.PROBE_RTT) {
            return;
        }
        if (probeRttDoneStamp == 0 && inflight <= probeRttCwnd()) {
            probeRttDoneStamp = now + PROBE_RTT_DURATION;
            probeRttRoundDone = false;
            nextRoundDelivered = delivered;
        } else if (probeRttDoneStamp != 0) {
            if (roundStart) {
                probeRttRoundDone = true;
            }
            if (probeRttRoundDone && now - probeRttDoneStamp > 0) {
                probeRttMinStamp = now;
                cwnd = Math.max(cwnd, priorCwnd);
                priorCwnd = 0;
                if (fullBwReached) {
                    startDown(now);
                    mode = Mode.PROBE_BW_CRUISE;
                    pacingGain = 1.0;
                } else {
                    mode = Mode.STARTUP;
                    pacingGain = STARTUP_PACING_GAIN;
                    cwndGain = STARTUP_CWND_GAIN;
                }
            }
        }
    }

    private int probeRttCwnd() {
        return (int) Math.max((long) MIN_PIPE_SEGMENTS * smss, bdp(PROBE_RTT_CWND_GAIN));
    }

    /** gain × the estimated bandwidth-delay product in bytes (the initial window without a model). */
    long bdp(double gain) {
        if (minRtt <= 0 || maxBw <= 0) {
            return (long) (gain * initialWindow());
        }
        return (long) (gain * maxBw * (double) minRtt / Pacer.NANOS);
    }

    /**
     * Linux's send quantum (bbr_tso_segs_goal): a millisecond at the pacing rate in whole
     * segments, 2 (1 below 150 KB/s) to 64 KB.
     */
    long sendQuantum() {
        long bytes = Math.min(pacingRate * SEND_QUANTUM_NANOS / Pacer.NANOS, MAX_SEND_QUANTUM);
        long segments = Math.max(bytes / smss, pacingRate < MIN_QUANTUM_RATE ? 1 : 2);
        return segments * smss;
    }

    /**
     * BBRInflight(gain): gain × BDP plus Linux BBR v1's quantization budget (bbr_quantization_budget:
     * three send quanta, so a pacer that releases a millisecond at a time and ACKs that come in
     * batches still keep the pipe full; two segments more while probing up), at least four
     * segments. It bounds cwnd and ends DRAIN and DOWN, as in Linux. Two segments instead of the
     * quanta left jnet's sender cwnd-limited for half of its first 100 ms in a transfer through
     * wirefilter.
     */
    private long inflightFor(double gain) {
        long budget = 3 * sendQuantum() + (mode == Mode.PROBE_BW_UP ? 2L * smss : 0);
        return Math.max(bdp(gain) + budget, (long) MIN_PIPE_SEGMENTS * smss);
    }

    /**
     * The draft's BBRUpdateACKAggregation: how far ACKs run ahead of the bandwidth estimate (a
     * receiver's delayed and stretched ACKs, a loop that answers a batch at once); added to cwnd so
     * such bursts of ACKs do not leave the sender waiting with a window of 2 BDP.
     */
    private void updateAckAggregation(DeliveryRate.Sample rs, long now) {
        if (maxBw <= 0) {
            return;
        }
        if (roundStart && ++extraAckedSlotRounds >= EXTRA_ACKED_SLOT_ROUNDS) {
            extraAckedSlotRounds = 0;
            extraAckedSlot ^= 1;
            extraAckedSlots[extraAckedSlot] = 0;
        }
        long expected = extraAckedIntervalStart < 0 ? 0
                : (long) (maxBw * (double) (now - extraAckedIntervalStart) / Pacer.NANOS);
        if (extraAckedIntervalStart < 0 || extraAckedDelivered <= expected) {
            extraAckedDelivered = 0;
            extraAckedIntervalStart = now;
            expected = 0;
        }
        extraAckedDelivered += rs.newlyDelivered;
        long extra = Math.min(extraAckedDelivered - expected, cwnd);
        extraAckedSlots[extraAckedSlot] = Math.max(extraAckedSlots[extraAckedSlot], extra);
    }

    long extraAcked() {
        return Math.max(extraAckedSlots[0], extraAckedSlots[1]);
    }

    private void setPacingRate(long srtt) {
        if (maxBw <= 0) {
            if (pacingRate == 0 && srtt > 0) {
                pacingRate = (long) (STARTUP_PACING_GAIN * cwnd * (double) Pacer.NANOS / srtt);
            }
            return;
        }
        long rate = (long) (pacingGain * maxBw * PACING_MARGIN);
        if (fullBwReached || rate > pacingRate) {
            pacingRate = rate;
        }
    }

    private void setCwnd(DeliveryRate.Sample rs, long inflight) {
        long newly = rs.newlyDelivered;
        long target = Math.min(MAX_CWND, inflightFor(cwndGain) + (fullBwReached ? extraAcked() : 0));
        long c = cwnd;
        if (packetConservation) {
            c = Math.max(c, inflight + newly);
        } else if (fullBwReached) {
            c = Math.min(c + newly, target);
        } else if (c < target || delivered < initialWindow()) {
            c = c + newly;
        }
        c = Math.max(c, (long) MIN_PIPE_SEGMENTS * smss);
        if (mode == Mode.PROBE_RTT) {
            c = Math.min(c, probeRttCwnd());
        }
        cwnd = (int) Math.min(MAX_CWND, c);
    }

    @Override
    public long pacingRate(long srtt, int inflight) {
        if (pacingRate == 0 && srtt > 0) {
            return (long) (STARTUP_PACING_GAIN * cwnd * (double) Pacer.NANOS / srtt);
        }
        return pacingRate;
    }

    Mode mode() {
        return mode;
    }

    long maxBw() {
        return maxBw;
    }

    long minRtt() {
        return minRtt;
    }

    boolean fullBwReached() {
        return fullBwReached;
    }

    @Override
    public String toString() {
        return "bbr " + mode.name().toLowerCase() + " bw=" + maxBw + "B/s minrtt=" + minRtt / 1000 + "us startupbw="
                + startupExitBw + "B/s";
    }
}
