package org.jioth.jnet.tcp;

/**
 * A congestion controller (RFC 5681 framework): owns cwnd and ssthresh in bytes. The connection
 * tells it about acknowledged data outside recovery, congestion signals (fast retransmit), RTO
 * expiry and idle restarts; loss recovery itself (NewReno or SACK) lives in the connection.
 */
public abstract class CongestionControl {
    /** Names accepted by {@link #create}. */
    public static final String NEW_RENO = "newreno";
    public static final String CUBIC = "cubic";
    public static final String BBR = "bbr";
    /** The controller a connection gets when neither its socket nor its stack names one. */
    public static final String DEFAULT = CUBIC;

    /** A cap far beyond any window the 30-bit scaled send window allows, so sums never overflow. */
    protected static final int MAX_CWND = 1 << 30;

    protected int smss;
    protected int cwnd;
    protected int ssthresh = Integer.MAX_VALUE;
    /** HyStart++ (RFC 9406) for the first slow start. */
    protected final HyStartPlusPlus hystart = new HyStartPlusPlus();

    /** The controller named {@code name} ({@link #CUBIC}, {@link #BBR} or {@link #NEW_RENO}; null: {@link #DEFAULT}). */
    public static CongestionControl create(String name) {
        return switch (name == null ? DEFAULT : name) {
            case NEW_RENO -> new NewReno();
            case CUBIC -> new Cubic();
            case BBR -> new Bbr();
            default -> throw new IllegalArgumentException("unknown congestion control '" + name
                    + "' (known: bbr, cubic, newreno)");
        };
    }

    /** Checks a congestion control name; returns it. */
    public static String requireKnown(String name) {
        create(name);
        return name;
    }

    /** Whether the connection should estimate delivery rates for {@link #onRateSample} (model-based control). */
    public boolean wantsRateSamples() {
        return false;
    }

    /**
     * How many congestion windows the send buffer may hold when it follows cwnd (Linux's
     * tcp_sndbuf_expand: 2, room for fast recovery's SACKed data above a hole).
     */
    public int sendBufferWindows() {
        return 2;
    }

    /** Whether this controller sets cwnd in recovery itself (then PRR and NewReno's inflation stay out). */
    public boolean setsRecoveryWindow() {
        return false;
    }

    /**
     * Every ACK's delivery-rate sample, with the connection's total delivered bytes and the bytes
     * in flight after it (only when {@link #wantsRateSamples}).
     */
    public void onRateSample(DeliveryRate.Sample rs, long totalDelivered, long inflight, long now, long srtt) {
    }

    /**
     * The pacing rate in bytes per second (0: unpaced), Linux's for window-based control: cwnd (or
     * what is in flight, if more) per smoothed RTT, times 2 in slow start below half of ssthresh,
     * else 1.2. Unpaced without an RTT estimate.
     */
    public long pacingRate(long srtt, int inflight) {
        if (srtt <= 0) {
            return 0;
        }
        double gain = cwnd < ssthresh / 2 ? 2.0 : 1.2;
        return (long) (gain * Math.max(cwnd, inflight) * 1e9 / srtt);
    }

    /** Starts with the initial window of RFC 6928 (10 segments, capped at 14600 bytes or 2 segments). */
    public void init(int smss, long now) {
        this.smss = smss;
        this.cwnd = initialWindow();
    }

    protected int initialWindow() {
        return Math.min(10 * smss, Math.max(2 * smss, 14600));
    }

    public void setSmss(int smss) {
        this.smss = smss;
    }

    public int cwnd() {
        return cwnd;
    }

    public int ssthresh() {
        return ssthresh;
    }

    public boolean inSlowStart() {
        return cwnd < ssthresh;
    }

    /** Used by NewReno recovery to inflate and deflate the window. */
    void setCwnd(int bytes) {
        cwnd = Math.max(bytes, smss);
    }

    /** {@code acked} new bytes were acknowledged outside recovery, with {@code flight} in flight before. */
    public abstract void onAck(int acked, int flight, long now, long srtt);

    /** Loss detected by duplicate ACKs or SACK: sets ssthresh and the window to recover with. */
    public abstract void onCongestion(int flight, long now);

    /** Recovery ended: the window recovery leaves behind. */
    public void onRecoveryExit(int flight) {
        cwnd = Math.max(Math.min(ssthresh, flight + smss), smss);
    }

    /** The retransmission timer expired (RFC 5681 eq. 4): one segment, ssthresh halved. */
    public void onTimeout(int flight, long now) {
        ssthresh = Math.max(flight / 2, 2 * smss);
        cwnd = smss;
    }

    /** A reduction proved spurious (DSACK, Eifel): back to the window before it (as Linux's undo). */
    public void undo(int priorCwnd, int priorSsthresh) {
        cwnd = Math.max(cwnd, Math.min(priorCwnd, MAX_CWND));
        ssthresh = Math.max(ssthresh, priorSsthresh);
    }

    /** Sending resumed after an idle period longer than an RTO (RFC 5681 4.1). */
    public void onIdleRestart(long now) {
        cwnd = Math.min(cwnd, initialWindow());
    }

    /**
     * An ACK of {@code ack} in slow start, SND.NXT at {@code sndNxt}, with this ACK's RTT sample
     * (ns, negative for none): HyStart++ may end slow start here (ssthresh = cwnd).
     */
    public void onSlowStartAck(int ack, int sndNxt, long rtt) {
        if (hystart.onAck(ack, sndNxt, rtt)) {
            ssthresh = Math.max(cwnd, 2 * smss);
        }
    }

    /** Whether HyStart++ has slowed this slow start down (Conservative Slow Start). */
    public boolean inConservativeSlowStart() {
        return hystart.inConservativeSlowStart() && inSlowStart();
    }

    /**
     * Grows the window in slow start (RFC 3465 with L = 2 SMSS, divided by 4 in HyStart++'s
     * Conservative Slow Start); returns bytes not used.
     */
    protected int slowStart(int acked) {
        int grow = Math.max(1, Math.min(acked, 2 * smss) / hystart.growthDivisor());
        if ((long) cwnd + grow > ssthresh) { // long: ssthresh starts at Integer.MAX_VALUE
            int used = Math.max(0, ssthresh - cwnd);
            cwnd = Math.max(cwnd, ssthresh);
            return acked - used;
        }
        cwnd = (int) Math.min(MAX_CWND, (long) cwnd + grow);
        return 0;
    }
}
