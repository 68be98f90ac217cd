package org.jioth.slirp;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A bounded table of flows that expire when idle: {@link #get} refreshes an entry, {@link #expire}
 * takes out the ones idle for longer than the timeout. Time is whatever the caller passes (a
 * {@code Clock}'s nanoseconds). Thread-safe.
 *
 * @param <K> the flow key
 * @param <V> the flow
 */
final class NatTable<K, V> {
    private static final class Entry<V> {
        final V value;
        long lastUsed;

        Entry(V value, long lastUsed) {
            this.value = value;
            this.lastUsed = lastUsed;
        }
    }

    private final int capacity;
    private final long idleNanos;
    private final Map<K, Entry<V>> entries = new HashMap<>();

    NatTable(int capacity, long idleNanos) {
        this.capacity = capacity;
        this.idleNanos = idleNanos;
    }

    /** The flow of {@code key}, refreshed, or null. */
    synchronized V get(K key, long now) {
        Entry<V> e = entries.get(key);
        if (e == null) {
            return null;
        }
        e.lastUsed = now;
        return e.value;
    }

    /** Marks the flow of {@code key} used now (a reply came). */
    synchronized void touch(K key, long now) {
        Entry<V> e = entries.get(key);
        if (e != null) {
            e.lastUsed = now;
        }
    }

    /** Adds a flow; false (nothing added) when the table is full or the key is taken. */
    synchronized boolean put(K key, V value, long now) {
        if (entries.size() >= capacity || entries.containsKey(key)) {
            return false;
        }
        entries.put(key, new Entry<>(value, now));
        return true;
    }

    synchronized V remove(K key) {
        Entry<V> e = entries.remove(key);
        return e == null ? null : e.value;
    }

    /** Removes and returns the flows idle since {@code now - timeout} or longer. */
    synchronized List<V> expire(long now) {
        List<V> out = new ArrayList<>();
        for (Iterator<Entry<V>> it = entries.values().iterator(); it.hasNext();) {
            Entry<V> e = it.next();
            if (now - e.lastUsed >= idleNanos) {
                out.add(e.value);
                it.remove();
            }
        }
        return out;
    }

    /** Removes and returns every flow. */
    synchronized List<V> clear() {
        List<V> out = new ArrayList<>();
        entries.values().forEach(e -> out.add(e.value));
        entries.clear();
        return out;
    }

    synchronized int size() {
        return entries.size();
    }
}
