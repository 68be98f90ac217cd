package org.jioth.jnet.tcp;

import static org.jioth.jnet.wire.SeqNum.ge;
import static org.jioth.jnet.wire.SeqNum.lt;

/**
 * Loss recovery state of one connection, in send-stream offsets where it concerns the
 * scoreboard: duplicate ACKs, the recovery episode (RFC 6582 "recover", RFC 6675 HighRxt and
 * the pipe estimate), Proportional Rate Reduction (RFC 6937) and the undo of spurious
 * retransmissions (RFC 2883 DSACK counting as Linux's undo_retrans, RFC 3522 Eifel detection
 * by timestamps). The connection drives it and does the sending; no I/O here.
 */
final class LossRecovery {
    final SackScoreboard scoreboard;
    /** Null when losses are detected by RFC 6675's DupThresh alone. */
    final Rack rack;
    /** RACK's verdict: every un-SACKed byte below this offset is lost (-1: none). */
    long rackLostEnd = -1;
    int dupAcks;
    boolean active;
    /** SND.MAX when the episode began; it ends when the cumulative ACK reaches it. */
    int recover;
    /** RFC 6675 HighRxt as a send-stream offset: retransmitted up to here this episode. */
    long highRxt;

    /** A tail loss probe is out and no ACK has advanced SND.UNA since (one probe at a time). */
    boolean probeOut;

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

    LossRecovery(SackScoreboard scoreboard, Rack rack) {
        this.scoreboard = scoreboard;
        this.rack = rack;
    }

    /** Un-SACKed bytes below this offset are lost: RACK's verdict, or RFC 6675 IsLost without RACK. */
    long lostBelow(int smss) {
        return rack != null ? rackLostEnd : scoreboard.lostBelow(smss);
    }

    /** RFC 6675 SetPipe: un-SACKed bytes not deemed lost, plus those retransmitted, in [una, highData). */
    int pipe(long una, long highData, int smss) {
        long lost = Math.max(una, Math.min(lostBelow(smss), highData));
        long rxt = Math.min(Math.max(highRxt, una), highData);
        return (int) (scoreboard.unsacked(lost, highData) + scoreboard.unsacked(una, rxt));
    }

    /** Whether un-SACKed offset {@code off} is lost by RFC 6675 IsLost. */
    boolean isLost(long off, int smss) {
        return off < lostBelow(smss);
    }

    /** A recovery episode begins with {@code flight} bytes in flight (RFC 6937 RecoverFS). */
    void begin(int una, int max, long unaOffset, int flight) {
        active = true;
        recover = max;
        highRxt = unaOffset;
        recoverFs = Math.max(1, flight);
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
}
