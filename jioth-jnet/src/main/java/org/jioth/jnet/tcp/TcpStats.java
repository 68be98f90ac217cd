package org.jioth.jnet.tcp;

import org.jioth.jnet.loop.Counter;

/** What one connection did, for the stack's netstat-like counters and for tests. Loop only. */
public final class TcpStats {
    public long segmentsOut;
    public long segmentsIn;
    public long retransmissions;
    public long fastRetransmits;
    public long timeouts;
    public long challengeAcks;
    public long pawsDrops;
    public long outOfWindow;
    /** Out-of-window segments without data left unanswered by the rate limit (Linux's TCPACKSkippedSeq). */
    public long outOfWindowAcksLimited;
    public long outOfOrder;
    public long dupAcksIn;
    public long resetsOut;
    public long zeroWindowProbes;
    public long keepAliveProbes;
    /** SACK blocks reporting a duplicate (RFC 2883). */
    public long dsacksIn;
    /** Window reductions undone as spurious (DSACK or Eifel). */
    public long undos;
    public long tailLossProbes;
    /** Retransmissions RACK found lost in turn and resent. */
    public long lostRetransmissions;
    /** RFC 6675 NextSeg rule 4's rescue retransmissions (one per recovery episode at most). */
    public long rescueRetransmissions;
    /**
     * Why the sender last stopped sending (Linux's tcp_chrono, for diagnosis): the nanoseconds
     * spent since in each reason ({@link SendLimit}); plain fields, no array per connection.
     */
    public long idleNanos;
    public long sndbufLimitedNanos;
    public long cwndLimitedNanos;
    public long rwndLimitedNanos;
    public long pacingLimitedNanos;
    public long nagleLimitedNanos;
    private SendLimit limit = SendLimit.IDLE;
    private long limitSince = -1;

    /**
     * The sender stopped for {@code why} at {@code now}: the time since the last stop goes to the
     * last reason ({@link #limit()} before this call), and is returned (0 the first time).
     */
    long sendLimited(SendLimit why, long now) {
        long d = 0;
        if (limitSince >= 0) {
            d = now - limitSince;
            switch (limit) {
                case IDLE -> idleNanos += d;
                case SNDBUF -> sndbufLimitedNanos += d;
                case CWND -> cwndLimitedNanos += d;
                case RWND -> rwndLimitedNanos += d;
                case PACING -> pacingLimitedNanos += d;
                case NAGLE -> nagleLimitedNanos += d;
            }
        }
        limit = why;
        limitSince = now;
        return d;
    }

    /** Why the sender last stopped. */
    SendLimit limit() {
        return limit;
    }

    /** Milliseconds per reason, e.g. {@code pacing=812,cwnd=3,...} (reasons never seen left out). */
    public String limitedMillis() {
        StringBuilder b = new StringBuilder();
        long[] nanos = {idleNanos, sndbufLimitedNanos, cwndLimitedNanos, rwndLimitedNanos, pacingLimitedNanos,
            nagleLimitedNanos};
        for (SendLimit l : SendLimit.values()) {
            if (nanos[l.ordinal()] > 0) {
                b.append(b.isEmpty() ? "" : ",").append(l.name().toLowerCase()).append('=')
                        .append(nanos[l.ordinal()] / 1_000_000);
            }
        }
        return b.toString();
    }

    /** What held the sender back when it stopped sending, and the stack-wide counter of that time. */
    public enum SendLimit {
        /** Nothing unsent and room in the send buffer: the application had nothing more to send. */
        IDLE(Counter.TCP_SEND_LIMITED_IDLE),
        /** Nothing unsent because the send buffer was full (of data not yet acknowledged). */
        SNDBUF(Counter.TCP_SEND_LIMITED_SNDBUF),
        /** The congestion window (or recovery's pipe) was full, or had room for less than a segment. */
        CWND(Counter.TCP_SEND_LIMITED_CWND),
        /** The peer's receive window was full. */
        RWND(Counter.TCP_SEND_LIMITED_RWND),
        /** The pacer held the next segment. */
        PACING(Counter.TCP_SEND_LIMITED_PACING),
        /** Nagle held a small segment that was all the data there was. */
        NAGLE(Counter.TCP_SEND_LIMITED_NAGLE);

        /** The stack's sum of every connection's time held back by this reason. */
        final Counter total;

        SendLimit(Counter total) {
            this.total = total;
        }
    }
}
