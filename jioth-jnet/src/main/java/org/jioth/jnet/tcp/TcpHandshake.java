package org.jioth.jnet.tcp;

import static org.jioth.jnet.wire.SeqNum.gt;
import static org.jioth.jnet.wire.SeqNum.le;
import static org.jioth.jnet.wire.SeqNum.lt;

import org.jioth.jnet.wire.SeqNum;
import org.jioth.jnet.wire.Tcp;
import org.jioth.jnet.wire.TcpOptions;

/**
 * The opening of one connection (RFC 9293 3.5, as gVisor's {@code tcp/connect.go}): active,
 * passive, simultaneous and SYN-cookie opens, the options negotiated from the peer's SYN (MSS,
 * window scale, SACK-permitted, timestamps: RFC 7323), our SYN or SYN-ACK (sent again by the
 * retransmission timer), SYN_SENT's input and the ACK that establishes. It acts on its
 * {@link TcpConnection}'s state on the stack loop, as the connection's other parts do.
 */
final class TcpHandshake {
    private final TcpConnection c;
    /** The window scale we advertise (room for the receive buffer's autotuning). */
    private final int ourWscale;
    /** We opened (connect): a RST in SYN_RECEIVED then means refused. */
    private boolean active;
    /** Window scaling is on (both SYNs carried the option). */
    private boolean wsOk;

    TcpHandshake(TcpConnection c) {
        this.c = c;
        this.ourWscale = TcpConnection.windowScaleFor(c.cfg.receiveSpaceMax());
    }

    /** Whether we opened the connection (connect) rather than a listener. */
    boolean active() {
        return active;
    }

    /** Active open: sends a SYN with sequence {@code iss}. */
    void connect(int iss, long now) {
        active = true;
        initSend(iss, now);
        c.state = TcpState.SYN_SENT;
        sendSyn(now);
    }

    /** Passive open from a listener: answers {@code syn} with a SYN-ACK of sequence {@code iss}. */
    void acceptSyn(Segment syn, int iss, long now) {
        active = false;
        initSend(iss, now);
        TcpReceiver rcv = c.rcv;
        rcv.irs = syn.seq;
        rcv.nxt = rcv.irs + 1;
        negotiate(syn.options, now);
        if (c.tsOk) {
            rcv.tsRecent = syn.options.tsVal;
            rcv.tsRecentAge = now;
        }
        c.acks.updateWindow(syn, true);
        c.state = TcpState.SYN_RECEIVED;
        sendSyn(now);
    }

    /**
     * Opens straight into ESTABLISHED from the ACK that completes a SYN-cookie handshake (see
     * {@link TcpConnection#acceptCookie(Segment, int, int, boolean, boolean, long)}); the caller then
     * inputs the ACK itself.
     */
    void acceptCookie(Segment ack, int mss, int peerWindowScale, boolean sack, boolean timestamps, long now) {
        active = false;
        initSend(ack.ack - 1, now);
        TcpReceiver rcv = c.rcv;
        TcpSender snd = c.snd;
        rcv.irs = ack.seq - 1;
        rcv.nxt = ack.seq;
        TcpOptions syn = new TcpOptions();
        syn.mss = mss;
        syn.windowScale = peerWindowScale;
        syn.sackPermitted = sack;
        syn.timestamps = timestamps && ack.options.timestamps;
        negotiate(syn, now);
        if (c.tsOk) {
            rcv.tsRecent = ack.options.tsVal;
            rcv.tsRecentAge = now;
        }
        rcv.adv = rcv.nxt + Math.min(c.receiveBuffer().window(), 65535);
        rcv.lastAckSent = rcv.nxt;
        snd.una = ack.ack;
        snd.nxt = snd.max = ack.ack;
        snd.headSeq = ack.ack;
        snd.wl1 = ack.seq - 1;
        snd.wl2 = ack.ack - 1;
        c.state = TcpState.ESTABLISHED;
    }

    private void initSend(int iss, long now) {
        c.snd.init(iss);
        c.recovery.recover = iss;
        c.timers.lastReceived = now;
        c.timers.lastSent = now;
        c.cc.init(c.snd.smss, now);
    }

    /** Applies the peer's SYN options (for a passive open they also decide what we answer). */
    private void negotiate(TcpOptions o, long now) {
        TcpConfig cfg = c.cfg;
        TcpSender snd = c.snd;
        TcpReceiver rcv = c.rcv;
        int peerMss = o.mss > 0 ? o.mss : TcpSender.DEFAULT_PEER_MSS;
        boolean ws = cfg.windowScaling && o.windowScale >= 0;
        wsOk = ws;
        snd.wscale = ws ? o.windowScale : 0;
        rcv.wscale = ws ? ourWscale : 0;
        c.sackOk = cfg.sack && o.sackPermitted;
        rcv.sackOk = c.sackOk;
        c.tsOk = cfg.timestamps && o.timestamps;
        snd.smss = Math.max(64, Math.min(peerMss, cfg.mss) - (c.tsOk ? 12 : 0));
        snd.negotiatedMss = snd.smss;
        c.cc.init(snd.smss, now);
        rcv.largestSegment = snd.smss;
    }

    /** Our SYN (SYN_SENT) or SYN-ACK (SYN_RECEIVED), first or again. */
    void sendSyn(long now) {
        TcpConfig cfg = c.cfg;
        TcpSender snd = c.snd;
        TcpReceiver rcv = c.rcv;
        TcpState state = c.state;
        Segment s = c.tx.seg;
        s.seq = snd.iss;
        s.flags = Tcp.SYN | (state == TcpState.SYN_RECEIVED ? Tcp.ACK : 0);
        s.ack = s.has(Tcp.ACK) ? rcv.nxt : 0;
        s.window = Math.min(c.receiveBuffer().window(), 65535);
        TcpOptions o = s.options.clear();
        o.mss = cfg.mss;
        boolean offer = active || state == TcpState.SYN_SENT;
        if (offer ? cfg.windowScaling : wsOk) {
            o.windowScale = ourWscale;
        }
        o.sackPermitted = offer ? cfg.sack : c.sackOk;
        if (offer ? cfg.timestamps : c.tsOk) {
            o.timestamps = true;
            o.tsVal = c.tsNow(now);
            o.tsEcr = s.has(Tcp.ACK) ? rcv.tsRecent : 0;
        }
        s.payloadFrom(c.sendBuffer, 0, 0);
        if (s.has(Tcp.ACK)) {
            rcv.adv = rcv.nxt + s.window;
            rcv.lastAckSent = rcv.nxt;
        }
        snd.nxt = snd.iss + 1;
        snd.max = SeqNum.max(snd.max, snd.nxt);
        c.timers.lastSent = now;
        c.timers.rto = now + c.rtt.rto();
        c.tx.transmit(s);
    }

    /** A segment in SYN_SENT: the peer's SYN-ACK (or SYN: simultaneous open), a RST, or nothing of ours. */
    void synSentInput(Segment s, long now) {
        TcpSender snd = c.snd;
        TcpReceiver rcv = c.rcv;
        boolean ack = s.has(Tcp.ACK);
        if (ack && (le(s.ack, snd.iss) || gt(s.ack, snd.max))) {
            if (!s.has(Tcp.RST)) {
                c.tx.sendReset(s.ack, 0, false);
            }
            return;
        }
        if (s.has(Tcp.RST)) {
            if (ack) {
                c.closeNow(TcpError.REFUSED);
            }
            return;
        }
        if (!s.has(Tcp.SYN)) {
            return;
        }
        rcv.irs = s.seq;
        rcv.nxt = rcv.irs + 1;
        negotiate(s.options, now);
        if (c.tsOk) {
            rcv.tsRecent = s.options.tsVal;
            rcv.tsRecentAge = now;
        }
        c.timers.lastReceived = now;
        if (ack) {
            rttFromSyn(s, now);
            snd.una = s.ack;
            c.acks.updateWindow(s, true);
            rcv.adv = rcv.nxt + Math.min(c.receiveBuffer().window(), 65535); // what our SYN offered
            c.state = TcpState.ESTABLISHED;
            c.timers.rto = TcpConnection.NEVER;
            c.timers.retries = 0;
            rcv.ackNow = true;
            if (s.payloadLength > 0) {
                rcv.receiveData(s, now);
            }
        } else {
            // simultaneous open (RFC 9293 3.5, figure 8)
            c.acks.updateWindow(s, true);
            c.state = TcpState.SYN_RECEIVED;
            sendSyn(now);
        }
    }

    /** The ACK of our SYN-ACK (in SYN_RECEIVED, already checked to acknowledge it): ESTABLISHED. */
    void establish(Segment s, long now) {
        TcpSender snd = c.snd;
        c.state = snd.finQueued ? TcpState.FIN_WAIT_1 : TcpState.ESTABLISHED; // shut down while opening
        rttFromSyn(s, now);
        snd.una = s.ack;
        if (lt(snd.nxt, snd.una)) {
            snd.nxt = snd.una;
        }
        c.timers.rto = TcpConnection.NEVER;
        c.timers.retries = 0;
        snd.wnd = s.window << snd.wscale;
        snd.maxWnd = Math.max(snd.maxWnd, snd.wnd);
        snd.wl1 = s.seq;
        snd.wl2 = s.ack;
    }

    private void rttFromSyn(Segment s, long now) {
        if (c.tsOk && s.options.timestamps && s.options.tsEcr != 0) {
            c.rtt.sampleEcho(c.tsNow(now) - s.options.tsEcr);
        } else if (c.timers.retries == 0) {
            c.rtt.sample(now - c.timers.lastSent);
        }
    }
}
