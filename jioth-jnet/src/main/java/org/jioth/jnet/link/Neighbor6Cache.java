package org.jioth.jnet.link;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.IntConsumer;
import org.jioth.Errno;
import org.jioth.jnet.loop.Counter;
import org.jioth.jnet.loop.Counters;
import org.jioth.jnet.loop.StackLoop;
import org.jioth.jnet.time.Timer;
import org.jioth.jnet.wire.Ethernet;
import org.jioth.jnet.wire.Ip6;

/**
 * The IPv6 neighbour cache of Neighbor Discovery (RFC 4861 7.3) with Neighbor Unreachability
 * Detection: INCOMPLETE entries solicit {@link #MAX_MULTICAST_SOLICIT} times a retransmission time
 * apart while at most {@link #MAX_WAITING} packets wait; REACHABLE entries become STALE after the
 * reachable time (a router may set it, RFC 4861 6.3.4; not randomized per entry); sending to a STALE entry moves it to DELAY, which becomes PROBE after
 * {@link #DELAY_NANOS} unless the transport {@link #confirm confirms} the neighbour or a solicited
 * advertisement arrives; PROBE sends {@link #MAX_UNICAST_SOLICIT} unicast solicitations and then
 * forgets the entry. STALE entries unused for {@link #STALE_NANOS} are forgotten.
 *
 * <p>Bounded against cache exhaustion: at most {@link #MAX_ENTRIES} entries, and entries created
 * by other nodes' solicitations (STALE, never used by us) may only fill {@link #MAX_UNSOLICITED}
 * of them. A new entry evicts the oldest entry we never sent to, then the oldest STALE one; never a
 * resolving, REACHABLE, DELAY or PROBE one, so a flood of solicitations from forged sources cannot
 * push out the neighbours we talk to. An advertisement never creates an entry (7.2.5).
 * Sending solicitations is the {@link Solicitor}'s job (ICMPv6). Loop-only.
 */
public final class Neighbor6Cache {
    public static final int MAX_ENTRIES = 256;
    /** Entries other nodes' solicitations may create (the rest is kept for the neighbours we resolve). */
    public static final int MAX_UNSOLICITED = MAX_ENTRIES * 3 / 4;
    public static final int MAX_WAITING = 3;
    public static final int MAX_MULTICAST_SOLICIT = 3;
    public static final int MAX_UNICAST_SOLICIT = 3;
    public static final long RETRANS_NANOS = 1_000_000_000L;
    public static final long REACHABLE_NANOS = 30_000_000_000L;
    public static final long DELAY_NANOS = 5_000_000_000L;
    public static final long STALE_NANOS = 600_000_000_000L;

    public enum State { INCOMPLETE, REACHABLE, STALE, DELAY, PROBE }

    /** Sends neighbour solicitations for the cache (ICMPv6). */
    public interface Solicitor {
        /** A solicitation for {@code target} to its solicited-node group. */
        void solicit(NetInterface nic, byte[] target);

        /** A NUD probe: a solicitation for {@code target} sent to it, at {@code mac}. */
        void probe(NetInterface nic, byte[] target, long mac);
    }

    private record Key(int ifindex, long hi, long lo) {
        static Key of(NetInterface nic, byte[] a) {
            ByteBuffer b = ByteBuffer.wrap(a);
            return new Key(nic.index, b.getLong(0), b.getLong(8));
        }
    }

    private record Waiting(byte[] datagram, IntConsumer onFailure) { }

    private final class Entry {
        final Key key;
        final NetInterface nic;
        final byte[] address;
        State state = State.INCOMPLETE;
        long mac = -1;
        int solicits;
        /** We sent to it (or it resolves for us): not evicted before entries made by others' solicitations. */
        boolean used;
        ArrayDeque<Waiting> waiting;
        final Timer timer = new Timer(this::timeout);

        Entry(Key key, NetInterface nic, byte[] address) {
            this.key = key;
            this.nic = nic;
            this.address = address;
        }

        void timeout() {
            switch (state) {
                case INCOMPLETE -> {
                    if (solicits < MAX_MULTICAST_SOLICIT) {
                        solicit(this);
                    } else {
                        remove(this);
                        counters.inc(Counter.NDP_RESOLVE_FAILED);
                        failWaiting(this);
                    }
                }
                case REACHABLE -> {
                    state = State.STALE;
                    loop.timers().schedule(timer, loop.now() + STALE_NANOS);
                }
                case STALE -> remove(this);
                case DELAY -> {
                    state = State.PROBE;
                    solicits = 0;
                    probe(this);
                }
                case PROBE -> {
                    if (solicits < MAX_UNICAST_SOLICIT) {
                        probe(this);
                    } else {
                        remove(this); // unreachable: the next packet resolves afresh (RFC 4861 7.3.3)
                        counters.inc(Counter.NDP_UNREACHABLE);
                    }
                }
            }
        }
    }

    private final StackLoop loop;
    private final Counters counters;
    private final Map<Key, Entry> entries = new LinkedHashMap<>();
    /** The entry the last datagram went to: a flow's packets skip the map and its key allocation. */
    private Entry last;
    private Solicitor solicitor;
    private long reachableBase = REACHABLE_NANOS;
    private long retrans = RETRANS_NANOS;
    private int unsolicited;

    public Neighbor6Cache(StackLoop loop, Counters counters) {
        this.loop = loop;
        this.counters = counters;
    }

    public void setSolicitor(Solicitor s) {
        this.solicitor = s;
    }

    /**
     * Sends the IPv6 datagram at {@code buf[off, off+len)} (with {@link Ethernet#HEADER} bytes of room
     * before it and room to pad to 60 bytes after) to {@code nextHop} out of {@code nic}, resolving
     * it first if need be. {@code onFailure} hears EHOSTUNREACH if resolution fails, ENOBUFS if the
     * packet is dropped from a full waiting queue.
     */
    public void send(NetInterface nic, byte[] nextHop, ByteBuffer buf, int off, int len, IntConsumer onFailure) {
        if (Ip6.isMulticast(nextHop)) {
            transmit(nic, Ip6.multicastMac(nextHop), buf, off, len);
            return;
        }
        Entry e = last != null && last.nic == nic && Arrays.equals(last.address, nextHop)
                ? last : entries.get(Key.of(nic, nextHop));
        if (e != null) {
            last = e;
        }
        if (e != null && e.state != State.INCOMPLETE) {
            use(e);
            if (e.state == State.STALE) {
                e.state = State.DELAY; // RFC 4861 7.3.3: give upper layers a moment to confirm it
                loop.timers().cancel(e.timer);
                loop.timers().schedule(e.timer, loop.now() + DELAY_NANOS);
            }
            transmit(nic, e.mac, buf, off, len);
            return;
        }
        if (e == null) {
            e = create(Key.of(nic, nextHop), nic, nextHop, true);
            if (e == null) {
                counters.inc(Counter.NDP_CACHE_FULL);
                onFailure.accept(Errno.EHOSTUNREACH.value());
                return;
            }
            e.waiting = new ArrayDeque<>(MAX_WAITING);
        }
        if (e.waiting.size() == MAX_WAITING) {
            counters.inc(Counter.NDP_QUEUE_DROPS);
            // the sender of the dropped packet hears it now rather than waiting for its own timeout
            e.waiting.removeFirst().onFailure().accept(Errno.ENOBUFS.value());
        }
        byte[] copy = new byte[len];
        buf.get(off, copy);
        e.waiting.addLast(new Waiting(copy, onFailure));
        if (e.solicits == 0) {
            solicit(e); // after the copy: the solicitation may be written in the same buffer
        }
    }

    /**
     * A new entry ({@code ours}: for a packet we send; else made by another node's solicitation),
     * evicting when full the oldest entry we never used, then the oldest STALE one; null when none
     * may go, or when unsolicited entries have their share already.
     */
    private Entry create(Key k, NetInterface nic, byte[] address, boolean ours) {
        if (!ours && unsolicited >= MAX_UNSOLICITED) {
            Entry victim = oldest(true);
            if (victim == null) {
                return null;
            }
            remove(victim);
        }
        if (entries.size() >= MAX_ENTRIES) {
            Entry victim = oldest(true);
            if (victim == null) {
                victim = oldest(false);
            }
            if (victim == null) {
                return null;
            }
            remove(victim);
        }
        Entry e = new Entry(k, nic, address.clone());
        e.used = ours;
        if (!ours) {
            unsolicited++;
        }
        entries.put(k, e);
        return e;
    }

    /** The oldest STALE entry ({@code unusedOnly}: that we never sent to), or null. */
    private Entry oldest(boolean unusedOnly) {
        for (Entry x : entries.values()) {
            if (x.state == State.STALE && (!unusedOnly || !x.used)) {
                return x;
            }
        }
        return null;
    }

    private void use(Entry e) {
        if (!e.used) {
            e.used = true;
            unsolicited--;
        }
    }

    private void remove(Entry e) {
        if (last == e) {
            last = null;
        }
        loop.timers().cancel(e.timer);
        if (entries.remove(e.key) != null && !e.used) {
            unsolicited--;
        }
    }

    private void probe(Entry e) {
        e.solicits++;
        loop.timers().schedule(e.timer, loop.now() + retrans);
        if (solicitor != null) {
            solicitor.probe(e.nic, e.address, e.mac);
        }
    }

    /** A router's base reachable time (RFC 4861 6.3.4). */
    public void setReachableTime(long nanos) {
        reachableBase = nanos;
    }

    /** A router's retransmission time (RFC 4861 6.3.4). */
    public void setRetransTime(long nanos) {
        retrans = nanos;
    }

    /** The transport saw forward progress with {@code a} (RFC 4861 7.3.1): it is REACHABLE. */
    public void confirm(NetInterface nic, byte[] a) {
        Entry e = entries.get(Key.of(nic, a));
        if (e != null && e.state != State.INCOMPLETE) {
            enter(e, State.REACHABLE);
        }
    }

    /** A router advertisement's source link-layer address (RFC 4861 6.3.4): like a solicitation's, kept as ours. */
    public void routerSource(NetInterface nic, byte[] router, long mac) {
        solicitation(nic, router, mac);
        Entry e = entries.get(Key.of(nic, router));
        if (e != null) {
            use(e);
        }
    }

    private void solicit(Entry e) {
        e.solicits++;
        loop.timers().schedule(e.timer, loop.now() + retrans);
        if (solicitor != null) {
            solicitor.solicit(e.nic, e.address);
        }
    }

    private void failWaiting(Entry e) {
        if (e.waiting == null) {
            return;
        }
        for (Waiting w : e.waiting) {
            w.onFailure().accept(Errno.EHOSTUNREACH.value());
        }
        e.waiting = null;
    }

    /**
     * A neighbour advertisement for {@code target} with link-layer address {@code mac} (-1: no
     * option) and its S and O flags (RFC 4861 7.2.5). Returns false when no entry exists (ignored).
     */
    public boolean advertisement(NetInterface nic, byte[] target, long mac, boolean solicited, boolean override) {
        Entry e = entries.get(Key.of(nic, target));
        if (e == null) {
            counters.inc(Counter.NDP_UNSOLICITED_NA_IGNORED);
            return false;
        }
        if (e.state == State.INCOMPLETE) {
            if (mac < 0) {
                return true; // no target link-layer address: nothing learnt
            }
            e.mac = mac;
            enter(e, solicited ? State.REACHABLE : State.STALE);
            flush(e);
            return true;
        }
        boolean changed = mac >= 0 && mac != e.mac;
        if (!override && changed) {
            if (e.state == State.REACHABLE) {
                enter(e, State.STALE);
            }
            return true;
        }
        if (changed) {
            e.mac = mac;
        }
        if (solicited) {
            enter(e, State.REACHABLE);
        } else if (changed) {
            enter(e, State.STALE);
        }
        return true;
    }

    /** A solicitation from {@code source} carrying its link-layer address (RFC 4861 7.2.3): create or update as STALE. */
    public void solicitation(NetInterface nic, byte[] source, long mac) {
        Key k = Key.of(nic, source);
        Entry e = entries.get(k);
        if (e == null) {
            e = create(k, nic, source, false);
            if (e == null) {
                counters.inc(Counter.NDP_CACHE_FULL);
                return;
            }
        } else if (e.mac == mac && e.state != State.INCOMPLETE) {
            return;
        }
        e.mac = mac;
        enter(e, State.STALE);
        flush(e);
    }

    private void enter(Entry e, State s) {
        e.state = s;
        loop.timers().cancel(e.timer);
        loop.timers().schedule(e.timer, loop.now() + (s == State.REACHABLE ? reachableBase : STALE_NANOS));
    }

    private void flush(Entry e) {
        if (e.waiting == null) {
            return;
        }
        for (Waiting w : e.waiting) {
            byte[] d = w.datagram();
            ByteBuffer b = ByteBuffer.allocate(Math.max(NetInterface.MIN_FRAME, Ethernet.HEADER + d.length));
            b.put(Ethernet.HEADER, d);
            transmit(e.nic, e.mac, b, Ethernet.HEADER, d.length);
        }
        e.waiting = null;
    }

    private static void transmit(NetInterface nic, long mac, ByteBuffer buf, int off, int len) {
        Ethernet.emit(buf, off - Ethernet.HEADER, mac, nic.mac(), Ethernet.TYPE_IPV6);
        nic.transmit(buf, off - Ethernet.HEADER, len + Ethernet.HEADER);
    }

    /** The MAC known for {@code a} on {@code nic}, or -1. */
    public long lookup(NetInterface nic, byte[] a) {
        Entry e = entries.get(Key.of(nic, a));
        return e == null || e.state == State.INCOMPLETE ? -1 : e.mac;
    }

    /** The state of the entry for {@code a}, or null. */
    public State state(NetInterface nic, byte[] a) {
        Entry e = entries.get(Key.of(nic, a));
        return e == null ? null : e.state;
    }

    public int size() {
        return entries.size();
    }

    @Override
    public String toString() {
        return "Neighbor6Cache" + Arrays.toString(entries.keySet().toArray());
    }
}
