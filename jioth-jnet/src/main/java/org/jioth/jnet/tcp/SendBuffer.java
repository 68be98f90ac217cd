package org.jioth.jnet.tcp;

import java.nio.ByteBuffer;

/**
 * The bytes an application wrote and the peer has not acknowledged yet: a ring addressed by
 * stream offset (byte 0 is the first data byte after the SYN). The application thread appends;
 * the stack loop copies segments out and drops acknowledged bytes. Each method takes this
 * buffer's own lock, so no protocol lock is ever needed.
 *
 * <p>The ring is allocated on the first write, small ({@link Rings#MIN}), grows with what is
 * buffered up to the capacity (SO_SNDBUF), and is dropped again by {@link #release} once the
 * connection is done with it or by {@link #trim} once it stayed empty and unused, so idle
 * connections and TIME_WAIT guards hold no buffer.
 */
public final class SendBuffer {
    private static final byte[] NONE = new byte[0];
    private int capacity;
    /** {@link #NONE} until the first write; only ever replaced while empty, so offsets stay valid. */
    private byte[] ring = NONE;
    /** Stream offset of the oldest unacknowledged byte. */
    private long head;
    /** Stream offset after the last byte written. */
    private long tail;
    private boolean usedSinceTrim;

    public SendBuffer(int capacity) {
        this.capacity = capacity;
    }

    public synchronized int capacity() {
        return capacity;
    }

    /** SO_SNDBUF, at any time: never below what is buffered now (the ring grows or stays as it is). */
    public synchronized void resize(int capacity) {
        this.capacity = Math.max(capacity, (int) (tail - head));
    }

    /** Drops the ring when nothing is buffered (the connection is closing); a later write allocates it again. */
    public synchronized void release() {
        if (tail == head) {
            ring = NONE;
        }
    }

    public synchronized long head() {
        return head;
    }

    public synchronized long tail() {
        return tail;
    }

    public synchronized int free() {
        return capacity - (int) (tail - head);
    }

    public synchronized int size() {
        return (int) (tail - head);
    }

    /** Appends as much of {@code src} as fits; returns how many bytes were taken. */
    public synchronized int write(ByteBuffer src) {
        int n = Math.min(src.remaining(), capacity - (int) (tail - head));
        if (n == 0) {
            return 0;
        }
        int size = (int) (tail - head);
        if (ring.length < size + n) {
            ring = Rings.grow(ring, head, size, Rings.lengthFor(size + n, capacity));
        }
        usedSinceTrim = true;
        int at = index(tail);
        int first = Math.min(n, ring.length - at);
        src.get(ring, at, first);
        if (n > first) {
            src.get(ring, 0, n - first);
        }
        tail += n;
        return n;
    }

    /** Copies {@code len} bytes from stream offset {@code from} into {@code dst} at absolute {@code at}. */
    public synchronized void copy(long from, ByteBuffer dst, int at, int len) {
        if (from < head || from + len > tail) {
            throw new IllegalArgumentException("bytes " + from + "+" + len + " not in [" + head + ", " + tail + ")");
        }
        if (len == 0) {
            return;
        }
        int i = index(from);
        int first = Math.min(len, ring.length - i);
        dst.put(at, ring, i, first);
        if (len > first) {
            dst.put(at + first, ring, 0, len - first);
        }
    }

    /** Drops acknowledged bytes up to stream offset {@code to}. */
    public synchronized void ackTo(long to) {
        if (to > head) {
            head = Math.min(to, tail);
        }
    }

    private int index(long off) {
        return (int) (off % ring.length);
    }

    /** Drops an empty ring not written since the last call; true when none is held now. */
    public synchronized boolean trim() {
        if (usedSinceTrim) {
            usedSinceTrim = false;
        } else if (tail == head) {
            ring = NONE;
        }
        return ring.length == 0;
    }

    /** Bytes the ring holds now (allocated, not buffered). */
    public synchronized int heldBytes() {
        return ring.length;
    }

    /** Whether the ring is allocated (for tests). */
    synchronized boolean allocated() {
        return ring.length > 0;
    }
}
