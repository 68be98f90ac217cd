package org.jioth.jnet.tcp;

import java.util.Arrays;

/**
 * The sender's SACK scoreboard (RFC 6675 3): every SACKed range above SND.UNA, in send-stream
 * offsets, sorted and disjoint, and the RFC 6675 queries on it (IsLost, the holes NextSeg walks,
 * the pipe estimate). The table grows on demand up to a bound set by the send buffer (a range per
 * two segments it can hold), so a well-behaved peer never meets it; a block that would need more
 * is counted in {@link #refused} and ignored (the peer repeats it).
 */
final class SackScoreboard {
    /** RFC 6675 DupThresh. */
    static final int DUP_THRESH = 3;
    /** Shared by tables not used yet: the first SACK block allocates (8 ranges, doubling). */
    static final long[] NO_RANGES = new long[0];
    private long[] starts = NO_RANGES;
    private long[] ends = NO_RANGES;
    private int count;
    private final int maxRanges;
    /** Blocks ignored because the table was full. */
    long refused;

    SackScoreboard(int maxRanges) {
        this.maxRanges = Math.max(8, maxRanges);
    }

    /** A bound for a send buffer of {@code bytes} and segments of at least {@code minMss}. */
    static int boundFor(int bytes, int minMss) {
        return bytes / (2 * minMss) + 4;
    }

    int count() {
        return count;
    }

    boolean isEmpty() {
        return count == 0;
    }

    long start(int i) {
        return starts[i];
    }

    long end(int i) {
        return ends[i];
    }

    /** Adds [from, to); false when the table is full and the range touches none of it. */
    boolean add(long from, long to) {
        if (to <= from) {
            return true;
        }
        int i = 0;
        while (i < count && ends[i] < from) {
            i++;
        }
        int j = i;
        while (j < count && starts[j] <= to) {
            j++;
        }
        if (i == j) {
            if (count == starts.length) {
                if (count >= maxRanges) {
                    refused++;
                    return false;
                }
                int n = count == 0 ? 8 : Math.min(maxRanges, count * 2);
                starts = Arrays.copyOf(starts, n);
                ends = Arrays.copyOf(ends, n);
            }
            System.arraycopy(starts, i, starts, i + 1, count - i);
            System.arraycopy(ends, i, ends, i + 1, count - i);
            starts[i] = from;
            ends[i] = to;
            count++;
            return true;
        }
        starts[i] = Math.min(from, starts[i]);
        ends[i] = Math.max(to, ends[j - 1]);
        System.arraycopy(starts, j, starts, i + 1, count - j);
        System.arraycopy(ends, j, ends, i + 1, count - j);
        count -= j - i - 1;
        return true;
    }

    /** Forgets everything below {@code off} (the cumulative ACK). */
    void dropBelow(long off) {
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

    /**
     * A pass of queries in ascending order of offset ({@link #walkCovers}, {@link #walkUnsacked}):
     * each skips the ranges below the last one, so RACK's passes over its transmitted ranges cost
     * the ranges plus the entries, not their product (with a window of a thousand segments and
     * tens of holes, {@link #covers} per entry was the sender loop's largest cost in Java through
     * wirefilter at 5 % loss).
     */
    private int walk;

    /** Starts a pass of ascending queries. */
    void walkFrom() {
        walk = 0;
    }

    /** {@link #covers} within a pass: {@code from} never below the pass's previous query. */
    boolean walkCovers(long from, long to) {
        while (walk < count && ends[walk] <= from) {
            walk++;
        }
        return walk < count && starts[walk] <= from && to <= ends[walk];
    }

    /** {@link #unsacked} within a pass: {@code from} never below the pass's previous query. */
    long walkUnsacked(long from, long to) {
        if (to <= from) {
            return 0;
        }
        while (walk < count && ends[walk] <= from) {
            walk++;
        }
        long covered = 0;
        for (int k = walk; k < count && starts[k] < to; k++) {
            covered += Math.min(to, ends[k]) - Math.max(from, starts[k]);
        }
        return (to - from) - covered;
    }

    /** Whether [from, to) is wholly SACKed. */
    boolean covers(long from, long to) {
        for (int i = 0; i < count; i++) {
            if (starts[i] <= from && to <= ends[i]) {
                return true;
            }
        }
        return false;
    }

    /** The end of the SACKed range holding {@code off}, or -1 when {@code off} is not SACKed. */
    long sackedEnd(long off) {
        for (int i = 0; i < count && starts[i] <= off; i++) {
            if (off < ends[i]) {
                return ends[i];
            }
        }
        return -1;
    }

    /** The start of the first SACKed range beyond {@code off}, or Long.MAX_VALUE. */
    long nextStart(long off) {
        for (int i = 0; i < count; i++) {
            if (starts[i] > off) {
                return starts[i];
            }
        }
        return Long.MAX_VALUE;
    }

    /** Bytes SACKed. */
    long covered() {
        return coveredFrom(Long.MIN_VALUE);
    }

    /** SACKed bytes at or above {@code off}. */
    long coveredFrom(long off) {
        long n = 0;
        for (int i = count - 1; i >= 0 && ends[i] > off; i--) {
            n += ends[i] - Math.max(starts[i], off);
        }
        return n;
    }

    /** End of the highest SACKed range, or -1. */
    long highest() {
        return count == 0 ? -1 : ends[count - 1];
    }

    /**
     * RFC 6675 IsLost as a boundary: every un-SACKed byte below the returned offset is lost (more
     * than (DupThresh - 1) * SMSS bytes, or DupThresh discontiguous ranges, SACKed above it), none
     * at or above it. Long.MIN_VALUE when nothing is lost.
     */
    long lostBelow(int smss) {
        long lost = count >= DUP_THRESH ? starts[count - DUP_THRESH] : Long.MIN_VALUE;
        long above = 0;
        for (int i = count - 1; i >= 0; i--) {
            above += ends[i] - starts[i];
            if (above > (long) (DUP_THRESH - 1) * smss) {
                return Math.max(lost, starts[i]);
            }
        }
        return lost;
    }

    /** The first un-SACKed offset in [from, limit), or -1. */
    long nextHole(long from, long limit) {
        long pos = from;
        for (int i = 0; i < count && starts[i] <= pos; i++) {
            pos = Math.max(pos, ends[i]);
        }
        return pos < limit ? pos : -1;
    }

    /** The end of the hole starting at un-SACKed {@code at}, at most {@code limit}. */
    long holeEnd(long at, long limit) {
        for (int i = 0; i < count; i++) {
            if (starts[i] > at) {
                return Math.min(starts[i], limit);
            }
        }
        return limit;
    }

    /** Un-SACKed bytes in [from, to). */
    long unsacked(long from, long to) {
        if (to <= from) {
            return 0;
        }
        return (to - from) - (coveredFrom(from) - coveredFrom(to));
    }

    void clear() {
        count = 0;
    }
}
