package org.jioth.jnet.ip;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * A socket's source filter for a multicast group (RFC 3376 and RFC 3810, the socket interface of
 * RFC 3678): INCLUDE a set of sources (source-specific join) or EXCLUDE a set (an any-source join
 * is EXCLUDE of none). Addresses are 4 or 16 bytes, as the group's family. Immutable.
 */
public final class SourceFilter {
    /** A source address as a value (hashable, comparable by content). */
    public record Source(long hi, long lo, int length) {
        public static Source of(byte[] a) {
            ByteBuffer b = ByteBuffer.wrap(a.length == 16 ? a : java.util.Arrays.copyOf(a, 16));
            return new Source(b.getLong(0), b.getLong(8), a.length);
        }

        public byte[] bytes() {
            byte[] a = ByteBuffer.allocate(16).putLong(hi).putLong(lo).array();
            return length == 16 ? a : java.util.Arrays.copyOf(a, length);
        }
    }

    private static final SourceFilter ANY = new SourceFilter(false, Set.of());
    private final boolean include;
    private final Set<Source> sources;

    private SourceFilter(boolean include, Set<Source> sources) {
        this.include = include;
        this.sources = Collections.unmodifiableSet(sources);
    }

    /** Any source: {@code DatagramChannel.join(group, interf)}. */
    public static SourceFilter any() {
        return ANY;
    }

    /** Only these sources: {@code join(group, interf, source)}, one call per source merged by the caller. */
    public static SourceFilter include(InetAddress... sources) {
        return of(true, sources);
    }

    /** Every source but these: {@code MembershipKey.block}. */
    public static SourceFilter exclude(InetAddress... sources) {
        return of(false, sources);
    }

    public static SourceFilter of(boolean include, InetAddress... sources) {
        Set<Source> s = new LinkedHashSet<>();
        for (InetAddress a : sources) {
            s.add(Source.of(a.getAddress()));
        }
        return new SourceFilter(include, s);
    }

    static SourceFilter of(boolean include, Set<Source> sources) {
        return new SourceFilter(include, new LinkedHashSet<>(sources));
    }

    public boolean isInclude() {
        return include;
    }

    public Set<Source> sources() {
        return sources;
    }

    /** Whether a datagram from {@code source} passes. */
    public boolean accepts(Source source) {
        return include == sources.contains(source);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SourceFilter f && f.include == include && f.sources.equals(sources);
    }

    @Override
    public int hashCode() {
        return Boolean.hashCode(include) * 31 + sources.hashCode();
    }

    @Override
    public String toString() {
        return (include ? "INCLUDE" : "EXCLUDE") + sources.size();
    }
}
