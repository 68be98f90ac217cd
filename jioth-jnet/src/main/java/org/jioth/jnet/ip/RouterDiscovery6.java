package org.jioth.jnet.ip;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import org.jioth.jnet.loop.Counter;
import org.jioth.jnet.loop.Counters;
import org.jioth.jnet.loop.StackLoop;
import org.jioth.jnet.link.Neighbor6Cache;
import org.jioth.jnet.link.NetInterface;
import org.jioth.jnet.time.Timer;
import org.jioth.jnet.wire.Ip128;
import org.jioth.jnet.wire.Ip6;

/**
 * A host's side of router discovery (RFC 4861 6.3) on the interfaces where it is enabled: router
 * solicitations (three, {@link #INTERVAL_NANOS} apart after a random delay, then backing off to
 * {@link #MAX_INTERVAL_NANOS} until a router answers, RFC 7559), and router advertisements:
 * the default router list, the on-link prefix list, the MTU option, the hop limit, reachable and
 * retransmission times, SLAAC for prefixes with the A flag (when SLAAC is enabled, through
 * {@link AddressTable6}), and the DNS options of RFC 8106 (RDNSS and DNSSL) kept with their
 * lifetimes for the resolver. Redirects (RFC 4861 8) are kept in a bounded destination cache.
 * Every list is bounded ({@link #MAX_ROUTERS}, {@link #MAX_PREFIXES}, {@link #MAX_DNS},
 * {@link #MAX_REDIRECTS}), entries expire on lookup. The caller ({@code Icmp6Layer}) has
 * validated the message (RFC 4861 6.1.2, 8.1). Loop-only.
 */
public final class RouterDiscovery6 {
    public static final long INTERVAL_NANOS = 4_000_000_000L;
    public static final int MAX_SOLICITATIONS = 3;
    public static final long MAX_INTERVAL_NANOS = 3600_000_000_000L;
    public static final long MAX_DELAY_NANOS = 1_000_000_000L;
    public static final int MAX_ROUTERS = 8;
    public static final int MAX_PREFIXES = 16;
    public static final int MAX_DNS = 8;
    public static final int MAX_REDIRECTS = 256;
    public static final long REDIRECT_NANOS = 600_000_000_000L;
    private static final int OPT_SOURCE_LL = 1;
    private static final int OPT_PREFIX = 3;
    private static final int OPT_MTU = 5;
    private static final int OPT_RDNSS = 25;
    private static final int OPT_DNSSL = 31;

    /** Sends a router solicitation out of {@code nic}. */
    public interface Solicitor {
        void routerSolicit(NetInterface nic);
    }

    /** An entry with an absolute expiry (stack clock, {@link Address6#FOREVER} for none). */
    public record Router(byte[] address, int ifindex, long expires) { }

    public record Prefix(byte[] prefix, int prefixLength, int ifindex, long expires) { }

    public record DnsServer(byte[] address, int ifindex, long expires) { }

    public record Domain(String name, int ifindex, long expires) { }

    /** What an interface learnt from routers: for the resolver and iothconf. */
    public record Learnt(boolean heard, boolean managed, boolean otherConfig, List<Router> routers,
                         List<DnsServer> dnsServers, List<Domain> domains) { }

    private final class State {
        final NetInterface nic;
        boolean slaac;
        int solicits;
        long interval = INTERVAL_NANOS;
        boolean heard;
        boolean managed;
        boolean otherConfig;
        final Timer timer = new Timer(() -> solicit(this));

        State(NetInterface nic) {
            this.nic = nic;
        }
    }

    private record Redirect(byte[] target, int ifindex, long expires) { }

    /** A redirected destination, as two longs: looked up on every datagram routed once one exists. */
    private record Destination(long hi, long lo) {
        static Destination of(byte[] a) {
            return new Destination(Ip128.hi(a), Ip128.lo(a));
        }
    }

    private final StackLoop loop;
    private final Counters counters;
    private final RandomGenerator random;
    private final AddressTable6 addresses;
    private final Neighbor6Cache neighbours;
    private final Map<Integer, State> enabled = new HashMap<>();
    private final List<Router> routers = new ArrayList<>();
    private final List<Prefix> prefixes = new ArrayList<>();
    private final List<DnsServer> dns = new ArrayList<>();
    private final List<Domain> domains = new ArrayList<>();
    private final Map<Integer, Integer> linkMtus = new HashMap<>();
    private final Map<Destination, Redirect> redirects = new LinkedHashMap<>();
    private Solicitor solicitor;
    private int hopLimit = Ipv6Layer.DEFAULT_HOP_LIMIT;

    public RouterDiscovery6(StackLoop loop, Counters counters, RandomGenerator random, AddressTable6 addresses,
                            Neighbor6Cache neighbours) {
        this.loop = loop;
        this.counters = counters;
        this.random = random;
        this.addresses = addresses;
        this.neighbours = neighbours;
    }

    public void setSolicitor(Solicitor s) {
        this.solicitor = s;
    }

    /**
     * Enables router discovery on {@code nic} (and SLAAC from its advertisements when {@code slaac}):
     * soliciting starts now if the link is up, else when it comes up. Calling it again updates {@code slaac}.
     */
    public void enable(NetInterface nic, boolean slaac) {
        State s = enabled.get(nic.index);
        if (s == null) {
            s = new State(nic);
            enabled.put(nic.index, s);
            if (nic.isUp()) {
                start(s);
            }
        }
        s.slaac = slaac;
    }

    public boolean isEnabled(int ifindex) {
        return enabled.containsKey(ifindex);
    }

    /** The link came up: solicit again from the start (RFC 4861 6.3.7). */
    public void linkUp(NetInterface nic) {
        State s = enabled.get(nic.index);
        if (s != null) {
            start(s);
        }
    }

    /** The link went down: what its routers told us is forgotten. */
    public void linkDown(NetInterface nic) {
        State s = enabled.get(nic.index);
        if (s != null) {
            loop.timers().cancel(s.timer);
            s.heard = false;
        }
        routers.removeIf(r -> r.ifindex() == nic.index);
        prefixes.removeIf(p -> p.ifindex() == nic.index);
        dns.removeIf(d -> d.ifindex() == nic.index);
        domains.removeIf(d -> d.ifindex() == nic.index);
        redirects.values().removeIf(r -> r.ifindex() == nic.index);
        linkMtus.remove(nic.index);
    }

    /** The interface was deleted: router discovery stops there and what it learnt goes. */
    public void forget(NetInterface nic) {
        linkDown(nic);
        enabled.remove(nic.index);
    }

    private void start(State s) {
        s.solicits = 0;
        s.interval = INTERVAL_NANOS;
        loop.timers().cancel(s.timer);
        loop.timers().schedule(s.timer, loop.now() + random.nextLong(MAX_DELAY_NANOS + 1));
    }

    private void solicit(State s) {
        if (s.heard || !s.nic.isUp()) {
            return;
        }
        s.solicits++;
        counters.inc(Counter.ICMP6_OUT_ROUTER_SOLICITS);
        if (solicitor != null) {
            solicitor.routerSolicit(s.nic);
        }
        if (s.solicits >= MAX_SOLICITATIONS) {
            s.interval = Math.min(MAX_INTERVAL_NANOS, s.interval * 2); // RFC 7559 back-off
        }
        long jitter = s.interval / 10;
        loop.timers().schedule(s.timer, loop.now() + s.interval - jitter + random.nextLong(2 * jitter + 1));
    }

    /** The hop limit routers asked for (RFC 4861 6.3.4), else 64. */
    public int hopLimit() {
        return hopLimit;
    }

    /** The link MTU an advertisement set for {@code nic} (at most its own), or its MTU. */
    public int linkMtu(NetInterface nic) {
        Integer m = linkMtus.get(nic.index);
        return m == null ? nic.mtu() : Math.min(m, nic.mtu());
    }

    /**
     * A validated router advertisement from link-local {@code router} on {@code nic}: the message's
     * body at {@code off} (the ICMPv6 header) of {@code len} bytes.
     */
    public void advertisement(NetInterface nic, byte[] router, ByteBuffer buf, int off, int len) {
        State s = enabled.get(nic.index);
        if (s == null) {
            counters.inc(Counter.ICMP6_IN_RA_IGNORED);
            return;
        }
        long now = loop.now();
        s.heard = true;
        loop.timers().cancel(s.timer);
        int curHopLimit = buf.get(off + 4) & 0xff;
        int flags = buf.get(off + 5) & 0xff;
        int lifetime = buf.getShort(off + 6) & 0xffff;
        long reachable = buf.getInt(off + 8) & 0xffffffffL;
        long retrans = buf.getInt(off + 12) & 0xffffffffL;
        s.managed = (flags & 0x80) != 0;
        s.otherConfig = (flags & 0x40) != 0;
        if (curHopLimit != 0) {
            hopLimit = curHopLimit;
        }
        if (reachable != 0 && reachable <= 3_600_000) {
            neighbours.setReachableTime(reachable * 1_000_000L);
        }
        if (retrans != 0 && retrans <= 3_600_000) {
            neighbours.setRetransTime(retrans * 1_000_000L);
        }
        routers.removeIf(r -> r.ifindex() == nic.index && Arrays.equals(r.address(), router));
        if (lifetime > 0) {
            bounded(routers, MAX_ROUTERS);
            routers.add(new Router(router.clone(), nic.index, now + lifetime * 1_000_000_000L));
        }
        for (int p = off + 16; p + 8 <= off + len; ) {
            int type = buf.get(p) & 0xff;
            int olen = (buf.get(p + 1) & 0xff) * 8;
            switch (type) {
                case OPT_SOURCE_LL -> neighbours.routerSource(nic, router, org.jioth.jnet.wire.Mac.get(buf, p + 2));
                case OPT_PREFIX -> {
                    if (olen == 32) {
                        prefix(s, buf, p, now);
                    }
                }
                case OPT_MTU -> {
                    long mtu = buf.getInt(p + 4) & 0xffffffffL;
                    if (mtu >= PathMtuCache.MIN_MTU && mtu <= nic.mtu()) {
                        linkMtus.put(nic.index, (int) mtu);
                    }
                }
                case OPT_RDNSS -> rdnss(nic, buf, p, olen, now);
                case OPT_DNSSL -> dnssl(nic, buf, p, olen, now);
                default -> { }
            }
            p += olen;
        }
        counters.inc(Counter.ICMP6_IN_ROUTER_ADVERTISEMENTS);
    }

    private void prefix(State s, ByteBuffer buf, int p, long now) {
        int plen = buf.get(p + 2) & 0xff;
        int flags = buf.get(p + 3) & 0xff;
        long valid = buf.getInt(p + 4) & 0xffffffffL;
        long preferred = buf.getInt(p + 8) & 0xffffffffL;
        byte[] prefix = new byte[16];
        buf.get(p + 16, prefix);
        if (plen > 128 || Ip6.isLinkLocal(prefix) || Ip6.isMulticast(prefix)) {
            return; // RFC 4861 6.3.4 and 4862 5.5.3 b: the link-local prefix is ignored
        }
        byte[] net = Ip6.network(prefix, plen);
        if ((flags & 0x80) != 0) { // L: on-link
            prefixes.removeIf(x -> x.ifindex() == s.nic.index && x.prefixLength() == plen && Arrays.equals(x.prefix(), net));
            if (valid > 0) {
                bounded(prefixes, MAX_PREFIXES);
                prefixes.add(new Prefix(net, plen, s.nic.index, valid == 0xffffffffL ? Address6.FOREVER
                        : now + valid * 1_000_000_000L));
            }
        }
        if ((flags & 0x40) != 0 && s.slaac) { // A: autonomous
            addresses.autoconf(s.nic, net, plen, valid, preferred);
        }
    }

    private void rdnss(NetInterface nic, ByteBuffer buf, int p, int olen, long now) {
        if (olen < 24 || (olen - 8) % 16 != 0) {
            return;
        }
        long life = buf.getInt(p + 4) & 0xffffffffL;
        for (int a = p + 8; a + 16 <= p + olen; a += 16) {
            byte[] addr = new byte[16];
            buf.get(a, addr);
            dns.removeIf(d -> d.ifindex() == nic.index && Arrays.equals(d.address(), addr));
            if (life > 0) {
                bounded(dns, MAX_DNS);
                dns.add(new DnsServer(addr, nic.index, life == 0xffffffffL ? Address6.FOREVER : now + life * 1_000_000_000L));
            }
        }
    }

    private void dnssl(NetInterface nic, ByteBuffer buf, int p, int olen, long now) {
        if (olen < 16) {
            return;
        }
        long life = buf.getInt(p + 4) & 0xffffffffL;
        int q = p + 8;
        int end = p + olen;
        StringBuilder name = new StringBuilder();
        while (q < end) {
            int l = buf.get(q) & 0xff;
            if (l == 0) {
                if (name.isEmpty()) {
                    break; // padding
                }
                String n = name.toString();
                domains.removeIf(d -> d.ifindex() == nic.index && d.name().equalsIgnoreCase(n));
                if (life > 0) {
                    bounded(domains, MAX_DNS);
                    domains.add(new Domain(n, nic.index, life == 0xffffffffL ? Address6.FOREVER : now + life * 1_000_000_000L));
                }
                name.setLength(0);
                q++;
                continue;
            }
            if (l > 63 || q + 1 + l > end) {
                return; // malformed: what was read so far stays
            }
            if (!name.isEmpty()) {
                name.append('.');
            }
            for (int i = 0; i < l; i++) {
                int c = buf.get(q + 1 + i) & 0xff;
                if (c <= 0x20 || c >= 0x7f) {
                    return; // only printable names
                }
                name.append((char) c);
            }
            q += 1 + l;
        }
    }

    /** Drops the oldest entry when {@code l} is full (a router flooding options costs bounded memory). */
    private static <T> void bounded(List<T> l, int max) {
        while (l.size() >= max) {
            l.remove(0);
        }
    }

    private <T> void expire(List<T> l, java.util.function.ToLongFunction<T> expires) {
        long now = loop.now();
        l.removeIf(x -> expires.applyAsLong(x) != Address6.FOREVER && now - expires.applyAsLong(x) >= 0);
    }

    /** The on-link prefix with the longest match for {@code to}, or null. */
    public Prefix onLink(byte[] to) {
        expire(prefixes, Prefix::expires);
        Prefix best = null;
        for (Prefix p : prefixes) {
            if (Ip6.samePrefix(p.prefix(), to, p.prefixLength()) && (best == null || p.prefixLength() > best.prefixLength())) {
                best = p;
            }
        }
        return best;
    }

    /** A default router (RFC 4861 6.3.6: one not known unreachable first), or null. */
    public Router defaultRouter(java.util.function.Function<Integer, NetInterface> nicOf) {
        expire(routers, Router::expires);
        Router fallback = null;
        for (Router r : routers) {
            NetInterface nic = nicOf.apply(r.ifindex());
            if (nic == null || !nic.isUp()) {
                continue;
            }
            Neighbor6Cache.State st = neighbours.state(nic, r.address());
            if (st != null && st != Neighbor6Cache.State.INCOMPLETE) {
                return r;
            }
            if (fallback == null) {
                fallback = r;
            }
        }
        return fallback;
    }

    /** True when {@code a} is a default router on {@code ifindex} (redirects come only from the first hop). */
    public boolean isRouter(int ifindex, byte[] a) {
        for (Router r : routers) {
            if (r.ifindex() == ifindex && Arrays.equals(r.address(), a)) {
                return true;
            }
        }
        return false;
    }

    /** A validated redirect: traffic for {@code destination} goes to {@code target} (RFC 4861 8.3). */
    public void redirect(NetInterface nic, byte[] destination, byte[] target) {
        Destination k = Destination.of(destination);
        redirects.remove(k);
        if (redirects.size() >= MAX_REDIRECTS) {
            Iterator<Destination> it = redirects.keySet().iterator();
            it.next();
            it.remove();
        }
        redirects.put(k, new Redirect(target.clone(), nic.index, loop.now() + REDIRECT_NANOS));
    }

    /** The redirected next hop for {@code destination} (filled into {@code path}), or false. */
    boolean redirected(byte[] destination, Ipv6Layer.Path path, java.util.function.Function<Integer, NetInterface> nicOf) {
        if (redirects.isEmpty()) {
            return false;
        }
        Destination k = Destination.of(destination);
        Redirect r = redirects.get(k);
        if (r == null) {
            return false;
        }
        NetInterface nic = nicOf.apply(r.ifindex());
        if (loop.now() - r.expires() >= 0 || nic == null || !nic.isUp()) {
            redirects.remove(k);
            return false;
        }
        path.iface = nic;
        path.nextHop = r.target();
        return true;
    }

    /** What {@code ifindex} learnt, lists copied and expired entries dropped. */
    public Learnt learnt(int ifindex) {
        expire(routers, Router::expires);
        expire(dns, DnsServer::expires);
        expire(domains, Domain::expires);
        State s = enabled.get(ifindex);
        return new Learnt(s != null && s.heard, s != null && s.managed, s != null && s.otherConfig,
                routers.stream().filter(r -> r.ifindex() == ifindex).toList(),
                dns.stream().filter(d -> d.ifindex() == ifindex).toList(),
                domains.stream().filter(d -> d.ifindex() == ifindex).toList());
    }

    /** Every on-link prefix learnt (for listing routes). */
    public List<Prefix> prefixes() {
        expire(prefixes, Prefix::expires);
        return List.copyOf(prefixes);
    }
}
