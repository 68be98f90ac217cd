package org.jioth.jnet.tcp;

import static org.jioth.jnet.wire.SeqNum.ge;
import static org.jioth.jnet.wire.SeqNum.gt;
import static org.jioth.jnet.wire.SeqNum.lt;

import java.nio.ByteBuffer;
import org.jioth.jnet.link.IngressBudget;
import org.jioth.jnet.wire.Tcp;
import org.jioth.jnet.wire.TcpOptions;

/**
 * The receive side of one connection: RCV.NXT and the advertised window (receiver SWS avoidance,
 * never shrinking the right edge), segment acceptability, in-order and out-of-order data into the
 * {@link ReceiveBuffer}, the SACK blocks we report, the peer's FIN and TS.Recent, and when an ACK
 * is owed (delayed ACK, RFC 5681 4.2). Loop-owned state of {@link TcpConnection}; no I/O.
 */
final class TcpReceiver {
    private final TcpConfig cfg;
    private final ReceiveBuffer buffer;
    private final TcpTimers timers;
    private final TcpStats stats;
    /** The connection's round-trip samples (the handshake's, and our data's ACKs): the path's length. */
    private final RttEstimator rtt;
    int irs;
    int nxt;
    /** The right edge of the window we advertised. */
    int adv;
    int wscale;
    int lastAckSent;
    boolean finPending;
    int finSeq;
    boolean finReceived;
    /** In-order bytes received since our last ACK. */
    int unackedBytes;
    /** The largest segment received (receiver SWS avoidance steps and the delayed ACK use it). */
    int largestSegment;
    boolean ackNow;
    /** An ACK loss recovery counts on (out-of-order or duplicate data): it leaves even when output is deferred. */
    boolean ackUrgent;
    int tsRecent;
    long tsRecentAge;
    /**
     * The receiver's round-trip estimate for autotuning (Linux's rcv_rtt_est without timestamps):
     * the time a window's worth of data takes to arrive; 0 until measured.
     */
    long rcvRtt;
    /** The round trip from the peer's timestamp echoes (Linux's rcv_rtt_measure_ts), 1 ms ticks; 0 until measured. */
    long rcvRttTs;
    /** The connection's timestamp offset (our TSval clock), set by the connection. */
    int tsOffset;
    private int rcvRttSeq;
    private long rcvRttStart = -1;

    TcpReceiver(TcpConfig cfg, ReceiveBuffer buffer, TcpTimers timers, TcpStats stats, RttEstimator rtt) {
        this.cfg = cfg;
        this.rtt = rtt;
        this.buffer = buffer;
        this.timers = timers;
        this.stats = stats;
    }

    /** The peer's SYN (sequence {@code irs}) starts the receive sequence space. */
    void init(int irs) {
        this.irs = irs;
        nxt = irs + 1;
    }

    /** Our ACK (with the window field) just left. */
    void acked() {
        lastAckSent = nxt;
        ackNow = false;
        ackUrgent = false;
        unackedBytes = 0;
        timers.delayedAck = TcpConnection.NEVER;
    }

    /** RFC 9293 3.10.7.4 first check, with RCV.WND the window we advertised. */
    boolean acceptable(int seq, int segLen) {
        int wnd = Math.max(0, adv - nxt);
        if (segLen == 0) {
            return wnd == 0 ? seq == nxt : ge(seq, nxt) && lt(seq, nxt + wnd);
        }
        if (wnd == 0) {
            return false;
        }
        int last = seq + segLen - 1;
        return (ge(seq, nxt) && lt(seq, nxt + wnd)) || (ge(last, nxt) && lt(last, nxt + wnd));
    }

    /**
     * The receive-buffer room at which a window update becomes due (receiver SWS avoidance);
     * {@link Integer#MAX_VALUE} when no update can be due.
     */
    int roomForWindowUpdate(TcpState state) {
        if (!state.synchronizedState() || finReceived) {
            return Integer.MAX_VALUE;
        }
        int advertised = adv - nxt;
        int due = advertised + Math.min(buffer.capacity() / 2, 2 * largestSegment);
        if (ingressCap() < due) {
            // The advertisement is held at the port's ingress share (advertiseWindow): reading does
            // not open it that far, so no update is due from reading; the next segment re-advertises.
            return Integer.MAX_VALUE;
        }
        return due;
    }

    /** The window field, never moving the right edge left (RFC 7323 2.4), opened in SWS-safe steps. */
    int advertiseWindow() {
        if (buffer.underPressure()) {
            buffer.windowClamped(); // counted
        }
        int room = (int) Math.min(buffer.window(), ingressCap());
        int edge = nxt + room;
        int step = Math.min(buffer.capacity() / 2, largestSegment);
        if (gt(edge, adv) && (edge - adv >= step || adv - nxt >= step)) {
            adv = edge;
        }
        if (lt(adv, nxt)) {
            adv = nxt;
        }
        buffer.promise(adv - nxt);
        repromise();
        return Math.min((adv - nxt) >>> wscale, 65535);
    }

    /** The ingress of the port the peer's segments arrive on, shared with its other connections; null: no bound. */
    private IngressBudget ingress;
    /** The full frames our open window lets the peer send, as told to {@link #ingress}. */
    private int ingressPromise;

    /** The peer's segments arrive on a port whose ingress is {@code port} (null: unbounded). */
    void arrivedOn(IngressBudget port) {
        if (port == ingress || finReceived) {
            return;
        }
        leaveIngress();
        if (port != null) {
            port.join();
            ingress = port;
            repromise();
        }
    }

    /** Stops sharing the port's ingress, returning what the window promised; idempotent. */
    void leaveIngress() {
        if (ingress != null) {
            ingress.leave(ingressPromise);
            ingress = null;
            ingressPromise = 0;
        }
    }

    /**
     * What the window may open to on a short path: this connection's share of the port's ingress,
     * in bytes; unbounded off a short path or without a bounded ingress. One rule for advertising
     * and for deciding whether reading makes an update due, so the two cannot disagree.
     */
    private long ingressCap() {
        return ingress != null && shortPath() ? (long) ingress.share(ingressPromise) * frameBytes() : Long.MAX_VALUE;
    }

    /** The bytes of one full frame's segment from the peer. */
    private int frameBytes() {
        return Math.max(Math.max(cfg.mss, largestSegment), 1);
    }

    /** Tells the port's ingress how many full frames the open window now lets the peer send. */
    private void repromise() {
        if (ingress != null) {
            int open = Math.max(0, adv - nxt);
            int frames = (int) ((open + (long) frameBytes() - 1) / frameBytes());
            ingress.promise(ingressPromise, frames);
            ingressPromise = frames;
        }
    }

    /** Whether SACK (so D-SACK) was negotiated; set by the connection. */
    boolean sackOk;
    /** A duplicate to report in the next ACK's first SACK block (RFC 2883 D-SACK), while {@link #dsackPending}. */
    private int dsackLeft;
    private int dsackRight;
    boolean dsackPending;

    /**
     * [left, right) arrived again below RCV.NXT: the next ACK reports it as a D-SACK (RFC 2883), so
     * the sender learns its retransmission was spurious (reordering, duplication) and can undo and
     * widen its reordering window, as a Linux receiver lets it.
     */
    void duplicate(int left, int right) {
        if (lt(nxt, right)) {
            right = nxt;
        }
        if (lt(left, right)) {
            dsackLeft = left;
            dsackRight = right;
            dsackPending = true;
            ackNow = true;
            ackUrgent = true;
        }
    }

    /** SACK blocks we are about to report (they shorten the next segment's payload). */
    int sackBlocks(boolean timestamps) {
        Assembler a = buffer.outOfOrder();
        int n = (a.isEmpty() ? 0 : a.count()) + (dsackPending ? 1 : 0);
        return Math.min(n, timestamps ? 3 : 4);
    }

    /** Our SACK blocks: a pending D-SACK first (RFC 2883), then the most recently changed (RFC 2018 4). */
    void addSackBlocks(TcpOptions o) {
        if (dsackPending) {
            o.addSack(dsackLeft, dsackRight);
            dsackPending = false; // reported once
        }
        Assembler a = buffer.outOfOrder();
        if (a.isEmpty()) {
            return;
        }
        long base = buffer.inOrder();
        // the most recently changed ranges first, newest first (RFC 2018 4), then the lowest
        long used = 0; // bit i: range i reported (at most Assembler.MAX_RANGES = 32 ranges)
        for (int k = 0; k < a.recentCount(); k++) {
            int i = a.indexOf(a.recentOffset(k));
            if (i < 0 || (used & (1L << i)) != 0) {
                continue;
            }
            if (!o.addSack(nxt + (int) (a.start(i) - base), nxt + (int) (a.end(i) - base))) {
                return;
            }
            used |= 1L << i;
        }
        for (int i = 0; i < a.count(); i++) {
            if ((used & (1L << i)) == 0 && !o.addSack(nxt + (int) (a.start(i) - base), nxt + (int) (a.end(i) - base))) {
                break;
            }
        }
    }

    /**
     * Autotuning opens the window to at most this many full segments: three quarters of the
     * stack's receive queue (256 frames), so a window's burst is not dropped there while the loop
     * is busy (with a 1500-byte MTU ~278 KB, with jumbo frames ~1.7 MB; SO_RCVBUF goes to 6 MiB).
     */
    static final int AUTOTUNE_SEGMENTS = 192;

    /**
     * Once the peer's data came with a hole (a loss), the cap is four times higher (768 full
     * segments, ~1.1 MB with a 1500-byte MTU): a hole holds the window's left edge for a round
     * trip or more while the sender repairs it, and under the lower cap a Linux sender through
     * wirefilter at 5 % loss was receive-window-limited a third of the time ({@code
     * rwnd_limited} in its {@code ss -ti}), where a Linux receiver's window grows to megabytes.
     * The sender's pacing and cwnd, not our window, bound its bursts; a loss-free connection
     * keeps the lower cap. In virtual time (TcpLossyTransferTest, BBR, 5 % loss) the larger
     * window took 64 MiB from 11 s to 3 s.
     */
    static final int LOSSY_AUTOTUNE_SEGMENTS = 4 * AUTOTUNE_SEGMENTS;

    /**
     * On a short path the window stays within this connection's share of the ingress of the port
     * the peer's segments arrive on ({@link IngressBudget}; a vde:// port ~92 frames, of which
     * windows may promise 64), whatever the buffer holds. A Linux sender on the same vde_switch
     * puts its whole window on the wire at once (its round trip is a fraction of a millisecond, so
     * nothing of it waits in the path), and the switch queues for our data socket only what its
     * socket send buffer holds (the host's wmem_default, 212,992 bytes: 92 full-size frames),
     * dropping the rest while our loop is not running; on a loaded machine the loop is often
     * preempted for milliseconds. A 256 KB window then lost 5-12 % of the segments there, and a
     * 64-segment one none (issue 10: docs/benchmarks.md "One-way bulk into a jnet server"). The
     * window still covers the path: 93 KB in flight carries 1 GB/s at a round trip of 93 us. Ports
     * whose peer pushes back or queues deeper (tap, slirp, in-JVM) bring no budget: their
     * connections autotune as on a long path.
     *
     * <p>A path is short while its smallest measured round trip is at most this: one tick of the
     * timestamp clock (1 ms), so a path whose timestamp echoes never lag a tick. A longer path
     * (through wirefilter's delay, across a real network) needs a window of its bandwidth-delay
     * product, which the lower cap would cut.
     */
    static final long SHORT_PATH_RTT = 1_000_000L;

    /**
     * The smallest round trip the peer's timestamp echoes showed (ns, whole ticks of the timestamp
     * clock); {@link Long#MAX_VALUE} until one did.
     */
    long minEchoRtt = Long.MAX_VALUE;

    /**
     * Whether the path is short (the window then shares the port's ingress): the smallest round trip
     * measured, by the peer's timestamp echoes or by the connection's own samples (the handshake's
     * at nanosecond precision when timestamps are off), is at most {@link #SHORT_PATH_RTT}. The
     * handshake measures before the first data arrives; a path without any sample keeps the
     * buffer's window.
     */
    boolean shortPath() {
        long sent = rtt.minRtt();
        return Math.min(minEchoRtt, sent < 0 ? Long.MAX_VALUE : sent) <= SHORT_PATH_RTT;
    }

    /** The peer's data arrived with a hole at least once (autotuning may then go further). */
    boolean holesSeen;

    /** How long autotuning measures when no round trip was measured yet. */
    static final long DEFAULT_TUNING_RTT = 10_000_000L;

    /**
     * In-order data arrived: measure the receive round trip (a window's worth of data per sample)
     * and let the buffer autotune over it, unless SO_RCVBUF fixed its size.
     */
    private void autotune(long now, Segment s) {
        if (s.options.timestamps && s.options.tsEcr != 0) {
            // the peer echoed the TSval of one of our ACKs: data sent upon it came back one RTT later
            int ms = TcpConnection.timestampClock(now, tsOffset) - s.options.tsEcr;
            if (ms >= 0 && ms < 60_000) {
                minEchoRtt = Math.min(minEchoRtt, ms * 1_000_000L);
                long sample = Math.max(1, ms) * 1_000_000L;
                rcvRttTs = rcvRttTs == 0 ? sample : Math.min(sample, (7 * rcvRttTs + sample) / 8);
            }
        }
        if (rcvRttStart < 0 || ge(nxt, rcvRttSeq)) {
            if (rcvRttStart >= 0) {
                long sample = Math.max(1, now - rcvRttStart);
                rcvRtt = rcvRtt == 0 ? sample : Math.min(sample, (7 * rcvRtt + sample) / 8);
            }
            rcvRttSeq = nxt + Math.max(adv - nxt, Math.max(1, largestSegment));
            rcvRttStart = now;
        }
        if (!cfg.receiveBufferLocked) {
            long rtt = rcvRttTs > 0 ? rcvRttTs : rcvRtt > 0 ? rcvRtt : DEFAULT_TUNING_RTT;
            int mss = Math.max(largestSegment, 536);
            // never a window that invites a burst the stack's receive queue cannot hold
            int segments = holesSeen ? LOSSY_AUTOTUNE_SEGMENTS : AUTOTUNE_SEGMENTS;
            int max = (int) Math.min(cfg.receiveSpaceMax(), (long) segments * mss);
            buffer.autotune(now, rtt, mss, max);
        }
    }

    /** The payload of an acceptable segment: into the buffer, and whether to ACK now or later. */
    void receiveData(Segment s, long now) {
        ByteBuffer buf = s.inputBuffer();
        int seq = s.seq + (s.has(Tcp.SYN) ? 1 : 0);
        int at = s.inputOffset();
        int len = s.payloadLength;
        int skip = nxt - seq;
        if (skip > 0) {
            if (sackOk && len > 0) {
                duplicate(seq, seq + Math.min(skip, len));
            }
            if (skip >= len) {
                ackNow = true; // all old: the peer missed our ACK
                ackUrgent = true;
                return;
            }
            seq += skip;
            at += skip;
            len -= skip;
        }
        int over = (seq + len) - adv;
        if (over > 0) {
            len -= over;
            if (len <= 0) {
                ackNow = true;
                return;
            }
        }
        boolean hadHoles = !buffer.outOfOrder().isEmpty();
        long off = buffer.inOrder() + (seq - nxt);
        long advanced = buffer.put(off, buf, at, len);
        largestSegment = Math.max(largestSegment, Math.min(len, 65535));
        if (advanced < 0) {
            ackNow = true;
            ackUrgent = true;
            return;
        }
        if (advanced == 0) {
            stats.outOfOrder++;
            holesSeen = true;
            ackNow = true; // a duplicate ACK with SACK at once (RFC 5681 4.2)
            ackUrgent = true;
            return;
        }
        nxt += (int) advanced;
        repromise();
        autotune(now, s);
        if (hadHoles) {
            ackNow = true;
            ackUrgent = true;
            return;
        }
        unackedBytes += len;
        if (unackedBytes >= 2 * largestSegment || (finPending && nxt == finSeq)) {
            ackNow = true;
        } else if (timers.delayedAck == TcpConnection.NEVER) {
            timers.delayedAck = now + cfg.delayedAck;
        }
    }
}
