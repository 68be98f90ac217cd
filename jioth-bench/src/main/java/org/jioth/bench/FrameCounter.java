package org.jioth.bench;

/**
 * Counts frames of the length under test arriving at a receiver. Written by one delivering thread
 * at a time and read by the measuring thread, hence the volatile count (no per-frame clock read:
 * the measuring thread notes when the count last moved).
 */
final class FrameCounter {
    private volatile int wantedLength = -1;
    private volatile long count;
    private volatile long others;

    void expect(int length) {
        wantedLength = length;
        count = 0;
        others = 0;
    }

    void frame(int length) {
        if (length == wantedLength) {
            count++; // single writer: the port's delivering thread
        } else {
            others++;
        }
    }

    long count() {
        return count;
    }

    long others() {
        return others;
    }
}
