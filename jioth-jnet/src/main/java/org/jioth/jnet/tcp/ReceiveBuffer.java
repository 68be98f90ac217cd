package org.jioth.jnet.tcp;

import java.nio.ByteBuffer;

/**
 * Received bytes waiting for the application, plus out-of-order bytes parked at their place in
 * the same ring (tracked by an {@link Assembler}), so a segment is copied exactly once on its way
 * in. Addressed by stream offset. The loop writes, the application reads, each under this
 * buffer's lock.
 *
 * <p>The ring is allocated when the first byte arrives, small ({@link Rings#FIRST}), grows with the
 * span of buffered bytes (out-of-order ones included) up to the capacity (SO_RCVBUF, which the
 * advertised window still promises), and is dropped again by {@link #release} once the connection
 * is done with it or by {@link #trim} once it stayed empty and unused, so idle connections and
 * TIME_WAIT guards hold no buffer.
 *
 * <p>Growth is charged to the stack's memory budget ({@link RingMemory}). Under memory pressure
 * the window stops opening beyond the ring held, out-of-order data that would grow the ring is
 * dropped and what is parked can be pruned ({@link #pruneOutOfOrder}); a segment whose growth
 * the budget refuses is dropped ({@link #NO_MEMORY}): the peer retransmits it.
 */
public final class ReceiveBuffer {
    /** What {@link #put} answers when the budget refused the memory the segment needed. */
    public static final long NO_MEMORY = -2;
    /** What {@link #put} answers when an out-of-order segment could not be tracked. */
    public static final long UNTRACKED = -1;
    private static final byte[] NONE = new byte[0];
    private int capacity;
    /** The capacity set (SO_RCVBUF or the default); autotuning goes back to it when idle. */
    private int base;
    /** Stream offset up to which an advertised window promised room (a smaller capacity must still hold it). */
    private long promisedEnd;
    /** Autotuning (Linux's DRS): when the current measurement began, and the read position then. */
    private long spaceStart = Long.MIN_VALUE;
    private long spaceReadPos;
    /** The most bytes the application read in one measurement (about a round trip). */
    private int space;
    /** {@link #NONE} until data arrives; only ever replaced while empty, so offsets stay valid. */
    private byte[] ring = NONE;
    /** Stream offset of the next byte the application reads. */
    private long readPos;
    /** Stream offset after the in-order bytes. */
    private long inOrder;
    private final Assembler ooo = new Assembler();
    private boolean usedSinceTrim;
    private final RingMemory memory = new RingMemory();

    public ReceiveBuffer(int capacity) {
        this.capacity = capacity;
        this.base = capacity;
    }

    public synchronized int capacity() {
        return capacity;
    }

    /** Resizes (only while empty; SO_RCVBUF before data flows). */
    public synchronized void resize(int capacity) {
        if (readPos == inOrder && ooo.isEmpty()) {
            this.capacity = capacity;
            this.base = capacity;
            drop();
        }
    }

    /** The window we advertised reaches {@code window} bytes past the in-order point (loop). */
    public synchronized void promise(int window) {
        promisedEnd = Math.max(promisedEnd, inOrder + window);
    }

    /**
     * Receive-buffer autotuning (Linux's dynamic right-sizing): once per {@code rtt}, if the
     * application read more than in any round trip before, the capacity becomes twice that plus
     * 16 segments (room for the sender to keep growing), at most {@code max}. A slow reader never
     * grows its buffer; the ring itself still grows only with what is buffered. Not under memory
     * pressure. Loop only.
     */
    public synchronized void autotune(long now, long rtt, int mss, int max) {
        if (spaceStart == Long.MIN_VALUE) {
            spaceStart = now;
            spaceReadPos = readPos;
            return;
        }
        if (now - spaceStart < rtt) {
            return;
        }
        long copied = readPos - spaceReadPos;
        spaceStart = now;
        spaceReadPos = readPos;
        if (copied <= space) {
            return;
        }
        space = (int) Math.min(copied, Integer.MAX_VALUE / 4);
        long target = 2L * space + 16L * mss;
        if (target > capacity && capacity < max && !memory.underPressure()) {
            capacity = (int) Math.min(target, max);
        }
    }

    /** Drops the ring when nothing is buffered (the connection is closing); later data allocates it again. */
    public synchronized void release() {
        if (readPos == inOrder && ooo.isEmpty()) {
            drop();
        }
    }

    private void drop() {
        ring = NONE;
        memory.shrunk(0);
    }

    /** Charges growth beyond {@code reserve} (prepaid) to {@code budget}; before data arrives. */
    public synchronized void attach(org.jioth.jnet.mem.MemoryBudget budget, int reserve) {
        memory.attach(budget, reserve);
    }

    /** The connection is gone: what the ring was charged goes back, nothing more is charged. */
    public synchronized void detach() {
        memory.detach();
    }

    /**
     * Memory pressure: forgets the out-of-order data (it was never acknowledged, only SACKed; the
     * peer retransmits it, RFC 2018 8 allows the reneging) and shrinks the ring to the in-order
     * bytes. True when something was pruned.
     */
    public synchronized boolean pruneOutOfOrder() {
        if (ooo.isEmpty()) {
            return false;
        }
        ooo.clear();
        int buffered = (int) (inOrder - readPos);
        if (buffered == 0) {
            drop();
        } else {
            int length = Rings.lengthFor(buffered, capacity);
            if (length < ring.length) {
                ring = Rings.grow(ring, readPos, buffered, length);
                memory.shrunk(length);
            }
        }
        if (memory.attached()) {
            memory.budget().count(org.jioth.jnet.mem.MemoryBudget.Event.TCP_OFO_PRUNED);
        }
        return true;
    }

    /**
     * Whether memory pressure holds the window below what the capacity would give now (counted
     * by the caller once per advertisement).
     */
    public synchronized boolean windowClamped() {
        if (!memory.underPressure()) {
            return false;
        }
        boolean clamped = Math.max(ring.length, Math.min(Rings.MIN, capacity)) < capacity;
        if (clamped) {
            memory.budget().count(org.jioth.jnet.mem.MemoryBudget.Event.TCP_WINDOW_CLAMPED);
        }
        return clamped;
    }

    /** Whether the budget this buffer is charged to is under memory pressure. */
    public boolean underPressure() {
        return memory.underPressure();
    }

    /**
     * SO_RCVBUF on a connection: a larger buffer applies at once (the window opens); a smaller one
     * would pull the right edge of a window already offered back, so it is not applied.
     */
    public synchronized void raise(int capacity) {
        this.capacity = Math.max(this.capacity, capacity);
        this.base = Math.max(this.base, capacity);
    }

    /** In-order bytes the application can read. */
    public synchronized int available() {
        return (int) (inOrder - readPos);
    }

    public synchronized long inOrder() {
        return inOrder;
    }

    /**
     * Room beyond the in-order point: the receive window. Under memory pressure only the room of
     * the ring held (at least the prepaid first ring): the window stops opening.
     */
    public synchronized int window() {
        int buffered = (int) (inOrder - readPos);
        if (memory.underPressure()) {
            int room = Math.max(ring.length, Math.min(Rings.MIN, capacity)) - buffered;
            return Math.max(0, Math.min(room, capacity - buffered));
        }
        return capacity - buffered;
    }

    /**
     * Stores {@code len} bytes of {@code src} at absolute {@code at} for stream offset {@code off}
     * (at or beyond the in-order point; the caller trimmed to the window). Returns how far the
     * in-order point advanced, {@link #UNTRACKED} when an out-of-order segment could not be
     * tracked, {@link #NO_MEMORY} when the budget refused the growth it needed (nothing stored).
     */
    public synchronized long put(long off, ByteBuffer src, int at, int len) {
        if (off < inOrder || off + len - readPos > capacity) {
            throw new IllegalArgumentException("segment " + off + "+" + len + " outside the window");
        }
        int span = (int) (off + len - readPos);
        if (ring.length < span) {
            int length = Rings.lengthFor(span, capacity);
            boolean outOfOrder = off > inOrder;
            if (outOfOrder && memory.underPressure() || !memory.grow(ring.length, length)) {
                if (memory.attached()) {
                    memory.budget().count(outOfOrder ? org.jioth.jnet.mem.MemoryBudget.Event.TCP_OFO_DROPS
                            : org.jioth.jnet.mem.MemoryBudget.Event.TCP_RCV_DROPS);
                }
                return NO_MEMORY;
            }
            // the old ring holds offsets [readPos, readPos + its length): move them all
            ring = Rings.grow(ring, readPos, ring.length, length);
        }
        usedSinceTrim = true;
        if (ooo.isEmpty()) {
            copy(off, src, at, len);
        } else {
            copyHoles(off, src, at, len);
        }
        if (off > inOrder && !ooo.add(off, off + len)) {
            return UNTRACKED; // what went into holes stays untracked, so unread
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

    /** Drops an empty ring not used since the last call; true when none is held now. */
    public synchronized boolean trim() {
        if (usedSinceTrim) {
            usedSinceTrim = false;
        } else if (readPos == inOrder && ooo.isEmpty()) {
            drop();
            // idle: autotuning starts over from the set size, never below a window still promised
            capacity = (int) Math.max(base, Math.min(capacity, promisedEnd - readPos));
            space = 0;
            spaceStart = Long.MIN_VALUE;
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
