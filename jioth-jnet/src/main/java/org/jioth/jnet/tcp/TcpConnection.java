package org.jioth.jnet.tcp;

import static org.jioth.jnet.wire.SeqNum.ge;
import static org.jioth.jnet.wire.SeqNum.gt;
import static org.jioth.jnet.wire.SeqNum.le;
import static org.jioth.jnet.wire.SeqNum.lt;

import org.jioth.jnet.wire.SeqNum;
import org.jioth.jnet.wire.Tcp;
import org.jioth.jnet.wire.TcpOptions;

/**
 * One TCP connection as a sans-I/O state machine (RFC 9293): fed parsed {@link Segment}s and the
 * current time, it answers through an {@link Output} callback and says when it next needs
 * {@link #onTimer}. It never reads a clock, touches a socket or starts a thread, so tests drive it
 * with crafted segments alone.
 *
 * <p>It runs the state machine (the application's calls, segment acceptability, PAWS, RFC 5961
 * checks, RST, FIN and the closing states, TIME_WAIT, the timers' dispatch) and wires the parts
 * that hold the rest, as gVisor's {@code tcp/{connect,snd,rcv,timer}.go}: {@link TcpHandshake}
 * (the opening), {@link TcpSender} and {@link TcpReceiver} (the two sequence spaces),
 * {@link AckProcessor} (what an ACK does to the sender), {@link TcpTransmitter} (what may leave
 * and the segments themselves), {@link LossRecovery} (SACK scoreboard, RACK-TLP, PRR, undo),
 * {@link TcpTimers} and {@link TimerActions}, the congestion control and the pacer. All calls
 * happen on the stack loop; only the two buffers are shared with application threads, under
 * their own locks.
 */
public final class TcpConnection {
    /** Where segments go: the layer wraps them in IP and sends them. */
    @FunctionalInterface
    public interface Output {
        void send(TcpConnection c, Segment s);

        /**
         * The largest payload one segment of {@code c} may carry for its link to cut into
         * MSS-sized ones (TSO: a tap with offload behind the route), or 0 when the link does not
         * segment: every segment then carries at most one MSS.
         */
        default int segmentationLimit(TcpConnection c) {
            return 0;
        }

        /** {@code c}'s sender was held back by {@code why} for the last {@code nanos} (TcpStats' chrono), for the layer's sums. */
        default void sendLimited(TcpConnection c, TcpStats.SendLimit why, long nanos) {
        }
    }

    /** Told after every call that may have changed readability, writability or state. */
    @FunctionalInterface
    public interface Listener {
        void changed(TcpConnection c);
    }

    public static final long NEVER = Long.MAX_VALUE;
    /** Out-of-window segments without data are answered at most this often (Linux: 500 ms). */
    static final long OUT_OF_WINDOW_ACK_INTERVAL = 500_000_000L;
    /** How long a path MSS reduced by ICMP holds (Linux's net.ipv4.route.mtu_expires, 10 min). */
    public static final long PMTU_EXPIRES = 600_000_000_000L;
    static final long PAWS_IDLE = 24L * 24 * 3600 * 1_000_000_000L;
    /** RFC 8985 WCDelAckT: what a probe waits for the peer's delayed ACK of a single segment. */
    static final long WORST_CASE_DELAYED_ACK = 200_000_000L;
    /** The shortest probe timeout (RFC 8985 7.2 allows 10 ms). */
    static final long MIN_PROBE_TIMEOUT = 10_000_000L;

    final TcpConfig cfg;
    private Listener listener = c -> { };
    final SendBuffer sendBuffer;
    private final ReceiveBuffer receiveBuffer;
    final CongestionControl cc;
    final RttEstimator rtt;
    final TcpStats stats = new TcpStats();
    private final int tsOffset;
    /** Opaque slot for the layer (its demux key, the owning channel...). */
    public Object attachment;

    TcpState state = TcpState.CLOSED;
    private TcpError error;

    final TcpSender snd;
    final TcpReceiver rcv;
    final TcpHandshake handshake;
    final TcpTimers timers = new TcpTimers();
    final TimerActions timerActions = new TimerActions(this);
    final AckProcessor acks = new AckProcessor(this);
    final LossRecovery recovery;
    final TcpTransmitter tx;
    /** Delivery-rate samples for a model-based controller (BBR); null for the others. */
    final DeliveryRate deliveryRate;
    /** What the handshake negotiated (RFC 7323 timestamps, RFC 2018 SACK). */
    boolean tsOk;
    boolean sackOk;

    private boolean orphan;
    private long challengeStart = NEVER;
    /** When an out-of-window segment without data was last answered; NEVER before the first. */
    private long lastOutOfWindowAck = NEVER;
    private int challenges;

    /**
     * A closed connection. {@code tsOffset} (random per connection) is added to the timestamp
     * clock so our TSvals reveal nothing about uptime.
     */
    public TcpConnection(TcpConfig cfg, Output out, int tsOffset) {
        this.cfg = cfg;
        this.tx = new TcpTransmitter(this, out);
        this.tsOffset = tsOffset;
        this.sendBuffer = new SendBuffer(cfg.sendBuffer);
        this.receiveBuffer = new ReceiveBuffer(cfg.receiveBuffer);
        this.cc = CongestionControl.create(cfg.congestionControl);
        this.rtt = new RttEstimator(cfg.initialRto, cfg.minRto, cfg.maxRto);
        this.snd = new TcpSender(sendBuffer);
        this.rcv = new TcpReceiver(cfg, receiveBuffer, timers, stats, rtt);
        rcv.tsOffset = tsOffset; // autotuning times the receive round trip by timestamp echoes
        int bound = SackScoreboard.boundFor(sendBuffer.capacity(), 64);
        this.recovery = new LossRecovery(new SackScoreboard(bound), cfg.rack ? new Rack(bound) : null, snd, cc, rtt,
                timers, stats, tx);
        this.deliveryRate = cc.wantsRateSamples() ? new DeliveryRate(bound) : null;
        this.handshake = new TcpHandshake(this);
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
        handshake.connect(iss, now);
        changed();
    }

    /** Passive open from a listener: answers {@code syn} with a SYN-ACK of sequence {@code iss}. */
    public void acceptSyn(Segment syn, int iss, long now) {
        requireState(TcpState.CLOSED);
        handshake.acceptSyn(syn, iss, now);
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
        handshake.acceptCookie(ack, mss, peerWindowScale, sack, timestamps, now);
        input(ack, now);
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
            rcv.ackNow = true;
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
        return rcv.roomForWindowUpdate(state);
    }

    /** No more data from us (shutdownOutput): FIN after what is queued. */
    public void shutdownOutput(long now) {
        switch (state) {
            case SYN_SENT -> closeNow(null);
            case SYN_RECEIVED, ESTABLISHED -> {
                snd.finQueued = true;
                state = TcpState.FIN_WAIT_1;
            }
            case CLOSE_WAIT -> {
                snd.finQueued = true;
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
            timers.close = now + cfg.finWait2Timeout;
        }
    }

    /** Abortive close (SO_LINGER 0): RST to the peer, CLOSED at once. */
    public void abort(long now) {
        if (state.synchronizedState() && state != TcpState.TIME_WAIT || state == TcpState.SYN_RECEIVED) {
            tx.sendReset(snd.max, rcv.nxt, true);
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
        return SeqNum.le(snd.una, seq) && SeqNum.le(seq, snd.max);
    }

    /**
     * The path MTU shrank: use a smaller MSS for {@link #PMTU_EXPIRES}, then try the negotiated
     * one again (as Linux's mtu_expires). Only a decrease resends what was in flight; a report
     * of the size in use only keeps it longer.
     */
    public void setPathMss(int mss, long now) {
        int m = Math.max(64, Math.min(mss, cfg.mss) - (tsOk ? 12 : 0));
        if (m > snd.smss) {
            return;
        }
        snd.pmtuExpiresAt = now + PMTU_EXPIRES;
        if (m < snd.smss) {
            snd.smss = m;
            cc.setSmss(m);
            // resend what was sent too big; during the handshake only the SYN is in flight, and a
            // rewind there would put SND.NXT before the first data byte once the SYN is acknowledged
            if (snd.max != snd.una && state != TcpState.SYN_SENT && state != TcpState.SYN_RECEIVED) {
                snd.nxt = snd.una;
                transmitData(now);
            }
        }
    }

    // ================================================================ input

    /**
     * The segment about to be input arrived on a port whose ingress is {@code port} (null: a port
     * without a bound, or loopback): the window we advertise on a short path shares it.
     */
    public void arrivedOn(org.jioth.jnet.link.IngressBudget port) {
        if (state != TcpState.CLOSED && state != TcpState.TIME_WAIT) {
            rcv.arrivedOn(port);
        }
    }

    /** This connection stops sharing its port's ingress (it ended, or the layer let it go). */
    void leaveIngress() {
        rcv.leaveIngress();
    }

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
            case SYN_SENT -> handshake.synSentInput(s, now);
            default -> synchronizedInput(s, now);
        }
        if (state != TcpState.CLOSED && (!deferOutput || rcv.ackUrgent)) {
            transmitData(now);
        }
        rcv.ackUrgent = false;
        changed();
    }

    private void synchronizedInput(Segment s, long now) {
        boolean rst = s.has(Tcp.RST);
        boolean syn = s.has(Tcp.SYN);
        int segLen = s.seqLength();
        if (state == TcpState.SYN_RECEIVED && syn && s.seq == rcv.irs) {
            if (s.has(Tcp.ACK) && gt(s.ack, snd.una) && le(s.ack, snd.max)) {
                handshake.establish(s, now); // the peer's SYN-ACK of a simultaneous open
                rcv.ackNow = true;
            } else if (!s.has(Tcp.ACK)) {
                handshake.sendSyn(now); // our SYN-ACK was lost
            }
            return;
        }
        // PAWS (RFC 7323 5.3)
        if (tsOk && s.options.timestamps && !rst && lt(s.options.tsVal, rcv.tsRecent) && now - rcv.tsRecentAge < PAWS_IDLE) {
            stats.pawsDrops++;
            if (segLen > 0 || !outOfWindowAckLimited(now)) {
                tx.sendAck(now);
            }
            return;
        }
        if (!rcv.acceptable(s.seq, segLen)) {
            stats.outOfWindow++;
            if (sackOk && s.payloadLength > 0 && !syn && le(s.seq + s.payloadLength, rcv.nxt)) {
                rcv.duplicate(s.seq, s.seq + s.payloadLength); // old data again: the ACK below reports it (D-SACK)
            }
            if (!rst && !syn && s.has(Tcp.ACK) && rcv.adv == rcv.nxt && state != TcpState.SYN_RECEIVED) {
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
                    timers.close = now + 2 * cfg.msl; // the peer did not get our last ACK
                }
                if (segLen > 0 || !outOfWindowAckLimited(now)) {
                    tx.sendAck(now);
                }
            }
            return;
        }
        timers.lastReceived = now;
        timers.keepAliveProbes = 0;
        if (rst) {
            if (s.seq == rcv.nxt) {
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
            if (gt(s.ack, snd.una) && le(s.ack, snd.max)) {
                handshake.establish(s, now);
            } else {
                tx.sendReset(s.ack, 0, false);
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
        if (tsOk && s.options.timestamps && le(s.seq, rcv.lastAckSent) && ge(s.options.tsVal, rcv.tsRecent)) {
            rcv.tsRecent = s.options.tsVal;
            rcv.tsRecentAge = now;
        }
        if (s.payloadLength > 0) {
            if (state.canReceive() && !rcv.finReceived) {
                if (orphan) {
                    // nobody will read it: tell the peer (as Linux does)
                    tx.sendReset(snd.max, rcv.nxt, true);
                    closeNow(TcpError.ABORTED);
                    return;
                }
                rcv.receiveData(s, now);
            }
        }
        if (s.has(Tcp.FIN)) {
            int at = s.seq + s.payloadLength;
            if (state.canReceive() && !rcv.finReceived) {
                if (lt(at, rcv.adv) || at == rcv.adv) {
                    rcv.finPending = true;
                    rcv.finSeq = at;
                }
            } else {
                rcv.ackNow = true; // a retransmitted FIN
                if (state == TcpState.TIME_WAIT) {
                    timers.close = now + 2 * cfg.msl;
                }
            }
        }
        if (rcv.finPending && rcv.nxt == rcv.finSeq) {
            rcv.finPending = false;
            rcv.finReceived = true;
            rcv.leaveIngress(); // the peer sends no more: its share is the others'
            rcv.nxt++;
            if (state == TcpState.ESTABLISHED && s.payloadLength == 0) {
                // As Linux (tcp_fin enters pingpong mode in CLOSE_WAIT): the application usually
                // closes at once, and our FIN then carries this ACK: one segment, not two, per
                // connection a peer closes first. The delayed-ACK timer bounds the wait otherwise.
                if (timers.delayedAck == NEVER) {
                    timers.delayedAck = now + cfg.delayedAck;
                }
            } else {
                rcv.ackNow = true;
            }
            switch (state) {
                case ESTABLISHED -> state = TcpState.CLOSE_WAIT;
                case FIN_WAIT_1 -> state = TcpState.CLOSING;
                case FIN_WAIT_2 -> enterTimeWait(now);
                default -> {
                }
            }
        }
    }

    private void reset() {
        switch (state) {
            case TIME_WAIT -> {
                // RFC 1337: ignore, the TIME_WAIT guard stays
            }
            case SYN_RECEIVED -> closeNow(handshake.active() ? TcpError.REFUSED : null);
            case CLOSING, LAST_ACK -> closeNow(null);
            default -> closeNow(TcpError.RESET);
        }
    }

    /**
     * Whether an ACK answering an out-of-window segment without data must be held back: at most
     * one per {@link #OUT_OF_WINDOW_ACK_INTERVAL}, as Linux's {@code tcp_invalid_ratelimit}. Two
     * ends that each find the other's ACKs out of window would otherwise answer each other for
     * good. Data is always answered: its ACK (and D-SACK) may be all the peer lacks.
     */
    private boolean outOfWindowAckLimited(long now) {
        if (lastOutOfWindowAck != NEVER && now - lastOutOfWindowAck < OUT_OF_WINDOW_ACK_INTERVAL) {
            stats.outOfWindowAcksLimited++;
            return true;
        }
        lastOutOfWindowAck = now;
        return false;
    }

    void challengeAck(long now) {
        if (challengeStart == NEVER || now - challengeStart >= 1_000_000_000L) {
            challengeStart = now;
            challenges = 0;
        }
        if (challenges < cfg.challengeAckLimit) {
            challenges++;
            stats.challengeAcks++;
            tx.sendAck(now);
        }
    }

    /** The ACK field (RFC 9293 3.10.7.4 fifth check, RFC 5961 5.2); false to drop the segment. */
    private boolean processAck(Segment s, long now) {
        if (!acks.process(s, now)) {
            return false;
        }
        if (snd.finSent && gt(snd.una, snd.finSeq)) {
            switch (state) {
                case FIN_WAIT_1 -> {
                    state = TcpState.FIN_WAIT_2;
                    if (orphan) {
                        timers.close = now + cfg.finWait2Timeout;
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

    // ================================================================ output

    /** Sends what may leave in this state: data, FIN and retransmissions, or only an owed ACK. */
    void transmitData(long now) {
        if (state == TcpState.CLOSED || state == TcpState.SYN_SENT || state == TcpState.SYN_RECEIVED
                || state == TcpState.TIME_WAIT || state == TcpState.FIN_WAIT_2) {
            if (rcv.ackNow && state != TcpState.CLOSED && state != TcpState.SYN_SENT) {
                tx.sendAck(now);
            }
            return;
        }
        tx.sendData(now);
    }

    /** Whether the delivery-rate samples are marked application-limited now (tests). */
    boolean rateAppLimited() {
        return deliveryRate != null && deliveryRate.appLimitedUntil != 0;
    }

    /** Whether this connection paces on its path now ({@link PacingPolicy}). */
    boolean paced() {
        return tx.paced();
    }

    /** Tells whether the first hop toward the peer pushes back without loss (a {@code vde://} port). */
    public void setFirstHopPushesBack(boolean pushesBack) {
        tx.setFirstHopPushesBack(pushesBack);
    }

    // ================================================================ timers

    /** When {@link #onTimer} must next run ({@link #NEVER} for no timer). */
    public long nextDeadline() {
        return timers.next(cfg, state);
    }

    /** Runs whatever timers are due at {@code now}. */
    public void onTimer(long now) {
        if (timers.close <= now) {
            timers.close = NEVER;
            if (state == TcpState.TIME_WAIT || state == TcpState.FIN_WAIT_2) {
                closeNow(state == TcpState.FIN_WAIT_2 ? TcpError.TIMED_OUT : null);
                changed();
                return;
            }
        }
        if (timers.delayedAck <= now) {
            timers.delayedAck = NEVER;
            if (state.synchronizedState()) {
                tx.sendAck(now);
            }
        }
        if (timers.reorder <= now) {
            timers.reorder = NEVER;
            if (sackOk && recovery.rack != null && timerActions.mayHaveDataInFlight()) {
                recovery.detectLoss(now);
                transmitData(now);
            }
        }
        if (timers.pace <= now) {
            timers.pace = NEVER;
            transmitData(now);
        }
        if (timers.probe <= now) {
            timers.probe = NEVER;
            timerActions.tailLossProbe(now);
        }
        if (timers.rto <= now) {
            timers.rto = NEVER;
            timerActions.retransmitTimeout(now);
        }
        if (timers.keepAlive(cfg, state) <= now) {
            timerActions.keepAlive(now);
        }
        changed();
    }

    private void enterTimeWait(long now) {
        state = TcpState.TIME_WAIT;
        timers.rto = NEVER;
        timers.delayedAck = NEVER;
        timers.close = now + 2 * cfg.msl;
        releaseBuffers();
    }

    /** A guard in TIME_WAIT (up to a minute, thousands under churn) or a closed connection needs no rings. */
    private void releaseBuffers() {
        rcv.leaveIngress();
        sendBuffer.release();
        receiveBuffer.release();
    }

    void closeNow(TcpError e) {
        state = TcpState.CLOSED;
        if (e != null && error == null) {
            error = e;
        }
        timers.rto = NEVER;
        timers.delayedAck = NEVER;
        timers.close = NEVER;
        releaseBuffers();
    }


    /**
     * This connection, in TIME_WAIT with its last ACK sent, as the compact record the layer keeps
     * instead of it ({@link TimeWaitRecord}); {@code keepBuffer}: the application still holds the
     * socket, so its receive buffer (which it may still read) keeps setting the window.
     */
    TimeWaitRecord timeWaitRecord(boolean keepBuffer) {
        requireState(TcpState.TIME_WAIT);
        TimeWaitRecord r = new TimeWaitRecord();
        r.rcvNxt = rcv.nxt;
        r.rcvAdv = rcv.adv;
        r.rcvWscale = rcv.wscale;
        r.lastAckSent = rcv.lastAckSent;
        r.largestSegment = rcv.largestSegment;
        r.window = receiveBuffer.window();
        r.capacity = receiveBuffer.capacity();
        r.buffer = keepBuffer ? receiveBuffer : null;
        r.sndMax = snd.max;
        r.sndWl1 = snd.wl1;
        r.sndWl2 = snd.wl2;
        r.sndMaxWnd = snd.maxWnd;
        r.sndWscale = snd.wscale;
        r.timestamps = tsOk;
        r.tsRecent = rcv.tsRecent;
        r.tsRecentAge = rcv.tsRecentAge;
        r.tsOffset = tsOffset;
        r.twoMsl = 2 * cfg.msl;
        r.challengeAckLimit = cfg.challengeAckLimit;
        r.challengeStart = challengeStart;
        r.challenges = challenges;
        r.ackNow = rcv.ackNow;
        r.expiry = timers.close;
        return r;
    }

    /** In TIME_WAIT, whether an ACK is owed (the layer keeps the connection until it left). */
    boolean ackOwed() {
        return rcv.ackNow;
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
        boolean newerSeq = gt(syn.seq, rcv.nxt);
        if (tsOk && timestamps && syn.options.timestamps) {
            return gt(syn.options.tsVal, rcv.tsRecent) || syn.options.tsVal == rcv.tsRecent && newerSeq;
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
        return rcv.finReceived;
    }

    /** The application may not write any more (FIN queued or connection gone). */
    public boolean outputShut() {
        return snd.finQueued || state == TcpState.CLOSED;
    }

    public boolean isOrphan() {
        return orphan;
    }

    public int sendMss() {
        return snd.smss;
    }

    public int sendWindow() {
        return snd.wnd;
    }

    public int sendUnacknowledged() {
        return snd.una;
    }

    public int sendNext() {
        return snd.nxt;
    }

    public int receiveNext() {
        return rcv.nxt;
    }

    public boolean timestampsEnabled() {
        return tsOk;
    }

    public boolean sackEnabled() {
        return sackOk;
    }

    /** Shift applied to the peer's window field (its window scale), 0 when not negotiated. */
    public int sendWindowScale() {
        return snd.wscale;
    }

    public int receiveWindowScale() {
        return rcv.wscale;
    }

    public boolean inRecovery() {
        return recovery.active;
    }

    public CongestionControl congestion() {
        return cc;
    }

    /** The pacing rate in force, bytes per second (0: unpaced). */
    public long pacingRate() {
        return tx.pacingRate();
    }

    /** Milliseconds of departure time the pacer forfeited to late sends (beyond its burst allowance). */
    public String pacingLateMillis() {
        return tx.pacingLateMillis();
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

    int tsNow(long now) {
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
        return "tcp " + state + " una=" + Integer.toUnsignedString(snd.una) + " nxt=" + Integer.toUnsignedString(snd.nxt)
                + " rcv=" + Integer.toUnsignedString(rcv.nxt) + " wnd=" + snd.wnd + " cwnd=" + cc.cwnd();
    }
}
