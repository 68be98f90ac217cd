package org.jioth.jnet.loop;

import java.nio.ByteBuffer;

/**
 * The bounded queue between ports (any thread) and the stack loop (the one consumer). Slots and
 * their buffers are made on first use and reused, so steady-state receive allocates nothing; a
 * full ring drops the frame and says so. A drained ring starts again at its first slot, so it
 * holds only as many buffers as its deepest burst, and {@link #trim} gives those back once the
 * ring has stayed unused: an idle stack holds none. The consumer {@link #peek}s a slot, handles
 * it in place, then {@link #pop}s it; producers never touch slots the consumer holds.
 */
public final class RxRing {
    private static final int SLOT_BUFFER = 2048;

    /** One queued frame: {@code buffer} positions 0..length, from {@code iface}. */
    public static final class Slot {
        /** What the frame came from (the stack's interface): the ring and the loop only carry it. */
        public Object iface;
        public ByteBuffer buffer;
        public int length;
        /** True for a loopback IP datagram (no Ethernet header). */
        public boolean ipOnly;
    }

    private final int capacity;
    private Slot[] slots;
    private int head;
    private int count;
    private boolean usedSinceTrim;

    public RxRing(int capacity) {
        this.capacity = capacity;
    }

    /** Copies {@code len} bytes of {@code src} from {@code off}; false when the ring is full. */
    public boolean offer(Object iface, ByteBuffer src, int off, int len, boolean ipOnly) {
        synchronized (this) {
            if (count == capacity) {
                return false;
            }
            if (slots == null) {
                slots = new Slot[capacity];
            }
            int i = (head + count) % capacity;
            Slot s = slots[i];
            if (s == null) {
                slots[i] = s = new Slot();
            }
            if (s.buffer == null || s.buffer.capacity() < len) {
                s.buffer = ByteBuffer.allocate(Math.max(len, s.buffer == null ? SLOT_BUFFER : 2 * s.buffer.capacity()));
            }
            s.buffer.clear();
            s.buffer.put(0, src, off, len);
            s.length = len;
            s.iface = iface;
            s.ipOnly = ipOnly;
            count++;
            usedSinceTrim = true;
            return true;
        }
    }

    /** The oldest slot, left in place, or null. Consumer only. */
    public synchronized Slot peek() {
        return count == 0 ? null : slots[head];
    }

    /** Releases the slot returned by {@link #peek}. Consumer only. */
    public synchronized void pop() {
        slots[head].iface = null;
        head = (head + 1) % capacity;
        if (--count == 0) {
            head = 0; // reuse the same few slots
        }
    }

    public synchronized boolean isEmpty() {
        return count == 0;
    }

    /**
     * Gives back the slots unless a frame came since the last call (or some wait); true when none
     * are held now. Consumer only.
     */
    public synchronized boolean trim() {
        if (usedSinceTrim || count > 0) {
            usedSinceTrim = false;
            return slots == null;
        }
        slots = null;
        return true;
    }

    /** Bytes held by slot buffers now (for statistics and tests). */
    public synchronized long heldBytes() {
        long n = 0;
        if (slots != null) {
            for (Slot s : slots) {
                if (s != null && s.buffer != null) {
                    n += s.buffer.capacity();
                }
            }
        }
        return n;
    }
}
