package org.jioth.jnet.tcp;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;
import org.jioth.jnet.ip.SipHash;

/**
 * Connections by 4-tuple of either family ({@link FourTuple}) without allocating per lookup: open
 * addressing with linear probing over parallel arrays (the four address halves side by side in one
 * long array, ports in one int), grown at half load, deletions by backward shift so probe chains
 * stay intact. Loop-only.
 *
 * <p>The slot comes from SipHash under a secret key: with a known hash a peer choosing its
 * source addresses and ports could put every connection in one probe chain and make each
 * lookup walk all of them. IPv4 tuples hash two words (addresses packed in one); IPv6 ones have
 * their four address halves compressed by the same keyed hash first. Each slot keeps its hash, so
 * growing and backward shifts do not recompute it, and the last tuple looked up is cached: a burst
 * of segments of one connection (the common case) hashes once.
 *
 * <p>An entry is a {@link TcpSocket} or, for a connection in TIME_WAIT, its compact
 * {@link TimeWaitRecord}: {@link #get} and {@link #values} see sockets only, {@link #entry} both.
 */
final class ConnectionTable {
    private final SipHash key;
    /** Four longs per slot: local hi, local lo, remote hi, remote lo. */
    private long[] addrs = new long[4 * 64];
    private int[] ports = new int[64];
    private int[] hashes = new int[64];
    private FourTuple[] values = new FourTuple[64];
    private int size;
    /** The last hit of {@link #get}; null when invalidated by a removal. */
    private FourTuple lastValue;
    private long lastLocalHi;
    private long lastLocalLo;
    private long lastRemoteHi;
    private long lastRemoteLo;
    private int lastPorts;
    /** For the IPv4 conveniences (loop-only, like the table). */
    private final FourTuple scratch = new FourTuple();

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

    private boolean at(int i, FourTuple t, int p) {
        int k = 4 * i;
        return ports[i] == p && addrs[k + 1] == t.localLo && addrs[k + 3] == t.remoteLo
                && addrs[k] == t.localHi && addrs[k + 2] == t.remoteHi;
    }

    /** The socket of the tuple, or null (none, or its connection is a {@link TimeWaitRecord}). */
    TcpSocket get(FourTuple t) {
        return entry(t) instanceof TcpSocket s ? s : null;
    }

    /** The socket or TIME_WAIT record of the tuple, or null. */
    FourTuple entry(FourTuple t) {
        int p = t.portWord();
        FourTuple last = lastValue;
        if (last != null && lastPorts == p && lastLocalLo == t.localLo && lastRemoteLo == t.remoteLo
                && lastLocalHi == t.localHi && lastRemoteHi == t.remoteHi) {
            return last;
        }
        int mask = values.length - 1;
        for (int i = hash(t, p) & mask; values[i] != null; i = (i + 1) & mask) {
            if (at(i, t, p)) {
                lastLocalHi = t.localHi;
                lastLocalLo = t.localLo;
                lastRemoteHi = t.remoteHi;
                lastRemoteLo = t.remoteLo;
                lastPorts = p;
                return lastValue = values[i];
            }
        }
        return null;
    }

    /** Adds or replaces; returns the previous socket. */
    TcpSocket put(FourTuple t, TcpSocket s) {
        return putEntry(t, s) instanceof TcpSocket old ? old : null;
    }

    /** Adds or replaces a socket or TIME_WAIT record; returns the previous entry. */
    FourTuple putEntry(FourTuple t, FourTuple s) {
        if (2 * (size + 1) > values.length) {
            grow();
        }
        int p = t.portWord();
        lastValue = null;
        int h = hash(t, p);
        int mask = values.length - 1;
        int i = h & mask;
        for (; values[i] != null; i = (i + 1) & mask) {
            if (at(i, t, p)) {
                FourTuple old = values[i];
                values[i] = s;
                return old;
            }
        }
        insert(i, t.localHi, t.localLo, t.remoteHi, t.remoteLo, p, h, s);
        return null;
    }

    private void insert(int i, long lhi, long llo, long rhi, long rlo, int p, int h, FourTuple s) {
        int k = 4 * i;
        addrs[k] = lhi;
        addrs[k + 1] = llo;
        addrs[k + 2] = rhi;
        addrs[k + 3] = rlo;
        ports[i] = p;
        hashes[i] = h;
        values[i] = s;
        size++;
    }

    TcpSocket remove(FourTuple t) {
        return removeEntry(t) instanceof TcpSocket old ? old : null;
    }

    /** Removes the tuple's socket or record; returns it. */
    FourTuple removeEntry(FourTuple t) {
        int p = t.portWord();
        lastValue = null;
        int mask = values.length - 1;
        int i = hash(t, p) & mask;
        while (values[i] != null && !at(i, t, p)) {
            i = (i + 1) & mask;
        }
        if (values[i] == null) {
            return null;
        }
        FourTuple old = values[i];
        values[i] = null;
        size--;
        // backward-shift the rest of the cluster into the hole
        int hole = i;
        for (int j = (i + 1) & mask; values[j] != null; j = (j + 1) & mask) {
            int home = hashes[j] & mask;
            boolean movable = hole <= j ? home <= hole || home > j : home <= hole && home > j;
            if (movable) {
                System.arraycopy(addrs, 4 * j, addrs, 4 * hole, 4);
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
    int probes(FourTuple t) {
        int p = t.portWord();
        int mask = values.length - 1;
        int n = 1;
        for (int i = hash(t, p) & mask; values[i] != null && !at(i, t, p); i = (i + 1) & mask) {
            n++;
        }
        return n;
    }

    /** Whether the tuple is taken (by a socket or a TIME_WAIT record). */
    boolean containsKey(FourTuple t) {
        return entry(t) != null;
    }

    // IPv4 conveniences (tests)

    TcpSocket get(int laddr, int lport, int raddr, int rport) {
        return get(scratch.set4(laddr, lport, raddr, rport));
    }

    TcpSocket put(int laddr, int lport, int raddr, int rport, TcpSocket s) {
        return put(scratch.set4(laddr, lport, raddr, rport), s);
    }

    TcpSocket remove(int laddr, int lport, int raddr, int rport) {
        return remove(scratch.set4(laddr, lport, raddr, rport));
    }

    int probes(int laddr, int lport, int raddr, int rport) {
        return probes(scratch.set4(laddr, lport, raddr, rport));
    }

    boolean containsKey(int laddr, int lport, int raddr, int rport) {
        return containsKey(scratch.set4(laddr, lport, raddr, rport));
    }

    /** The sockets (TIME_WAIT records left out). */
    List<TcpSocket> values() {
        List<TcpSocket> l = new ArrayList<>(size);
        for (FourTuple e : values) {
            if (e instanceof TcpSocket s) {
                l.add(s);
            }
        }
        return l;
    }

    private void grow() {
        long[] oa = addrs;
        int[] op = ports;
        int[] oh = hashes;
        FourTuple[] ov = values;
        addrs = new long[oa.length * 2];
        ports = new int[op.length * 2];
        hashes = new int[oh.length * 2];
        values = new FourTuple[ov.length * 2];
        size = 0;
        int mask = values.length - 1;
        for (int i = 0; i < ov.length; i++) {
            if (ov[i] != null) {
                int j = oh[i] & mask;
                while (values[j] != null) {
                    j = (j + 1) & mask;
                }
                int k = 4 * i;
                insert(j, oa[k], oa[k + 1], oa[k + 2], oa[k + 3], op[i], oh[i], ov[i]);
            }
        }
    }

    private int hash(FourTuple t, int p) {
        return (int) key.hash(t.addressWord(key), p);
    }
}
