package org.jioth.jnet.ip;

import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jioth.jnet.loop.Counter;
import org.jioth.jnet.loop.Counters;
import org.jioth.jnet.loop.StackLoop;
import org.jioth.jnet.time.Timer;
import org.jioth.jnet.wire.Checksum;
import org.jioth.jnet.wire.Ipv4;

/**
 * IPv4 reassembly (RFC 791, RFC 815 bookkeeping by ranges). Bounded by bytes as Linux's
 * {@code ipfrag_high_thresh}: at most {@link #MEMORY_LIMIT} bytes in progress (each datagram is
 * charged its buffer plus {@link #OVERHEAD}); a datagram that needs more evicts the oldest others
 * ({@code Ip.ReasmEvicted}) rather than being refused, so stray fragments cannot stop reassembly.
 * Each has {@link #TIMEOUT_NANOS} to complete. A fragment that overlaps received data without repeating
 * it exactly discards the whole datagram (as RFC 5722 asks for IPv6): overlap tricks are how
 * filters get evaded. Loop-only.
 */
public final class Reassembler {
    public static final long TIMEOUT_NANOS = 30_000_000_000L;
    /** Linux's ipfrag_high_thresh default. */
    public static final int MEMORY_LIMIT = 4 * 1024 * 1024;
    /** What a datagram in progress costs beyond its data buffer (its objects), charged too. */
    static final int OVERHEAD = 256;
    private static final int FIRST_BUFFER = 1024;
    /** The most datagrams the byte budget lets be in progress. */
    public static final int MAX_DATAGRAMS = MEMORY_LIMIT / (FIRST_BUFFER + OVERHEAD);
    private static final int MAX_PAYLOAD = 65535 - Ipv4.HEADER;

    /** Told when a datagram whose first fragment arrived times out (ICMP time exceeded, code 1). */
    public interface Expired {
        void expired(byte[] firstHeaderAndData, int length);
    }

    private record Key(int src, int dst, int id, int protocol) { }

    private final class Pending {
        final Key key;
        byte[] data = new byte[FIRST_BUFFER];
        ReceivedRanges ranges = new ReceivedRanges();
        int total = -1;
        byte[] header; // first fragment's IP header + 8 bytes, for ICMP
        int headerLength;
        final Timer timer;

        Pending(Key key) {
            this.key = key;
            this.timer = new Timer(() -> timeout(this));
        }
    }

    private final StackLoop loop;
    private final Counters counters;
    private final Expired expired;
    /** Oldest first: eviction takes from the head. */
    private final Map<Key, Pending> pending = new LinkedHashMap<>();
    private final ReassemblyMemory memory;
    /** Completed datagrams are written here: allocated on use, given back when the stack idles. */
    private final org.jioth.jnet.mem.Scratch out;

    public Reassembler(StackLoop loop, Counters counters, Expired expired) {
        this.loop = loop;
        this.counters = counters;
        this.expired = expired;
        this.out = loop.scratch();
        this.memory = new ReassemblyMemory(counters, Counter.IP_REASM_FAILS, MEMORY_LIMIT);
    }

    /** Charges the datagrams in progress to the stack's memory budget too (before any fragment). */
    public void setMemory(org.jioth.jnet.mem.MemoryBudget budget) {
        memory.setBudget(budget);
    }

    /** Bytes buffered now (for tests and statistics). */
    public int memory() {
        return memory.used();
    }

    public int inProgress() {
        return pending.size();
    }

    /**
     * Adds the fragment {@code ip} views. Returns the offset in {@link #output()} of the complete
     * datagram (a fresh 20-byte header, no fragment bits) when this fragment completed one, else -1.
     */
    public int add(Ipv4 ip, ByteBuffer buf) {
        counters.inc(Counter.IP_REASM_REQDS);
        int start = ip.fragmentOffset();
        int len = ip.payloadLength();
        int end = start + len;
        boolean last = !ip.moreFragments();
        Key key = new Key(ip.source(), ip.destination(), ip.identification(), ip.protocol());
        Pending p = pending.get(key);
        if (end > MAX_PAYLOAD || (!last && (len & 7) != 0) || len == 0 && !last) {
            counters.inc(Counter.IP_REASM_FAILS);
            if (p != null) {
                drop(p);
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
        if (last) {
            if (p.total >= 0 && p.total != end || p.ranges.highestEnd() > end) {
                counters.inc(Counter.IP_REASM_FAILS);
                drop(p);
                return -1;
            }
            p.total = end;
        } else if (p.total >= 0 && end > p.total) {
            counters.inc(Counter.IP_REASM_FAILS);
            drop(p);
            return -1;
        }
        int overlap = p.ranges.overlap(start, end);
        if (overlap < 0) {
            counters.inc(Counter.IP_REASM_OVERLAPS);
            counters.inc(Counter.IP_REASM_FAILS);
            drop(p);
            return -1;
        }
        if (overlap == 0) {
            if (end > p.data.length) {
                int size = Math.min(MAX_PAYLOAD, Math.max(end, p.data.length * 2));
                makeRoom(size - p.data.length, p);
                if (!memory.take(size - p.data.length)) {
                    drop(p); // the budget is full: the datagram cannot complete
                    return -1;
                }
                p.data = java.util.Arrays.copyOf(p.data, size);
            }
            buf.get(ip.payloadOffset(), p.data, start, len);
            p.ranges.insert(start, end);
            if (start == 0) {
                int hl = ip.headerLength();
                p.headerLength = Math.min(hl + 8, hl + len);
                p.header = new byte[p.headerLength];
                buf.get(ip.offset(), p.header);
            }
        } // else an exact duplicate: ignored
        if (p.total >= 0 && p.ranges.covers(p.total)) {
            return complete(p);
        }
        return -1;
    }

    /** The buffer completed datagrams are written to; valid until the next {@link #add}. */
    public ByteBuffer output() {
        return out.current();
    }

    private int complete(Pending p) {
        remove(p);
        int off = Ipv4Layer.HEADROOM;
        int total = Ipv4.HEADER + p.total;
        ByteBuffer out = this.out.get(off + total);
        out.put(off, p.header, 0, Ipv4.HEADER);
        out.put(off, (byte) 0x45);
        out.putShort(off + 2, (short) total);
        out.putShort(off + 6, (short) 0);
        out.putShort(off + 10, (short) 0);
        out.putShort(off + 10, (short) Checksum.of(out, off, Ipv4.HEADER));
        out.put(off + Ipv4.HEADER, p.data, 0, p.total);
        counters.inc(Counter.IP_REASM_OKS);
        return off;
    }

    private void timeout(Pending p) {
        remove(p);
        counters.inc(Counter.IP_REASM_TIMEOUT);
        counters.inc(Counter.IP_REASM_FAILS);
        if (p.header != null) {
            expired.expired(p.header, p.headerLength);
        }
    }

    private void drop(Pending p) {
        remove(p);
    }

    /** Evicts the oldest datagrams (never {@code keep}) until {@code bytes} more fit the budget. */
    private void makeRoom(int bytes, Pending keep) {
        for (Iterator<Pending> it = pending.values().iterator(); !memory.fits(bytes) && it.hasNext(); ) {
            Pending old = it.next();
            if (old == keep) {
                continue;
            }
            it.remove();
            memory.give(old.data.length + OVERHEAD);
            loop.timers().cancel(old.timer);
            counters.inc(Counter.IP_REASM_EVICTED);
            counters.inc(Counter.IP_REASM_FAILS);
        }
    }

    private void remove(Pending p) {
        if (pending.remove(p.key) != null) {
            memory.give(p.data.length + OVERHEAD);
            loop.timers().cancel(p.timer);
        }
    }
}
