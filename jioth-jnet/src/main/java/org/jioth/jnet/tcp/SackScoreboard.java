package org.jioth.jnet.tcp;

/**
 * The sender's SACK scoreboard (RFC 6675 3): the SACKed ranges above SND.UNA, in send-stream
 * offsets, sorted and disjoint.
 */
final class SackScoreboard {
    private final Assembler ranges = new Assembler();

    int count() {
        return ranges.count();
    }

    boolean isEmpty() {
        return ranges.isEmpty();
    }

    long start(int i) {
        return ranges.start(i);
    }

    long end(int i) {
        return ranges.end(i);
    }

    void add(long from, long to) {
        ranges.add(from, to);
    }

    void dropBelow(long off) {
        ranges.dropBelow(off);
    }

    long covered() {
        return ranges.covered();
    }

    long coveredFrom(long off) {
        return ranges.coveredFrom(off);
    }

    /** End of the highest SACKed range, or -1. */
    long highest() {
        return ranges.highest();
    }

    void clear() {
        ranges.clear();
    }
}
