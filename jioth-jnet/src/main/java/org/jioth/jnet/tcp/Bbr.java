package org.jioth.jnet.tcp;

/**
 * BBR congestion control, after draft-ietf-ccwg-bbr (BBRv3) and Linux's BBR v1: a model of the
 * path (the windowed maximum delivery rate and the minimum round trip) sets the pacing rate and
 * cwnd, so random loss is not read as congestion. States STARTUP (pacing gain 2.77, cwnd gain
 * 2.89: find the bandwidth), DRAIN (0.35: empty the queue STARTUP made), PROBE_BW (Linux v1's
 * gain cycle of eight phases of one minimum RTT: UP 1.25, DOWN 0.75, six CRUISE at 1; see
 * {@link #PROBE_BW_GAINS}), PROBE_RTT (cwnd half the BDP for 200 ms and a round, when the
 * minimum RTT has not been seen for 5 s). STARTUP's window gain is Linux's 2.89, not the draft's
 * 2 (see {@link #STARTUP_CWND_GAIN}). The bandwidth filter keeps the maximum of the last ten
 * rounds (Linux v1's); the minimum RTT filter is 10 s long. Loss: what an ACK finds
 * lost ends a probe for bandwidth; packet conservation in the first round of recovery,
 * then growth to the model's window; the window before recovery (or a timeout) comes back after
 * it (the draft's BBRSaveCwnd/BBRRestoreCwnd; Linux v1's stricter recovery measured worse here,
 * see {@link #onCongestion}). The draft's loss-rate bounds (inflight_hi, bw_lo, its 2 %
 * loss threshold) are not implemented (see docs/jnet-tcp.md). Fed every ACK's
 * {@link DeliveryRate.Sample}; cwnd in bytes, rates in bytes per second, times in ns. cwnd also
 * holds the ACK aggregation seen in the last ~10 rounds (the draft's extra_acked).
 */
public final class Bbr extends CongestionControl {
    enum Mode { STARTUP, DRAIN, PROBE_BW_DOWN, PROBE_BW_CRUISE, PROBE_BW_UP, PROBE_RTT }

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
    /**
     * Linux's BBR v1 gain cycle in PROBE_BW: eight phases of one minimum RTT each, UP (1.25),
     * DOWN (0.75), then six at 1 (CRUISE). UP lasts past its minimum RTT until a loss or until
     * the flight reaches 1.25 BDP; DOWN ends early once the flight is down to the BDP.
     */
    static final double[] PROBE_BW_GAINS = {1.25, 0.75, 1, 1, 1, 1, 1, 1};
    /**
     * The phase PROBE_BW begins with after DRAIN or PROBE_RTT: the first CRUISE phase, so the
     * next probe comes after six minimum RTTs (Linux picks one of the seven phases but DOWN at
     * random; jnet keeps the stack's random source out of its window).
     */
    static final int PROBE_BW_FIRST_PHASE = 2;
    static final double CWND_GAIN = 2.0;
    static final double PROBE_RTT_CWND_GAIN = 0.5;
    /** Pacing 1 % below the estimated bandwidth, so the bottleneck queue drains (the draft's pacing margin). */
    static final double PACING_MARGIN = 0.99;
    static final long MIN_RTT_FILTER = 10_000_000_000L;
    static final long PROBE_RTT_INTERVAL = 5_000_000_000L;
    static final long PROBE_RTT_DURATION = 200_000_000L;
    /** The bandwidth filter's length in rounds (Linux's BBR v1: the gain cycle's 8 phases plus 2). */
    static final int BW_FILTER_ROUNDS = 10;
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

    // bandwidth: the maximum over the last BW_FILTER_ROUNDS rounds, one slot a round
    private final long[] bwByRound = new long[BW_FILTER_ROUNDS];
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

    /** When the current PROBE_BW phase began, and which of {@link #PROBE_BW_GAINS} it is. */
    private long cycleStamp;
    private int cycleIndex;
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
    /** Bytes RACK marked lost since the last rate sample (Linux's rs->losses): a loss ends UP. */
    private long lostSinceSample;
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

    /**
     * Recovery begins: the window is remembered, then packet conservation until the next round
     * starts. Linux's BBR v1 is stricter (cwnd from the pipe, conservation for a full round, what
     * each ACK finds lost off cwnd); measured against this through wirefilter, it held the sender
     * by cwnd two to four times as long and doubled the time at 5 % loss (docs/benchmarks.md, wave
     * 10's lane-loss section), so jnet keeps the flight less a segment.
     */
    @Override
    public void onCongestion(int flight, long now) {
        if (!packetConservation) {
            priorCwnd = Math.max(priorCwnd, cwnd);
        }
        packetConservation = true;
        cwnd = Math.max(smss, Math.min(cwnd, flight) - smss);
    }

    @Override
    public void onLoss(long bytes, long now) {
        lostSinceSample += bytes;
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
        lostSinceSample = 0;
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
            lostSinceSample = 0;
            return;
        }
        updateRound(rs, totalDelivered);
        updateMaxBw(rs);
        updateMinRtt(rs, now);
        checkStartupDone(rs);
        checkDrain(inflight, now);
        updateProbeBw(rs, inflight, lostSinceSample, now);
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
            roundStart = true;
            packetConservation = false;
        }
        if (timeoutAt >= 0 && rs.delivered > 0 && rs.sentTime - timeoutAt >= 0) {
            // data sent after the timeout arrived: the episode is over, the window comes back
            cwnd = Math.max(cwnd, priorCwnd);
            priorCwnd = 0;
            timeoutAt = -1;
        }
    }

    /** Linux's BBR v1 max filter: the largest sample of the last ten rounds, app-limited ones only when larger. */
    private void updateMaxBw(DeliveryRate.Sample rs) {
        int slot = (int) (roundCount % BW_FILTER_ROUNDS);
        if (roundStart) {
            bwByRound[slot] = 0; // the round ten rounds ago leaves the window
            maxBw = 0;
            for (long b : bwByRound) {
                maxBw = Math.max(maxBw, b);
            }
        }
        if (rs.valid() && (rs.rate >= maxBw || !rs.appLimited)) {
            bwByRound[slot] = Math.max(bwByRound[slot], rs.rate);
            maxBw = Math.max(maxBw, rs.rate);
        }
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

    /** PROBE_BW begins (after DRAIN or PROBE_RTT), at {@link #PROBE_BW_FIRST_PHASE}. */
    private void startDown(long now) {
        cycleIndex = PROBE_BW_FIRST_PHASE - 1;
        advanceCyclePhase(now);
    }

    private void advanceCyclePhase(long now) {
        cycleIndex = (cycleIndex + 1) % PROBE_BW_GAINS.length;
        cycleStamp = now;
        pacingGain = PROBE_BW_GAINS[cycleIndex];
        cwndGain = CWND_GAIN;
        mode = pacingGain > 1 ? Mode.PROBE_BW_UP : pacingGain < 1 ? Mode.PROBE_BW_DOWN : Mode.PROBE_BW_CRUISE;
    }

    /**
     * Linux's BBR v1 (bbr_is_next_cycle_phase): each phase lasts one minimum RTT; UP goes on after
     * it until this ACK reports a loss or the flight before it reaches 1.25 BDP, DOWN ends as
     * soon as the flight is down to the BDP. jnet ran the draft's UP for at least three rounds
     * at 1.25 (while the estimate grew 25 % a round), which overfilled the queue in every probe.
     */
    private void updateProbeBw(DeliveryRate.Sample rs, long inflight, long lost, long now) {
        if (mode != Mode.PROBE_BW_DOWN && mode != Mode.PROBE_BW_CRUISE && mode != Mode.PROBE_BW_UP) {
            return;
        }
        boolean fullLength = now - cycleStamp > minRtt;
        long priorInflight = inflight + rs.newlyDelivered;
        boolean next;
        if (mode == Mode.PROBE_BW_UP) {
            next = fullLength && (lost > 0 || priorInflight >= inflightFor(pacingGain));
        } else if (mode == Mode.PROBE_BW_DOWN) {
            next = fullLength || priorInflight <= inflightFor(1.0);
        } else {
            next = fullLength;
        }
        if (next) {
            advanceCyclePhase(now);
        }
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
        lostSinceSample = 0;
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
