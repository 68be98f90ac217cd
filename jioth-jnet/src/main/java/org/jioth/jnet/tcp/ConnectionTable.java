package org.jioth.jnet.tcp;

import java.util.ArrayList;
import java.util.List;

/**
 * Connections by 4-tuple without allocating per lookup: open addressing with linear probing over
 * parallel arrays (addresses in one long, ports in one int), grown at half load, deletions by
 * backward shift so probe chains stay intact. Loop-only.
 */
final class ConnectionTable {
    private long[] addrs = new long[64];
    private int[] ports = new int[64];
    private TcpSocket[] values = new TcpSocket[64];
    private int size;

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
        int mask = values.length - 1;
        for (int i = hash(a, p) & mask; values[i] != null; i = (i + 1) & mask) {
            if (addrs[i] == a && ports[i] == p) {
                return values[i];
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
        int mask = values.length - 1;
        int i = hash(a, p) & mask;
        for (; values[i] != null; i = (i + 1) & mask) {
            if (addrs[i] == a && ports[i] == p) {
                TcpSocket old = values[i];
                values[i] = s;
                return old;
            }
        }
        addrs[i] = a;
        ports[i] = p;
        values[i] = s;
        size++;
        return null;
    }

    TcpSocket remove(int laddr, int lport, int raddr, int rport) {
        long a = addrKey(laddr, raddr);
        int p = portKey(lport, rport);
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
            int home = hash(addrs[j], ports[j]) & mask;
            boolean movable = hole <= j ? home <= hole || home > j : home <= hole && home > j;
            if (movable) {
                addrs[hole] = addrs[j];
                ports[hole] = ports[j];
                values[hole] = values[j];
                values[j] = null;
                hole = j;
            }
        }
        return old;
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
        TcpSocket[] ov = values;
        addrs = new long[oa.length * 2];
        ports = new int[op.length * 2];
        values = new TcpSocket[ov.length * 2];
        size = 0;
        for (int i = 0; i < ov.length; i++) {
            if (ov[i] != null) {
                put((int) (oa[i] >>> 32), op[i] >>> 16, (int) oa[i], op[i] & 0xffff, ov[i]);
            }
        }
    }

    private static int hash(long a, int p) {
        long h = a * 0x9E3779B97F4A7C15L ^ (p * 0xC2B2AE3D27D4EB4FL);
        h ^= h >>> 29;
        return (int) (h ^ h >>> 32);
    }
}
