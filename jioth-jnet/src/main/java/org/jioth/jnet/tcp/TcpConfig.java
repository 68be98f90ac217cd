package org.jioth.jnet.tcp;

/**
 * Per-connection settings, copied from socket options when a connection is made. Times are
 * nanoseconds. Mutable, so sockets can change options; a connection reads it live.
 */
public final class TcpConfig {
    public static final int DEFAULT_BUFFER = 256 * 1024;
    /** SO_RCVBUF is capped here (Linux's tcp_rmem maximum, 6 MiB): an option never decides the heap a connection takes. */
    public static final int MAX_RECEIVE_BUFFER = 6 * 1024 * 1024;
    /** SO_SNDBUF is capped here (Linux's tcp_wmem maximum, 4 MiB). */
    public static final int MAX_SEND_BUFFER = 4 * 1024 * 1024;
    /** Our MSS (from the route's MTU); the layer sets it per connection. */
    public int mss = 1460;
    public int receiveBuffer = DEFAULT_BUFFER;
    public int sendBuffer = DEFAULT_BUFFER;
    /** SO_RCVBUF was set: the receive buffer keeps that size (no autotuning), as Linux's SOCK_RCVBUF_LOCK. */
    public boolean receiveBufferLocked;
    /** SO_SNDBUF was set: the send buffer keeps that size (no growth with cwnd). */
    public boolean sendBufferLocked;
    public boolean noDelay;
    public boolean windowScaling = true;
    public boolean sack = true;
    public boolean timestamps = true;
    /** RACK-TLP (RFC 8985) detects losses with SACK (Linux's tcp_recovery); off: RFC 6675 DupThresh. */
    public boolean rack = true;
    /** bbr, cubic or newreno; null: the stack's ({@code cc=} stack option, else {@link CongestionControl#DEFAULT}). */
    public String congestionControl;
    /**
     * Pacing (earliest departure time, {@link Pacer}) of data segments, on the paths where
     * {@link PacingPolicy} wants it. {@code -Djioth.jnet.pacing=false} turns it off by default, for
     * comparisons (docs/benchmarks.md, lane hop 2026-12-05); {@code =always} paces on every path.
     */
    public boolean pacing = !"false".equals(System.getProperty("jioth.jnet.pacing"));
    /** Pace on every path, not only where {@link PacingPolicy} wants it (TCP_PACING set to true). */
    public boolean pacingOnEveryPath = "always".equals(System.getProperty("jioth.jnet.pacing"));

    public long initialRto = 1_000_000_000L;
    public long minRto = 200_000_000L;
    public long maxRto = 120_000_000_000L;
    /** Retransmissions of one segment before the connection times out (Linux's tcp_retries2 default). */
    public int maxRetries = 15;
    public int synRetries = 6;
    public long delayedAck = 40_000_000L;
    public boolean keepAlive;
    public long keepAliveIdle = 7200_000_000_000L;
    public long keepAliveInterval = 75_000_000_000L;
    public int keepAliveCount = 9;
    /** Maximum segment lifetime; TIME_WAIT lasts two. */
    public long msl = 30_000_000_000L;
    /** Orphaned FIN_WAIT_2 connections give up after this. */
    public long finWait2Timeout = 60_000_000_000L;
    /** RFC 5961 7: challenge ACKs per second and connection. */
    public int challengeAckLimit = 10;
    /** Gives up on a connection whose peer keeps a zero window longer than this without ever acknowledging a probe. */
    public long persistMax = 120_000_000_000L;

    /** The largest receive buffer a connection may come to (autotuned or set): what its window scale covers. */
    public int receiveSpaceMax() {
        return receiveBufferLocked ? receiveBuffer : MAX_RECEIVE_BUFFER;
    }

    public TcpConfig copy() {
        TcpConfig c = new TcpConfig();
        c.mss = mss;
        c.receiveBuffer = receiveBuffer;
        c.sendBuffer = sendBuffer;
        c.receiveBufferLocked = receiveBufferLocked;
        c.sendBufferLocked = sendBufferLocked;
        c.noDelay = noDelay;
        c.windowScaling = windowScaling;
        c.sack = sack;
        c.timestamps = timestamps;
        c.rack = rack;
        c.congestionControl = congestionControl;
        c.pacing = pacing;
        c.pacingOnEveryPath = pacingOnEveryPath;
        c.initialRto = initialRto;
        c.minRto = minRto;
        c.maxRto = maxRto;
        c.maxRetries = maxRetries;
        c.synRetries = synRetries;
        c.delayedAck = delayedAck;
        c.keepAlive = keepAlive;
        c.keepAliveIdle = keepAliveIdle;
        c.keepAliveInterval = keepAliveInterval;
        c.keepAliveCount = keepAliveCount;
        c.msl = msl;
        c.finWait2Timeout = finWait2Timeout;
        c.challengeAckLimit = challengeAckLimit;
        c.persistMax = persistMax;
        return c;
    }
}
