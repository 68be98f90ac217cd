package org.jioth.jnet.tcp;

import java.nio.ByteBuffer;

/**
 * Received bytes waiting for the application, plus out-of-order bytes parked at their place in
 * the same ring (tracked by an {@link Assembler}), so a segment is copied exactly once on its way
 * in. Addressed by stream offset. The loop writes, the application reads, each under this
 * buffer's lock.
 */
public final class ReceiveBuffer {
    private byte[] ring;
    /** Stream offset of the next byte the application reads. */
    private long readPos;
    /** Stream offset after the in-order bytes. */
    private long inOrder;
    private final Assembler ooo = new Assembler();

    public ReceiveBuffer(int capacity) {
        this.ring = new byte[capacity];
    }

    public synchronized int capacity() {
        return ring.length;
    }

    /** Resizes (only while empty; SO_RCVBUF before data flows). */
    public synchronized void resize(int capacity) {
        if (readPos == inOrder && ooo.isEmpty()) {
            ring = new byte[capacity];
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
        return ring.length - (int) (inOrder - readPos);
    }

    /**
     * Stores {@code len} bytes of {@code src} at absolute {@code at} for stream offset {@code off}
     * (at or beyond the in-order point; the caller trimmed to the window). Returns how far the
     * in-order point advanced, or -1 when an out-of-order segment could not be tracked.
     */
    public synchronized long put(long off, ByteBuffer src, int at, int len) {
        if (off < inOrder || off + len - readPos > ring.length) {
            throw new IllegalArgumentException("segment " + off + "+" + len + " outside the window");
        }
        if (off > inOrder && !ooo.add(off, off + len)) {
            return -1;
        }
        int i = (int) (off % ring.length);
        int first = Math.min(len, ring.length - i);
        src.get(at, ring, i, first);
        if (len > first) {
            src.get(at + first, ring, 0, len - first);
        }
        long before = inOrder;
        if (off == inOrder) {
            inOrder = ooo.advance(off + len);
        }
        return inOrder - before;
    }

    /** Reads into {@code dst}; returns the count (0 when nothing is there). */
    public synchronized int read(ByteBuffer dst) {
        int n = (int) Math.min(dst.remaining(), inOrder - readPos);
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
}
