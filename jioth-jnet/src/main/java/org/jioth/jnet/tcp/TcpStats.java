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
    public long outOfOrder;
    public long dupAcksIn;
    public long resetsOut;
    public long zeroWindowProbes;
    public long keepAliveProbes;
}
