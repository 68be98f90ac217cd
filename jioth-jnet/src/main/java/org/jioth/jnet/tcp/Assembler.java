package org.jioth.jnet.tcp;

/**
 * Out-of-order ranges of a receive stream, as sorted, disjoint [start, end) stream offsets beyond
 * the in-order point. Bounded: a segment that would need more ranges than {@link #MAX_RANGES} is
 * refused (the peer retransmits it). Remembers which ranges changed last, newest first (as Linux's
 * {@code selective_acks}): RFC 2018 4 wants the block holding the newest segment first and the
 * others repeating the most recently reported ones, so every range is reported in several ACKs
 * and survives the loss of one. Reporting the lowest ranges instead left a range whose ACK was
 * lost unreported until it became one of the lowest; its late SACK then looked like reordering
 * to a Linux sender, whose reordering estimate climbed to ~113 segments through wirefilter at
 * 5 % loss (ss -ti), delaying every later fast retransmit (issue 10).
 */
public final class Assembler {
    public static final int MAX_RANGES = 32;
    /** Allocated by the first out-of-order segment: most connections never see one. */
    private long[] starts = SackScoreboard.NO_RANGES;
    private long[] ends = SackScoreboard.NO_RANGES;
    private int count;
    /** How many ranges are remembered as recent (as many blocks as an ACK can carry). */
    static final int RECENT = 4;
    /** An offset inside each recently changed range, newest first; allocated with the ranges. */
    private long[] recent = SackScoreboard.NO_RANGES;
    private int recentCount;

    public int count() {
        return count;
    }

    public boolean isEmpty() {
        return count == 0;
    }

    public long start(int i) {
        return starts[i];
    }

    public long end(int i) {
        return ends[i];
    }

    /** Adds [s, e); false when the table is full and the range touches none of it. */
    public boolean add(long s, long e) {
        if (e <= s) {
            return true;
        }
        int i = 0;
        while (i < count && ends[i] < s) {
            i++;
        }
        int j = i;
        while (j < count && starts[j] <= e) {
            j++;
        }
        if (i == j) {
            if (count == MAX_RANGES) {
                return false;
            }
            if (starts.length == 0) {
                starts = new long[MAX_RANGES];
                ends = new long[MAX_RANGES];
            }
            System.arraycopy(starts, i, starts, i + 1, count - i);
            System.arraycopy(ends, i, ends, i + 1, count - i);
            starts[i] = s;
            ends[i] = e;
            count++;
        } else {
            long ns = Math.min(s, starts[i]);
            long ne = Math.max(e, ends[j - 1]);
            starts[i] = ns;
            ends[i] = ne;
            int removed = j - i - 1;
            System.arraycopy(starts, j, starts, i + 1, count - j);
            System.arraycopy(ends, j, ends, i + 1, count - j);
            count -= removed;
        }
        noteRecent(s, i);
        return true;
    }

    /** [s, ...) just changed range {@code index}: it moves to the front, once. */
    private void noteRecent(long s, int index) {
        if (recent.length == 0) {
            recent = new long[RECENT];
        }
        int n = 0;
        for (int k = 0; k < recentCount; k++) {
            long off = recent[k];
            if (!(starts[index] <= off && off < ends[index]) && n < RECENT - 1) {
                recent[n++] = off;
            }
        }
        System.arraycopy(recent, 0, recent, 1, n);
        recent[0] = s;
        recentCount = n + 1;
    }

    /** How many recent offsets are remembered ({@link #recentOffset}). */
    public int recentCount() {
        return recentCount;
    }

    /** The {@code k}-th most recent offset; {@link #indexOf} finds its range, if it is still there. */
    public long recentOffset(int k) {
        return recent[k];
    }

    /** The index of the range holding {@code off}, or -1. */
    public int indexOf(long off) {
        for (int i = 0; i < count && starts[i] <= off; i++) {
            if (off < ends[i]) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Removes the range starting at or before {@code inOrder} (the in-order point advanced into it)
     * and every range wholly below it; returns the new in-order point.
     */
    public long advance(long inOrder) {
        int k = 0;
        while (k < count && starts[k] <= inOrder) {
            inOrder = Math.max(inOrder, ends[k]);
            k++;
        }
        if (k > 0) {
            System.arraycopy(starts, k, starts, 0, count - k);
            System.arraycopy(ends, k, ends, 0, count - k);
            count -= k;
        }
        return inOrder;
    }

    /** Index of the range changed last, or -1 when it is gone. */
    public int lastChanged() {
        return recentCount == 0 ? -1 : indexOf(recent[0]);
    }

    /** Forgets everything below {@code off} (a cumulative ACK on the sender's scoreboard). */
    public void dropBelow(long off) {
        int k = 0;
        while (k < count && ends[k] <= off) {
            k++;
        }
        if (k > 0) {
            System.arraycopy(starts, k, starts, 0, count - k);
            System.arraycopy(ends, k, ends, 0, count - k);
            count -= k;
        }
        if (count > 0 && starts[0] < off) {
            starts[0] = off;
        }
    }

    /** Bytes covered by all ranges. */
    public long covered() {
        long n = 0;
        for (int i = 0; i < count; i++) {
            n += ends[i] - starts[i];
        }
        return n;
    }

    /** The end of the highest range, or -1. */
    public long highest() {
        return count == 0 ? -1 : ends[count - 1];
    }

    /** Covered bytes at or above {@code off}. */
    public long coveredFrom(long off) {
        long n = 0;
        for (int i = count - 1; i >= 0 && ends[i] > off; i--) {
            n += ends[i] - Math.max(starts[i], off);
        }
        return n;
    }

    public void clear() {
        count = 0;
        recentCount = 0;
    }
}
