package org.jioth.jnet.ip;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jioth.jnet.loop.StackLoop;
import org.jioth.jnet.wire.Ip128;

/**
 * Path MTUs learnt from Packet Too Big messages (RFC 8201), per destination. An estimate only
 * goes down from a message, never below {@link #MIN_MTU} (RFC 8200's minimum link MTU: no atomic
 * fragments, RFC 8021), and is forgotten {@link #EXPIRY_NANOS} after it was learnt (RFC 8201 5.3,
 * Linux's mtu_expires), so the path is probed again at the link MTU. At most {@link #MAX_ENTRIES}
 * destinations: the least recently learnt is dropped first (a forged flood of messages costs
 * bounded memory and at worst a path that fragments at 1280). Expiry is checked on lookup, so no
 * timer runs. Loop-only.
 */
public final class PathMtuCache {
    public static final int MIN_MTU = 1280;
    public static final long EXPIRY_NANOS = 600_000_000_000L;
    public static final int MAX_ENTRIES = 1024;

    private record Key(long hi, long lo) {
        static Key of(byte[] a) {
            return new Key(Ip128.hi(a), Ip128.lo(a));
        }
    }

    private record Entry(int mtu, long expires) { }

    private final StackLoop loop;
    private final Map<Key, Entry> entries = new LinkedHashMap<>();

    public PathMtuCache(StackLoop loop) {
        this.loop = loop;
    }

    /** The path MTU to {@code destination}: the learnt one when below {@code linkMtu}, else {@code linkMtu}. */
    public int get(byte[] destination, int linkMtu) {
        if (entries.isEmpty()) {
            return linkMtu;
        }
        Key k = Key.of(destination);
        Entry e = entries.get(k);
        if (e == null) {
            return linkMtu;
        }
        if (loop.now() - e.expires() >= 0) {
            entries.remove(k);
            return linkMtu;
        }
        return Math.min(e.mtu(), linkMtu);
    }

    /**
     * A validated Packet Too Big for {@code destination} reporting {@code mtu}, the path's current
     * estimate being {@code current}. Returns the new estimate (at least {@link #MIN_MTU}); the cache
     * only changes when it is lower than {@code current}.
     */
    public int learn(byte[] destination, int mtu, int current) {
        int m = Math.max(MIN_MTU, mtu);
        if (m >= current) {
            return current;
        }
        Key k = Key.of(destination);
        entries.remove(k);
        if (entries.size() >= MAX_ENTRIES) {
            Iterator<Key> it = entries.keySet().iterator();
            it.next();
            it.remove();
        }
        entries.put(k, new Entry(m, loop.now() + EXPIRY_NANOS));
        return m;
    }

    public int size() {
        return entries.size();
    }
}
