package org.jioth.jnet.tcp;

import static org.jioth.jnet.wire.SeqNum.ge;
import static org.jioth.jnet.wire.SeqNum.gt;
import static org.jioth.jnet.wire.SeqNum.le;
import static org.jioth.jnet.wire.SeqNum.lt;

import java.nio.ByteBuffer;
import org.jioth.jnet.wire.SeqNum;
import org.jioth.jnet.wire.Tcp;
import org.jioth.jnet.wire.TcpOptions;

/**
 * One TCP connection as a sans-I/O state machine (RFC 9293): fed parsed {@link Segment}s and the
 * current time, it answers through an {@link Output} callback and says when it next needs
 * {@link #onTimer}. It never reads a clock, touches a socket or starts a thread, so tests drive it
 * with crafted segments alone.
 *
 * <p>Handshake (active, passive, simultaneous, SYN cookies), send path with Nagle and sender SWS
 * avoidance, receive path with out-of-order reassembly and SACK blocks, RTO (RFC 6298) with
 * timestamps (RFC 7323, PAWS) and Karn, delayed ACKs, zero-window probes, keep-alive, NewReno
 * (RFC 6582) and SACK (RFC 6675) loss recovery, pluggable congestion control, RFC 5961 checks,
 * half-close and TIME_WAIT. All calls happen on the stack loop; only the two buffers are shared
 * with application threads, under their own locks.
 */
public final class TcpConnection {
    /** Where segments go: the layer wraps them in IP and sends them. */
    @FunctionalInterface
    public interface Output {
        void send(TcpConnection c, Segment s);
    }

    /** Told after every call that may have changed readability, writability or state. */
    @FunctionalInterface
    public interface Listener {
        void changed(TcpConnection c);
    }

    public static final long NEVER = Long.MAX_VALUE;
    /** How long a path MSS reduced by ICMP holds (Linux's net.ipv4.route.mtu_expires, 10 min). */
    public static final long PMTU_EXPIRES = 600_000_000_000L;
    private static final long PAWS_IDLE = 24L * 24 * 3600 * 1_000_000_000L;
    private static final int DEFAULT_PEER_MSS = 536;

    private final TcpConfig cfg;
    private final Output out;
    private Listener listener = c -> { };
    private final SendBuffer sendBuffer;
    private final ReceiveBuffer receiveBuffer;
    private final CongestionControl cc;
    private final RttEstimator rtt;
    private final Segment seg = new Segment();
    /** Sender-side SACK scoreboard, in send-stream offsets. */
    private final Assembler sacked = new Assembler();
    private final TcpStats stats = new TcpStats();
    private final int tsOffset;
    private final int ourWscale;
    /** Opaque slot for the layer (its demux key, the owning channel...). */
    public Object attachment;

    private TcpState state = TcpState.CLOSED;
    private TcpError error;
    private boolean active;

    // send sequence space
    private int iss;
    private int sndUna;
    private int sndNxt;
    private int sndMax;
    private int sndWnd;
    private int sndWl1;
    private int sndWl2;
    private int maxSndWnd;
    /** Sequence number of the send buffer's head byte. */
    private int headSeq;
    private int sndWscale;
    private boolean wsOk;
    private int smss = DEFAULT_PEER_MSS;
    /** The SMSS of the handshake, which a reduced path MSS returns to when it expires. */
    private int negotiatedMss = DEFAULT_PEER_MSS;
    /** When a path MSS reduced by ICMP expires; NEVER when none is in force. */
    private long pmtuExpiresAt = NEVER;
    private boolean finQueued;
    private boolean finSent;
    private int finSeq;

    // receive sequence space
    private int irs;
    private int rcvNxt;
    private int rcvAdv;
    private int rcvWscale;
    private int lastAckSent;
    private boolean finPending;
    private int rcvFinSeq;
    private boolean finReceived;
    private int unackedBytes;
    private int largestSegment;
    private boolean ackNow;
    /** An ACK loss recovery counts on (out-of-order or duplicate data): it leaves even when output is deferred. */
    private boolean ackUrgent;

    // negotiated options
    private boolean tsOk;
    private boolean sackOk;
    private int tsRecent;
    private long tsRecentAge;
    /** Our timestamp at the last retransmission timeout, while no echo of a later one has come back. */
    private int timeoutTs;
    private boolean echoPendingSinceTimeout;

    // timers
    private long rtoAt = NEVER;
    private long delackAt = NEVER;
    private long closeAt = NEVER;
    private boolean persisting;
    /** When the window shut with data waiting (the first probe), -1 when not: persistMax counts from here. */
    private long persistSince = -1;
    private int retries;
    private long lastReceived;
    private long lastSent;
    private int keepAliveProbes;
    private long lastProbe;
    private int rttSeq;
    private long rttStart = -1;

    // loss recovery
    private int dupAcks;
    private boolean inRecovery;
    private int recover;
    private int highRxt;

    private boolean orphan;
    private long challengeStart = NEVER;
    private int challenges;

    /**
     * A closed connection. {@code tsOffset} (random per connection) is added to the timestamp
     * clock so our TSvals reveal nothing about uptime.
     */
    public TcpConnection(TcpConfig cfg, Output out, int tsOffset) {
        this.cfg = cfg;
        this.out = out;
        this.tsOffset = tsOffset;
        this.sendBuffer = new SendBuffer(cfg.sendBuffer);
        this.receiveBuffer = new ReceiveBuffer(cfg.receiveBuffer);
        this.cc = CongestionControl.create(cfg.congestionControl);
        this.rtt = new RttEstimator(cfg.initialRto, cfg.minRto, cfg.maxRto);
        this.ourWscale = windowScaleFor(cfg.receiveBuffer);
    }

    /** The window scale we advertise for a receive buffer (also in SYN cookie SYN-ACKs). */
    static int windowScaleFor(int receiveBuffer) {
        int shift = 0;
        while (shift < TcpOptions.MAX_WSCALE && (receiveBuffer >> shift) > 65535) {
            shift++;
        }
        return shift;
    }

    public void setListener(Listener l) {
        this.listener = l;
    }

    // ================================================================ opening

    /** Active open: sends a SYN with sequence {@code iss}. */
    public void connect(int iss, long now) {
        requireState(TcpState.CLOSED);
        active = true;
        initSend(iss, now);
        state = TcpState.SYN_SENT;
        sendSyn(now);
        changed();
    }

    /** Passive open from a listener: answers {@code syn} with a SYN-ACK of sequence {@code iss}. */
    public void acceptSyn(Segment syn, int iss, long now) {
        requireState(TcpState.CLOSED);
        active = false;
        initSend(iss, now);
        irs = syn.seq;
        rcvNxt = irs + 1;
        negotiate(syn.options, now);
        if (tsOk) {
            tsRecent = syn.options.tsVal;
            tsRecentAge = now;
        }
        updateWindow(syn, true);
        state = TcpState.SYN_RECEIVED;
        sendSyn(now);
        changed();
    }

    /** {@link #acceptCookie(Segment, int, int, boolean, boolean, long)} of an MSS-only cookie. */
    public void acceptCookie(Segment ack, int mss, long now) {
        acceptCookie(ack, mss, -1, false, false, now);
    }

    /**
     * Opens straight into ESTABLISHED from the ACK that completes a SYN-cookie handshake: {@code
     * mss}, the peer's window scale ({@code peerWindowScale}, -1 for none), SACK-permitted and
     * whether timestamps are on are what the (already checked) cookie recovered of the SYN; our
     * own window scale is the one a SYN-ACK from this configuration advertised. The ACK's own
     * payload and flags are then processed.
     */
    public void acceptCookie(Segment ack, int mss, int peerWindowScale, boolean sack, boolean timestamps, long now) {
        requireState(TcpState.CLOSED);
        active = false;
        initSend(ack.ack - 1, now);
        irs = ack.seq - 1;
        rcvNxt = ack.seq;
        TcpOptions syn = new TcpOptions();
        syn.mss = mss;
        syn.windowScale = peerWindowScale;
        syn.sackPermitted = sack;
        syn.timestamps = timestamps && ack.options.timestamps;
        negotiate(syn, now);
        if (tsOk) {
            tsRecent = ack.options.tsVal;
            tsRecentAge = now;
        }
        rcvAdv = rcvNxt + Math.min(receiveBuffer.window(), 65535);
        lastAckSent = rcvNxt;
        sndUna = ack.ack;
        sndNxt = sndMax = ack.ack;
        headSeq = ack.ack;
        sndWl1 = ack.seq - 1;
        sndWl2 = ack.ack - 1;
        state = TcpState.ESTABLISHED;
        input(ack, now);
    }

    private void initSend(int iss, long now) {
        this.iss = iss;
        sndUna = sndNxt = sndMax = iss;
        recover = iss;
        headSeq = iss + 1;
        lastReceived = now;
        lastSent = now;
        cc.init(smss, now);
    }

    /** Applies the peer's SYN options (for a passive open they also decide what we answer). */
    private void negotiate(TcpOptions o, long now) {
        int peerMss = o.mss > 0 ? o.mss : DEFAULT_PEER_MSS;
        boolean ws = cfg.windowScaling && o.windowScale >= 0;
        wsOk = ws;
        sndWscale = ws ? o.windowScale : 0;
        rcvWscale = ws ? ourWscale : 0;
        sackOk = cfg.sack && o.sackPermitted;
        tsOk = cfg.timestamps && o.timestamps;
        smss = Math.max(64, Math.min(peerMss, cfg.mss) - (tsOk ? 12 : 0));
        negotiatedMss = smss;
        cc.init(smss, now);
        largestSegment = smss;
    }

    private void sendSyn(long now) {
        Segment s = seg;
        s.seq = iss;
        s.flags = Tcp.SYN | (state == TcpState.SYN_RECEIVED ? Tcp.ACK : 0);
        s.ack = s.has(Tcp.ACK) ? rcvNxt : 0;
        s.window = Math.min(receiveBuffer.window(), 65535);
        TcpOptions o = s.options.clear();
        o.mss = cfg.mss;
        boolean offer = active || state == TcpState.SYN_SENT;
        if (offer ? cfg.windowScaling : wsOk) {
            o.windowScale = ourWscale;
        }
        o.sackPermitted = offer ? cfg.sack : sackOk;
        if (offer ? cfg.timestamps : tsOk) {
            o.timestamps = true;
            o.tsVal = tsNow(now);
            o.tsEcr = s.has(Tcp.ACK) ? tsRecent : 0;
        }
        s.payloadFrom(sendBuffer, 0, 0);
        if (s.has(Tcp.ACK)) {
            rcvAdv = rcvNxt + s.window;
            lastAckSent = rcvNxt;
        }
        sndNxt = iss + 1;
        sndMax = SeqNum.max(sndMax, sndNxt);
        lastSent = now;
        rtoAt = now + rtt.rto();
        transmit(s);
    }

    // ================================================================ application calls

    /** After the application appended to the send buffer: sends what the windows allow. */
    public void output(long now) {
        transmitData(now);
        changed();
    }

    /**
     * After the application read from the receive buffer: advertises the opened window when it
     * grew enough (receiver SWS avoidance, RFC 9293 3.8.6.2.2).
     */
    public void windowUpdate(long now) {
        if (windowUpdateDue()) {
            ackNow = true;
            transmitData(now);
        }
        changed();
    }

    /** Whether the application has read enough since our last advertisement to announce more room. */
    public boolean windowUpdateDue() {
        return receiveBuffer.window() >= roomForWindowUpdate();
    }

    /**
     * The receive-buffer room ({@link ReceiveBuffer#window()}) at which a window update becomes
     * due (receiver SWS avoidance); {@link Integer#MAX_VALUE} when no update can be due.
     */
    public int roomForWindowUpdate() {
        if (!state.synchronizedState() || finReceived) {
            return Integer.MAX_VALUE;
        }
        int advertised = rcvAdv - rcvNxt;
        return advertised + Math.min(receiveBuffer.capacity() / 2, 2 * largestSegment);
    }

    /** No more data from us (shutdownOutput): FIN after what is queued. */
    public void shutdownOutput(long now) {
        switch (state) {
            case SYN_SENT -> closeNow(null);
            case SYN_RECEIVED, ESTABLISHED -> {
                finQueued = true;
                state = TcpState.FIN_WAIT_1;
            }
            case CLOSE_WAIT -> {
                finQueued = true;
                state = TcpState.LAST_ACK;
            }
            default -> {
                return;
            }
        }
        transmitData(now);
        changed();
    }

    /**
     * The application closed the socket: orderly release, or a reset when unread data would be
     * lost (RFC 2525 2.17). The connection lives on (orphaned) until its FIN is acknowledged.
     */
    public void close(long now) {
        orphan = true;
        if (receiveBuffer.available() > 0 || state == TcpState.SYN_RECEIVED) {
            abort(now);
            return;
        }
        shutdownOutput(now);
        if (state == TcpState.FIN_WAIT_2) {
            closeAt = now + cfg.finWait2Timeout;
        }
    }

    /** Abortive close (SO_LINGER 0): RST to the peer, CLOSED at once. */
    public void abort(long now) {
        if (state.synchronizedState() && state != TcpState.TIME_WAIT || state == TcpState.SYN_RECEIVED) {
            sendReset(sndMax, rcvNxt, true);
        }
        closeNow(state == TcpState.CLOSED ? error : TcpError.ABORTED);
    }

    /** An ICMP error about this connection (destination unreachable): fatal only before it is established. */
    public void unreachable(long now) {
        if (state == TcpState.SYN_SENT) {
            closeNow(TcpError.UNREACHABLE);
        }
    }

    /**
     * Whether an ICMP error quoting sequence number {@code seq} may be about this connection: RFC
     * 5927 4.1, the quoted segment must be in flight (as Linux, SND.UNA..SND.NXT inclusive). A
     * blind attacker must then guess a sequence number, as for a RST (RFC 5961).
     */
    public boolean quotesSentData(int seq) {
        return SeqNum.le(sndUna, seq) && SeqNum.le(seq, sndMax);
    }

    /**
     * The path MTU shrank: use a smaller MSS for {@link #PMTU_EXPIRES}, then try the negotiated
     * one again (as Linux's mtu_expires). Only a decrease resends what was in flight; a report
     * of the size in use only keeps it longer.
     */
    public void setPathMss(int mss, long now) {
        int m = Math.max(64, Math.min(mss, cfg.mss) - (tsOk ? 12 : 0));
        if (m > smss) {
            return;
        }
        pmtuExpiresAt = now + PMTU_EXPIRES;
        if (m < smss) {
            smss = m;
            cc.setSmss(m);
            // resend what was sent too big; during the handshake only the SYN is in flight, and a
            // rewind there would put SND.NXT before the first data byte once the SYN is acknowledged
            if (sndMax != sndUna && state != TcpState.SYN_SENT && state != TcpState.SYN_RECEIVED) {
                sndNxt = sndUna;
                transmitData(now);
            }
        }
    }

    /** The reduced path MSS expired: back to the one negotiated at the handshake. */
    private void pathMssExpired() {
        pmtuExpiresAt = NEVER;
        smss = negotiatedMss;
        cc.setSmss(smss);
    }

    // ================================================================ input

    /** A segment for this connection (checksum already verified, options parsed). */
    public void input(Segment s, long now) {
        input(s, now, false);
    }

    /**
     * Like {@link #input} but leaves the answer (ACK, new data) to a later {@link #output} call,
     * so the caller can feed a whole batch of received segments and answer them with one ACK and
     * one burst. Duplicate ACKs for out-of-order or duplicate data still leave at once, one per
     * segment, since the peer's loss recovery counts them.
     */
    public void inputDeferred(Segment s, long now) {
        input(s, now, true);
    }

    private void input(Segment s, long now, boolean deferOutput) {
        stats.segmentsIn++;
        switch (state) {
            case CLOSED, LISTEN -> {
                return;
            }
            case SYN_SENT -> synSentInput(s, now);
            default -> synchronizedInput(s, now);
        }
        if (state != TcpState.CLOSED && (!deferOutput || ackUrgent)) {
            transmitData(now);
        }
        ackUrgent = false;
        changed();
    }

    private void synSentInput(Segment s, long now) {
        boolean ack = s.has(Tcp.ACK);
        if (ack && (le(s.ack, iss) || gt(s.ack, sndMax))) {
            if (!s.has(Tcp.RST)) {
                sendReset(s.ack, 0, false);
            }
            return;
        }
        if (s.has(Tcp.RST)) {
            if (ack) {
                closeNow(TcpError.REFUSED);
            }
            return;
        }
        if (!s.has(Tcp.SYN)) {
            return;
        }
        irs = s.seq;
        rcvNxt = irs + 1;
        negotiate(s.options, now);
        if (tsOk) {
            tsRecent = s.options.tsVal;
            tsRecentAge = now;
        }
        lastReceived = now;
        if (ack) {
            rttFromSyn(s, now);
            sndUna = s.ack;
            updateWindow(s, true);
            rcvAdv = rcvNxt + Math.min(receiveBuffer.window(), 65535); // what our SYN offered
            state = TcpState.ESTABLISHED;
            rtoAt = NEVER;
            retries = 0;
            ackNow = true;
            if (s.payloadLength > 0) {
                receiveData(s, now);
            }
        } else {
            // simultaneous open (RFC 9293 3.5, figure 8)
            updateWindow(s, true);
            state = TcpState.SYN_RECEIVED;
            sendSyn(now);
        }
    }

    private void synchronizedInput(Segment s, long now) {
        boolean rst = s.has(Tcp.RST);
        boolean syn = s.has(Tcp.SYN);
        int segLen = s.seqLength();
        if (state == TcpState.SYN_RECEIVED && syn && s.seq == irs) {
            if (s.has(Tcp.ACK) && gt(s.ack, sndUna) && le(s.ack, sndMax)) {
                establish(s, now); // the peer's SYN-ACK of a simultaneous open
                ackNow = true;
            } else if (!s.has(Tcp.ACK)) {
                sendSyn(now); // our SYN-ACK was lost
            }
            return;
        }
        // PAWS (RFC 7323 5.3)
        if (tsOk && s.options.timestamps && !rst && lt(s.options.tsVal, tsRecent) && now - tsRecentAge < PAWS_IDLE) {
            stats.pawsDrops++;
            sendAck(now);
            return;
        }
        if (!acceptable(s.seq, segLen)) {
            stats.outOfWindow++;
            if (!rst && !syn && s.has(Tcp.ACK) && rcvAdv == rcvNxt && state != TcpState.SYN_RECEIVED) {
                // Our window is shut, so no segment is acceptable, but its ACK must still count
                // (RFC 9293 3.10.7.4): else a peer whose ACKs sit beyond our RCV.NXT (after its
                // probe or rewind) could never free our send buffer, and with our application
                // blocked writing, never reopen our window either: both sides would wait for good.
                if (!processAck(s, now) || state == TcpState.CLOSED) {
                    return;
                }
            }
            if (!rst) {
                if (state == TcpState.TIME_WAIT && s.has(Tcp.FIN)) {
                    closeAt = now + 2 * cfg.msl; // the peer did not get our last ACK
                }
                sendAck(now);
            }
            return;
        }
        lastReceived = now;
        keepAliveProbes = 0;
        if (rst) {
            if (s.seq == rcvNxt) {
                reset();
            } else {
                challengeAck(now); // RFC 5961 3.2
            }
            return;
        }
        if (syn) {
            challengeAck(now); // RFC 5961 4.2
            return;
        }
        if (!s.has(Tcp.ACK)) {
            return;
        }
        if (state == TcpState.SYN_RECEIVED) {
            if (gt(s.ack, sndUna) && le(s.ack, sndMax)) {
                establish(s, now);
            } else {
                sendReset(s.ack, 0, false);
                return;
            }
        }
        if (!processAck(s, now)) {
            return;
        }
        if (state == TcpState.CLOSED) {
            return;
        }
        // TS.Recent (RFC 7323 4.3)
        if (tsOk && s.options.timestamps && le(s.seq, lastAckSent) && ge(s.options.tsVal, tsRecent)) {
            tsRecent = s.options.tsVal;
            tsRecentAge = now;
        }
        if (s.payloadLength > 0) {
            if (state.canReceive() && !finReceived) {
                if (orphan) {
                    // nobody will read it: tell the peer (as Linux does)
                    sendReset(sndMax, rcvNxt, true);
                    closeNow(TcpError.ABORTED);
                    return;
                }
                receiveData(s, now);
            }
        }
        if (s.has(Tcp.FIN)) {
            int at = s.seq + s.payloadLength;
            if (state.canReceive() && !finReceived) {
                if (lt(at, rcvAdv) || at == rcvAdv) {
                    finPending = true;
                    rcvFinSeq = at;
                }
            } else {
                ackNow = true; // a retransmitted FIN
                if (state == TcpState.TIME_WAIT) {
                    closeAt = now + 2 * cfg.msl;
                }
            }
        }
        if (finPending && rcvNxt == rcvFinSeq) {
            finPending = false;
            finReceived = true;
            rcvNxt++;
            ackNow = true;
            switch (state) {
                case ESTABLISHED -> state = TcpState.CLOSE_WAIT;
                case FIN_WAIT_1 -> state = TcpState.CLOSING;
                case FIN_WAIT_2 -> enterTimeWait(now);
                default -> {
                }
            }
        }
    }

    private void establish(Segment s, long now) {
        state = TcpState.ESTABLISHED;
        rttFromSyn(s, now);
        sndUna = s.ack;
        if (lt(sndNxt, sndUna)) {
            sndNxt = sndUna;
        }
        rtoAt = NEVER;
        retries = 0;
        sndWnd = s.window << sndWscale;
        maxSndWnd = Math.max(maxSndWnd, sndWnd);
        sndWl1 = s.seq;
        sndWl2 = s.ack;
    }

    private void rttFromSyn(Segment s, long now) {
        if (tsOk && s.options.timestamps && s.options.tsEcr != 0) {
            rttSample(tsNow(now) - s.options.tsEcr);
        } else if (retries == 0) {
            rtt.sample(now - lastSent);
        }
    }

    /** RFC 9293 3.10.7.4 first check, with RCV.WND the window we advertised. */
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

    private void reset() {
        switch (state) {
            case TIME_WAIT -> {
                // RFC 1337: ignore, the TIME_WAIT guard stays
            }
            case SYN_RECEIVED -> closeNow(active ? TcpError.REFUSED : null);
            case CLOSING, LAST_ACK -> closeNow(null);
            default -> closeNow(TcpError.RESET);
        }
    }

    private void challengeAck(long now) {
        if (challengeStart == NEVER || now - challengeStart >= 1_000_000_000L) {
            challengeStart = now;
            challenges = 0;
        }
        if (challenges < cfg.challengeAckLimit) {
            challenges++;
            stats.challengeAcks++;
            sendAck(now);
        }
    }

    /** The ACK field (RFC 9293 3.10.7.4 fifth check, RFC 5961 5.2); false to drop the segment. */
    private boolean processAck(Segment s, long now) {
        int ack = s.ack;
        if (gt(ack, sndMax)) {
            sendAck(now);
            return false;
        }
        if (lt(ack, sndUna - maxSndWnd)) {
            challengeAck(now);
            return false;
        }
        // an ACK that SACKs new data is a duplicate ACK whatever its window (RFC 6675 2): Linux
        // opens its window as data arrives, so its duplicate ACKs rarely repeat one
        boolean newlySacked = sackOk && s.options.sackCount > 0 && updateScoreboard(s.options);
        if (gt(ack, sndUna)) {
            newAck(s, now);
        } else if (ack == sndUna && sndMax != sndUna && s.payloadLength == 0 && !persisting
                && !s.has(Tcp.FIN) && ((s.window << sndWscale) == sndWnd || newlySacked)) {
            stats.dupAcksIn++;
            dupAck(now);
        }
        if (lt(sndWl1, s.seq) || (sndWl1 == s.seq && le(sndWl2, ack))) {
            updateWindow(s, false);
        }
        if (finSent && gt(sndUna, finSeq)) {
            switch (state) {
                case FIN_WAIT_1 -> {
                    state = TcpState.FIN_WAIT_2;
                    if (orphan) {
                        closeAt = now + cfg.finWait2Timeout;
                    }
                }
                case CLOSING -> enterTimeWait(now);
                case LAST_ACK -> {
                    closeNow(null);
                    return false;
                }
                default -> {
                }
            }
        }
        return true;
    }

    private void updateWindow(Segment s, boolean syn) {
        int w = syn ? s.window : s.window << sndWscale;
        sndWnd = w;
        sndWl1 = s.seq;
        sndWl2 = s.ack;
        maxSndWnd = Math.max(maxSndWnd, w);
        if (w > 0) {
            persistSince = -1;
        }
        if (w > 0 && persisting) {
            persisting = false;
            retries = 0;
            rtoAt = NEVER;
            sndNxt = sndUna; // the probe byte was refused; send it again with the rest
        }
    }

    private void newAck(Segment s, long now) {
        int ack = s.ack;
        int acked = ack - sndUna;
        int flight = sndMax - sndUna;
        if (tsOk && s.options.timestamps && s.options.tsEcr != 0) {
            // An echo from before our last timeout spans the backed-off wait, not a round trip: the
            // peer answers our go-back-N copy of data it already had with its older TS.Recent
            // (RFC 7323 4.3). No sample then, and the back-off stays until a real one (RFC 6298 5.7).
            if (!echoPendingSinceTimeout || ge(s.options.tsEcr, timeoutTs)) {
                echoPendingSinceTimeout = false;
                rttSample(tsNow(now) - s.options.tsEcr);
            }
        } else if (rttStart >= 0 && ge(ack, rttSeq)) {
            rtt.sample(now - rttStart);
            rttStart = -1;
        }
        sndUna = ack;
        if (lt(sndNxt, sndUna)) {
            sndNxt = sndUna;
        }
        int dataEnd = dataEndSeq();
        int newHead = lt(ack, dataEnd) ? ack : dataEnd;
        if (gt(newHead, headSeq)) {
            sendBuffer.ackTo(sendBuffer.head() + (newHead - headSeq));
            headSeq = newHead;
        }
        sacked.dropBelow(offset(sndUna));
        retries = 0;
        if (persisting && sndMax == sndUna) {
            persistSince = -1;
            persisting = false; // a probe byte was taken; output re-arms the probe if the window stays shut
        }
        if (inRecovery) {
            if (ge(ack, recover)) {
                inRecovery = false;
                dupAcks = 0;
                // SACK recovery never inflated cwnd: it stays at ssthresh (RFC 6675). NewReno
                // deflates to min(ssthresh, max(FlightSize, SMSS) + SMSS) (RFC 6582 3.2 step 3).
                cc.onRecoveryExit(sackOk ? cc.ssthresh() : Math.max(sndMax - sndUna, smss));
            } else if (!sackOk || sacked.isEmpty()) {
                // NewReno partial ACK (RFC 6582 3.2 step 3): the next hole, deflated window
                retransmitOne(sndUna, now);
                cc.setCwnd(cc.cwnd() - acked + smss);
            }
        } else {
            dupAcks = 0;
            // Grow only while the window is what limits us (RFC 7661): a flow held back by the
            // peer's window or the application would otherwise inflate cwnd without bound.
            if (2L * flight >= cc.cwnd()) {
                cc.onAck(acked, flight, now, rtt.srtt());
            }
        }
        rtoAt = sndMax == sndUna ? NEVER : now + rtt.rto();
    }

    private void rttSample(int ms) {
        if (ms >= 0 && ms < 3_600_000) {
            rtt.sample(ms * 1_000_000L);
        }
    }

    private void dupAck(long now) {
        dupAcks++;
        if (inRecovery) {
            if (!sackOk) {
                cc.setCwnd(cc.cwnd() + smss); // inflation (RFC 6582 3.2 step 4)
            }
            return;
        }
        boolean lost = dupAcks >= 3 || (sackOk && sacked.covered() >= 3L * smss);
        if (lost && gt(sndUna, recover)) {
            enterRecovery(now);
        }
    }

    private void enterRecovery(long now) {
        stats.fastRetransmits++;
        inRecovery = true;
        recover = sndMax;
        cc.onCongestion(sndMax - sndUna, now);
        rttStart = -1;
        highRxt = sndUna + retransmitOne(sndUna, now);
        if (!sackOk) {
            cc.setCwnd(cc.ssthresh() + 3 * smss);
        }
    }

    /** Adds the SACK blocks of {@code o} to the scoreboard; true when they SACKed new bytes. */
    private boolean updateScoreboard(TcpOptions o) {
        long before = sacked.covered();
        for (int i = 0; i < o.sackCount; i++) {
            int l = o.sackLeft(i);
            int r = o.sackRight(i);
            // only blocks above the cumulative ACK and within what we sent (RFC 2018 / D-SACK ignored)
            if (gt(r, l) && gt(l, sndUna) && le(r, sndMax)) {
                sacked.add(offset(l), offset(r));
            }
        }
        return sacked.covered() != before;
    }

    private void receiveData(Segment s, long now) {
        ByteBuffer buf = s.inputBuffer();
        int seq = s.seq + (s.has(Tcp.SYN) ? 1 : 0);
        int at = s.inputOffset();
        int len = s.payloadLength;
        int skip = rcvNxt - seq;
        if (skip > 0) {
            if (skip >= len) {
                ackNow = true; // all old: the peer missed our ACK
                ackUrgent = true;
                return;
            }
            seq += skip;
            at += skip;
            len -= skip;
        }
        int over = (seq + len) - rcvAdv;
        if (over > 0) {
            len -= over;
            if (len <= 0) {
                ackNow = true;
                return;
            }
        }
        boolean hadHoles = !receiveBuffer.outOfOrder().isEmpty();
        long off = receiveBuffer.inOrder() + (seq - rcvNxt);
        long advanced = receiveBuffer.put(off, buf, at, len);
        largestSegment = Math.max(largestSegment, Math.min(len, 65535));
        if (advanced < 0) {
            ackNow = true;
            ackUrgent = true;
            return;
        }
        if (advanced == 0) {
            stats.outOfOrder++;
            ackNow = true; // a duplicate ACK with SACK at once (RFC 5681 4.2)
            ackUrgent = true;
            return;
        }
        rcvNxt += (int) advanced;
        if (hadHoles) {
            ackNow = true;
            ackUrgent = true;
            return;
        }
        unackedBytes += len;
        if (unackedBytes >= 2 * largestSegment || (finPending && rcvNxt == rcvFinSeq)) {
            ackNow = true;
        } else if (delackAt == NEVER) {
            delackAt = now + cfg.delayedAck;
        }
    }

    // ================================================================ output

    private void transmitData(long now) {
        if (state == TcpState.CLOSED || state == TcpState.SYN_SENT || state == TcpState.SYN_RECEIVED
                || state == TcpState.TIME_WAIT || state == TcpState.FIN_WAIT_2) {
            if (ackNow && state != TcpState.CLOSED && state != TcpState.SYN_SENT) {
                sendAck(now);
            }
            return;
        }
        boolean sent = false;
        if (pmtuExpiresAt != NEVER && now - pmtuExpiresAt >= 0) {
            pathMssExpired();
        }
        if (sndUna == sndMax && sendBuffer.size() > 0 && lastSent != 0 && now - lastSent > rtt.rto()) {
            cc.onIdleRestart(now); // RFC 5681 4.1 slow start after idle
        }
        if (inRecovery && sackOk) {
            sent = sackRecoveryRetransmits(now);
        }
        int mss = mssNow();
        while (true) {
            long off = offset(sndNxt);
            int avail = (int) Math.max(0, sendBuffer.tail() - off);
            int inFlight = inRecovery && sackOk ? pipe() : sndNxt - sndUna;
            int room = Math.min(cc.cwnd() - inFlight, sndUna + sndWnd - sndNxt);
            int len = Math.min(avail, Math.min(mss, room));
            boolean finNow = finQueued && len == avail && (sndNxt + len == dataEndSeq());
            if (len <= 0) {
                if (finNow && avail == 0 && (!finSent || lt(sndNxt, finSeq + 1))) {
                    sendSegment(sndNxt, 0, Tcp.ACK | Tcp.FIN, now);
                    sent = true;
                }
                break;
            }
            if (len < mss && !mayNagle(len, avail, finNow)) {
                break;
            }
            sendSegment(sndNxt, len, Tcp.ACK | (len == avail ? Tcp.PSH : 0) | (finNow ? Tcp.FIN : 0), now);
            sent = true;
        }
        if (!sent && ackNow) {
            sendAck(now);
        }
        if (sndMax != sndUna && rtoAt == NEVER) {
            rtoAt = now + rtt.rto();
        }
        // Data waits, nothing is in flight: only the window holds it back (zero, or too small for
        // SWS avoidance). No ACK is coming, so the persist timer probes (and overrides SWS avoidance,
        // RFC 9293 3.8.6.2.1) lest a lost window update stall the connection for good. SND.NXT, not
        // SND.MAX: after a rewind (a refused probe byte, a go-back-N) SND.MAX stays ahead, and the
        // retransmission timer alone would then resend nothing, over and over, until it gave up.
        if (sndNxt == sndUna && sendBuffer.tail() > offset(sndNxt) && !persisting) {
            persisting = true;
            if (persistSince < 0) {
                persistSince = now;
            }
            rtoAt = now + rtt.rto();
        }
    }

    /**
     * Payload room of the next segment: SMSS already accounts for timestamps; SACK blocks we are
     * about to report take more, and the segment must still fit the MTU (DF is set).
     */
    private int mssNow() {
        if (!sackOk) {
            return smss;
        }
        Assembler a = receiveBuffer.outOfOrder();
        if (a.isEmpty()) {
            return smss;
        }
        int blocks = Math.min(a.count(), tsOk ? 3 : 4);
        return Math.max(64, smss - 4 - 8 * blocks);
    }

    /** Nagle (RFC 896) and sender SWS avoidance (RFC 9293 3.8.6.2.1) for a short segment. */
    private boolean mayNagle(int len, int avail, boolean fin) {
        if (len == avail && (cfg.noDelay || fin || sndNxt == sndUna)) {
            return true;
        }
        return maxSndWnd > 0 && len >= maxSndWnd / 2 && sndNxt == sndUna;
    }

    /** RFC 6675 5: while the pipe allows, retransmit the next hole below the highest SACKed byte. */
    private boolean sackRecoveryRetransmits(long now) {
        boolean sent = false;
        while (pipe() < cc.cwnd()) {
            long from = Math.max(offset(highRxt), offset(sndUna));
            long high = sacked.highest();
            if (high < 0 || from >= high) {
                break;
            }
            long holeEnd = high;
            long pos = from;
            for (int i = 0; i < sacked.count(); i++) {
                if (sacked.end(i) <= pos) {
                    continue;
                }
                if (sacked.start(i) > pos) {
                    holeEnd = sacked.start(i);
                    break;
                }
                pos = sacked.end(i);
            }
            if (pos >= high) {
                highRxt = seqOf(high);
                break;
            }
            int len = (int) Math.min(mssNow(), holeEnd - pos);
            int seq = seqOf(pos);
            retransmitOne(seq, len, now);
            highRxt = seq + len;
            sent = true;
        }
        return sent;
    }

    /** RFC 6675 SetPipe, simplified: un-SACKed data above the highest SACK plus hole retransmissions. */
    private int pipe() {
        long una = offset(sndUna);
        long nxt = offset(sndNxt);
        long high = sacked.highest();
        if (high < una) {
            return (int) (nxt - una);
        }
        long above = Math.max(0, nxt - high);
        long hr = Math.min(Math.max(offset(highRxt), una), high);
        long retransmitted = (hr - una) - (sacked.covered() - sacked.coveredFrom(hr));
        return (int) (above + Math.max(0, retransmitted));
    }

    /** Retransmits one segment at {@code seq}; returns the sequence space it took. */
    private int retransmitOne(int seq, long now) {
        long off = offset(seq);
        int len = (int) Math.min(mssNow(), Math.max(0, sendBuffer.tail() - off));
        retransmitOne(seq, len, now);
        return len;
    }

    private void retransmitOne(int seq, int len, long now) {
        boolean fin = finSent && seq + len == finSeq;
        if (len == 0 && !fin) {
            return;
        }
        sendSegment(seq, len, Tcp.ACK | (fin ? Tcp.FIN : 0), now);
    }

    /** Sends data (and maybe FIN) at {@code seq}; advances SND.NXT when it is new or resent after an RTO. */
    private void sendSegment(int seq, int len, int flags, long now) {
        boolean fin = (flags & Tcp.FIN) != 0;
        int end = seq + len + (fin ? 1 : 0);
        if (lt(seq, sndMax)) {
            stats.retransmissions++;
            if (rttStart >= 0 && lt(seq, rttSeq)) {
                rttStart = -1; // Karn: never time a retransmitted segment
            }
        } else if (rttStart < 0 && !tsOk) {
            rttStart = now;
            rttSeq = end;
        }
        if (fin) {
            finSent = true;
            finSeq = seq + len;
        }
        if (seq == sndNxt) {
            sndNxt = end;
        }
        if (gt(sndNxt, sndMax)) {
            sndMax = sndNxt;
        }
        Segment s = seg;
        s.seq = seq;
        s.flags = flags;
        s.payloadFrom(sendBuffer, offset(seq), len);
        lastSent = now;
        emit(s, now);
    }

    private void sendAck(long now) {
        Segment s = seg;
        // SND.MAX, not SND.NXT: after a go-back-N rewind the peer's RCV.NXT may be past SND.NXT,
        // and an ACK below it would be unacceptable there (both sides could stall that way)
        s.seq = sndMax;
        s.flags = Tcp.ACK;
        s.payloadFrom(sendBuffer, 0, 0);
        emit(s, now);
    }

    private void sendReset(int seq, int ack, boolean withAck) {
        Segment s = seg;
        s.seq = seq;
        s.ack = withAck ? ack : 0;
        s.flags = Tcp.RST | (withAck ? Tcp.ACK : 0);
        s.window = 0;
        s.options.clear();
        s.payloadFrom(sendBuffer, 0, 0);
        stats.resetsOut++;
        transmit(s);
    }

    /** Fills ACK, window and options of a non-SYN segment and sends it. */
    private void emit(Segment s, long now) {
        s.ack = rcvNxt;
        s.window = advertiseWindow();
        TcpOptions o = s.options.clear();
        if (tsOk) {
            o.timestamps = true;
            o.tsVal = tsNow(now);
            o.tsEcr = tsRecent;
        }
        if (sackOk) {
            addSackBlocks(o);
        }
        lastAckSent = rcvNxt;
        ackNow = false;
        ackUrgent = false;
        unackedBytes = 0;
        delackAt = NEVER;
        transmit(s);
    }

    private void transmit(Segment s) {
        stats.segmentsOut++;
        out.send(this, s);
    }

    /** The window field, never moving the right edge left (RFC 7323 2.4), opened in SWS-safe steps. */
    private int advertiseWindow() {
        int edge = rcvNxt + receiveBuffer.window();
        int step = Math.min(receiveBuffer.capacity() / 2, largestSegment);
        if (gt(edge, rcvAdv) && (edge - rcvAdv >= step || rcvAdv - rcvNxt >= step)) {
            rcvAdv = edge;
        }
        if (lt(rcvAdv, rcvNxt)) {
            rcvAdv = rcvNxt;
        }
        int field = Math.min((rcvAdv - rcvNxt) >>> rcvWscale, 65535);
        return field;
    }

    private void addSackBlocks(TcpOptions o) {
        Assembler a = receiveBuffer.outOfOrder();
        if (a.isEmpty()) {
            return;
        }
        long base = receiveBuffer.inOrder();
        int first = a.lastChanged();
        if (first >= 0) {
            o.addSack(rcvNxt + (int) (a.start(first) - base), rcvNxt + (int) (a.end(first) - base));
        }
        for (int i = 0; i < a.count(); i++) {
            if (i != first && !o.addSack(rcvNxt + (int) (a.start(i) - base), rcvNxt + (int) (a.end(i) - base))) {
                break;
            }
        }
    }

    // ================================================================ timers

    /** When {@link #onTimer} must next run ({@link #NEVER} for no timer). */
    public long nextDeadline() {
        long d = Math.min(rtoAt, Math.min(delackAt, closeAt));
        return Math.min(d, keepAliveDeadline());
    }

    private long keepAliveDeadline() {
        if (!cfg.keepAlive || (state != TcpState.ESTABLISHED && state != TcpState.CLOSE_WAIT)) {
            return NEVER;
        }
        return keepAliveProbes == 0 ? lastReceived + cfg.keepAliveIdle : lastProbe + cfg.keepAliveInterval;
    }

    /** Runs whatever timers are due at {@code now}. */
    public void onTimer(long now) {
        if (closeAt <= now) {
            closeAt = NEVER;
            if (state == TcpState.TIME_WAIT || state == TcpState.FIN_WAIT_2) {
                closeNow(state == TcpState.FIN_WAIT_2 ? TcpError.TIMED_OUT : null);
                changed();
                return;
            }
        }
        if (delackAt <= now) {
            delackAt = NEVER;
            if (state.synchronizedState()) {
                sendAck(now);
            }
        }
        if (rtoAt <= now) {
            rtoAt = NEVER;
            retransmitTimeout(now);
        }
        if (keepAliveDeadline() <= now) {
            keepAlive(now);
        }
        changed();
    }

    private void retransmitTimeout(long now) {
        if (state == TcpState.SYN_SENT || state == TcpState.SYN_RECEIVED) {
            if (++retries > cfg.synRetries) {
                closeNow(TcpError.TIMED_OUT);
                return;
            }
            stats.retransmissions++;
            rtt.backOff();
            sendSyn(now);
            return;
        }
        if (persisting) {
            zeroWindowProbe(now);
            return;
        }
        if (sndMax == sndUna || state == TcpState.CLOSED || state == TcpState.TIME_WAIT) {
            return;
        }
        if (++retries > cfg.maxRetries) {
            closeNow(TcpError.TIMED_OUT);
            return;
        }
        stats.timeouts++;
        cc.onTimeout(sndMax - sndUna, now);
        rtt.backOff();
        timeoutTs = tsNow(now);
        echoPendingSinceTimeout = true;
        inRecovery = false;
        dupAcks = 0;
        recover = sndMax;
        sacked.clear();
        rttStart = -1;
        sndNxt = sndUna; // go back N, cwnd one segment
        transmitData(now);
        rtoAt = now + rtt.rto();
    }

    private void zeroWindowProbe(long now) {
        if (persistSince >= 0 && now - persistSince >= cfg.persistMax) {
            closeNow(TcpError.TIMED_OUT); // the peer held its window shut too long: our buffer is not its to keep
            return;
        }
        stats.zeroWindowProbes++;
        if (sndNxt == sndUna) {
            int avail = (int) Math.max(0, sendBuffer.tail() - offset(sndNxt));
            if (avail == 0) {
                persisting = false;
                return;
            }
            int usable = sndUna + sndWnd - sndNxt;
            // a window too small for SWS avoidance is used anyway; a shut one gets a 1-byte probe
            int len = usable > 0 ? Math.min(usable, Math.min(avail, mssNow())) : 1;
            sendSegment(sndNxt, len, Tcp.ACK | (len == avail ? Tcp.PSH : 0), now);
        } else if (offset(sndUna) < sendBuffer.tail()) {
            sendSegment(sndUna, 1, Tcp.ACK, now);
        } else {
            // Only our FIN is unacknowledged (the data went out as probes and was taken): a shut
            // window never holds a FIN back, so the retransmission timer resends it, not a probe
            // byte that does not exist.
            persisting = false;
            retransmitTimeout(now);
            return;
        }
        rtt.backOff();
        rtoAt = now + rtt.rto();
    }

    private void keepAlive(long now) {
        if (keepAliveProbes >= cfg.keepAliveCount) {
            closeNow(TcpError.TIMED_OUT);
            return;
        }
        keepAliveProbes++;
        lastProbe = now;
        stats.keepAliveProbes++;
        Segment s = seg;
        s.seq = sndUna - 1; // an old sequence number draws an ACK (RFC 9293 3.8.4)
        s.flags = Tcp.ACK;
        s.payloadFrom(sendBuffer, 0, 0);
        emit(s, now);
    }

    private void enterTimeWait(long now) {
        state = TcpState.TIME_WAIT;
        rtoAt = NEVER;
        delackAt = NEVER;
        closeAt = now + 2 * cfg.msl;
        releaseBuffers();
    }

    /** A guard in TIME_WAIT (up to a minute, thousands under churn) or a closed connection needs no rings. */
    private void releaseBuffers() {
        sendBuffer.release();
        receiveBuffer.release();
    }

    private void closeNow(TcpError e) {
        state = TcpState.CLOSED;
        if (e != null && error == null) {
            error = e;
        }
        rtoAt = NEVER;
        delackAt = NEVER;
        closeAt = NEVER;
        releaseBuffers();
    }

    // ================================================================ queries

    /** {@link #acceptsNewSyn(Segment, boolean)} for a listener configured like this connection. */
    public boolean acceptsNewSyn(Segment syn) {
        return acceptsNewSyn(syn, cfg.timestamps);
    }

    /**
     * In TIME_WAIT, whether a new SYN may reopen the connection (RFC 6191 2). When both this
     * incarnation and the new one use timestamps ({@code timestamps}: the listener would enable
     * them), the SYN's TSval must be newer than TS.Recent, or equal with a newer sequence number;
     * otherwise (either side without timestamps) its sequence number must be beyond RCV.NXT (as
     * Linux: after the FIN). The old incarnation's PAWS state never judges the SYN any other way.
     */
    public boolean acceptsNewSyn(Segment syn, boolean timestamps) {
        if (state != TcpState.TIME_WAIT || !syn.has(Tcp.SYN) || syn.has(Tcp.ACK) || syn.has(Tcp.RST)) {
            return false;
        }
        boolean newerSeq = gt(syn.seq, rcvNxt);
        if (tsOk && timestamps && syn.options.timestamps) {
            return gt(syn.options.tsVal, tsRecent) || syn.options.tsVal == tsRecent && newerSeq;
        }
        return newerSeq;
    }

    public TcpState state() {
        return state;
    }

    /** Why the connection ended abnormally, or null. */
    public TcpError error() {
        return error;
    }

    public SendBuffer sendBuffer() {
        return sendBuffer;
    }

    public ReceiveBuffer receiveBuffer() {
        return receiveBuffer;
    }

    /** The peer sent FIN and every byte before it is in the receive buffer. */
    public boolean finReceived() {
        return finReceived;
    }

    /** The application may not write any more (FIN queued or connection gone). */
    public boolean outputShut() {
        return finQueued || state == TcpState.CLOSED;
    }

    public boolean isOrphan() {
        return orphan;
    }

    public int sendMss() {
        return smss;
    }

    public int sendWindow() {
        return sndWnd;
    }

    public int sendUnacknowledged() {
        return sndUna;
    }

    public int sendNext() {
        return sndNxt;
    }

    public int receiveNext() {
        return rcvNxt;
    }

    public boolean timestampsEnabled() {
        return tsOk;
    }

    public boolean sackEnabled() {
        return sackOk;
    }

    /** Shift applied to the peer's window field (its window scale), 0 when not negotiated. */
    public int sendWindowScale() {
        return sndWscale;
    }

    public int receiveWindowScale() {
        return rcvWscale;
    }

    public boolean inRecovery() {
        return inRecovery;
    }

    public CongestionControl congestion() {
        return cc;
    }

    public RttEstimator rtt() {
        return rtt;
    }

    public TcpStats stats() {
        return stats;
    }

    public TcpConfig config() {
        return cfg;
    }

    // ================================================================ helpers

    private int dataEndSeq() {
        return headSeq + sendBuffer.size();
    }

    private long offset(int seq) {
        return sendBuffer.head() + (seq - headSeq);
    }

    private int seqOf(long off) {
        return headSeq + (int) (off - sendBuffer.head());
    }

    private int tsNow(long now) {
        return timestampClock(now, tsOffset);
    }

    /** The TSval clock (1 ms ticks) at {@code now} for a connection with timestamp offset {@code offset}. */
    static int timestampClock(long now, int offset) {
        return (int) (now / 1_000_000L) + offset;
    }

    private void requireState(TcpState s) {
        if (state != s) {
            throw new IllegalStateException("connection is " + state + ", not " + s);
        }
    }

    private void changed() {
        listener.changed(this);
    }

    @Override
    public String toString() {
        return "tcp " + state + " una=" + Integer.toUnsignedString(sndUna) + " nxt=" + Integer.toUnsignedString(sndNxt)
                + " rcv=" + Integer.toUnsignedString(rcvNxt) + " wnd=" + sndWnd + " cwnd=" + cc.cwnd();
    }
}
