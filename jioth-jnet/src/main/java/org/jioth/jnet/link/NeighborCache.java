package org.jioth.jnet.link;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.jioth.Errno;
import org.jioth.jnet.loop.Counter;
import org.jioth.jnet.loop.Counters;
import org.jioth.jnet.loop.StackLoop;
import org.jioth.jnet.time.Timer;
import org.jioth.jnet.wire.Arp;
import org.jioth.jnet.wire.Ethernet;
import org.jioth.jnet.wire.Ip4;
import org.jioth.jnet.wire.Mac;

/**
 * ARP (RFC 826) and the IPv4 neighbour cache. Packets for an unresolved next hop wait in a small
 * bounded queue per neighbour; a request is retransmitted every {@link #RETRANSMIT_NANOS} up to
 * {@link #MAX_REQUESTS} times, then the waiting packets are dropped and their senders told
 * EHOSTUNREACH. Resolved entries live {@link #REACHABLE_NANOS}, then are forgotten (the next packet
 * resolves again). Loop-only.
 */
public final class NeighborCache {
    public static final long RETRANSMIT_NANOS = 1_000_000_000L;
    public static final int MAX_REQUESTS = 3;
    public static final long REACHABLE_NANOS = 60_000_000_000L;
    /** Packets (and bytes) that may wait for one neighbour: a 64 KiB datagram's fragments fit. */
    public static final int QUEUE_LIMIT = 64;
    public static final int QUEUE_BYTES = 128 * 1024;
    public static final int MAX_ENTRIES = 1024;

    private enum State { INCOMPLETE, REACHABLE }

    private record Waiting(byte[] datagram, DeliveryFailure owner) { }

    private final class Entry {
        final NetInterface iface;
        final int ip;
        final long key;
        State state = State.INCOMPLETE;
        long mac;
        int requests;
        int queuedBytes;
        final ArrayDeque<Waiting> queue = new ArrayDeque<>();
        final Timer timer = new Timer(this::timeout);

        Entry(NetInterface iface, int ip, long key) {
            this.iface = iface;
            this.ip = ip;
            this.key = key;
        }

        void timeout() {
            if (state == State.REACHABLE) {
                counters.inc(Counter.ARP_CACHE_EXPIRED);
                remove(this);
            } else if (requests >= MAX_REQUESTS) {
                counters.inc(Counter.ARP_RESOLVE_FAILED);
                remove(this);
                failQueue(this);
            } else {
                request(this);
            }
        }
    }

    private final StackLoop loop;
    private final Counters counters;
    private final Map<Long, Entry> entries = new HashMap<>();
    /** ARP packets and queued datagrams are framed here: allocated on use, given back when idle. */
    private final org.jioth.jnet.mem.Scratch scratch;
    private Entry last;

    public NeighborCache(StackLoop loop, Counters counters) {
        this.loop = loop;
        this.counters = counters;
        this.scratch = loop.scratch();
    }

    private static long key(NetInterface iface, int ip) {
        return (long) iface.index << 32 | (ip & 0xffffffffL);
    }

    private Entry find(NetInterface iface, int ip) {
        Entry e = last;
        if (e != null && e.ip == ip && e.iface == iface) {
            return e;
        }
        e = entries.get(key(iface, ip));
        if (e != null) {
            last = e;
        }
        return e;
    }

    private void remove(Entry e) {
        entries.remove(e.key);
        loop.timers().cancel(e.timer);
        if (last == e) {
            last = null;
        }
    }

    /**
     * Sends the IP datagram at {@code buf[ipOff, ipOff+ipLen)} to {@code nextHop} through
     * {@code iface}; {@code buf} must have {@link Ethernet#HEADER} bytes of room before
     * {@code ipOff} and enough after for padding to 60 bytes. Returns false when it was dropped at once.
     */
    public boolean send(NetInterface iface, int nextHop, ByteBuffer buf, int ipOff, int ipLen, DeliveryFailure owner) {
        long dst;
        if (nextHop == Ip4.BROADCAST || iface.isBroadcastOf(nextHop)) {
            dst = Mac.BROADCAST;
        } else if (Ip4.isMulticast(nextHop)) {
            dst = 0x01005e000000L | (nextHop & 0x7fffff);
        } else {
            Entry e = find(iface, nextHop);
            if (e == null || e.state != State.REACHABLE) {
                return enqueue(e, iface, nextHop, buf, ipOff, ipLen, owner);
            }
            dst = e.mac;
        }
        int off = ipOff - Ethernet.HEADER;
        Ethernet.emit(buf, off, dst, iface.mac(), Ethernet.TYPE_IPV4);
        return iface.transmit(buf, off, ipLen + Ethernet.HEADER);
    }

    /**
     * {@link #send} of a TSO datagram (see {@link NetInterface#transmitSegmented}), only to a
     * neighbour already known: one that is not is not resolved with a 64 KB datagram queued
     * (dropped, counted; TCP resends MSS-sized, which resolves it).
     */
    public boolean sendSegmented(NetInterface iface, int nextHop, ByteBuffer buf, int ipOff, int ipLen, int segmentSize) {
        Entry e = find(iface, nextHop);
        if (e == null || e.state != State.REACHABLE || Ip4.isMulticast(nextHop) || iface.isBroadcastOf(nextHop)) {
            counters.inc(Counter.IP_OUT_DISCARDS);
            return false;
        }
        int off = ipOff - Ethernet.HEADER;
        Ethernet.emit(buf, off, e.mac, iface.mac(), Ethernet.TYPE_IPV4);
        return iface.transmitSegmented(buf, off, ipLen + Ethernet.HEADER, segmentSize);
    }

    /** Whether frames to {@code nextHop} out of {@code iface} leave at once (its address is known). */
    public boolean isReachable(NetInterface iface, int nextHop) {
        Entry e = find(iface, nextHop);
        return e != null && e.state == State.REACHABLE;
    }

    private boolean enqueue(Entry e, NetInterface iface, int nextHop, ByteBuffer buf, int ipOff, int ipLen,
                            DeliveryFailure owner) {
        if (e == null) {
            if (entries.size() >= MAX_ENTRIES) {
                counters.inc(Counter.ARP_QUEUE_DROPS);
                return false;
            }
            e = new Entry(iface, nextHop, key(iface, nextHop));
            entries.put(e.key, e);
            last = e;
            request(e);
        }
        while (!e.queue.isEmpty() && (e.queue.size() >= QUEUE_LIMIT || e.queuedBytes + ipLen > QUEUE_BYTES)) {
            e.queuedBytes -= e.queue.poll().datagram.length; // keep the newest, as Linux does
            counters.inc(Counter.ARP_QUEUE_DROPS);
        }
        byte[] copy = new byte[ipLen];
        buf.get(ipOff, copy);
        e.queue.add(new Waiting(copy, owner));
        e.queuedBytes += ipLen;
        return true;
    }

    private void request(Entry e) {
        e.requests++;
        loop.timers().schedule(e.timer, loop.now() + RETRANSMIT_NANOS);
        emitArp(e.iface, Arp.REQUEST, Mac.BROADCAST, e.iface.sourceFor(e.ip), 0, e.ip);
        counters.inc(Counter.ARP_OUT_REQUESTS);
    }

    private void failQueue(Entry e) {
        Waiting w;
        while ((w = e.queue.poll()) != null) {
            counters.inc(Counter.IP_OUT_DISCARDS);
            w.owner.failed(Errno.EHOSTUNREACH.value());
        }
    }

    private void emitArp(NetInterface iface, int op, long ethDst, int spa, long tha, int tpa) {
        ByteBuffer tx = scratch.get(NetInterface.MIN_FRAME);
        Ethernet.emit(tx, 0, ethDst, iface.mac(), Ethernet.TYPE_ARP);
        Arp.emit(tx, Ethernet.HEADER, op, iface.mac(), spa, tha, tpa);
        iface.transmit(tx, 0, Ethernet.HEADER + Arp.LENGTH);
    }

    /** Announces {@code addr} on {@code iface} with a gratuitous ARP request. */
    public void announce(NetInterface iface, int addr) {
        if (iface.isLoopback() || !iface.isUp()) {
            return;
        }
        emitArp(iface, Arp.REQUEST, Mac.BROADCAST, addr, 0, addr);
        counters.inc(Counter.ARP_OUT_GRATUITOUS);
    }

    /** Handles an ARP packet received on {@code iface} (RFC 826's merge algorithm). */
    public void input(NetInterface iface, Arp arp) {
        int op = arp.operation();
        counters.inc(op == Arp.REQUEST ? Counter.ARP_IN_REQUESTS : Counter.ARP_IN_REPLIES);
        int spa = arp.senderIp();
        long sha = arp.senderMac();
        if (Mac.isMulticast(sha) || sha == 0) {
            counters.inc(Counter.ARP_IN_MALFORMED);
            return;
        }
        boolean forUs = iface.address(arp.targetIp()) != null;
        boolean merged = false;
        if (spa != 0) {
            Entry e = find(iface, spa);
            if (e != null) {
                resolved(e, sha);
                merged = true;
            }
            if (forUs && !merged && iface.address(spa) == null) {
                if (entries.size() < MAX_ENTRIES) {
                    Entry n = new Entry(iface, spa, key(iface, spa));
                    entries.put(n.key, n);
                    resolved(n, sha);
                }
            }
        }
        if (forUs && op == Arp.REQUEST) {
            emitArp(iface, Arp.REPLY, sha, arp.targetIp(), sha, spa);
            counters.inc(Counter.ARP_OUT_REPLIES);
        }
    }

    private void resolved(Entry e, long mac) {
        e.mac = mac;
        e.state = State.REACHABLE;
        e.requests = 0;
        e.queuedBytes = 0;
        loop.timers().schedule(e.timer, loop.now() + REACHABLE_NANOS);
        Waiting w;
        while ((w = e.queue.poll()) != null) {
            int len = w.datagram.length;
            ByteBuffer tx = scratch.get(Ethernet.HEADER + Math.max(len, NetInterface.MIN_FRAME));
            tx.put(Ethernet.HEADER, w.datagram, 0, len);
            Ethernet.emit(tx, 0, mac, e.iface.mac(), Ethernet.TYPE_IPV4);
            e.iface.transmit(tx, 0, Ethernet.HEADER + len);
        }
    }

    /** Forgets every neighbour of {@code iface}; waiting packets fail with {@code errno}. */
    public void flush(NetInterface iface, int errno) {
        List<Entry> gone = new ArrayList<>();
        for (Iterator<Entry> it = entries.values().iterator(); it.hasNext(); ) {
            Entry e = it.next();
            if (e.iface == iface) {
                it.remove();
                gone.add(e);
            }
        }
        last = null;
        for (Entry e : gone) {
            loop.timers().cancel(e.timer);
            Waiting w;
            while ((w = e.queue.poll()) != null) {
                counters.inc(Counter.IP_OUT_DISCARDS);
                w.owner.failed(errno);
            }
        }
    }

    /** The resolved MAC of {@code ip} on {@code iface}, or -1 (for tests and tools). */
    public long lookup(NetInterface iface, int ip) {
        Entry e = find(iface, ip);
        return e == null || e.state != State.REACHABLE ? -1 : e.mac;
    }

    public int size() {
        return entries.size();
    }
}
