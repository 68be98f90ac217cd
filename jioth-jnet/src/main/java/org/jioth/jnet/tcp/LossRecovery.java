package org.jioth.jnet.tcp;

import static org.jioth.jnet.wire.SeqNum.ge;
import static org.jioth.jnet.wire.SeqNum.gt;
import static org.jioth.jnet.wire.SeqNum.le;
import static org.jioth.jnet.wire.SeqNum.lt;

import org.jioth.jnet.wire.TcpOptions;

/**
 * Loss recovery state of one connection, in send-stream offsets where it concerns the
 * scoreboard: duplicate ACKs, the recovery episode (RFC 6582 "recover", RFC 6675 HighRxt and
 * the pipe estimate), Proportional Rate Reduction (RFC 6937) and the undo of spurious
 * retransmissions (RFC 2883 DSACK counting as Linux's undo_retrans, RFC 3522 Eifel detection
 * by timestamps), and the decisions on them: when recovery starts (RACK, or DupThresh), which
 * holes NextSeg resends, the DSACK and undo. Sending goes back through {@link Transmitter}.
 */
final class LossRecovery {
    /** How recovery sends: the connection's segment path. */
    interface Transmitter {
        /** Resends [seq, seq + len) (with our FIN if it ends there). */
        void retransmit(int seq, int len, long now);

        /** Payload room of the next segment. */
        int mss();

        /** The send buffer's tail offset (the end of the data). */
        long dataEnd();

        /** Whether the pacer lets a segment leave now (else it arms its timer). */
        default boolean mayDepart(long now) {
            return true;
        }
    }

    private final TcpSender snd;
    private final CongestionControl cc;
    private final RttEstimator rtt;
    private final TcpTimers timers;
    private final TcpStats stats;
    private final Transmitter tx;
    final SackScoreboard scoreboard;
    /** Null when losses are detected by RFC 6675's DupThresh alone. */
    final Rack rack;
    int dupAcks;
    boolean active;
    /** SND.MAX when the episode began; it ends when the cumulative ACK reaches it. */
    int recover;
    /** RFC 6675 HighRxt as a send-stream offset: retransmitted up to here this episode. */
    long highRxt;

    /** RFC 6675 NextSeg rule 4's rescue retransmission went this episode (one per entry into recovery). */
    boolean rescueSent;

    /** A tail loss probe is out and no ACK has advanced SND.UNA since (one probe at a time). */
    boolean probeOut;

    /**
     * Without SACK: the segments the peer's duplicate ACKs stand for (each one left the network),
     * as Linux's sacked_out for Reno: RFC 6937's DeliveredData and the pipe without a scoreboard.
     */
    int renoSacked;

    // PRR (RFC 6937)
    int recoverFs;
    long prrDelivered;
    long prrOut;

    // undo
    /** SND.UNA when the episode (or timeout) began; DSACKs at or above it may make it undone. Unset: undoValid false. */
    int undoMarker;
    boolean undoValid;
    /** Retransmissions since the marker not yet reported duplicate by a DSACK (Linux's undo_retrans). */
    int undoRetrans;
    /** Our TSval on the first retransmission since the marker (Eifel); echoes before it mean the original arrived. */
    int firstRetransTs;
    boolean firstRetransSent;
    int priorCwnd;
    int priorSsthresh;

    LossRecovery(SackScoreboard scoreboard, Rack rack, TcpSender snd, CongestionControl cc, RttEstimator rtt,
            TcpTimers timers, TcpStats stats, Transmitter tx) {
        this.scoreboard = scoreboard;
        this.rack = rack;
        this.snd = snd;
        this.cc = cc;
        this.rtt = rtt;
        this.timers = timers;
        this.stats = stats;
        this.tx = tx;
    }

    /** State and arithmetic only (tests): nothing may be sent through it. */
    LossRecovery(SackScoreboard scoreboard, Rack rack) {
        this(scoreboard, rack, null, null, null, null, null, null);
    }

    /** Un-SACKed bytes below this offset are lost by RFC 6675 IsLost (without RACK). */
    long lostBelow(int smss) {
        return scoreboard.lostBelow(smss);
    }

    /**
     * RFC 6675 SetPipe: un-SACKed bytes not deemed lost, plus those retransmitted, in [una,
     * highData). Under RACK each range carries its own verdict, and a resent range is no longer
     * marked lost: un-SACKed minus marked lost (Linux's packets_out - sacked_out - lost_out +
     * retrans_out).
     */
    int pipe(long una, long highData, int smss) {
        if (rack != null) {
            return (int) Math.max(0, scoreboard.unsacked(una, highData) - rack.lostBytes);
        }
        long lost = Math.max(una, Math.min(lostBelow(smss), highData));
        long rxt = Math.min(Math.max(highRxt, una), highData);
        return (int) (scoreboard.unsacked(lost, highData) + scoreboard.unsacked(una, rxt));
    }

    /** A recovery episode begins with {@code flight} bytes in flight (RFC 6937 RecoverFS). */
    void begin(int una, int max, long unaOffset, int flight) {
        active = true;
        recover = max;
        highRxt = unaOffset;
        recoverFs = Math.max(1, flight);
        rescueSent = false;
        prrDelivered = 0;
        prrOut = 0;
    }

    /**
     * RFC 6937 with PRR-SSRB: the window for this ACK, which delivered {@code delivered} bytes,
     * given the pipe after it. Never below what lets the fast retransmit leave (as Linux).
     */
    int prrWindow(long delivered, int pipe, int ssthresh, int smss) {
        prrDelivered += delivered;
        long sndcnt;
        if (pipe > ssthresh) {
            sndcnt = ceilDiv(prrDelivered * ssthresh, recoverFs) - prrOut;
        } else {
            long limit = Math.max(prrDelivered - prrOut, delivered) + smss;
            sndcnt = Math.min(ssthresh - pipe, limit);
        }
        sndcnt = Math.max(sndcnt, prrOut == 0 ? smss : 0);
        return (int) Math.min(Integer.MAX_VALUE / 2, pipe + Math.max(0, sndcnt));
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    void sent(int bytes) {
        if (active) {
            prrOut += bytes;
        }
    }

    /** Before a window reduction: remember what to restore should it prove spurious. */
    void markUndo(int una, int cwnd, int ssthresh) {
        undoMarker = una;
        undoValid = true;
        undoRetrans = 0;
        firstRetransSent = false;
        priorCwnd = cwnd;
        priorSsthresh = ssthresh;
    }

    /** A retransmission of [seq, ...) left with our TSval {@code tsVal}. */
    void retransmitted(int seq, int tsVal) {
        if (undoValid && ge(seq, undoMarker) && lt(seq, recover)) {
            undoRetrans++;
            if (!firstRetransSent) {
                firstRetransSent = true;
                firstRetransTs = tsVal;
            }
        }
    }

    /** A DSACK reported [left, right) received twice; true when every retransmission since the marker proved spurious. */
    boolean dsack(int left, int right) {
        if (!undoValid || lt(left, undoMarker) || !lt(left, recover) || undoRetrans == 0) {
            return false;
        }
        undoRetrans--;
        return undoRetrans == 0;
    }

    /** Eifel (RFC 3522): an ACK echoing {@code tsEcr} from before our first retransmission acknowledges an original. */
    boolean echoPredatesRetransmission(int tsEcr) {
        return undoValid && firstRetransSent && tsEcr != 0 && lt(tsEcr, firstRetransTs);
    }

    void clearUndo() {
        undoValid = false;
    }

    // ------------------------------------------------------------ decisions

    /**
     * A duplicate ACK (RFC 5681 2). Without SACK it stands for one segment delivered (counted, at
     * most all but one of the flight, as Linux's tcp_limit_reno_sacked); PRR sizes the window
     * from it in recovery (RFC 6937 3), not NewReno's inflation.
     */
    void dupAck(boolean sack, long now) {
        dupAcks++;
        if (!sack) {
            int flightSegments = (snd.max - snd.una + snd.smss - 1) / snd.smss;
            renoSacked = Math.min(renoSacked + 1, Math.max(0, flightSegments - 1));
        }
        if (active) {
            return;
        }
        if (sack && rack != null) {
            return; // RACK decides (detectLoss)
        }
        boolean lost = dupAcks >= SackScoreboard.DUP_THRESH || (sack && snd.offset(snd.una) < lostBelow(snd.smss));
        if (lost && (sack ? ge(snd.una, recover) : gt(snd.una, recover))) {
            enter(sack, now);
        }
    }

    /** Fast retransmit and the start of a recovery episode (window remembered for undo). */
    void enter(boolean sack, long now) {
        stats.fastRetransmits++;
        markUndo(snd.una, cc.cwnd(), cc.ssthresh());
        begin(snd.una, snd.max, snd.offset(snd.una), snd.max - snd.una);
        timers.probe = TcpConnection.NEVER;
        cc.onCongestion(snd.max - snd.una, now);
        snd.rttStart = -1;
        if (sack && rack != null) {
            // the fast retransmit: the first range RACK marked lost, whatever the window (as
            // Linux, and as PRR's first ACK would allow); NextSeg rule 1 sends the rest
            long hole = rack.nextLost(snd.offset(snd.una), scoreboard);
            if (hole >= 0) {
                retransmitLost(hole, Math.min(rack.lostRunEnd(hole), snd.offset(snd.max)), now);
            }
            return;
        }
        int len = (int) Math.min(tx.mss(), Math.max(0, tx.dataEnd() - snd.offset(snd.una)));
        tx.retransmit(snd.una, len, now);
        highRxt = snd.offset(snd.una) + len;
    }

    /**
     * Without SACK, a cumulative ACK of {@code acked} bytes: what it newly delivered beyond the
     * segments its duplicate ACKs already stood for (at least one segment), and those leave the
     * count (Linux's tcp_remove_reno_sacks).
     */
    long renoAcked(int acked) {
        int segments = (acked + snd.smss - 1) / snd.smss;
        long delivered = (long) Math.max(segments - renoSacked, 1) * snd.smss;
        renoSacked = segments - 1 >= renoSacked ? 0 : renoSacked - (segments - 1);
        return Math.min(delivered, Math.max(acked, snd.smss));
    }

    /** Without SACK: the flight less the segments duplicate ACKs reported delivered (Linux's packets_in_flight for Reno). */
    int renoPipe() {
        return Math.max(0, snd.max - snd.una - renoSacked * snd.smss);
    }

    /**
     * Adds the SACK blocks of {@code o} (on an ACK of {@code ack}) to the scoreboard; true when
     * they SACKed new bytes. A first block at or below the ACK, or inside the second, is a DSACK
     * (RFC 2883 4): a duplicate arrived, which may prove our retransmissions spurious.
     */
    boolean updateScoreboard(TcpOptions o, int ack, long now) {
        long before = scoreboard.covered();
        for (int i = 0; i < o.sackCount; i++) {
            int l = o.sackLeft(i);
            int r = o.sackRight(i);
            if (!gt(r, l)) {
                continue;
            }
            if (i == 0 && (le(r, ack) || o.sackCount > 1 && ge(l, o.sackLeft(1)) && le(r, o.sackRight(1)))) {
                stats.dsacksIn++;
                if (rack != null) {
                    rack.dsack(snd.una, snd.max);
                }
                if (dsack(l, r)) {
                    undo(); // every retransmission since the reduction arrived twice
                }
                continue;
            }
            // only blocks above the cumulative ACK and within what we sent
            if (gt(l, snd.una) && le(r, snd.max)) {
                scoreboard.add(snd.offset(l), snd.offset(r));
            }
        }
        return scoreboard.covered() != before;
    }

    /**
     * RACK (RFC 8985 6.2 steps 4-5, 6.3): marks what was sent before the latest delivered
     * transmission and is overdue as lost, enters recovery for it, resends a lost retransmission,
     * and arms the reordering timer for what is not overdue yet.
     */
    void detectLoss(long now) {
        long una = snd.offset(snd.una);
        boolean noWait = active || scoreboard.covered() >= (long) SackScoreboard.DUP_THRESH * snd.smss;
        long reo = rack.reorderingWindow(noWait, rtt.minRtt(), rtt.srtt());
        boolean lost = rack.detectLoss(una, scoreboard, now, reo);
        timers.reorder = rack.timeout == TcpConnection.NEVER ? TcpConnection.NEVER : now + rack.timeout;
        // a retransmission lost too is marked again and resent by NextSeg (no RTO)
        stats.lostRetransmissions += rack.lostRetransmissionsFound;
        if (lost && !active && ge(snd.una, recover)) {
            // ge, not RFC 6582's gt: an episode ends when the ACK reaches "recover"; with SACK a
            // loss of the very next segment must start the next one (the ACK cannot pass it)
            enter(true, now);
        }
    }

    /**
     * The window reduction proved spurious (DSACK or Eifel): back to the window before it, as
     * Linux's undo (RFC 4015's response). After a timeout, sending resumes with new data.
     */
    void undo() {
        stats.undos++;
        cc.undo(priorCwnd, priorSsthresh);
        clearUndo();
        if (active) {
            active = false;
            dupAcks = 0;
            renoSacked = 0;
            // holes still lost start a new episode at once (as Linux after an undo), not after the RTO
            recover = snd.una;
        } else if (lt(snd.nxt, snd.max)) {
            snd.nxt = snd.max; // RFC 4015: a spurious timeout, the go-back-N stops
            recover = snd.una;
        }
    }

    /**
     * RFC 6675 NextSeg while the pipe allows: with {@code lostOnly}, rule 1 (un-SACKed holes deemed
     * lost: under RACK the ranges it marked, each resent once per mark; without it the holes
     * above HighRxt below IsLost's bound); otherwise rule 3 (any hole above HighRxt below the
     * highest SACKed byte), which runs only once rule 2 (new data) has sent what it could, and
     * not under RACK, which marks such holes lost by time instead of resending them on spec; then
     * rule 4 ({@link #rescue}).
     */
    boolean retransmitHoles(long now, boolean lostOnly) {
        if (rack != null && !lostOnly) {
            return rescue(now);
        }
        boolean sent = false;
        while (pipe() < cc.cwnd() && tx.mayDepart(now)) {
            long una = snd.offset(snd.una);
            long hole;
            long limit;
            if (rack != null) {
                hole = rack.nextLost(una, scoreboard);
                limit = hole < 0 ? -1 : Math.min(rack.lostRunEnd(hole), snd.offset(snd.max));
            } else {
                limit = Math.min(lostOnly ? lostBelow(snd.smss) : scoreboard.highest(), snd.offset(snd.max));
                long from = Math.max(highRxt, una);
                hole = limit > from ? scoreboard.nextHole(from, limit) : -1;
            }
            if (hole < 0) {
                break;
            }
            if (!retransmitLost(hole, limit, now)) {
                break;
            }
            sent = true;
        }
        return sent || !lostOnly && rescue(now);
    }

    /**
     * RFC 6675 NextSeg rule 4: when rules 1-3 have nothing to send and no new data may go (none
     * is left, or the peer's window has no room), one segment holding the highest un-SACKed byte
     * is resent once per recovery episode; HighRxt stays. Its ACK tells RACK whether a lost tail,
     * or a lost retransmission with nothing sent after it, needs resending: the tail loss probe
     * is not armed during recovery, so otherwise only the retransmission timeout would tell.
     */
    private boolean rescue(long now) {
        if (rescueSent || !active || snd.max == snd.una) {
            return false;
        }
        long max = snd.offset(snd.max);
        boolean newDataMayGo = tx.dataEnd() > max && gt(snd.una + snd.wnd, snd.max)
                || snd.finQueued && !snd.finSent;
        if (newDataMayGo || pipe() + tx.mss() > cc.cwnd() || !tx.mayDepart(now)) {
            return false;
        }
        // the highest un-SACKed byte: below the SACKed range that ends at SND.MAX, if any
        long top = scoreboard.highest() == max ? lastHoleEnd(max) : max;
        long una = snd.offset(snd.una);
        if (top <= una) {
            return false;
        }
        long from = Math.max(una, top - tx.mss());
        int len = (int) (Math.min(top, tx.dataEnd()) - from);
        int seq = snd.seqOf(from);
        if (len <= 0 && !(snd.finSent && seq == snd.finSeq)) {
            return false;
        }
        rescueSent = true;
        stats.rescueRetransmissions++;
        tx.retransmit(seq, Math.max(0, len), now);
        return true;
    }

    /** The end of the highest hole below {@code max} (the start of the SACKed ranges running up to it). */
    private long lastHoleEnd(long max) {
        long end = max;
        for (int i = scoreboard.count() - 1; i >= 0 && scoreboard.end(i) >= end; i--) {
            end = Math.min(end, scoreboard.start(i));
        }
        return end;
    }

    /** Resends the hole at {@code hole} (at most {@code limit}, one segment); false when there was nothing to send. */
    private boolean retransmitLost(long hole, long limit, long now) {
        // the hole may end with our FIN, which has a sequence number but no byte in the buffer
        int len = (int) Math.min(tx.mss(), Math.min(scoreboard.holeEnd(hole, limit), tx.dataEnd()) - hole);
        int seq = snd.seqOf(hole);
        if (len <= 0 && !(snd.finSent && seq == snd.finSeq)) {
            return false;
        }
        tx.retransmit(seq, Math.max(0, len), now);
        highRxt = Math.max(highRxt, hole + Math.max(1, len));
        return true;
    }

    /** RFC 6675 SetPipe over what was sent (SND.UNA to SND.MAX). */
    int pipe() {
        return pipe(snd.offset(snd.una), snd.offset(snd.max), snd.smss);
    }
}
