package org.jioth.jnet.ip;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The multicast memberships of the sockets on each interface and the interface state they merge
 * into (RFC 3376 3.2, RFC 3810 4.2): EXCLUDE when any socket excludes (the sources every excluding
 * socket excludes, less those some socket includes), else INCLUDE the union. Family-agnostic:
 * {@link Mld6} and {@link Igmp3} put the wire protocols on top. Bounded: at most
 * {@link #MAX_SOURCES} sources per filter and {@link #MAX_GROUPS} groups per interface. Loop-only.
 */
public final class GroupMemberships {
    public static final int MAX_SOURCES = 64;
    public static final int MAX_GROUPS = 1024;

    /** One socket's (or the stack's own) membership: the handle {@code leave} takes. */
    public static final class Membership {
        final int ifindex;
        final SourceFilter.Source group;
        SourceFilter filter;

        Membership(int ifindex, SourceFilter.Source group, SourceFilter filter) {
            this.ifindex = ifindex;
            this.group = group;
            this.filter = filter;
        }

        public int ifindex() {
            return ifindex;
        }

        public byte[] group() {
            return group.bytes();
        }

        public SourceFilter filter() {
            return filter;
        }
    }

    private record Key(int ifindex, SourceFilter.Source group) { }

    private final Map<Key, List<Membership>> members = new HashMap<>();
    private final Map<Integer, Integer> groupsPerInterface = new HashMap<>();

    /** Adds a membership; throws IllegalArgumentException past the bounds. Returns it. */
    Membership add(int ifindex, byte[] group, SourceFilter filter) {
        check(filter);
        Key k = new Key(ifindex, SourceFilter.Source.of(group));
        List<Membership> l = members.get(k);
        if (l == null) {
            if (groupsPerInterface.getOrDefault(ifindex, 0) >= MAX_GROUPS) {
                throw new IllegalArgumentException("more than " + MAX_GROUPS + " groups on interface " + ifindex);
            }
            l = new ArrayList<>(1);
            members.put(k, l);
            groupsPerInterface.merge(ifindex, 1, Integer::sum);
        }
        Membership m = new Membership(ifindex, k.group(), filter);
        l.add(m);
        return m;
    }

    static void check(SourceFilter f) {
        if (f.sources().size() > MAX_SOURCES) {
            throw new IllegalArgumentException("more than " + MAX_SOURCES + " sources in a filter");
        }
    }

    /** Removes a membership; false when it was gone already. */
    boolean remove(Membership m) {
        Key k = new Key(m.ifindex, m.group);
        List<Membership> l = members.get(k);
        if (l == null || !l.remove(m)) {
            return false;
        }
        if (l.isEmpty()) {
            members.remove(k);
            groupsPerInterface.merge(m.ifindex, -1, Integer::sum);
        }
        return true;
    }

    /** The interface state of {@code group} on {@code ifindex}, or null when no one is a member. */
    public SourceFilter state(int ifindex, SourceFilter.Source group) {
        List<Membership> l = members.get(new Key(ifindex, group));
        if (l == null) {
            return null;
        }
        Set<SourceFilter.Source> excluded = null;
        Set<SourceFilter.Source> included = new LinkedHashSet<>();
        for (Membership m : l) {
            if (m.filter.isInclude()) {
                included.addAll(m.filter.sources());
            } else if (excluded == null) {
                excluded = new LinkedHashSet<>(m.filter.sources());
            } else {
                excluded.retainAll(m.filter.sources());
            }
        }
        if (excluded != null) {
            excluded.removeAll(included);
            return SourceFilter.of(false, excluded);
        }
        return SourceFilter.of(true, included);
    }

    /** The groups with members on {@code ifindex}. */
    public List<SourceFilter.Source> groups(int ifindex) {
        List<SourceFilter.Source> g = new ArrayList<>();
        for (Key k : members.keySet()) {
            if (k.ifindex() == ifindex) {
                g.add(k.group());
            }
        }
        return g;
    }

    /** Whether the interface takes a datagram to {@code group} from {@code source}. */
    public boolean accepts(int ifindex, SourceFilter.Source group, SourceFilter.Source source) {
        SourceFilter s = state(ifindex, group);
        return s != null && s.accepts(source);
    }

    /** Forgets an interface's memberships (it was deleted). */
    void clear(int ifindex) {
        members.keySet().removeIf(k -> k.ifindex() == ifindex);
        groupsPerInterface.remove(ifindex);
    }
}
