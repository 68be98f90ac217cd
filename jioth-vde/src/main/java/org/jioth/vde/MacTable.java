package org.jioth.vde;

/**
 * The learning table of a switch: (MAC, VLAN) to port, with expiry. Open addressing over fixed
 * arrays, so learning and lookup never allocate: a key lives in one of {@value #WINDOW} slots after
 * its hash; when all are taken by live entries the oldest is overwritten (the C table is direct
 * mapped, so it forgets even sooner; a miss only means a flood). Used by one thread at a time (the
 * node's drainer).
 */
final class MacTable {
    static final int WINDOW = 8;

    private final long[] keys;
    private final long[] lastSeen;
    private final NodePort[] ports;
    private final int mask;
    private final int shift;
    private final long seed;
    private final long expireNanos;

    MacTable(int hashSize, long seed, long expireNanos) {
        int size = Integer.highestOneBit(Math.max(16, hashSize) - 1) << 1; // round up to a power of two
        keys = new long[size];
        lastSeen = new long[size];
        ports = new NodePort[size];
        mask = size - 1;
        shift = 64 - Integer.numberOfTrailingZeros(size);
        this.seed = seed;
        this.expireNanos = expireNanos;
    }

    /** The key of a 6-byte MAC (as the low 48 bits) on a VLAN. */
    static long key(long mac48, int vlan) {
        return mac48 | (long) vlan << 48;
    }

    private int home(long key) {
        return (int) (((key ^ seed) * 0x9E3779B97F4A7C15L) >>> shift);
    }

    private boolean live(int i, long now) {
        NodePort p = ports[i];
        return p != null && p.isOpen() && now - lastSeen[i] <= expireNanos;
    }

    /** Records that {@code key} was seen on {@code port} at {@code now}. */
    void learn(long key, NodePort port, long now) {
        int h = home(key);
        int victim = -1;
        for (int n = 0; n < WINDOW; n++) {
            int i = (h + n) & mask;
            if (ports[i] != null && keys[i] == key) {
                ports[i] = port;
                lastSeen[i] = now;
                return;
            }
            if (victim < 0 && !live(i, now)) {
                victim = i;
            }
        }
        if (victim < 0) { // all live: forget the oldest
            victim = h & mask;
            for (int n = 1; n < WINDOW; n++) {
                int i = (h + n) & mask;
                if (lastSeen[i] - lastSeen[victim] < 0) {
                    victim = i;
                }
            }
        }
        keys[victim] = key;
        ports[victim] = port;
        lastSeen[victim] = now;
    }

    /** Drops every entry of {@code port} (closed), so the table does not keep it and what it delivers to alive. */
    void forget(NodePort port) {
        for (int i = 0; i < ports.length; i++) {
            if (ports[i] == port) {
                ports[i] = null;
            }
        }
    }

    /** How many entries refer to {@code port}, live or not (tests check that closed ports are forgotten). */
    int entriesOf(NodePort port) {
        int n = 0;
        for (NodePort p : ports) {
            if (p == port) {
                n++;
            }
        }
        return n;
    }

    /** The live port of {@code key}, or null. */
    NodePort lookup(long key, long now) {
        int h = home(key);
        for (int n = 0; n < WINDOW; n++) {
            int i = (h + n) & mask;
            if (ports[i] != null && keys[i] == key) {
                return live(i, now) ? ports[i] : null;
            }
        }
        return null;
    }
}
