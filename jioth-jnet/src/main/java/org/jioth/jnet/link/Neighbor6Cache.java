package org.jioth.jnet.link;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.IntConsumer;
import org.jioth.Errno;
import org.jioth.jnet.Counter;
import org.jioth.jnet.Counters;
import org.jioth.jnet.StackLoop;
import org.jioth.jnet.time.Timer;
import org.jioth.jnet.wire.Ethernet;
import org.jioth.jnet.wire.Ip6;

/**
 * The IPv6 neighbour cache of Neighbor Discovery (RFC 4861 7.3): INCOMPLETE entries solicit
 * {@link #MAX_MULTICAST_SOLICIT} times a {@link #RETRANS_NANOS} apart while at most
 * {@link #MAX_WAITING} packets wait; REACHABLE entries become STALE after {@link #REACHABLE_NANOS}
 * and STALE ones are forgotten after {@link #STALE_NANOS} (the DELAY/PROBE unicast probes of NUD
 * are not done yet: a STALE entry is used as it is). At most {@link #MAX_ENTRIES} entries: a new
 * one evicts the oldest resolved one, never a resolving one. An advertisement never creates an
 * entry (7.2.5: unsolicited NAs are silently ignored). Sending solicitations is the
 * {@link Solicitor}'s job (ICMPv6). Loop-only.
 */
public final class Neighbor6Cache {
    public static final int MAX_ENTRIES = 256;
    public static final int MAX_WAITING = 3;
    public static final int MAX_MULTICAST_SOLICIT = 3;
    public static final long RETRANS_NANOS = 1_000_000_000L;
    public static final long REACHABLE_NANOS = 30_000_000_000L;
    public static final long STALE_NANOS = 600_000_000_000L;

    public enum State { INCOMPLETE, REACHABLE, STALE }

    /** Sends a neighbour solicitation for {@code target} out of {@code nic} (to its solicited-node group). */
    public interface Solicitor {
        void solicit(NetInterface nic, byte[] target);
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
                        entries.remove(key);
                        counters.inc(Counter.NDP_RESOLVE_FAILED);
                        failWaiting(this);
                    }
                }
                case REACHABLE -> {
                    state = State.STALE;
                    loop.timers().schedule(timer, loop.now() + STALE_NANOS);
                }
                case STALE -> entries.remove(key);
                default -> { }
            }
        }
    }

    private final StackLoop loop;
    private final Counters counters;
    private final Map<Key, Entry> entries = new LinkedHashMap<>();
    private Solicitor solicitor;

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
        Key k = Key.of(nic, nextHop);
        Entry e = entries.get(k);
        if (e != null && e.state != State.INCOMPLETE) {
            transmit(nic, e.mac, buf, off, len);
            return;
        }
        if (e == null) {
            e = create(k, nic, nextHop);
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

    /** A new entry, evicting the oldest resolved one when full; null when every entry is resolving. */
    private Entry create(Key k, NetInterface nic, byte[] address) {
        if (entries.size() >= MAX_ENTRIES) {
            Iterator<Entry> it = entries.values().iterator();
            Entry victim = null;
            while (it.hasNext()) {
                Entry x = it.next();
                if (x.state != State.INCOMPLETE) {
                    victim = x;
                    break;
                }
            }
            if (victim == null) {
                return null;
            }
            loop.timers().cancel(victim.timer);
            entries.remove(victim.key);
        }
        Entry e = new Entry(k, nic, address.clone());
        entries.put(k, e);
        return e;
    }

    private void solicit(Entry e) {
        e.solicits++;
        loop.timers().schedule(e.timer, loop.now() + RETRANS_NANOS);
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
            e = create(k, nic, source);
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
        loop.timers().schedule(e.timer, loop.now() + (s == State.REACHABLE ? REACHABLE_NANOS : STALE_NANOS));
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
