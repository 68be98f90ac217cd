package org.jioth.jnet.loop;

import java.nio.ByteBuffer;
import java.util.function.LongConsumer;
import java.util.function.LongPredicate;

/**
 * The bounded queue between ports (any thread) and the stack loop (the one consumer). Slots and
 * their buffers are made on first use and reused, so steady-state receive allocates nothing; a
 * full ring drops the frame and says so. A drained ring starts again at its first slot, so it
 * holds only as many buffers as its deepest burst, and {@link #trim} gives those back once the
 * ring has stayed unused: an idle stack holds none. The consumer {@link #peek}s a slot, handles
 * it in place, then {@link #pop}s it; producers never touch slots the consumer holds.
 *
 * <p>The ring starts at {@code initialCapacity} slots and doubles, when a frame finds it full, up
 * to {@code maxCapacity}: a burst the loop cannot drain at once (ten thousand connections echoing
 * together) is held instead of dropped. Each doubling is charged to the memory budget first, at
 * {@link #SLOT_BUFFER} bytes per added slot, and refused (the frame dropped) when the budget says
 * no; the trim that gives the slots back shrinks the ring to its first size and returns the
 * charge. So an idle ring holds nothing and a busy one at most its budgeted maximum.
 */
public final class RxRing {
    /** A slot's first buffer; what one added slot is charged. */
    public static final int SLOT_BUFFER = 2048;

    /** One queued frame: {@code buffer} positions 0..length, from {@code iface}. */
    public static final class Slot {
        /** What the frame came from (the stack's interface): the ring and the loop only carry it. */
        public Object iface;
        public ByteBuffer buffer;
        public int length;
        /** True for a loopback IP datagram (no Ethernet header). */
        public boolean ipOnly;
    }

    private final int initialCapacity;
    private final int maxCapacity;
    private LongPredicate charge = bytes -> true;
    private LongConsumer release = bytes -> { };
    private int capacity;
    private Slot[] slots;
    private int head;
    private int count;
    private boolean usedSinceTrim;
    private long growths;

    /** A ring of a fixed {@code capacity}. */
    public RxRing(int capacity) {
        this(capacity, capacity);
    }

    /** A ring of {@code initialCapacity} slots that may double up to {@code maxCapacity}. */
    public RxRing(int initialCapacity, int maxCapacity) {
        if (initialCapacity < 1 || maxCapacity < initialCapacity) {
            throw new IllegalArgumentException("ring capacity " + initialCapacity + ".." + maxCapacity);
        }
        this.initialCapacity = initialCapacity;
        this.maxCapacity = maxCapacity;
        this.capacity = initialCapacity;
    }

    /**
     * Where growth is charged ({@code charge} answers false to refuse) and given back; before
     * frames flow.
     */
    public synchronized void setBudget(LongPredicate charge, LongConsumer release) {
        this.charge = charge;
        this.release = release;
    }

    /** Copies {@code len} bytes of {@code src} from {@code off}; false when the ring is full. */
    public boolean offer(Object iface, ByteBuffer src, int off, int len, boolean ipOnly) {
        synchronized (this) {
            if (count == capacity && !grow()) {
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

    /** Doubles a full ring (oldest frame first at slot 0) if the maximum and the budget allow. */
    private boolean grow() {
        int bigger = (int) Math.min((long) capacity * 2, maxCapacity);
        if (bigger == capacity) {
            return false;
        }
        long bytes = (long) (bigger - capacity) * SLOT_BUFFER;
        if (!charge.test(bytes)) {
            return false;
        }
        growths++;
        Slot[] grown = new Slot[bigger];
        // the frames held first, oldest at 0; the free slots after them keep their buffers for reuse
        for (int k = 0; k < capacity; k++) {
            grown[k] = slots[(head + k) % capacity];
        }
        slots = grown;
        head = 0;
        capacity = bigger;
        return true;
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
     * are held now. A ring that grew shrinks to its first size and returns its charge. Consumer only.
     */
    public synchronized boolean trim() {
        if (usedSinceTrim || count > 0) {
            usedSinceTrim = false;
            return slots == null;
        }
        long charged = (long) (capacity - initialCapacity) * SLOT_BUFFER; // what the doublings took
        slots = null;
        head = 0;
        capacity = initialCapacity;
        if (charged > 0) {
            release.accept(charged);
        }
        return true;
    }

    /** Slots the ring may hold now (it grows up to its maximum under bursts). */
    public synchronized int capacity() {
        return capacity;
    }

    /** Times the ring doubled (for statistics and tests). */
    public synchronized long growths() {
        return growths;
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
