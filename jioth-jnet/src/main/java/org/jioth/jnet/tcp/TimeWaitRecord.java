package org.jioth.jnet.tcp;

import static org.jioth.jnet.wire.SeqNum.ge;
import static org.jioth.jnet.wire.SeqNum.gt;
import static org.jioth.jnet.wire.SeqNum.le;
import static org.jioth.jnet.wire.SeqNum.lt;

import org.jioth.jnet.wire.Tcp;

/**
 * What is left of a connection in TIME_WAIT (as Linux's {@code inet_timewait_sock}): the numbers
 * its last ACK, its answers and RFC 6191 need, in about a hundred bytes where the whole
 * {@link TcpConnection} (sender, receiver, loss recovery, buffers) is ~3.5 KB. Under churn where we
 * close first thousands of them live for 2MSL; the layer keeps them in its connection table and in
 * its {@link TimeWaitQueue}, ordered by expiry, so no per-record timer is needed either.
 *
 * <p>{@link #input} is {@link TcpConnection}'s processing of a segment in TIME_WAIT, step by step
 * (PAWS, acceptability, RFC 1337 for RST, RFC 5961 challenge ACKs, the ACK field's checks, TS.Recent,
 * a retransmitted FIN restarting 2MSL), so the wire sees the same segments. Loop-only.
 */
final class TimeWaitRecord extends FourTuple {
    /** {@link #input}: nothing to send now. */
    static final int NOTHING = 0;
    /** {@link #input}: send an ACK now (PAWS, out of window, challenge, ACK beyond SND.MAX). */
    static final int ACK_NOW = 1;
    /** {@link #ackCheck}: the segment goes on. */
    private static final int GO_ON = 2;

    int rcvNxt;
    /** The right edge of the window we advertised, its scale, and what the receiver SWS rule needs. */
    int rcvAdv;
    int rcvWscale;
    int lastAckSent;
    int largestSegment;
    /** The window as it stood when the application had closed (a record of an open socket asks its buffer). */
    int window;
    int capacity;
    /** Non-null while the application holds its socket: its receive buffer still sets the window. */
    ReceiveBuffer buffer;
    /** SND.MAX (= SND.UNA: our FIN was acknowledged), and the peer's window state for the ACK checks. */
    int sndMax;
    int sndWl1;
    int sndWl2;
    int sndMaxWnd;
    int sndWscale;
    boolean timestamps;
    int tsRecent;
    long tsRecentAge;
    int tsOffset;
    long twoMsl;
    int challengeAckLimit;
    long challengeStart = TcpConnection.NEVER;
    int challenges;
    /** A retransmitted FIN is answered at the end of the frame batch, as a connection's ACK is. */
    boolean ackNow;
    boolean inBatch;
    /** When the guard ends (stack clock). */
    long expiry;
    boolean registered;
    boolean ownsPort;
    boolean reuseAddress;
    /** The application's socket while it is still open (told CLOSED at expiry), else null. */
    TcpSocket owner;
    /** Links of the {@link TimeWaitQueue}. */
    boolean queued;
    TimeWaitRecord older;
    TimeWaitRecord newer;

    /** The window field of our next ACK (as {@link TcpReceiver#advertiseWindow}). */
    int advertiseWindow() {
        int wnd = buffer != null ? buffer.window() : window;
        int cap = buffer != null ? buffer.capacity() : capacity;
        int edge = rcvNxt + wnd;
        int step = Math.min(cap / 2, largestSegment);
        if (gt(edge, rcvAdv) && (edge - rcvAdv >= step || rcvAdv - rcvNxt >= step)) {
            rcvAdv = edge;
        }
        if (lt(rcvAdv, rcvNxt)) {
            rcvAdv = rcvNxt;
        }
        return Math.min((rcvAdv - rcvNxt) >>> rcvWscale, 65535);
    }

    /** Our ACK just left. */
    void acked() {
        lastAckSent = rcvNxt;
        ackNow = false;
    }

    /**
     * A segment for the guarded tuple (not a SYN the listener takes, see {@link #acceptsNewSyn}):
     * {@link #ACK_NOW} or {@link #NOTHING}; a retransmitted FIN sets {@link #ackNow} and restarts 2MSL.
     */
    int input(Segment s, long now) {
        boolean rst = s.has(Tcp.RST);
        boolean syn = s.has(Tcp.SYN);
        if (timestamps && s.options.timestamps && !rst && lt(s.options.tsVal, tsRecent)
                && now - tsRecentAge < TcpConnection.PAWS_IDLE) {
            return ACK_NOW; // PAWS (RFC 7323 5.3)
        }
        if (!acceptable(s.seq, s.seqLength())) {
            if (!rst && !syn && s.has(Tcp.ACK) && rcvAdv == rcvNxt) {
                int a = ackCheck(s, now);
                if (a != GO_ON) {
                    return a;
                }
            }
            if (rst) {
                return NOTHING;
            }
            if (s.has(Tcp.FIN)) {
                expiry = now + twoMsl; // the peer did not get our last ACK
            }
            return ACK_NOW;
        }
        if (rst) {
            // RFC 1337: a RST in window never ends the guard; a blind one draws a challenge (RFC 5961 3.2)
            return s.seq == rcvNxt ? NOTHING : challengeAck(now);
        }
        if (syn) {
            return challengeAck(now); // RFC 5961 4.2
        }
        if (!s.has(Tcp.ACK)) {
            return NOTHING;
        }
        int a = ackCheck(s, now);
        if (a != GO_ON) {
            return a;
        }
        if (timestamps && s.options.timestamps && le(s.seq, lastAckSent) && ge(s.options.tsVal, tsRecent)) {
            tsRecent = s.options.tsVal;
            tsRecentAge = now;
        }
        if (s.has(Tcp.FIN)) {
            ackNow = true; // a retransmitted FIN
            expiry = now + twoMsl;
        }
        return NOTHING;
    }

    /** The ACK field (RFC 9293 3.10.7.4, RFC 5961 5.2): 2 when the segment goes on, else what to send. */
    private int ackCheck(Segment s, long now) {
        int ack = s.ack;
        if (gt(ack, sndMax)) {
            return ACK_NOW;
        }
        if (lt(ack, sndMax - sndMaxWnd)) {
            return challengeAck(now);
        }
        if (lt(sndWl1, s.seq) || (sndWl1 == s.seq && le(sndWl2, ack))) {
            sndWl1 = s.seq;
            sndWl2 = ack;
            sndMaxWnd = Math.max(sndMaxWnd, s.window << sndWscale);
        }
        return GO_ON;
    }

    private int challengeAck(long now) {
        if (challengeStart == TcpConnection.NEVER || now - challengeStart >= 1_000_000_000L) {
            challengeStart = now;
            challenges = 0;
        }
        if (challenges < challengeAckLimit) {
            challenges++;
            return ACK_NOW;
        }
        return NOTHING;
    }

    /** RFC 9293 3.10.7.4 first check (as {@link TcpReceiver#acceptable}). */
    private boolean acceptable(int seq, int segLen) {
        int wnd = Math.max(0, rcvAdv - rcvNxt);
        if (segLen == 0) {
            return wnd == 0 ? seq == rcvNxt : ge(seq, rcvNxt) && lt(seq, rcvNxt + wnd);
        }
        if (wnd == 0) {
            return false;
        }
        int last = seq + segLen - 1;
        return (ge(seq, rcvNxt) && lt(seq, rcvNxt + wnd)) || (ge(last, rcvNxt) && lt(last, rcvNxt + wnd));
    }

    /** As {@link TcpConnection#acceptsNewSyn(Segment, boolean)} (RFC 6191). */
    boolean acceptsNewSyn(Segment syn, boolean listenerTimestamps) {
        if (!syn.has(Tcp.SYN) || syn.has(Tcp.ACK) || syn.has(Tcp.RST)) {
            return false;
        }
        boolean newerSeq = gt(syn.seq, rcvNxt);
        if (timestamps && listenerTimestamps && syn.options.timestamps) {
            return gt(syn.options.tsVal, tsRecent) || syn.options.tsVal == tsRecent && newerSeq;
        }
        return newerSeq;
    }

    @Override
    public String toString() {
        return "tcp time-wait " + localPort + " -> " + remotePort + " rcv=" + Integer.toUnsignedString(rcvNxt)
                + " snd=" + Integer.toUnsignedString(sndMax);
    }
}
