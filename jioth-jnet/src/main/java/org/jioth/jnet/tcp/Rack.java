package org.jioth.jnet.tcp;

import java.util.Arrays;

/**
 * RACK (RFC 8985 6): time-based loss detection. Remembers when each range of the send stream was
 * last (re)transmitted; every ACK or SACK that delivers a range moves RACK.xmit_ts to the latest
 * transmission known delivered; an un-SACKed range sent before it is lost once RACK.rtt plus the
 * reordering window has passed since its own transmission, else a reordering timer waits for
 * that moment. Offsets are send-stream offsets; times the stack clock's nanoseconds.
 */
final class Rack {
    /** Allocated (16 entries) by the first segment sent: a connection that never sends data has none. */
    private long[] starts = SackScoreboard.NO_RANGES;
    private long[] ends = SackScoreboard.NO_RANGES;
    private long[] times = SackScoreboard.NO_RANGES;
    private boolean[] retransmitted = NO_FLAGS;
    /** Already counted as delivered (each range moves RACK once). */
    private boolean[] done = NO_FLAGS;
    /**
     * Deemed lost by {@link #detectLoss} and not sent again since (RFC 8985 marks each segment,
     * as Linux's LOST flag): NextSeg resends exactly these, and the pipe leaves them out. One
     * offset for "everything below is lost" would also take in retransmissions still on their
     * way and data sent after them, and resend it all whenever a newer loss is found.
     */
    private boolean[] lost = NO_FLAGS;
    /** Un-SACKed bytes of the ranges marked lost, as of the last {@link #detectLoss} (less what was resent since). */
    long lostBytes;
    /** Retransmitted ranges newly marked lost by the last {@link #detectLoss}. */
    int lostRetransmissionsFound;
    private static final boolean[] NO_FLAGS = new boolean[0];
    /**
     * Entries of the first table: a request/response connection sends one to three ranges (data,
     * FIN), and six tables of 16 were ~530 bytes per connection; a stream doubles its way up.
     */
    private static final int FIRST_ENTRIES = 4;
    private int count;
    private final int maxEntries;

    /** RACK.xmit_ts, RACK.end_seq and RACK.rtt of the latest transmission known delivered; xmitTs -1 before any. */
    long xmitTs = -1;
    long endSeq;
    long rtt;
    /** RFC 8985 6.2: reordering was observed (a hole filled without a retransmission, or a DSACK). */
    boolean reorderingSeen;
    /** The highest end delivered so far (RACK.fack). */
    long fack;
    /** RFC 8985 6.2 step 4: RACK.reo_wnd_mult, grown by DSACKs (once per round trip), reset after 16 recoveries without one. */
    int reoWndMult = 1;
    private int reoWndPersist;
    private boolean dsackRoundActive;
    private int dsackRoundEnd;

    static final int REO_WND_PERSIST = 16;

    Rack(int maxEntries) {
        this.maxEntries = Math.max(16, maxEntries);
    }

    int entries() {
        return count;
    }

    /** [from, to) left at {@code now}; a retransmission overwrites the times it covers. */
    void sent(long from, long to, long now, boolean retransmission) {
        if (to <= from) {
            return;
        }
        if (!retransmission && (count == 0 || ends[count - 1] <= from)) {
            append(from, to, now, false);
            return;
        }
        // split the entries overlapping [from, to) and give the overlap the new time
        int i = 0;
        while (i < count && ends[i] <= from) {
            i++;
        }
        while (i < count && starts[i] < to) {
            if (starts[i] < from) {
                insert(i + 1, from, ends[i], times[i], retransmitted[i], lost[i]);
                ends[i] = from;
                i++;
                continue;
            }
            if (ends[i] > to) {
                insert(i + 1, to, ends[i], times[i], retransmitted[i], lost[i]);
                ends[i] = to;
            }
            times[i] = now;
            retransmitted[i] = true;
            done[i] = false;
            if (lost[i]) {
                lost[i] = false;
                lostBytes = Math.max(0, lostBytes - (ends[i] - starts[i]));
            }
            i++;
        }
    }

    private void append(long from, long to, long now, boolean rxt) {
        insert(count, from, to, now, rxt, false);
    }

    private void insert(int at, long from, long to, long time, boolean rxt, boolean isLost) {
        if (count == starts.length) {
            if (count >= maxEntries) {
                // full: fold the oldest two entries into one keeping the later time, which can
                // only delay a loss verdict on them, never invent one
                ends[0] = ends[1];
                times[0] = Math.max(times[0], times[1]);
                retransmitted[0] |= retransmitted[1];
                done[0] &= done[1];
                lost[0] &= lost[1];
                remove(1);
                at = Math.max(0, at - 1);
            } else {
                int n = count == 0 ? FIRST_ENTRIES : Math.min(maxEntries, count * 2);
                starts = Arrays.copyOf(starts, n);
                ends = Arrays.copyOf(ends, n);
                times = Arrays.copyOf(times, n);
                retransmitted = Arrays.copyOf(retransmitted, n);
                done = Arrays.copyOf(done, n);
                lost = Arrays.copyOf(lost, n);
            }
        }
        System.arraycopy(starts, at, starts, at + 1, count - at);
        System.arraycopy(ends, at, ends, at + 1, count - at);
        System.arraycopy(times, at, times, at + 1, count - at);
        System.arraycopy(retransmitted, at, retransmitted, at + 1, count - at);
        System.arraycopy(done, at, done, at + 1, count - at);
        System.arraycopy(lost, at, lost, at + 1, count - at);
        starts[at] = from;
        ends[at] = to;
        times[at] = time;
        retransmitted[at] = rxt;
        done[at] = false;
        lost[at] = isLost;
        count++;
    }

    private void remove(int at) {
        System.arraycopy(starts, at + 1, starts, at, count - at - 1);
        System.arraycopy(ends, at + 1, ends, at, count - at - 1);
        System.arraycopy(times, at + 1, times, at, count - at - 1);
        System.arraycopy(retransmitted, at + 1, retransmitted, at, count - at - 1);
        System.arraycopy(done, at + 1, done, at, count - at - 1);
        System.arraycopy(lost, at + 1, lost, at, count - at - 1);
        count--;
    }

    /**
     * RFC 8985 6.2 step 2 for an ACK up to {@code una} with {@code board} SACKed: the latest
     * transmission now delivered becomes RACK's reference. A retransmitted range delivered sooner
     * than the minimum RTT after its retransmission is ambiguous (the original may be what
     * arrived) and skipped.
     */
    void delivered(long una, SackScoreboard board, long now, long minRtt) {
        board.walkFrom(); // the entries ascend: one pass over the scoreboard
        for (int i = 0; i < count; i++) {
            if (done[i] || !(ends[i] <= una || board.walkCovers(starts[i], ends[i]))) {
                continue;
            }
            done[i] = true;
            if (!retransmitted[i] && ends[i] < fack) {
                reorderingSeen = true; // sent before what was delivered earlier, yet never resent
            }
            fack = Math.max(fack, ends[i]);
            if (retransmitted[i] && minRtt > 0 && now - times[i] < minRtt) {
                continue;
            }
            if (times[i] > xmitTs || times[i] == xmitTs && ends[i] > endSeq) {
                xmitTs = times[i];
                endSeq = ends[i];
                rtt = now - times[i];
            }
        }
    }

    /** Forgets ranges below the cumulative ACK. */
    void ackedTo(long una) {
        int k = 0;
        while (k < count && ends[k] <= una) {
            k++;
        }
        if (k > 0) {
            System.arraycopy(starts, k, starts, 0, count - k);
            System.arraycopy(ends, k, ends, 0, count - k);
            System.arraycopy(times, k, times, 0, count - k);
            System.arraycopy(retransmitted, k, retransmitted, 0, count - k);
            System.arraycopy(done, k, done, 0, count - k);
            System.arraycopy(lost, k, lost, 0, count - k);
            count -= k;
        }
        if (count > 0 && starts[0] < una) {
            starts[0] = una;
        }
    }

    /**
     * RFC 8985 6.2 step 4: the reordering window, zero until reordering was seen while in
     * recovery, else a quarter of the minimum RTT, at most SRTT.
     */
    long reorderingWindow(boolean inRecovery, long minRtt, long srtt) {
        if (!reorderingSeen && inRecovery || minRtt <= 0) {
            return 0;
        }
        return Math.min(reoWndMult * (minRtt / 4), Math.max(0, srtt));
    }

    /**
     * A DSACK arrived with SND.UNA at {@code una} and SND.MAX at {@code max}: a wider reordering
     * window, at most once per round trip (RFC 8985 6.2 step 4), kept for 16 recoveries.
     */
    void dsack(int una, int max) {
        reorderingSeen = true;
        if (dsackRoundActive && org.jioth.jnet.wire.SeqNum.lt(una, dsackRoundEnd)) {
            return;
        }
        dsackRoundActive = true;
        dsackRoundEnd = max;
        reoWndMult = Math.min(reoWndMult + 1, 1 << 10);
        reoWndPersist = REO_WND_PERSIST;
    }

    /** A recovery episode ended: after 16 without a DSACK the window returns to its base. */
    void recoveryEnded() {
        if (reoWndPersist > 0 && --reoWndPersist == 0) {
            reoWndMult = 1;
        }
    }

    /**
     * RFC 8985 6.2 step 5: marks each un-SACKed range sent before RACK.xmit_ts whose RACK.rtt plus
     * the reordering window has passed since its own transmission as lost; true when any
     * un-SACKed range is marked lost (newly or still). Sets {@link #timeout} to how long until the
     * next range would be (NEVER when none waits), {@link #lostBytes} and
     * {@link #lostRetransmissionsFound}.
     */
    boolean detectLoss(long una, SackScoreboard board, long now, long reoWnd) {
        timeout = TcpConnection.NEVER;
        lostBytes = 0;
        lostRetransmissionsFound = 0;
        if (xmitTs < 0) {
            return false;
        }
        board.walkFrom(); // the entries ascend: one pass over the scoreboard
        for (int i = 0; i < count; i++) {
            if (ends[i] <= una || board.walkCovers(starts[i], ends[i])) {
                continue;
            }
            if (!lost[i]) {
                boolean sentBefore = times[i] < xmitTs || times[i] == xmitTs && ends[i] < endSeq;
                if (!sentBefore) {
                    continue;
                }
                long remaining = times[i] + rtt + reoWnd - now;
                if (remaining > 0) {
                    timeout = Math.min(timeout, remaining);
                    continue;
                }
                lost[i] = true;
                if (retransmitted[i]) {
                    lostRetransmissionsFound++;
                }
            }
            lostBytes += board.walkUnsacked(Math.max(una, starts[i]), ends[i]);
        }
        return lostBytes > 0;
    }

    /**
     * NextSeg rule 1 under RACK: the first un-SACKed offset at or above {@code from} in a range
     * marked lost, or -1; {@link #lostRunEnd} then says where that run of lost ranges ends.
     */
    long nextLost(long from, SackScoreboard board) {
        for (int i = 0; i < count; i++) {
            if (!lost[i] || ends[i] <= from) {
                continue;
            }
            long hole = board.nextHole(Math.max(from, starts[i]), ends[i]);
            if (hole >= 0) {
                return hole;
            }
        }
        return -1;
    }

    /** The end of the contiguous run of lost ranges holding {@code off}. */
    long lostRunEnd(long off) {
        int i = 0;
        while (i < count && ends[i] <= off) {
            i++;
        }
        long end = off;
        while (i < count && lost[i] && starts[i] <= end) {
            end = ends[i];
            i++;
        }
        return end;
    }

    /** After a timeout: go-back-N resends everything, no range stays marked. */
    void clearLost() {
        Arrays.fill(lost, 0, count, false);
        lostBytes = 0;
    }

    /** Set by {@link #detectLoss}: nanoseconds until the reordering timer should run, or NEVER. */
    long timeout = TcpConnection.NEVER;
}
