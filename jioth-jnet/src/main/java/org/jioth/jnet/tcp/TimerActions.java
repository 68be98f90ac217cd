package org.jioth.jnet.tcp;

import org.jioth.jnet.wire.Tcp;

/**
 * What a connection's sender timers do when they fire: the retransmission timeout (RFC 6298, with
 * go-back-N that skips SACKed data), the tail loss probe (RFC 8985 7), the zero-window probe
 * (persist timer) and keep-alive. The deadlines themselves live in {@link TcpTimers}; this class
 * acts on its {@link TcpConnection}'s state on the stack loop, as the connection's other parts do.
 */
final class TimerActions {
    private final TcpConnection c;

    TimerActions(TcpConnection c) {
        this.c = c;
    }

    void retransmitTimeout(long now) {
        if (c.state == TcpState.SYN_SENT || c.state == TcpState.SYN_RECEIVED) {
            if (++c.timers.retries > c.cfg.synRetries) {
                c.closeNow(TcpError.TIMED_OUT);
                return;
            }
            c.stats.retransmissions++;
            c.rtt.backOff();
            c.handshake.sendSyn(now);
            return;
        }
        if (c.timers.persisting) {
            zeroWindowProbe(now);
            return;
        }
        if (c.snd.max == c.snd.una || c.state == TcpState.CLOSED || c.state == TcpState.TIME_WAIT) {
            return;
        }
        if (++c.timers.retries > c.cfg.maxRetries) {
            c.closeNow(TcpError.TIMED_OUT);
            return;
        }
        c.stats.timeouts++;
        if (c.timers.retries == 1 && !c.recovery.active) {
            c.recovery.markUndo(c.snd.una, c.cc.cwnd(), c.cc.ssthresh());
        }
        c.timers.probe = TcpConnection.NEVER;
        c.cc.onTimeout(c.snd.max - c.snd.una, now);
        c.rtt.backOff();
        c.snd.timeoutTs = c.tsNow(now);
        c.snd.echoPendingSinceTimeout = true;
        c.recovery.active = false;
        c.recovery.dupAcks = 0;
        c.recovery.renoSacked = 0;
        c.recovery.recover = c.snd.max;
        if (c.timers.retries > 1) {
            // As Linux, SACKed data is not resent after a timeout; but a second timeout in a row may
            // mean the receiver reneged on its SACKs (RFC 2018 8): then everything is resent.
            c.recovery.scoreboard.clear();
        }
        if (c.recovery.rack != null) {
            c.recovery.rack.clearLost();
        }
        c.timers.reorder = TcpConnection.NEVER;
        c.snd.rttStart = -1;
        c.snd.nxt = c.snd.una; // go back N, cwnd one segment
        c.transmitData(now);
        c.timers.rto = now + c.rtt.rto();
    }

    /**
     * RFC 8985 7.2: with data in flight and no recovery, a probe timeout of two smoothed RTTs (plus
     * the worst-case delayed ACK when one segment is out), before the RTO; cancelled otherwise.
     */
    void armProbe(long now) {
        c.timers.probe = TcpConnection.NEVER;
        if (!c.sackOk || c.recovery.active || c.recovery.probeOut || c.snd.max == c.snd.una || c.timers.persisting
                || c.rtt.srtt() <= 0 || !mayHaveDataInFlight()) {
            return;
        }
        long pto = 2 * c.rtt.srtt();
        if (c.snd.max - c.snd.una <= c.snd.smss) {
            pto += TcpConnection.WORST_CASE_DELAYED_ACK;
        }
        long at = now + Math.max(pto, TcpConnection.MIN_PROBE_TIMEOUT);
        long rtoAt = c.timers.rto == TcpConnection.NEVER ? now + c.rtt.rto() : c.timers.rto;
        if (at < rtoAt) {
            c.timers.probe = at;
        }
    }

    /**
     * RFC 8985 7.3: the probe timeout fired: one new segment if the windows allow, else the last
     * one sent again, so a lost tail draws SACK (or an ACK) and loss recovery instead of the RTO.
     */
    void tailLossProbe(long now) {
        if (!c.sackOk || c.recovery.active || c.snd.max == c.snd.una || c.timers.persisting || !mayHaveDataInFlight()) {
            return;
        }
        c.recovery.probeOut = true;
        c.stats.tailLossProbes++;
        int avail = c.snd.available(c.snd.nxt);
        int room = Math.min(c.snd.una + c.snd.wnd - c.snd.nxt, c.cc.cwnd());
        if (c.snd.nxt == c.snd.max && avail > 0 && room > 0) {
            int len = Math.min(avail, Math.min(c.tx.mssNow(), room));
            boolean finNow = c.snd.finQueued && len == avail;
            c.tx.sendSegment(c.snd.nxt, len, Tcp.ACK | Tcp.PSH | (finNow ? Tcp.FIN : 0), now);
        } else {
            int dataEnd = c.snd.finSent ? c.snd.finSeq : c.snd.max;
            int len = Math.min(c.tx.mssNow(), Math.max(0, dataEnd - c.snd.una));
            c.tx.retransmitOne(dataEnd - len, len, now);
        }
        c.timers.rto = now + c.rtt.rto();
    }

    boolean mayHaveDataInFlight() {
        return switch (c.state) {
            case ESTABLISHED, CLOSE_WAIT, FIN_WAIT_1, CLOSING, LAST_ACK -> true;
            default -> false;
        };
    }

    void zeroWindowProbe(long now) {
        if (c.timers.persistSince >= 0 && now - c.timers.persistSince >= c.cfg.persistMax) {
            c.closeNow(TcpError.TIMED_OUT); // the peer held its window shut too long: our buffer is not its to keep
            return;
        }
        c.stats.zeroWindowProbes++;
        if (c.snd.nxt == c.snd.una) {
            int avail = (int) Math.max(0, c.sendBuffer.tail() - c.snd.offset(c.snd.nxt));
            if (avail == 0) {
                c.timers.persisting = false;
                return;
            }
            int usable = c.snd.una + c.snd.wnd - c.snd.nxt;
            // a window too small for SWS avoidance is used anyway; a shut one gets a 1-byte probe
            int len = usable > 0 ? Math.min(usable, Math.min(avail, c.tx.mssNow())) : 1;
            c.tx.sendSegment(c.snd.nxt, len, Tcp.ACK | (len == avail ? Tcp.PSH : 0), now);
        } else if (c.snd.offset(c.snd.una) < c.sendBuffer.tail()) {
            c.tx.sendSegment(c.snd.una, 1, Tcp.ACK, now);
        } else {
            // Only our FIN is unacknowledged (the data went out as probes and was taken): a shut
            // window never holds a FIN back, so the retransmission timer resends it, not a probe
            // byte that does not exist.
            c.timers.persisting = false;
            retransmitTimeout(now);
            return;
        }
        c.rtt.backOff();
        c.timers.rto = now + c.rtt.rto();
    }

    void keepAlive(long now) {
        if (c.timers.keepAliveProbes >= c.cfg.keepAliveCount) {
            c.closeNow(TcpError.TIMED_OUT);
            return;
        }
        c.timers.keepAliveProbes++;
        c.timers.lastProbe = now;
        c.stats.keepAliveProbes++;
        Segment s = c.tx.seg;
        s.seq = c.snd.una - 1; // an old sequence number draws an ACK (RFC 9293 3.8.4)
        s.flags = Tcp.ACK;
        s.payloadFrom(c.sendBuffer, 0, 0);
        c.tx.emit(s, now);
    }
}
