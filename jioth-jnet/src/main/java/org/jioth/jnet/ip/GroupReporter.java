package org.jioth.jnet.ip;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.random.RandomGenerator;
import org.jioth.jnet.loop.Counter;
import org.jioth.jnet.loop.Counters;
import org.jioth.jnet.loop.StackLoop;
import org.jioth.jnet.link.Interfaces;
import org.jioth.jnet.link.NetInterface;
import org.jioth.jnet.time.Timer;

/**
 * The host side shared by MLDv2 (RFC 3810) and IGMPv3 (RFC 3376): joins, leaves and filter
 * changes of {@link GroupMemberships} become State Change Reports (filter-mode change records when
 * the interface's mode changes, source-list change records otherwise), sent at once and once more
 * within {@link #UNSOLICITED_REPORT_NANOS} (robustness 2); queries are answered with Current State
 * Reports after a random delay up to the query's maximum response time. Subclasses write the wire
 * format. Loop-only.
 */
public abstract class GroupReporter {
    public static final int MODE_IS_INCLUDE = 1;
    public static final int MODE_IS_EXCLUDE = 2;
    public static final int CHANGE_TO_INCLUDE = 3;
    public static final int CHANGE_TO_EXCLUDE = 4;
    public static final int ALLOW_NEW_SOURCES = 5;
    public static final int BLOCK_OLD_SOURCES = 6;
    /** RFC 3810 9.11 / RFC 3376 8.11: 1 second. */
    public static final long UNSOLICITED_REPORT_NANOS = 1_000_000_000L;

    /** A group record of a report. */
    public record GroupRecord(int type, SourceFilter.Source group, Set<SourceFilter.Source> sources) { }

    private final class PerInterface {
        final int ifindex;
        /** State-change records still to repeat once. */
        final Map<SourceFilter.Source, List<GroupRecord>> retransmit = new LinkedHashMap<>();
        final Timer retransmitTimer = new Timer(() -> retransmit(this));
        boolean generalPending;
        final Set<SourceFilter.Source> groupsPending = new LinkedHashSet<>();
        final Timer responseTimer = new Timer(() -> respond(this));

        PerInterface(int ifindex) {
            this.ifindex = ifindex;
        }
    }

    protected final StackLoop loop;
    protected final Counters counters;
    private final RandomGenerator random;
    private final Interfaces interfaces;
    private final GroupMemberships memberships = new GroupMemberships();
    private final Map<Integer, PerInterface> state = new HashMap<>();

    private final Counter queriesCounter;

    protected GroupReporter(StackLoop loop, Counters counters, RandomGenerator random, Interfaces interfaces,
                            Counter queries) {
        this.queriesCounter = queries;
        this.loop = loop;
        this.counters = counters;
        this.random = random;
        this.interfaces = interfaces;
    }

    /** The bytes of group records one report out of {@code nic} may carry (the MTU less the headers). */
    protected abstract int recordRoom(NetInterface nic);

    /**
     * Sends one report carrying {@code records} ({@code recordBytes} of them on the wire) out of
     * {@code nic}; the list is reused after the call.
     */
    protected abstract void sendReport(NetInterface nic, List<GroupRecord> records, int recordBytes);

    /** Sends these records out of {@code nic} in as few reports as fit {@link #recordRoom} (at least one record each). */
    private void sendReport(NetInterface nic, List<GroupRecord> records) {
        int room = recordRoom(nic);
        List<GroupRecord> batch = new ArrayList<>();
        int size = 0;
        for (GroupRecord r : records) {
            // type, aux length, source count; the group; the sources
            int n = 4 + addressLength() * (1 + r.sources().size());
            if (size + n > room && !batch.isEmpty()) {
                sendReport(nic, batch, size);
                batch.clear();
                size = 0;
            }
            batch.add(r);
            size += n;
        }
        if (!batch.isEmpty()) {
            sendReport(nic, batch, size);
        }
    }

    /** Whether a group is ever reported (not the all-nodes / all-systems group, not interface-local). */
    protected abstract boolean reportable(byte[] group);

    /** The address length of the family (4 or 16). */
    protected abstract int addressLength();

    public GroupMemberships memberships() {
        return memberships;
    }

    /**
     * Joins {@code group} on {@code nic} with {@code filter}; reports the change. The handle goes to
     * {@link #leave} or {@link #change}. Throws IllegalArgumentException for a non-multicast group,
     * a family mismatch or past the bounds of {@link GroupMemberships}.
     */
    public GroupMemberships.Membership join(NetInterface nic, byte[] group, SourceFilter filter) {
        if (group.length != addressLength() || !isMulticast(group)) {
            throw new IllegalArgumentException("not a multicast group of this family");
        }
        for (SourceFilter.Source s : filter.sources()) {
            if (s.length() != addressLength()) {
                throw new IllegalArgumentException("a source of another family");
            }
        }
        SourceFilter.Source g = SourceFilter.Source.of(group);
        SourceFilter before = memberships.state(nic.index, g);
        GroupMemberships.Membership m = memberships.add(nic.index, group, filter);
        changed(nic, g, before);
        return m;
    }

    /** Leaves a membership (idempotent); reports the change. */
    public void leave(GroupMemberships.Membership m) {
        SourceFilter before = memberships.state(m.ifindex, m.group);
        if (memberships.remove(m)) {
            NetInterface nic = interfaces.byIndex(m.ifindex);
            if (nic != null) {
                changed(nic, m.group, before);
            }
        }
    }

    /** Changes a membership's filter (block/unblock a source, add a source); reports the change. */
    public void change(GroupMemberships.Membership m, SourceFilter filter) {
        GroupMemberships.check(filter);
        SourceFilter before = memberships.state(m.ifindex, m.group);
        m.filter = filter;
        NetInterface nic = interfaces.byIndex(m.ifindex);
        if (nic != null) {
            changed(nic, m.group, before);
        }
    }

    protected abstract boolean isMulticast(byte[] group);

    private void changed(NetInterface nic, SourceFilter.Source group, SourceFilter before) {
        SourceFilter after = memberships.state(nic.index, group);
        if (java.util.Objects.equals(before, after) || !reportable(group.bytes()) || !nic.isUp()) {
            return;
        }
        List<GroupRecord> records = changeRecords(group, before, after);
        if (records.isEmpty()) {
            return;
        }
        sendReport(nic, records);
        PerInterface p = state.computeIfAbsent(nic.index, PerInterface::new);
        p.retransmit.put(group, records); // the latest change replaces an earlier one still to repeat
        if (!p.retransmitTimer.isArmed()) {
            loop.timers().schedule(p.retransmitTimer, loop.now() + random.nextLong(UNSOLICITED_REPORT_NANOS) + 1);
        }
    }

    /** RFC 3810 6.1 / RFC 3376 5.1: filter-mode change, else source-list change records. */
    static List<GroupRecord> changeRecords(SourceFilter.Source group, SourceFilter before, SourceFilter after) {
        SourceFilter b = before == null ? SourceFilter.of(true, Set.of()) : before;
        SourceFilter a = after == null ? SourceFilter.of(true, Set.of()) : after;
        List<GroupRecord> r = new ArrayList<>(2);
        if (b.isInclude() != a.isInclude()) {
            r.add(new GroupRecord(a.isInclude() ? CHANGE_TO_INCLUDE : CHANGE_TO_EXCLUDE, group, a.sources()));
            return r;
        }
        Set<SourceFilter.Source> added = new LinkedHashSet<>(a.sources());
        added.removeAll(b.sources());
        Set<SourceFilter.Source> removed = new LinkedHashSet<>(b.sources());
        removed.removeAll(a.sources());
        Set<SourceFilter.Source> allow = a.isInclude() ? added : removed;
        Set<SourceFilter.Source> block = a.isInclude() ? removed : added;
        if (!allow.isEmpty()) {
            r.add(new GroupRecord(ALLOW_NEW_SOURCES, group, allow));
        }
        if (!block.isEmpty()) {
            r.add(new GroupRecord(BLOCK_OLD_SOURCES, group, block));
        }
        return r;
    }

    private void retransmit(PerInterface p) {
        NetInterface nic = interfaces.byIndex(p.ifindex);
        List<GroupRecord> all = new ArrayList<>();
        p.retransmit.values().forEach(all::addAll);
        p.retransmit.clear();
        if (nic != null && nic.isUp() && !all.isEmpty()) {
            sendReport(nic, all);
        }
    }

    /**
     * A valid query on {@code nic}: general ({@code group} null) or for one group, answered within
     * {@code maxResponseNanos}.
     */
    protected void query(NetInterface nic, byte[] group, long maxResponseNanos) {
        PerInterface p = state.computeIfAbsent(nic.index, PerInterface::new);
        if (group == null) {
            p.generalPending = true;
        } else {
            SourceFilter.Source g = SourceFilter.Source.of(group);
            if (memberships.state(nic.index, g) == null) {
                return;
            }
            p.groupsPending.add(g);
        }
        long at = loop.now() + random.nextLong(Math.max(1, maxResponseNanos));
        if (!p.responseTimer.isArmed() || p.responseTimer.deadline() > at) {
            loop.timers().cancel(p.responseTimer);
            loop.timers().schedule(p.responseTimer, at);
        }
        counters.inc(queriesCounter);
    }

    private void respond(PerInterface p) {
        NetInterface nic = interfaces.byIndex(p.ifindex);
        List<SourceFilter.Source> groups = p.generalPending ? memberships.groups(p.ifindex) : List.copyOf(p.groupsPending);
        p.generalPending = false;
        p.groupsPending.clear();
        if (nic == null || !nic.isUp()) {
            return;
        }
        List<GroupRecord> records = new ArrayList<>();
        for (SourceFilter.Source g : groups) {
            SourceFilter s = memberships.state(p.ifindex, g);
            if (s != null && reportable(g.bytes())) {
                records.add(new GroupRecord(s.isInclude() ? MODE_IS_INCLUDE : MODE_IS_EXCLUDE, g, s.sources()));
            }
        }
        if (!records.isEmpty()) {
            sendReport(nic, records);
        }
    }

    /** The interface state of {@code group} on {@code nic} (null: not a member). */
    public SourceFilter state(NetInterface nic, byte[] group) {
        return memberships.state(nic.index, SourceFilter.Source.of(group));
    }

    /** Whether {@code nic} takes datagrams to {@code group} from {@code source}. */
    public boolean accepts(NetInterface nic, byte[] group, byte[] source) {
        return memberships.accepts(nic.index, SourceFilter.Source.of(group), SourceFilter.Source.of(source));
    }

    /** The interface was deleted: its memberships and pending reports go (no reports: it has no link). */
    public void forget(int ifindex) {
        memberships.clear(ifindex);
        PerInterface p = state.remove(ifindex);
        if (p != null) {
            loop.timers().cancel(p.retransmitTimer);
            loop.timers().cancel(p.responseTimer);
        }
    }

    /** The link came up: every group is reported afresh (as a state change from nothing). */
    public void linkUp(NetInterface nic) {
        List<GroupRecord> all = new ArrayList<>();
        for (SourceFilter.Source g : memberships.groups(nic.index)) {
            if (reportable(g.bytes())) {
                all.addAll(changeRecords(g, null, memberships.state(nic.index, g)));
            }
        }
        if (!all.isEmpty()) {
            sendReport(nic, all);
        }
    }
}
