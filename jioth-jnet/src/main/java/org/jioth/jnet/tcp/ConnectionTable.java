package org.jioth.jnet.tcp;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Connections by 4-tuple without allocating per lookup: open addressing with linear probing over
 * parallel arrays (addresses in one long, ports in one int), grown at half load, deletions by
 * backward shift so probe chains stay intact. Loop-only.
 *
 * <p>The slot comes from SipHash under a secret key: with a known hash a peer choosing its
 * source addresses and ports could put every connection in one probe chain and make each
 * lookup walk all of them. Each slot keeps its hash, so growing and backward shifts do not
 * recompute it, and the last tuple looked up is cached: a burst of segments of one connection
 * (the common case) hashes once.
 */
final class ConnectionTable {
    private final SipHash key;
    private long[] addrs = new long[64];
    private int[] ports = new int[64];
    private int[] hashes = new int[64];
    private TcpSocket[] values = new TcpSocket[64];
    private int size;
    /** The last hit of {@link #get}; null when invalidated by a removal. */
    private TcpSocket lastValue;
    private long lastAddrs;
    private int lastPorts;

    ConnectionTable() {
        this(new SecureRandom());
    }

    ConnectionTable(RandomGenerator secrets) {
        this.key = new SipHash(secrets.nextLong(), secrets.nextLong());
    }

    static long addrKey(int laddr, int raddr) {
        return (long) laddr << 32 | (raddr & 0xffffffffL);
    }

    static int portKey(int lport, int rport) {
        return lport << 16 | (rport & 0xffff);
    }

    int size() {
        return size;
    }

    TcpSocket get(int laddr, int lport, int raddr, int rport) {
        long a = addrKey(laddr, raddr);
        int p = portKey(lport, rport);
        TcpSocket last = lastValue;
        if (last != null && lastAddrs == a && lastPorts == p) {
            return last;
        }
        int mask = values.length - 1;
        for (int i = hash(a, p) & mask; values[i] != null; i = (i + 1) & mask) {
            if (addrs[i] == a && ports[i] == p) {
                lastAddrs = a;
                lastPorts = p;
                return lastValue = values[i];
            }
        }
        return null;
    }

    /** Adds or replaces; returns the previous value. */
    TcpSocket put(int laddr, int lport, int raddr, int rport, TcpSocket s) {
        if (2 * (size + 1) > values.length) {
            grow();
        }
        long a = addrKey(laddr, raddr);
        int p = portKey(lport, rport);
        lastValue = null;
        int h = hash(a, p);
        int mask = values.length - 1;
        int i = h & mask;
        for (; values[i] != null; i = (i + 1) & mask) {
            if (addrs[i] == a && ports[i] == p) {
                TcpSocket old = values[i];
                values[i] = s;
                return old;
            }
        }
        insert(i, a, p, h, s);
        return null;
    }

    private void insert(int i, long a, int p, int h, TcpSocket s) {
        addrs[i] = a;
        ports[i] = p;
        hashes[i] = h;
        values[i] = s;
        size++;
    }

    TcpSocket remove(int laddr, int lport, int raddr, int rport) {
        long a = addrKey(laddr, raddr);
        int p = portKey(lport, rport);
        lastValue = null;
        int mask = values.length - 1;
        int i = hash(a, p) & mask;
        while (values[i] != null && !(addrs[i] == a && ports[i] == p)) {
            i = (i + 1) & mask;
        }
        if (values[i] == null) {
            return null;
        }
        TcpSocket old = values[i];
        values[i] = null;
        size--;
        // backward-shift the rest of the cluster into the hole
        int hole = i;
        for (int j = (i + 1) & mask; values[j] != null; j = (j + 1) & mask) {
            int home = hashes[j] & mask;
            boolean movable = hole <= j ? home <= hole || home > j : home <= hole && home > j;
            if (movable) {
                addrs[hole] = addrs[j];
                ports[hole] = ports[j];
                hashes[hole] = hashes[j];
                values[hole] = values[j];
                values[j] = null;
                hole = j;
            }
        }
        return old;
    }

    /** Slots a lookup of this tuple visits (1 when at its home slot), for tests of the hash. */
    int probes(int laddr, int lport, int raddr, int rport) {
        long a = addrKey(laddr, raddr);
        int p = portKey(lport, rport);
        int mask = values.length - 1;
        int n = 1;
        for (int i = hash(a, p) & mask; values[i] != null && !(addrs[i] == a && ports[i] == p); i = (i + 1) & mask) {
            n++;
        }
        return n;
    }

    boolean containsKey(int laddr, int lport, int raddr, int rport) {
        return get(laddr, lport, raddr, rport) != null;
    }

    List<TcpSocket> values() {
        List<TcpSocket> l = new ArrayList<>(size);
        for (TcpSocket s : values) {
            if (s != null) {
                l.add(s);
            }
        }
        return l;
    }

    private void grow() {
        long[] oa = addrs;
        int[] op = ports;
        int[] oh = hashes;
        TcpSocket[] ov = values;
        addrs = new long[oa.length * 2];
        ports = new int[op.length * 2];
        hashes = new int[oh.length * 2];
        values = new TcpSocket[ov.length * 2];
        size = 0;
        int mask = values.length - 1;
        for (int i = 0; i < ov.length; i++) {
            if (ov[i] != null) {
                int j = oh[i] & mask;
                while (values[j] != null) {
                    j = (j + 1) & mask;
                }
                insert(j, oa[i], op[i], oh[i], ov[i]);
            }
        }
    }

    private int hash(long a, int p) {
        return (int) key.hash(a, p);
    }
}
