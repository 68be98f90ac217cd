package org.jioth.jnet.tcp;

import static org.jioth.jnet.wire.SeqNum.ge;
import static org.jioth.jnet.wire.SeqNum.gt;
import static org.jioth.jnet.wire.SeqNum.le;
import static org.jioth.jnet.wire.SeqNum.lt;

import org.jioth.jnet.wire.Tcp;
import org.jioth.jnet.wire.TcpOptions;

/**
 * What an acceptable ACK does to the sender (as the ACK half of gVisor's {@code tcp/snd.go}):
 * SND.UNA and the send buffer, SACK blocks into the scoreboard and RACK, duplicate ACKs, the data
 * delivered (PRR's window in recovery, the delivery-rate sample of a model-based controller, the
 * pacing rate), the peer's window (RFC 9293 SND.WL1/WL2), RTT samples (timestamps or Karn), the
 * Eifel undo, the end of a recovery episode and cwnd growth. It acts on its {@link TcpConnection}'s
 * state on the stack loop, as the connection's other parts do.
 */
final class AckProcessor {
    private final TcpConnection c;
    /** The SACK blocks of the ACK being processed, as send-stream offsets (for the delivery rate); made by the first. */
    private long[] sackFrom;
    private long[] sackTo;

    AckProcessor(TcpConnection c) {
        this.c = c;
    }

    /**
     * The ACK field of an acceptable segment (RFC 9293 3.10.7.4 fifth check, RFC 5961 5.2); false
     * to drop the segment. What the acknowledgment of our FIN does to the state is the connection's.
     */
    boolean process(Segment s, long now) {
        int ack = s.ack;
        if (gt(ack, c.snd.max)) {
            c.tx.sendAck(now);
            return false;
        }
        if (lt(ack, c.snd.una - c.snd.maxWnd)) {
            c.challengeAck(now);
            return false;
        }
        // an ACK that SACKs new data is a duplicate ACK whatever its window (RFC 6675 2): Linux
        // opens its window as data arrives, so its duplicate ACKs rarely repeat one
        int unaBefore = c.snd.una;
        long sackedBefore = c.recovery.scoreboard.covered();
        boolean newlySacked = c.sackOk && s.options.sackCount > 0 && c.recovery.updateScoreboard(s.options, ack, now);
        Rack rack = c.sackOk ? c.recovery.rack : null;
        if (rack != null && (gt(ack, c.snd.una) || newlySacked)) {
            rack.delivered(c.snd.offset(ack), c.recovery.scoreboard, now, c.rtt.minRtt());
        }
        boolean dupAcked = false;
        long renoDelivered = 0;
        if (gt(ack, c.snd.una)) {
            renoDelivered = c.sackOk ? 0 : c.recovery.renoAcked(ack - c.snd.una);
            newAck(s, now);
        } else if (ack == c.snd.una && c.snd.max != c.snd.una && s.payloadLength == 0 && !c.timers.persisting
                && !s.has(Tcp.FIN) && ((s.window << c.snd.wscale) == c.snd.wnd || newlySacked)) {
            c.stats.dupAcksIn++;
            c.recovery.dupAck(c.sackOk, now);
            dupAcked = true;
        }
        if (rack != null) {
            c.recovery.detectLoss(now);
        }
        long delivered = (c.snd.una - unaBefore) + (c.recovery.scoreboard.covered() - sackedBefore);
        if (!c.sackOk) {
            // without SACK a duplicate ACK stands for a segment delivered, a cumulative ACK for
            // what its duplicates did not already count (RFC 6937 3)
            delivered = gt(c.snd.una, unaBefore) ? renoDelivered : dupAcked ? c.snd.smss : 0;
        }
        if (c.recovery.active && !c.cc.setsRecoveryWindow()) {
            // RFC 6937: this ACK's delivered data sets how much recovery may send now
            int pipe = c.sackOk ? c.recovery.pipe() : c.recovery.renoPipe();
            c.cc.setCwnd(c.recovery.prrWindow(Math.max(0, delivered), pipe, c.cc.ssthresh(), c.snd.smss));
        }
        if (c.deliveryRate != null) {
            rateSample(s, Math.max(0, delivered), now);
        }
        c.tx.pacingRateChanged();
        // an old ACK (below SND.UNA) never moves the window (RFC 9293 3.10.7.4), however new its SEQ
        if (!lt(ack, unaBefore) && (lt(c.snd.wl1, s.seq) || (c.snd.wl1 == s.seq && le(c.snd.wl2, ack)))) {
            updateWindow(s, false);
        }
        return true;
    }

    /** The delivery-rate sample of this ACK, handed to the (model-based) congestion control. */
    private void rateSample(Segment s, long delivered, long now) {
        TcpOptions o = s.options;
        int n = 0;
        if (c.sackOk && o.sackCount > 0) {
            if (sackFrom == null) {
                sackFrom = new long[TcpOptions.MAX_SACK_BLOCKS];
                sackTo = new long[TcpOptions.MAX_SACK_BLOCKS];
            }
            for (int i = 0; i < o.sackCount && n < sackFrom.length; i++) {
                int l = o.sackLeft(i);
                int r = o.sackRight(i);
                if (gt(l, c.snd.una) && le(r, c.snd.max) && gt(r, l)) { // DSACKs and stale blocks fail this
                    sackFrom[n] = c.snd.offset(l);
                    sackTo[n] = c.snd.offset(r);
                    n++;
                }
            }
        }
        DeliveryRate.Sample rs = c.deliveryRate.onAck(c.snd.offset(c.snd.una), sackFrom, sackTo, n, delivered, now,
                c.rtt.minRtt());
        int inflight = c.recovery.active && c.sackOk ? c.recovery.pipe() : c.snd.nxt - c.snd.una;
        c.cc.onRateSample(rs, c.deliveryRate.delivered, inflight, now, c.rtt.srtt());
    }

    /** The peer's window from {@code s} (a SYN's field is never scaled); a window that opens ends the persist timer. */
    void updateWindow(Segment s, boolean syn) {
        int w = syn ? s.window : s.window << c.snd.wscale;
        c.snd.wnd = w;
        c.snd.wl1 = s.seq;
        c.snd.wl2 = s.ack;
        c.snd.maxWnd = Math.max(c.snd.maxWnd, w);
        if (w > 0) {
            c.timers.persistSince = -1;
        }
        if (w > 0 && c.timers.persisting) {
            c.timers.persisting = false;
            c.timers.retries = 0;
            c.timers.rto = TcpConnection.NEVER;
            c.snd.nxt = c.snd.una; // the probe byte was refused; send it again with the rest
        }
    }

    /** An ACK that advances SND.UNA: RTT sample, Eifel undo, the send buffer freed, recovery's end or next hole, cwnd growth, timers. */
    private void newAck(Segment s, long now) {
        int ack = s.ack;
        long sample = -1;
        int acked = ack - c.snd.una;
        int flight = c.snd.max - c.snd.una;
        if (c.tsOk && s.options.timestamps && s.options.tsEcr != 0) {
            // An echo from before our last timeout spans the backed-off wait, not a round trip: the
            // peer answers our go-back-N copy of data it already had with its older TS.Recent
            // (RFC 7323 4.3). No sample then, and the back-off stays until a real one (RFC 6298 5.7).
            if (!c.snd.echoPendingSinceTimeout || ge(s.options.tsEcr, c.snd.timeoutTs)) {
                c.snd.echoPendingSinceTimeout = false;
                sample = c.rtt.sampleEcho(c.tsNow(now) - s.options.tsEcr);
            }
            // Eifel (RFC 3522): the original arrived, the retransmission was spurious. On a partial
            // ACK only when no retransmission is still out (as Linux's partial undo): else the
            // episode would end, start again at once and resend what is already on its way
            if (c.recovery.echoPredatesRetransmission(s.options.tsEcr)
                    && (!c.recovery.active || ge(ack, c.recovery.recover) || c.recovery.highRxt <= c.snd.offset(ack))) {
                c.recovery.undo();
            }
        } else if (c.snd.rttStart >= 0 && ge(ack, c.snd.rttSeq)) {
            sample = now - c.snd.rttStart;
            c.rtt.sample(sample);
            c.snd.rttStart = -1;
        }
        c.snd.una = ack;
        if (lt(c.snd.nxt, c.snd.una)) {
            c.snd.nxt = c.snd.una;
        }
        int dataEnd = c.snd.dataEndSeq();
        int newHead = lt(ack, dataEnd) ? ack : dataEnd;
        if (gt(newHead, c.snd.headSeq)) {
            c.sendBuffer.ackTo(c.sendBuffer.head() + (newHead - c.snd.headSeq));
            c.snd.headSeq = newHead;
        }
        c.recovery.scoreboard.dropBelow(c.snd.offset(c.snd.una));
        if (c.recovery.rack != null) {
            c.recovery.rack.ackedTo(c.snd.offset(c.snd.una));
        }
        c.timers.retries = 0;
        if (c.timers.persisting && c.snd.max == c.snd.una) {
            c.timers.persistSince = -1;
            c.timers.persisting = false; // a probe byte was taken; output re-arms the probe if the window stays shut
        }
        c.recovery.probeOut = false;
        if (c.recovery.active) {
            if (ge(ack, c.recovery.recover)) {
                c.recovery.active = false;
                if (c.recovery.rack != null) {
                    c.recovery.rack.recoveryEnded();
                }
                c.recovery.dupAcks = 0;
                c.recovery.renoSacked = 0;
                // PRR never inflated cwnd, with SACK or without: it ends at ssthresh (RFC 6937)
                c.cc.onRecoveryExit(c.cc.ssthresh());
            } else if (!c.sackOk || c.recovery.scoreboard.isEmpty()) {
                // NewReno partial ACK (RFC 6582 3.2 step 3): the next hole; PRR sets the window
                c.tx.retransmitOne(c.snd.una, now);
            }
        } else {
            c.recovery.dupAcks = 0;
            c.recovery.renoSacked = 0;
            if (c.cc.inSlowStart()) {
                c.cc.onSlowStartAck(ack, c.snd.nxt, sample);
            }
            // Grow only while the window is what limits us (RFC 7661): a flow held back by the
            // peer's window or the application would otherwise inflate cwnd without bound.
            if (2L * flight >= c.cc.cwnd()) {
                c.cc.onAck(acked, flight, now, c.rtt.srtt());
            }
        }
        c.timers.rto = c.snd.max == c.snd.una ? TcpConnection.NEVER : now + c.rtt.rto();
        c.timerActions.armProbe(now);
    }
}
