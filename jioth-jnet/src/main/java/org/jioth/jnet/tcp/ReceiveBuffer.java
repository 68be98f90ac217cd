package org.jioth.jnet.tcp;

import java.nio.ByteBuffer;

/**
 * Received bytes waiting for the application, plus out-of-order bytes parked at their place in
 * the same ring (tracked by an {@link Assembler}), so a segment is copied exactly once on its way
 * in. Addressed by stream offset. The loop writes, the application reads, each under this
 * buffer's lock.
 *
 * <p>The ring is allocated when the first byte arrives and dropped again by {@link #release} once
 * the connection is done with it, so short connections and TIME_WAIT guards hold no buffer.
 */
public final class ReceiveBuffer {
    private static final byte[] NONE = new byte[0];
    private int capacity;
    /** {@link #NONE} until data arrives; only ever replaced while empty, so offsets stay valid. */
    private byte[] ring = NONE;
    /** Stream offset of the next byte the application reads. */
    private long readPos;
    /** Stream offset after the in-order bytes. */
    private long inOrder;
    private final Assembler ooo = new Assembler();

    public ReceiveBuffer(int capacity) {
        this.capacity = capacity;
    }

    public synchronized int capacity() {
        return capacity;
    }

    /** Resizes (only while empty; SO_RCVBUF before data flows). */
    public synchronized void resize(int capacity) {
        if (readPos == inOrder && ooo.isEmpty()) {
            this.capacity = capacity;
            ring = NONE;
        }
    }

    /** Drops the ring when nothing is buffered (the connection is closing); later data allocates it again. */
    public synchronized void release() {
        if (readPos == inOrder && ooo.isEmpty()) {
            ring = NONE;
        }
    }

    /** In-order bytes the application can read. */
    public synchronized int available() {
        return (int) (inOrder - readPos);
    }

    public synchronized long inOrder() {
        return inOrder;
    }

    /** Room beyond the in-order point: the receive window. */
    public synchronized int window() {
        return capacity - (int) (inOrder - readPos);
    }

    /**
     * Stores {@code len} bytes of {@code src} at absolute {@code at} for stream offset {@code off}
     * (at or beyond the in-order point; the caller trimmed to the window). Returns how far the
     * in-order point advanced, or -1 when an out-of-order segment could not be tracked.
     */
    public synchronized long put(long off, ByteBuffer src, int at, int len) {
        if (off < inOrder || off + len - readPos > capacity) {
            throw new IllegalArgumentException("segment " + off + "+" + len + " outside the window");
        }
        if (ring.length != capacity) {
            ring = new byte[capacity]; // empty until now (resize and release only drop an empty ring)
        }
        if (ooo.isEmpty()) {
            copy(off, src, at, len);
        } else {
            copyHoles(off, src, at, len);
        }
        if (off > inOrder && !ooo.add(off, off + len)) {
            return -1; // what went into holes stays untracked, so unread
        }
        long before = inOrder;
        if (off == inOrder) {
            inOrder = ooo.advance(off + len);
        }
        return inOrder - before;
    }

    /**
     * Copies the bytes of [off, off + len) that no parked range holds yet: the first copy of a
     * byte received is the one kept (as RFC 9293 3.10.7.4 for data already received), so a later
     * overlapping copy with other contents cannot rewrite parked data.
     */
    private void copyHoles(long off, ByteBuffer src, int at, int len) {
        long end = off + len;
        long p = off;
        for (int k = 0; k < ooo.count() && p < end; k++) {
            long s = ooo.start(k);
            long e = ooo.end(k);
            if (e <= p) {
                continue;
            }
            if (s >= end) {
                break;
            }
            if (s > p) {
                copy(p, src, at + (int) (p - off), (int) (s - p));
            }
            p = e;
        }
        if (p < end) {
            copy(p, src, at + (int) (p - off), (int) (end - p));
        }
    }

    private void copy(long off, ByteBuffer src, int at, int len) {
        int i = (int) (off % ring.length);
        int first = Math.min(len, ring.length - i);
        src.get(at, ring, i, first);
        if (len > first) {
            src.get(at + first, ring, 0, len - first);
        }
    }

    /** Reads into {@code dst}; returns the count (0 when nothing is there). */
    public synchronized int read(ByteBuffer dst) {
        int n = (int) Math.min(dst.remaining(), inOrder - readPos);
        if (n == 0) {
            return 0;
        }
        int i = (int) (readPos % ring.length);
        int first = Math.min(n, ring.length - i);
        dst.put(ring, i, first);
        if (n > first) {
            dst.put(ring, 0, n - first);
        }
        readPos += n;
        return n;
    }

    /** The out-of-order ranges (loop only). */
    Assembler outOfOrder() {
        return ooo;
    }

    /** Whether the ring is allocated (for tests). */
    synchronized boolean allocated() {
        return ring.length > 0;
    }
}
