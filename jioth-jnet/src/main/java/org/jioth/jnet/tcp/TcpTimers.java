package org.jioth.jnet.tcp;

/**
 * The deadlines of one connection (retransmission or persist, delayed ACK, TIME_WAIT or
 * FIN_WAIT_2, keep-alive) and the counters they run on. Absolute times on the stack's clock;
 * {@link TcpConnection#NEVER} when unarmed. The layer arms one loop timer at {@link #next}.
 */
final class TcpTimers {
    /** Retransmission timer, or the persist timer while {@link #persisting}. */
    long rto = TcpConnection.NEVER;
    long delayedAck = TcpConnection.NEVER;
    /** Tail loss probe (RFC 8985 7), always before {@link #rto} when armed. */
    long probe = TcpConnection.NEVER;
    /** RACK's reordering timer (RFC 8985 6.3). */
    long reorder = TcpConnection.NEVER;
    /** When the pacer lets the next segment leave. */
    long pace = TcpConnection.NEVER;
    /** End of TIME_WAIT or of an orphaned FIN_WAIT_2. */
    long close = TcpConnection.NEVER;
    boolean persisting;
    /** When the window shut with data waiting (the first probe), -1 when not: persistMax counts from here. */
    long persistSince = -1;
    /** Retransmissions of the oldest unacknowledged segment (or SYN) so far. */
    int retries;
    long lastReceived;
    long lastSent;
    int keepAliveProbes;
    long lastProbe;

    /** When keep-alive next acts for a connection in {@code state}, or NEVER. */
    long keepAlive(TcpConfig cfg, TcpState state) {
        if (!cfg.keepAlive || (state != TcpState.ESTABLISHED && state != TcpState.CLOSE_WAIT)) {
            return TcpConnection.NEVER;
        }
        return keepAliveProbes == 0 ? lastReceived + cfg.keepAliveIdle : lastProbe + cfg.keepAliveInterval;
    }

    long next(TcpConfig cfg, TcpState state) {
        return Math.min(Math.min(Math.min(rto, probe), Math.min(reorder, delayedAck)),
                Math.min(Math.min(close, pace), keepAlive(cfg, state)));
    }

    void stopAll() {
        rto = TcpConnection.NEVER;
        probe = TcpConnection.NEVER;
        reorder = TcpConnection.NEVER;
        pace = TcpConnection.NEVER;
        delayedAck = TcpConnection.NEVER;
        close = TcpConnection.NEVER;
    }
}
