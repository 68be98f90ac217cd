package org.jioth.jnet.tcp;

/**
 * Loss recovery state of one connection: duplicate ACKs, whether a recovery episode runs and up
 * to where (RFC 6582 "recover"), the highest retransmitted sequence number (RFC 6675 HighRxt)
 * and the SACK scoreboard. Loop-owned state of {@link TcpConnection}; no I/O.
 */
final class LossRecovery {
    final SackScoreboard scoreboard = new SackScoreboard();
    int dupAcks;
    boolean active;
    int recover;
    int highRxt;
}
