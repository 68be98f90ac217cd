package org.jioth.jnet.tcp;

import static org.jioth.jnet.wire.SeqNum.gt;
import static org.jioth.jnet.wire.SeqNum.lt;

import org.jioth.jnet.wire.Tcp;
import org.jioth.jnet.wire.TcpOptions;

/**
 * The transmit path of one connection (the sending half of gVisor's {@code tcp/snd.go}): what may
 * leave now (the windows, Nagle and sender SWS avoidance, pacing, TSO bursts, go-back-N skipping
 * SACKed data, the holes loss recovery resends), the bookkeeping of every data segment sent
 * (SND.NXT/MAX, Karn, the pipe, pacing, delivery-rate and RACK records, the probe timeout), and
 * the segments themselves: ACK, window, timestamps and SACK blocks filled in, then handed to the
 * layer's {@link TcpConnection.Output}. One {@link Segment} is reused for every segment sent. It
 * is also loss recovery's {@link LossRecovery.Transmitter}. It acts on its {@link TcpConnection}'s
 * state on the stack loop, as the connection's other parts do.
 */
final class TcpTransmitter implements LossRecovery.Transmitter {
    private final TcpConnection c;
    private final TcpConnection.Output out;
    /** Every segment we send is built here (the layer copies it into a frame at once). */
    final Segment seg = new Segment();
    /** What {@link #pacingLateMillis} says of a connection that never paced. */
    private static final Pacer NEVER_PACED = new Pacer();
    /** Made when this connection first paces ({@link #pacer()}): most on a short path never do. */
    private Pacer pacer;
    /** The first hop pushes back without loss (the layer tells, from the route): see {@link PacingPolicy}. */
    private boolean firstHopPushesBack;

    TcpTransmitter(TcpConnection c, TcpConnection.Output out) {
        this.c = c;
        this.out = out;
    }

    /** After an ACK: the pacing rate follows the congestion control's (when this connection paces). */
    void pacingRateChanged() {
        if (paced()) {
            pacer().setRate(c.cc.pacingRate(c.rtt.srtt(), c.snd.max - c.snd.una));
        }
    }

    /** The pacing rate in force, bytes per second (0: unpaced). */
    long pacingRate() {
        return paced() ? pacer().rate() : 0;
    }

    /** Milliseconds of departure time the pacer forfeited to late sends (beyond its burst allowance). */
    String pacingLateMillis() {
        return (pacer != null ? pacer : NEVER_PACED).waitsDescribed();
    }

    /**
     * Sends what the windows, the pacer, Nagle and loss recovery allow (the connection checked
     * that its state sends data): RFC 6675 NextSeg rules 1 and 3 around new data, go-back-N that
     * skips SACKed data, TSO bursts, the reason the sender stopped, the ACK owed when nothing
     * else carried it, and the retransmission or persist timer.
     */
    void sendData(long now) {
        boolean sent = false;
        c.timers.pace = TcpConnection.NEVER;
        if (c.snd.pmtuExpiresAt != TcpConnection.NEVER && now - c.snd.pmtuExpiresAt >= 0) {
            pathMssExpired();
        }
        if (c.snd.una == c.snd.max && c.sendBuffer.size() > 0 && c.timers.lastSent != 0 && now - c.timers.lastSent > c.rtt.rto()) {
            c.cc.onIdleRestart(now); // RFC 5681 4.1 slow start after idle
        }
        if (c.recovery.active && c.sackOk) {
            sent = c.recovery.retransmitHoles(now, true); // NextSeg rule 1: lost holes first
        }
        int mss = mssNow();
        int segmentationLimit = -1; // asked of the link once per call, when a burst could use it
        TcpStats.SendLimit limit = TcpStats.SendLimit.IDLE;
        while (true) {
            long off = c.snd.offset(c.snd.nxt);
            boolean goingBack = c.sackOk && lt(c.snd.nxt, c.snd.max) && !c.recovery.scoreboard.isEmpty();
            if (goingBack) {
                // after a timeout, go-back-N skips what the peer SACKed
                long sackedEnd = c.recovery.scoreboard.sackedEnd(off);
                if (sackedEnd > off) {
                    c.snd.nxt = c.snd.seqOf(Math.min(sackedEnd, c.snd.offset(c.snd.max)));
                    continue;
                }
            }
            int avail = (int) Math.max(0, c.sendBuffer.tail() - off);
            int inFlight = c.recovery.active ? (c.sackOk ? c.recovery.pipe() : c.recovery.renoPipe())
                    : goingBack ? (int) c.recovery.scoreboard.unsacked(c.snd.offset(c.snd.una), off) : c.snd.nxt - c.snd.una;
            int room = Math.min(c.cc.cwnd() - inFlight, c.snd.una + c.snd.wnd - c.snd.nxt);
            int len = Math.min(avail, Math.min(mss, room));
            boolean shortened = false;
            if (goingBack && len > 0) {
                long next = c.recovery.scoreboard.nextStart(off);
                if (next - off < len) {
                    len = (int) (next - off);
                    shortened = true; // up to the next SACKed range: a retransmission, never held by Nagle
                }
            }
            boolean finNow = c.snd.finQueued && len == avail && (c.snd.nxt + len == c.snd.dataEndSeq());
            if (len <= 0) {
                if (finNow && avail == 0 && (!c.snd.finSent || lt(c.snd.nxt, c.snd.finSeq + 1))) {
                    sendSegment(c.snd.nxt, 0, Tcp.ACK | Tcp.FIN, now);
                    sent = true;
                }
                boolean bufferHolds = bufferHoldsWriter(mss);
                if (avail == 0 && room > 0 && !bufferHolds) {
                    appLimited(inFlight);
                }
                limit = avail > 0 ? (room == c.cc.cwnd() - inFlight ? TcpStats.SendLimit.CWND : TcpStats.SendLimit.RWND)
                        : bufferHolds ? TcpStats.SendLimit.SNDBUF : TcpStats.SendLimit.IDLE;
                if (limit == TcpStats.SendLimit.RWND) {
                    appLimited(inFlight); // the peer's reading holds the sender: its samples do not measure the pipe
                }
                break;
            }
            if (len < mss && !shortened && !mayNagle(len, avail, finNow)) {
                // a short tail while the application waits for room: the full buffer holds the
                // sender (the tail of a capacity that is not a multiple of the MSS), not the
                // application's data running out
                boolean bufferHolds = len == avail && bufferHoldsWriter(mss);
                if (len == avail && !bufferHolds) {
                    appLimited(inFlight); // a short tail: the application's data ran out, not the windows' room
                }
                // a short segment held: by Nagle when it is all the data, else by the windows' room (sender SWS)
                limit = bufferHolds ? TcpStats.SendLimit.SNDBUF : len == avail ? TcpStats.SendLimit.NAGLE
                        : len == c.cc.cwnd() - inFlight ? TcpStats.SendLimit.CWND : TcpStats.SendLimit.RWND;
                break;
            }
            if (!departs(now)) {
                limit = TcpStats.SendLimit.PACING;
                break;
            }
            if (len == mss && !goingBack && c.snd.nxt == c.snd.max) {
                if (segmentationLimit < 0) {
                    segmentationLimit = out.segmentationLimit(c);
                }
                int chunks = Math.min(Math.min(avail, room), segmentationLimit) / mss;
                if (c.snd.finQueued && (long) chunks * mss >= avail) {
                    chunks = (avail - 1) / mss; // the FIN rides on the last segment, sent alone
                }
                if (chunks > 1) {
                    sendBurst(mss, chunks, avail, now);
                    sent = true;
                    continue;
                }
            }
            sendSegment(c.snd.nxt, len, Tcp.ACK | (len == avail ? Tcp.PSH : 0) | (finNow ? Tcp.FIN : 0), now);
            sent = true;
        }
        if (c.recovery.active && c.sackOk) {
            sent |= c.recovery.retransmitHoles(now, false); // NextSeg rule 3: no new data could go, holes not yet lost
        }
        TcpStats.SendLimit was = c.stats.limit();
        long held = c.stats.sendLimited(limit, now);
        if (held > 0) {
            out.sendLimited(c, was, held);
        }
        if (!sent && c.rcv.ackNow) {
            sendAck(now);
        }
        if (c.snd.max != c.snd.una && c.timers.rto == TcpConnection.NEVER) {
            c.timers.rto = now + c.rtt.rto();
        }
        // Data waits, nothing is in flight: only the window holds it back (zero, or too small for
        // SWS avoidance). No ACK is coming, so the persist timer probes (and overrides SWS avoidance,
        // RFC 9293 3.8.6.2.1) lest a lost window update stall the connection for good. SND.NXT, not
        // SND.MAX: after a rewind (a refused probe byte, a go-back-N) SND.MAX stays ahead, and the
        // retransmission timer alone would then resend nothing, over and over, until it gave up.
        if (c.snd.nxt == c.snd.una && c.sendBuffer.tail() > c.snd.offset(c.snd.nxt) && !c.timers.persisting) {
            c.timers.persisting = true;
            if (c.timers.persistSince < 0) {
                c.timers.persistSince = now;
            }
            c.timers.rto = now + c.rtt.rto();
        }
    }

    /** Whether a full send buffer holds the application back (it waits for room, or less than a segment is free). */
    private boolean bufferHoldsWriter(int mss) {
        return c.sendBuffer.writerHasMore() || c.sendBuffer.free() < mss;
    }

    /** Whether this connection paces on its path now ({@link PacingPolicy}). */
    boolean paced() {
        return PacingPolicy.paces(c.cfg, firstHopPushesBack, c.rtt.minRtt());
    }

    /**
     * The pacer, made on first use: only while {@link #paced()} is it asked or told anything, so a
     * fresh one is in the state the unused one was (72 bytes per connection that never paces).
     */
    private Pacer pacer() {
        Pacer p = pacer;
        if (p == null) {
            pacer = p = new Pacer();
        }
        return p;
    }

    /** Tells whether the first hop toward the peer pushes back without loss (a {@code vde://} port). */
    void setFirstHopPushesBack(boolean pushesBack) {
        firstHopPushesBack = pushesBack;
    }

    /** Whether the pacer lets a segment leave at {@code now}; if not, its timer is armed for when it may. */
    boolean departs(long now) {
        if (!paced() || pacer().mayDepart(now)) {
            return true;
        }
        c.timers.pace = pacer().departure();
        return false;
    }

    private void appLimited(int inFlight) {
        if (c.deliveryRate != null) {
            c.deliveryRate.markAppLimited(inFlight);
        }
    }

    /**
     * Payload room of the next segment: SMSS already accounts for timestamps; SACK blocks we are
     * about to report take more, and the segment must still fit the MTU (DF is set).
     */
    int mssNow() {
        if (!c.sackOk) {
            return c.snd.smss;
        }
        int blocks = c.rcv.sackBlocks(c.tsOk);
        return blocks == 0 ? c.snd.smss : Math.max(64, c.snd.smss - 4 - 8 * blocks);
    }

    /** Nagle (RFC 896) and sender SWS avoidance (RFC 9293 3.8.6.2.1) for a short segment. */
    private boolean mayNagle(int len, int avail, boolean fin) {
        if (len == avail && (c.cfg.noDelay || fin || c.snd.nxt == c.snd.una)) {
            return true;
        }
        return c.snd.maxWnd > 0 && len >= c.snd.maxWnd / 2 && c.snd.nxt == c.snd.una;
    }

    /** Retransmits one segment at {@code seq} (NewReno's partial ACK). */
    void retransmitOne(int seq, long now) {
        // only what was sent: bytes queued past SND.MAX are new data, for the windows and SND.NXT to allow
        long sent = Math.min(c.sendBuffer.tail() - c.snd.offset(seq), c.snd.max - seq);
        retransmitOne(seq, (int) Math.min(mssNow(), Math.max(0, sent)), now);
    }

    /** Resends [seq, seq + len) (with our FIN if it ends there). */
    void retransmitOne(int seq, int len, long now) {
        boolean fin = c.snd.finSent && seq + len == c.snd.finSeq;
        if (len == 0 && !fin) {
            return;
        }
        sendSegment(seq, len, Tcp.ACK | (fin ? Tcp.FIN : 0), now);
    }

    // LossRecovery.Transmitter: how recovery sends

    @Override
    public void retransmit(int seq, int len, long now) {
        retransmitOne(seq, len, now);
    }

    @Override
    public int mss() {
        return mssNow();
    }

    @Override
    public long dataEnd() {
        return c.sendBuffer.tail();
    }

    @Override
    public boolean mayDepart(long now) {
        return departs(now);
    }

    /** Sends data (and maybe FIN) at {@code seq}; advances SND.NXT when it is new or resent after an RTO. */
    void sendSegment(int seq, int len, int flags, long now) {
        accountSent(seq, len, flags, now);
        Segment s = seg;
        s.seq = seq;
        s.flags = flags;
        s.payloadFrom(c.sendBuffer, c.snd.offset(seq), len);
        c.timers.lastSent = now;
        emit(s, now);
    }

    /**
     * TSO: sends up to {@code maxChunks} new MSS-sized segments from SND.NXT as one segment of
     * their total length that the link cuts into them ({@link Segment#segmentSize} = {@code mss}).
     * Each MSS is accounted as if it left alone (pacing, pipe, delivery rate, RACK's per-range
     * send times), so loss detection and retransmission (MSS-sized) see exactly the segments on
     * the wire. The pacer is asked before each MSS after the first (the caller asked for that),
     * so a burst holds no more than pacing would have let leave back to back at {@code now}.
     */
    private void sendBurst(int mss, int maxChunks, int avail, long now) {
        int seq = c.snd.nxt;
        int chunks = 0;
        do {
            accountSent(c.snd.nxt, mss, Tcp.ACK, now);
            chunks++;
        } while (chunks < maxChunks && (!paced() || pacer().mayDepart(now)));
        int len = chunks * mss;
        Segment s = seg;
        s.seq = seq;
        s.flags = Tcp.ACK | (len == avail ? Tcp.PSH : 0);
        s.payloadFrom(c.sendBuffer, c.snd.offset(seq), len);
        s.segmentSize = chunks > 1 ? mss : 0;
        c.timers.lastSent = now;
        c.stats.segmentsOut += chunks - 1; // transmit counts the one; the wire carries chunks
        emit(s, now);
    }

    /** The bookkeeping of a data segment at {@code seq} leaving at {@code now}; advances SND.NXT when it is next. */
    private void accountSent(int seq, int len, int flags, long now) {
        boolean fin = (flags & Tcp.FIN) != 0;
        int end = seq + len + (fin ? 1 : 0);
        if (lt(seq, c.snd.max)) {
            c.stats.retransmissions++;
            c.recovery.retransmitted(seq, c.tsNow(now));
            if (c.snd.rttStart >= 0 && lt(seq, c.snd.rttSeq)) {
                c.snd.rttStart = -1; // Karn: never time a retransmitted segment
            }
        } else if (c.snd.rttStart < 0 && !c.tsOk) {
            c.snd.rttStart = now;
            c.snd.rttSeq = end;
        }
        if (fin) {
            c.snd.finSent = true;
            c.snd.finSeq = seq + len;
        }
        c.recovery.sent(end - seq);
        if (paced()) {
            pacer().sent(end - seq, c.snd.smss, now);
        }
        if (c.deliveryRate != null) {
            c.deliveryRate.sent(c.snd.offset(seq), c.snd.offset(end), now, c.snd.max - c.snd.una, lt(seq, c.snd.max));
        }
        if (c.sackOk && c.recovery.rack != null) {
            c.recovery.rack.sent(c.snd.offset(seq), c.snd.offset(end), now, lt(seq, c.snd.max));
        }
        if (seq == c.snd.nxt) {
            c.snd.nxt = end;
        }
        if (gt(c.snd.nxt, c.snd.max)) {
            c.snd.max = c.snd.nxt;
            c.timerActions.armProbe(now); // RFC 8985 7.2: new data restarts the probe timeout
        }
    }

    /** A pure ACK (with SACK blocks when on): see {@link TcpSender#ackSeq} for its sequence number. */
    void sendAck(long now) {
        Segment s = seg;
        s.seq = c.snd.ackSeq();
        s.flags = Tcp.ACK;
        s.payloadFrom(c.sendBuffer, 0, 0);
        emit(s, now);
    }

    /** A RST at {@code seq} (with the ACK {@code ack} when {@code withAck}), no options. */
    void sendReset(int seq, int ack, boolean withAck) {
        Segment s = seg;
        s.seq = seq;
        s.ack = withAck ? ack : 0;
        s.flags = Tcp.RST | (withAck ? Tcp.ACK : 0);
        s.window = 0;
        s.options.clear();
        s.payloadFrom(c.sendBuffer, 0, 0);
        c.stats.resetsOut++;
        transmit(s);
    }

    /** Fills ACK, window and options of a non-SYN segment and sends it. */
    void emit(Segment s, long now) {
        s.ack = c.rcv.nxt;
        s.window = c.rcv.advertiseWindow();
        TcpOptions o = s.options.clear();
        if (c.tsOk) {
            o.timestamps = true;
            o.tsVal = c.tsNow(now);
            o.tsEcr = c.rcv.tsRecent;
        }
        if (c.sackOk) {
            c.rcv.addSackBlocks(o);
        }
        c.rcv.acked();
        transmit(s);
    }

    /** Hands a finished segment to the layer. */
    void transmit(Segment s) {
        c.stats.segmentsOut++;
        out.send(c, s);
    }

    /** The reduced path MSS expired: back to the one negotiated at the handshake. */
    private void pathMssExpired() {
        c.snd.pmtuExpiresAt = TcpConnection.NEVER;
        c.snd.smss = c.snd.negotiatedMss;
        c.cc.setSmss(c.snd.smss);
    }
}
