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

    /** A cap far beyond any window the 30-bit scaled send window allows, so sums never overflow. */
    protected static final int MAX_CWND = 1 << 30;

    protected int smss;
    protected int cwnd;
    protected int ssthresh = Integer.MAX_VALUE;
    /** HyStart++ (RFC 9406) for the first slow start. */
    protected final HyStartPlusPlus hystart = new HyStartPlusPlus();

    /** The controller named {@code name} ({@link #CUBIC} or {@link #NEW_RENO}). */
    public static CongestionControl create(String name) {
        return switch (name) {
            case NEW_RENO -> new NewReno();
            case CUBIC -> new Cubic();
            default -> throw new IllegalArgumentException("unknown congestion control '" + name
                    + "' (known: cubic, newreno)");
        };
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
