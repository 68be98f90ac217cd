package org.jioth.slirp;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The gateway's DHCP server (RFC 2131, the subset libslirp has): DISCOVER gets an OFFER,
 * REQUEST an ACK or a NAK, RELEASE frees the lease; replies carry options 1 (netmask), 3 (router),
 * 6 (DNS), 51 (lease time) and 54 (server id), and 26 (interface MTU) when the gateway's MTU is
 * not 1500. Addresses come from a pool of
 * {@link SlirpOptions#maxLeases()} starting at {@link SlirpOptions#dhcpStart()}; the lease table
 * holds at most one entry per pool address, so it is bounded whatever clients send. A client keeps
 * its address while its lease lives; expired leases are taken by others. Not thread-safe: one
 * caller at a time (the gateway stack's loop).
 */
final class DhcpServer {
    static final int SERVER_PORT = 67;
    static final int CLIENT_PORT = 68;
    static final int DISCOVER = 1;
    static final int OFFER = 2;
    static final int REQUEST = 3;
    static final int DECLINE = 4;
    static final int ACK = 5;
    static final int NAK = 6;
    static final int RELEASE = 7;
    private static final int MAGIC = 0x63825363;
    private static final int FIXED = 236;

    private record Lease(long mac, long expires) { }

    private final SlirpOptions options;
    private final LongSupplier nanos;
    private final SlirpCounters counters;
    /** Pool index to lease; never more entries than the pool has addresses. */
    private final Map<Integer, Lease> leases = new HashMap<>();

    DhcpServer(SlirpOptions options, LongSupplier nanos, SlirpCounters counters) {
        this.options = options;
        this.nanos = nanos;
        this.counters = counters;
    }

    /** The reply to one request (a UDP payload for 255.255.255.255:68), or null when none is due. */
    ByteBuffer handle(ByteBuffer request) {
        try {
            return answer(request.slice());
        } catch (BufferUnderflowException | IndexOutOfBoundsException e) {
            counters.dhcpMalformed.increment();
            return null;
        }
    }

    private ByteBuffer answer(ByteBuffer q) {
        if (q.remaining() < FIXED + 4 || q.get(0) != 1 || q.get(1) != 1 || q.get(2) != 6 || q.getInt(FIXED) != MAGIC) {
            counters.dhcpMalformed.increment(); // not a BOOTREQUEST from Ethernet
            return null;
        }
        long mac = (q.getShort(28) & 0xffffL) << 32 | q.getInt(30) & 0xffffffffL;
        int ciaddr = q.getInt(12);
        int type = -1;
        int requested = 0;
        int serverId = 0;
        int at = FIXED + 4;
        while (at < q.limit()) {
            int code = q.get(at) & 0xff;
            if (code == 255) {
                break;
            }
            if (code == 0) {
                at++;
                continue;
            }
            int len = q.get(at + 1) & 0xff;
            int v = at + 2;
            if (v + len > q.limit()) {
                counters.dhcpMalformed.increment();
                return null;
            }
            if (code == 53 && len == 1) {
                type = q.get(v) & 0xff;
            } else if (code == 50 && len == 4) {
                requested = q.getInt(v);
            } else if (code == 54 && len == 4) {
                serverId = q.getInt(v);
            }
            at = v + len;
        }
        long now = nanos.getAsLong();
        switch (type) {
            case DISCOVER -> {
                int addr = choose(mac, requested, now);
                return addr == 0 ? null : reply(q, OFFER, addr);
            }
            case REQUEST -> {
                if (serverId != 0 && serverId != options.host()) {
                    return null; // the client took another server's offer
                }
                int addr = requested != 0 ? requested : ciaddr;
                int index = poolIndex(addr);
                Lease l = index < 0 ? null : leases.get(index);
                if (index < 0 || l != null && l.mac != mac && l.expires - now > 0) {
                    counters.dhcpNaks.increment();
                    return reply(q, NAK, 0);
                }
                if (l == null || l.mac != mac) {
                    counters.dhcpLeases.increment();
                }
                forget(mac, index);
                leases.put(index, new Lease(mac, now + options.leaseTime().toNanos()));
                return reply(q, ACK, addr);
            }
            case RELEASE, DECLINE -> {
                int index = poolIndex(type == RELEASE ? ciaddr : requested);
                Lease l = index < 0 ? null : leases.get(index);
                if (l != null && l.mac == mac) {
                    leases.remove(index);
                }
                return null;
            }
            default -> {
                counters.dhcpMalformed.increment();
                return null;
            }
        }
    }

    /** The address to offer: the client's current lease, the one it asks for if free, or the first free one. */
    private int choose(long mac, int requested, long now) {
        for (Map.Entry<Integer, Lease> e : leases.entrySet()) {
            if (e.getValue().mac == mac) {
                return options.dhcpStart() + e.getKey();
            }
        }
        int r = poolIndex(requested);
        if (r >= 0 && free(r, now)) {
            return requested;
        }
        for (int i = 0; i < options.maxLeases(); i++) {
            if (free(i, now)) {
                return options.dhcpStart() + i;
            }
        }
        return 0; // pool exhausted: no offer
    }

    private boolean free(int index, long now) {
        Lease l = leases.get(index);
        return l == null || l.expires - now <= 0;
    }

    private void forget(long mac, int except) {
        leases.entrySet().removeIf(e -> e.getValue().mac == mac && e.getKey() != except);
    }

    private int poolIndex(int addr) {
        int i = addr - options.dhcpStart();
        return addr != 0 && i >= 0 && i < options.maxLeases() ? i : -1;
    }

    /** Leases held now (expired ones included until reused). */
    int leaseCount() {
        return leases.size();
    }

    private ByteBuffer reply(ByteBuffer q, int type, int yiaddr) {
        ByteBuffer r = ByteBuffer.allocate(300);
        r.put((byte) 2).put((byte) 1).put((byte) 6).put((byte) 0);
        r.putInt(q.getInt(4)); // xid
        r.putShort((short) 0).putShort(q.getShort(10)); // secs, flags
        r.putInt(0).putInt(yiaddr).putInt(type == NAK ? 0 : options.host()).putInt(q.getInt(24));
        r.put(q.slice(28, 16));
        r.position(FIXED);
        r.putInt(MAGIC);
        r.put((byte) 53).put((byte) 1).put((byte) type);
        r.put((byte) 54).put((byte) 4).putInt(options.host());
        if (type != NAK) {
            r.put((byte) 51).put((byte) 4).putInt((int) Math.min(options.leaseTime().toSeconds(), 0xffffffffL));
            r.put((byte) 1).put((byte) 4).putInt(options.netmask());
            r.put((byte) 3).put((byte) 4).putInt(options.host());
            r.put((byte) 6).put((byte) 4).putInt(options.dns());
            if (options.mtu() != 1500) {
                r.put((byte) 26).put((byte) 2).putShort((short) options.mtu()); // interface MTU (RFC 2132 5.1)
            }
        }
        r.put((byte) 255);
        while (r.position() < 300) { // BOOTP's minimum message size; some clients insist
            r.put((byte) 0);
        }
        return r.flip();
    }
}
