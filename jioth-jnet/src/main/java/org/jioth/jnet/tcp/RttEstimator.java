package org.jioth.jnet.tcp;

/**
 * Retransmission timeout per RFC 6298: SRTT and RTTVAR from samples, RTO = SRTT + max(G, 4 RTTVAR)
 * clamped to [min, max], doubled on each back-off (and kept doubled until a new sample).
 */
public final class RttEstimator {
    /** Clock granularity G: the timestamps' millisecond. */
    static final long GRANULARITY = 1_000_000L;
    private final long minRto;
    private final long maxRto;
    private long srtt = -1;
    private long rttvar;
    private long minRtt = Long.MAX_VALUE;
    private long rto;
    private int backoff;

    public RttEstimator(long initialRto, long minRto, long maxRto) {
        this.minRto = minRto;
        this.maxRto = maxRto;
        this.rto = initialRto;
    }

    /** A round-trip sample (nanoseconds); clears the back-off. */
    public void sample(long rtt) {
        if (rtt < 0) {
            return;
        }
        if (srtt < 0) {
            srtt = rtt;
            rttvar = rtt / 2;
        } else {
            rttvar = (3 * rttvar + Math.abs(srtt - rtt)) / 4;
            srtt = (7 * srtt + rtt) / 8;
        }
        minRtt = Math.min(minRtt, rtt);
        rto = Math.clamp(srtt + Math.max(GRANULARITY, 4 * rttvar), minRto, maxRto);
        backoff = 0;
    }

    /**
     * A sample from a timestamp echo, {@code ms} ticks of 1 ms: fed to {@link #sample} and returned
     * in nanoseconds, or -1 (and ignored) when implausible (negative, or an hour and more).
     */
    long sampleEcho(int ms) {
        if (ms >= 0 && ms < 3_600_000) {
            sample(ms * 1_000_000L);
            return ms * 1_000_000L;
        }
        return -1;
    }

    /** The timeout to arm now (back-off included). */
    public long rto() {
        long r = rto;
        for (int i = 0; i < backoff && r < maxRto; i++) {
            r *= 2;
        }
        return Math.min(r, maxRto);
    }

    /** One more doubling (a retransmission timed out). */
    public void backOff() {
        if (backoff < 30) {
            backoff++;
        }
    }

    public int backoffCount() {
        return backoff;
    }

    /** Smoothed RTT in nanoseconds, or -1 before the first sample. */
    public long srtt() {
        return srtt;
    }

    public long rttvar() {
        return rttvar;
    }

    /** The smallest sample seen, or -1. */
    public long minRtt() {
        return minRtt == Long.MAX_VALUE ? -1 : minRtt;
    }
}
