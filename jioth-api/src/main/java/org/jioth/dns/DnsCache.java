package org.jioth.dns;

import java.net.InetAddress;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Answers by (name, type), kept for their TTL (capped) in a bounded LRU map. An empty address list
 * is a negative answer (RFC 2308), kept for the SOA-derived TTL.
 */
final class DnsCache {
    static final long MAX_TTL_SECONDS = 86_400;
    static final long MAX_NEGATIVE_TTL_SECONDS = 3_600;

    record Cached(List<InetAddress> addresses, boolean noSuchName, long expiresMillis) {
    }

    private record Key(String name, int type) {
    }

    private final InstantSource clock;
    private final Map<Key, Cached> map;

    DnsCache(int capacity, InstantSource clock) {
        this.clock = clock;
        this.map = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, Cached> eldest) {
                return size() > capacity;
            }
        };
    }

    synchronized Cached get(String name, int type) {
        Key k = new Key(name, type);
        Cached e = map.get(k);
        if (e != null && e.expiresMillis() <= clock.millis()) {
            map.remove(k);
            return null;
        }
        return e;
    }

    synchronized void put(String name, int type, List<InetAddress> addresses, boolean noSuchName, long ttlSeconds) {
        long cap = addresses.isEmpty() ? MAX_NEGATIVE_TTL_SECONDS : MAX_TTL_SECONDS;
        long ttl = Math.min(ttlSeconds, cap);
        if (ttl <= 0) {
            return;
        }
        map.put(new Key(name, type), new Cached(List.copyOf(addresses), noSuchName, clock.millis() + ttl * 1000));
    }

    synchronized int size() {
        return map.size();
    }

    synchronized void clear() {
        map.clear();
    }
}
