package org.jioth.jnet.loop;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The counters of one stack. Only the stack loop increments them (plain read, opaque write: no
 * lock, no contention); any thread may read a snapshot.
 */
public final class Counters {
    private static final Counter[] ALL = Counter.values();
    private final AtomicLongArray values = new AtomicLongArray(ALL.length);

    public void inc(Counter c) {
        int i = c.ordinal();
        values.setOpaque(i, values.getPlain(i) + 1);
    }

    /** For the few counters other threads bump (a port finding the receive ring full). */
    public void incShared(Counter c) {
        values.getAndIncrement(c.ordinal());
    }

    public void add(Counter c, long n) {
        int i = c.ordinal();
        values.setOpaque(i, values.getPlain(i) + n);
    }

    public long get(Counter c) {
        return values.getOpaque(c.ordinal());
    }

    /** Every counter by name, in declaration order. */
    public Map<String, Long> snapshot() {
        Map<String, Long> m = new LinkedHashMap<>();
        for (Counter c : ALL) {
            m.put(c.key(), values.getOpaque(c.ordinal()));
        }
        return m;
    }
}
