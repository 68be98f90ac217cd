package org.jioth.jnet.link;

import java.nio.ByteBuffer;

/**
 * The bounded queue between ports (any thread) and the stack loop (the one consumer). Slots and
 * their buffers are reused, so steady-state receive allocates nothing; a full ring drops the frame
 * and says so. The consumer {@link #peek}s a slot, handles it in place, then {@link #pop}s it;
 * producers never touch slots the consumer holds.
 */
public final class RxRing {
    /** One queued frame: {@code buffer} positions 0..length, from {@code iface}. */
    public static final class Slot {
        public NetInterface iface;
        public ByteBuffer buffer = ByteBuffer.allocate(2048);
        public int length;
        /** True for a loopback IP datagram (no Ethernet header). */
        public boolean ipOnly;
    }

    private final Slot[] slots;
    private int head;
    private int count;

    public RxRing(int capacity) {
        slots = new Slot[capacity];
        for (int i = 0; i < capacity; i++) {
            slots[i] = new Slot();
        }
    }

    /** Copies {@code len} bytes of {@code src} from {@code off}; false when the ring is full. */
    public boolean offer(NetInterface iface, ByteBuffer src, int off, int len, boolean ipOnly) {
        synchronized (this) {
            if (count == slots.length) {
                return false;
            }
            Slot s = slots[(head + count) % slots.length];
            if (s.buffer.capacity() < len) {
                s.buffer = ByteBuffer.allocate(Math.max(len, 2 * s.buffer.capacity()));
            }
            s.buffer.clear();
            s.buffer.put(0, src, off, len);
            s.length = len;
            s.iface = iface;
            s.ipOnly = ipOnly;
            count++;
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
        head = (head + 1) % slots.length;
        count--;
    }

    public synchronized boolean isEmpty() {
        return count == 0;
    }
}
