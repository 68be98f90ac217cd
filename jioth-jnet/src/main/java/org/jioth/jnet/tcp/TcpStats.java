package org.jioth.jnet.tcp;

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
}
