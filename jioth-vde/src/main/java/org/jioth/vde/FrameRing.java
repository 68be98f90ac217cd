package org.jioth.vde;

import java.nio.ByteBuffer;

/**
 * A bounded queue of frame copies with preallocated slots (each grows once to the largest frame it
 * has held, so steady state allocates nothing). Many producers ({@link #offer} copies under a short
 * lock); one consumer at a time, which reads {@link #head()} outside the lock and then {@link #pop}s:
 * producers never touch the head slot until it is popped.
 */
final class FrameRing {
    static final int INITIAL_SLOT = 1518;

    private final byte[][] data;
    private final ByteBuffer[] views;
    private final int[] lengths;
    private final NodePort[] sources;
    private long head;
    private long tail;

    FrameRing(int capacity) {
        data = new byte[capacity][];
        views = new ByteBuffer[capacity];
        lengths = new int[capacity];
        sources = new NodePort[capacity];
    }

    /** Copies {@code frame} (position..limit, position unchanged) in; false when full. */
    synchronized boolean offer(NodePort source, ByteBuffer frame) {
        if (tail - head == data.length) {
            return false;
        }
        int i = (int) (tail % data.length);
        int len = frame.remaining();
        if (data[i] == null || data[i].length < len) {
            data[i] = new byte[Math.max(len, INITIAL_SLOT)];
            views[i] = ByteBuffer.wrap(data[i]).asReadOnlyBuffer();
        }
        frame.get(frame.position(), data[i], 0, len);
        lengths[i] = len;
        sources[i] = source;
        tail++;
        return true;
    }

    /** The slot index of the oldest frame, or -1 when empty. */
    synchronized int head() {
        return head == tail ? -1 : (int) (head % data.length);
    }

    /** Frees the oldest slot. */
    synchronized void pop() {
        sources[(int) (head % data.length)] = null;
        head++;
    }

    synchronized boolean isEmpty() {
        return head == tail;
    }

    /** A read-only view of slot {@code i}'s frame, position 0, limit its length. */
    ByteBuffer frame(int i) {
        return views[i].limit(lengths[i]).position(0);
    }

    int length(int i) {
        return lengths[i];
    }

    NodePort source(int i) {
        return sources[i];
    }
}
