package org.jioth.vde.stream;

import java.nio.ByteBuffer;

/**
 * A bounded queue of encoded stream records with preallocated slots (each grows once to the largest
 * record it held, so steady state allocates nothing). Many producers copy in under a short lock; one
 * consumer reads the head slot outside the lock and then pops it (producers never touch it before).
 */
final class RecordQueue {
    private static final int INITIAL_SLOT = 1518 + FrameStreamEncoder.HEADER;

    private final byte[][] slots;
    private final int[] lengths;
    private long head;
    private long tail;
    private boolean closed;

    RecordQueue(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive: " + capacity);
        }
        slots = new byte[capacity][];
        lengths = new int[capacity];
    }

    /** Encodes {@code frame} (position unchanged) into the tail slot; false when full or closed. */
    synchronized boolean offer(ByteBuffer frame) {
        if (closed || tail - head == slots.length) {
            return false;
        }
        int i = (int) (tail % slots.length);
        int record = FrameStreamEncoder.HEADER + frame.remaining();
        if (slots[i] == null || slots[i].length < record) {
            slots[i] = new byte[Math.max(record, INITIAL_SLOT)];
        }
        lengths[i] = FrameStreamEncoder.encode(frame, ByteBuffer.wrap(slots[i]));
        tail++;
        if (tail - head == 1) {
            notifyAll();
        }
        return true;
    }

    /** The head slot index, or -1 when empty. */
    synchronized int head() {
        return head == tail ? -1 : (int) (head % slots.length);
    }

    /** Waits for a record; -1 once closed and empty. */
    synchronized int awaitHead() throws InterruptedException {
        while (head == tail && !closed) {
            wait();
        }
        return head();
    }

    byte[] slot(int i) {
        return slots[i];
    }

    int length(int i) {
        return lengths[i];
    }

    synchronized void pop() {
        head++;
    }

    /** Refuses new records; the consumer still gets those queued. */
    synchronized void close() {
        closed = true;
        notifyAll();
    }
}
