package org.jioth.jnet.tcp;

import java.nio.ByteBuffer;

/**
 * The bytes an application wrote and the peer has not acknowledged yet: a ring addressed by
 * stream offset (byte 0 is the first data byte after the SYN). The application thread appends;
 * the stack loop copies segments out and drops acknowledged bytes. Each method takes this
 * buffer's own lock, so no protocol lock is ever needed.
 *
 * <p>The ring is allocated on the first write, small ({@link Rings#FIRST}), grows with what is
 * buffered up to the capacity (SO_SNDBUF), and is dropped again by {@link #release} once the
 * connection is done with it or by {@link #trim} once it stayed empty and unused, so idle
 * connections and TIME_WAIT guards hold no buffer.
 *
 * <p>Growth is charged to the stack's memory budget ({@link RingMemory}); when the budget refuses
 * it, a write takes only what the ring already held has room for (at least the connection's
 * prepaid first ring), so a writer waits for acknowledgements instead of the heap growing.
 */
public final class SendBuffer {
    private static final byte[] NONE = new byte[0];
    private int capacity;
    /** The capacity set (SO_SNDBUF or the default); growth with cwnd goes back to it when idle. */
    private int base;
    /** {@link #NONE} until the first write; only ever replaced while empty, so offsets stay valid. */
    private byte[] ring = NONE;
    /** Stream offset of the oldest unacknowledged byte. */
    private long head;
    /** Stream offset after the last byte written. */
    private long tail;
    private boolean usedSinceTrim;
    /** The last write left bytes behind: the application holds more data than the buffer took. */
    private boolean writerHasMore;
    private final RingMemory memory = new RingMemory();

    public SendBuffer(int capacity) {
        this.capacity = capacity;
        this.base = capacity;
    }

    public synchronized int capacity() {
        return capacity;
    }

    /** SO_SNDBUF, at any time: never below what is buffered now (the ring grows or stays as it is). */
    public synchronized void resize(int capacity) {
        this.capacity = Math.max(capacity, (int) (tail - head));
        this.base = capacity;
    }

    /**
     * Lets the capacity follow the congestion window ({@code target} bytes, at most {@code max}):
     * it only grows here, and not under memory pressure; {@link #trim} takes it back to the set
     * size once the connection idles.
     */
    public synchronized void follow(long target, int max) {
        if (target > capacity && capacity < max && !memory.underPressure()) {
            capacity = (int) Math.min(target, max);
        }
    }

    /** Drops the ring when nothing is buffered (the connection is closing); a later write allocates it again. */
    public synchronized void release() {
        if (tail == head) {
            drop();
        }
    }

    private void drop() {
        ring = NONE;
        memory.shrunk(0);
    }

    /** Charges growth beyond {@code reserve} (prepaid) to {@code budget}; before the first write. */
    public synchronized void attach(org.jioth.jnet.mem.MemoryBudget budget, int reserve) {
        memory.attach(budget, reserve);
    }

    /** The connection is gone: what the ring was charged goes back, nothing more is charged. */
    public synchronized void detach() {
        memory.detach();
    }

    public synchronized long head() {
        return head;
    }

    public synchronized long tail() {
        return tail;
    }

    /**
     * Room for a write now: up to the capacity, or under memory pressure only what the ring held
     * (or the prepaid first ring) has left, so writers wait for acknowledgements, not for memory.
     */
    public synchronized int free() {
        int size = (int) (tail - head);
        if (memory.underPressure()) {
            int room = Math.max(ring.length, Math.min(Rings.MIN, capacity)) - size;
            return Math.max(0, Math.min(room, capacity - size));
        }
        return Math.max(0, capacity - size);
    }

    /**
     * The longest ring for the capacity: itself when set, the next power of two while following.
     * A following capacity creeps up by a segment per ACK; growing the ring to each new capacity
     * copied the whole ring (megabytes) per ACK, so it grows by doubling instead. All of the
     * capacity may be filled: holding the buffer to its ring left it at as little as half its
     * capacity, about one window, and under loss the SACKed data above a hole then filled it and
     * new data stopped for a round trip per hole.
     */
    private int ringBound() {
        if (capacity == base || capacity <= Rings.FIRST) {
            return capacity;
        }
        return Math.max(capacity, Integer.highestOneBit(capacity - 1) << 1);
    }

    /**
     * Whether the application's last write left bytes behind (the buffer was full): a sender
     * that runs out of data now waits for this buffer, not for the application, so its rate
     * samples are not application-limited (as Linux checks app-limitation only when a write
     * starts, never inside one blocked on buffer space).
     */
    public synchronized boolean writerHasMore() {
        return writerHasMore;
    }

    public synchronized int size() {
        return (int) (tail - head);
    }

    /** Appends as much of {@code src} as fits; returns how many bytes were taken. */
    public synchronized int write(ByteBuffer src) {
        int n = Math.min(src.remaining(), capacity - (int) (tail - head));
        writerHasMore = n < src.remaining();
        if (n <= 0) {
            return 0;
        }
        int size = (int) (tail - head);
        if (ring.length < size + n) {
            int length = affordable(Rings.lengthFor(size + n, ringBound()), size);
            if (length > ring.length) {
                ring = Rings.grow(ring, head, size, length);
            }
            n = Math.min(n, ring.length - size);
            writerHasMore = n < src.remaining();
            if (n <= 0) {
                return 0;
            }
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

    /**
     * The largest ring up to {@code wanted} the budget grants (halving down), never below what is
     * held; charged. The first ring is prepaid, so a ring-less buffer always gets one.
     */
    private int affordable(int wanted, int size) {
        int length = wanted;
        while (length > ring.length && length > size) {
            if (memory.grow(ring.length, length)) {
                return length;
            }
            length >>= 1;
        }
        if (memory.attached() && ring.length - size <= 0) {
            memory.budget().count(org.jioth.jnet.mem.MemoryBudget.Event.TCP_SEND_REFUSED);
        }
        return ring.length;
    }

    private int index(long off) {
        return (int) (off % ring.length);
    }

    /** Drops an empty ring not written since the last call; true when none is held now. */
    public synchronized boolean trim() {
        if (usedSinceTrim) {
            usedSinceTrim = false;
        } else if (tail == head) {
            drop();
            capacity = base;
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
