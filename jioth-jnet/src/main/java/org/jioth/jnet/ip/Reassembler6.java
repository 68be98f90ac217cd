package org.jioth.jnet.ip;

import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jioth.jnet.loop.Counter;
import org.jioth.jnet.loop.Counters;
import org.jioth.jnet.loop.StackLoop;
import org.jioth.jnet.mem.Scratch;
import org.jioth.jnet.time.Timer;
import org.jioth.jnet.wire.Ipv6;

/**
 * IPv6 reassembly (RFC 8200 4.5), keyed by source, destination and identification. Bounded by
 * bytes like the IPv4 {@link Reassembler}: at most {@link #MEMORY_LIMIT} bytes in progress (a
 * datagram is charged its data buffer, its first fragment and {@link #OVERHEAD}); a datagram that
 * needs more evicts the oldest others ({@code Ip6.ReasmEvicted}) so stray fragments cannot stop
 * reassembly. Each datagram has {@link #TIMEOUT_NANOS} to complete; one whose first fragment
 * arrived is reported to {@link Expired} (ICMPv6 time exceeded, code 1). A fragment overlapping
 * received data discards the whole datagram and the fragments of it still to come (RFC 5722): the
 * entry stays as a tombstone, charged {@link #OVERHEAD} only, until its timeout. Exact duplicates
 * are ignored. The caller checks the fragment's own sizes (RFC 8200 parameter problems) first.
 * What {@link #memory()} counts is charged to the stack's memory budget too, as IPv4's is: a
 * charge the budget refuses drops the datagram ({@code Mem.ReasmDrops}). Loop-only.
 */
public final class Reassembler6 {
    /** RFC 8200 4.5: 60 seconds. */
    public static final long TIMEOUT_NANOS = 60_000_000_000L;
    /** Linux's ip6frag_high_thresh default. */
    public static final int MEMORY_LIMIT = 4 * 1024 * 1024;
    static final int OVERHEAD = 256;
    private static final int FIRST_BUFFER = 1024;
    private static final int MAX_PAYLOAD = 65535;

    /** Told when a datagram whose first fragment arrived times out. */
    public interface Expired {
        /** {@code firstFragment} is the first fragment as received (IPv6 header at 0), on interface {@code ifindex}. */
        void expired(byte[] firstFragment, int ifindex);
    }

    private record Key(long srcHi, long srcLo, long dstHi, long dstLo, int id) {
        static Key of(ByteBuffer b, int ip, int id) {
            return new Key(b.getLong(ip + 8), b.getLong(ip + 16), b.getLong(ip + 24), b.getLong(ip + 32), id);
        }
    }

    private final class Pending {
        final Key key;
        byte[] data = new byte[FIRST_BUFFER];
        ReceivedRanges ranges = new ReceivedRanges();
        int total = -1;
        /** The first fragment as received (its unfragmentable part builds the datagram), null until it comes. */
        byte[] first;
        int fragmentHeaderOffset;
        int fragmentNextHeaderAt;
        int nextHeader;
        /** Overlap seen: the datagram is discarded and its late fragments with it. */
        boolean dead;
        int ifindex;
        final Timer timer;

        Pending(Key key) {
            this.key = key;
            this.timer = new Timer(() -> timeout(this));
        }

        int charge() {
            return dead ? OVERHEAD : data.length + (first == null ? 0 : first.length) + OVERHEAD;
        }
    }

    private final StackLoop loop;
    private final Counters counters;
    private final Expired expired;
    /** Oldest first: eviction takes from the head. */
    private final Map<Key, Pending> pending = new LinkedHashMap<>();
    private final ReassemblyMemory memory;
    private final Scratch out;

    public Reassembler6(StackLoop loop, Counters counters, Expired expired) {
        this.loop = loop;
        this.counters = counters;
        this.expired = expired;
        this.out = loop.scratch();
        this.memory = new ReassemblyMemory(counters, Counter.IP6_REASM_FAILS, MEMORY_LIMIT);
    }

    /** Charges the datagrams in progress to the stack's memory budget too (before any fragment). */
    public void setMemory(org.jioth.jnet.mem.MemoryBudget budget) {
        memory.setBudget(budget);
    }

    /** Bytes charged now. */
    public int memory() {
        return memory.used();
    }

    public int inProgress() {
        return pending.size();
    }

    /**
     * Adds the fragment {@code hdr} views, received on interface {@code ifindex}. Returns the offset in
     * {@link #output()} of the complete datagram (unfragmentable part with the fragment header taken
     * out, then the data) when this fragment completed one, else -1.
     */
    public int add(Ipv6 hdr, ByteBuffer buf, int ifindex) {
        counters.inc(Counter.IP6_REASM_REQDS);
        int ip = hdr.offset();
        int dataAt = ip + hdr.fragmentHeaderOffset() + 8;
        int dataLen = ip + Ipv6.HEADER + hdr.payloadLength() - dataAt;
        int start = hdr.fragmentOffset();
        int end = start + dataLen;
        boolean last = !hdr.moreFragments();
        Key key = Key.of(buf, ip, hdr.fragmentId());
        Pending p = pending.get(key);
        if (p != null && p.dead) {
            return -1; // RFC 5722: the rest of an overlapped datagram is discarded too
        }
        if (end > MAX_PAYLOAD || dataLen == 0 && !last) {
            counters.inc(Counter.IP6_REASM_FAILS);
            if (p != null) {
                remove(p);
            }
            return -1;
        }
        if (p == null) {
            makeRoom(FIRST_BUFFER + OVERHEAD, null);
            if (!memory.take(FIRST_BUFFER + OVERHEAD)) {
                return -1;
            }
            p = new Pending(key);
            pending.put(key, p);
            loop.timers().schedule(p.timer, loop.now() + TIMEOUT_NANOS);
        }
        if (last && (p.total >= 0 && p.total != end || p.ranges.highestEnd() > end)
                || !last && p.total >= 0 && end > p.total) {
            counters.inc(Counter.IP6_REASM_FAILS);
            remove(p);
            return -1;
        }
        if (last) {
            p.total = end;
        }
        int overlap = p.ranges.overlap(start, end);
        if (overlap < 0) {
            counters.inc(Counter.IP6_REASM_OVERLAPS);
            counters.inc(Counter.IP6_REASM_FAILS);
            kill(p);
            return -1;
        }
        if (overlap == 0) {
            if (end > p.data.length) {
                int size = Math.min(MAX_PAYLOAD, Math.max(end, p.data.length * 2));
                makeRoom(size - p.data.length, p);
                if (!memory.take(size - p.data.length)) {
                    remove(p); // the budget is full: the datagram cannot complete
                    return -1;
                }
                p.data = java.util.Arrays.copyOf(p.data, size);
            }
            buf.get(dataAt, p.data, start, dataLen);
            p.ranges.insert(start, end);
            if (start == 0) {
                int firstLen = dataAt - ip + dataLen;
                makeRoom(firstLen, p);
                if (!memory.take(firstLen)) {
                    remove(p);
                    return -1;
                }
                p.first = new byte[firstLen];
                p.ifindex = ifindex;
                buf.get(ip, p.first);
                p.fragmentHeaderOffset = hdr.fragmentHeaderOffset();
                p.fragmentNextHeaderAt = hdr.fragmentNextHeaderAt();
                p.nextHeader = buf.get(ip + hdr.fragmentHeaderOffset()) & 0xff;
            }
        }
        if (p.total >= 0 && p.first != null && p.ranges.covers(p.total)) {
            return complete(p);
        }
        return -1;
    }

    /** The buffer complete datagrams are written to; valid until the next {@link #add}. */
    public ByteBuffer output() {
        return out.current();
    }

    private int complete(Pending p) {
        remove(p);
        int unfragmentable = p.fragmentHeaderOffset;
        int payload = unfragmentable - Ipv6.HEADER + p.total;
        if (payload > MAX_PAYLOAD) {
            counters.inc(Counter.IP6_REASM_FAILS);
            return -1;
        }
        int off = Ipv6Layer.HEADROOM - Ipv6.HEADER;
        ByteBuffer o = out.get(off + unfragmentable + p.total);
        o.put(off, p.first, 0, unfragmentable);
        o.putShort(off + 4, (short) payload);
        o.put(off + p.fragmentNextHeaderAt, (byte) p.nextHeader);
        o.put(off + unfragmentable, p.data, 0, p.total);
        counters.inc(Counter.IP6_REASM_OKS);
        return off;
    }

    private void timeout(Pending p) {
        remove(p);
        if (p.dead) {
            return;
        }
        counters.inc(Counter.IP6_REASM_TIMEOUT);
        counters.inc(Counter.IP6_REASM_FAILS);
        if (p.first != null) {
            expired.expired(p.first, p.ifindex);
        }
    }

    /** Frees an overlapped datagram's buffers and keeps its key until the timeout (RFC 5722). */
    private void kill(Pending p) {
        memory.give(p.charge() - OVERHEAD);
        p.dead = true;
        p.data = null;
        p.first = null;
        p.ranges = null;
    }

    private void makeRoom(int bytes, Pending keep) {
        for (Iterator<Pending> it = pending.values().iterator(); !memory.fits(bytes) && it.hasNext(); ) {
            Pending old = it.next();
            if (old == keep) {
                continue;
            }
            it.remove();
            memory.give(old.charge());
            loop.timers().cancel(old.timer);
            counters.inc(Counter.IP6_REASM_EVICTED);
            if (!old.dead) {
                counters.inc(Counter.IP6_REASM_FAILS);
            }
        }
    }

    private void remove(Pending p) {
        if (pending.remove(p.key) != null) {
            memory.give(p.charge());
            loop.timers().cancel(p.timer);
        }
    }
}
