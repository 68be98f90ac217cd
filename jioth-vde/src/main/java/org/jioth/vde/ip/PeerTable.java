package org.jioth.vde.ip;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.LongSupplier;

/**
 * The learning table of vxvde and vxlan: source MAC → the UDP address it was last seen from.
 * Direct-mapped with {@code size} slots (a colliding MAC replaces the older entry, as a hash of
 * bounded size must); entries older than the expiry time are ignored. Learned by the receive
 * thread, read by any sending thread: each slot holds an immutable entry, replaced whole, and
 * re-learning an unchanged entry only refreshes its time (no allocation in steady state).
 */
public final class PeerTable {
    private static final class Entry {
        final long mac;
        final InetSocketAddress address;
        volatile long seenNanos;

        Entry(long mac, InetSocketAddress address, long seenNanos) {
            this.mac = mac;
            this.address = address;
            this.seenNanos = seenNanos;
        }
    }

    private final AtomicReferenceArray<Entry> slots;
    private final long expireNanos;
    private final LongSupplier nanoClock;

    public PeerTable(int size, long expireNanos, LongSupplier nanoClock) {
        if (size < 1) {
            throw new IllegalArgumentException("table size must be positive: " + size);
        }
        this.slots = new AtomicReferenceArray<>(size);
        this.expireNanos = expireNanos;
        this.nanoClock = nanoClock;
    }

    /** The 48-bit MAC at {@code offset} of {@code buf} as a long (absolute read). */
    public static long macAt(ByteBuffer buf, int offset) {
        return ((buf.getShort(offset) & 0xFFFFL) << 32) | (buf.getInt(offset + 2) & 0xFFFF_FFFFL);
    }

    /** True for multicast and broadcast MACs (the group bit of the first byte). */
    public static boolean isGroup(long mac) {
        return (mac & (1L << 40)) != 0;
    }

    private int slotOf(long mac) {
        long h = mac * 0x9E37_79B9_7F4A_7C15L;
        return (int) Long.remainderUnsigned(h ^ (h >>> 29), slots.length());
    }

    /** Records that {@code mac} was seen from {@code ip:port}. Group MACs are not learned. */
    public void learn(long mac, InetAddress ip, int port) {
        if (isGroup(mac)) {
            return;
        }
        int slot = slotOf(mac);
        long now = nanoClock.getAsLong();
        Entry e = slots.get(slot);
        if (e != null && e.mac == mac && e.address.getPort() == port && e.address.getAddress().equals(ip)) {
            e.seenNanos = now;
            return;
        }
        slots.set(slot, new Entry(mac, new InetSocketAddress(ip, port), now));
    }

    /** Where to send a frame for {@code mac}, or null when unknown or expired. */
    public InetSocketAddress lookup(long mac) {
        Entry e = slots.get(slotOf(mac));
        if (e == null || e.mac != mac || nanoClock.getAsLong() - e.seenNanos > expireNanos) {
            return null;
        }
        return e.address;
    }

    /** Forgets every entry pointing at {@code address} (a vxvde goodbye). Returns how many. */
    public int forget(InetSocketAddress address) {
        int n = 0;
        for (int i = 0; i < slots.length(); i++) {
            Entry e = slots.get(i);
            if (e != null && e.address.equals(address) && slots.compareAndSet(i, e, null)) {
                n++;
            }
        }
        return n;
    }

    public int size() {
        return slots.length();
    }
}
