package org.jioth.dhcp;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;
import org.jioth.IothStack;
import org.jioth.MacAddress;
import org.jioth.NetConfig;
import org.jioth.NetConfigException;

/**
 * A DHCPv6 client (RFC 8415) for one interface, over the stack's own IPv6 datagram channels
 * (port 546, messages to ff02::1:2 on the interface): SOLICIT, ADVERTISE (highest preference
 * wins, 255 at once), REQUEST, REPLY for one IA_NA, or SOLICIT with Rapid Commit answered by a
 * REPLY; stateless INFORMATION-REQUEST ({@link #inform()}, and {@link #acquire()}'s fallback when
 * every server says NoAddrsAvail). Each address is added as a /128; the DNS servers (option 23)
 * and domain list (option 24) go to a {@link NameListener}. Renewal at T1 (RENEW to the server),
 * rebinding at T2 (REBIND to any), removal of each address at the end of its valid lifetime, then
 * SOLICIT again with back-off ({@link #onTimer}); RELEASE on {@link #close()}.
 *
 * <p>Retransmission follows RFC 8415 15 ({@link Dhcp6Retransmission}) with the jitter from the
 * random source given (the stack's, or a seeded one in tests); transaction ids come from
 * {@link SecureRandom} (they guard against off-path spoofing). The server's Server Unicast option
 * is ignored unless {@link Settings#allowUnicast}. Malformed and unrelated messages are counted
 * ({@link #statistics()}) and dropped. The client's identity is a DUID-LL of the interface's MAC
 * (stable across restarts), its IAID the MAC's last four bytes.
 */
public final class Dhcp6Client implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Dhcp6Client.class.getName());
    static final int CLIENT_PORT = 546;
    static final int SERVER_PORT = 547;
    /** How long a receive waits at most before the client checks whether it was closed. */
    private static final Duration SLICE = Duration.ofMillis(500);
    /** The pause before retrying a send the stack refused (no usable link-local address yet: DAD). */
    private static final Duration RESEND = Duration.ofMillis(200);
    static final Duration FIRST_REDISCOVER_PAUSE = Duration.ofSeconds(4);
    static final Duration MAX_REDISCOVER_PAUSE = Duration.ofSeconds(600);

    /**
     * Behaviour: {@code rapidCommit} asks for the two-message exchange; {@code allowUnicast} honours
     * the Server Unicast option; {@code informFallback} asks INFORMATION-REQUEST when every server
     * has no address for us; {@code firstDelayMax} delays the first SOLICIT or INFORMATION-REQUEST
     * by up to this (RFC 8415: 1 s); {@code acquireLimit} bounds {@link #acquire()}'s SOLICIT and
     * REQUEST exchanges each (the RFC's SOLICIT never gives up; iothconf's call must return);
     * {@code releaseLimit} bounds RELEASE on close.
     */
    public record Settings(boolean rapidCommit, boolean allowUnicast, boolean informFallback, Duration firstDelayMax,
                           Duration acquireLimit, Duration releaseLimit) {
        public static Settings defaults() {
            return new Settings(true, false, true, Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofSeconds(3));
        }

        public Settings withRapidCommit(boolean on) {
            return new Settings(on, allowUnicast, informFallback, firstDelayMax, acquireLimit, releaseLimit);
        }

        public Settings withAllowUnicast(boolean on) {
            return new Settings(rapidCommit, on, informFallback, firstDelayMax, acquireLimit, releaseLimit);
        }

        public Settings withInformFallback(boolean on) {
            return new Settings(rapidCommit, allowUnicast, on, firstDelayMax, acquireLimit, releaseLimit);
        }

        public Settings withFirstDelayMax(Duration d) {
            return new Settings(rapidCommit, allowUnicast, informFallback, d, acquireLimit, releaseLimit);
        }
    }

    /** Where the DNS servers and domains of the lease go (the stack's resolver, through iothconf's name sources). */
    public interface NameListener {
        void names(List<Inet6Address> servers, List<String> domains);
    }

    /** ACCEPT ends the exchange with the message; REFUSED (the server has nothing for us) ends it after the current timeout. */
    private enum Verdict { ACCEPT, IGNORE, REFUSED, FAIL }

    private interface Judge {
        Verdict judge(Dhcp6Message.Parsed p);
    }

    private final NetConfig config;
    private final int ifindex;
    private final byte[] duid;
    private final int iaid;
    private final String fqdn;
    private final Dhcp6Link.Opener links;
    private final InstantSource clock;
    private final RandomGenerator jitter;
    private final Settings settings;
    private final NameListener names;
    private final SecureRandom xids = new SecureRandom();
    private final Object lock = new Object();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong malformed = new AtomicLong();
    private final AtomicLong ignored = new AtomicLong();
    private Dhcp6Lease lease;
    private Duration rediscoverPause;
    private Thread timers;
    private volatile boolean closed;
    private volatile boolean releasing;

    Dhcp6Client(NetConfig config, int ifindex, MacAddress mac, String fqdn, Dhcp6Link.Opener links, InstantSource clock,
                RandomGenerator jitter, Settings settings, NameListener names) {
        this.config = config;
        this.ifindex = ifindex;
        this.duid = Duid.linkLayer(mac);
        byte[] m = mac.toByteArray();
        this.iaid = (m[2] & 0xff) << 24 | (m[3] & 0xff) << 16 | (m[4] & 0xff) << 8 | m[5] & 0xff;
        this.fqdn = fqdn;
        this.links = links;
        this.clock = clock;
        this.jitter = jitter;
        this.settings = settings;
        this.names = names;
    }

    /**
     * A client for {@code ifindex} of {@code stack} on the system clock; {@code fqdn} (may be null)
     * is sent as option 39; {@code jitter} randomises the retransmissions (null: a generator seeded
     * from {@link SecureRandom}); names go to {@code names}.
     */
    public static Dhcp6Client on(IothStack stack, int ifindex, String fqdn, RandomGenerator jitter, Settings settings,
                                 NameListener names) throws NetConfigException {
        InstantSource clock = InstantSource.system();
        return new Dhcp6Client(stack, ifindex, stack.linkGetAddr(ifindex), fqdn, () -> ChannelDhcp6Link.open(stack, clock),
                clock, jitter != null ? jitter : new SplittableRandom(new SecureRandom().nextLong()), settings, names);
    }

    /** The lease (or stateless configuration) held now, or null. */
    public Dhcp6Lease lease() {
        synchronized (lock) {
            return lease;
        }
    }

    /** Counters: messages sent, received, malformed (dropped), ignored (not for us, or refused). */
    public Map<String, Long> statistics() {
        return Map.of("sent", sent.get(), "received", received.get(), "malformed", malformed.get(), "ignored", ignored.get());
    }

    /**
     * Gets addresses (SOLICIT, then REQUEST unless Rapid Commit bound at once) and applies them;
     * when every answering server has no address, the stateless configuration instead (if
     * {@link Settings#informFallback}).
     *
     * @throws IOException when no server gave anything within the limits (the message says which step)
     */
    public Dhcp6Lease acquire() throws IOException {
        firstDelay();
        boolean[] noAddrs = {false};
        Exchanged got = exchange(Dhcp6Message.SOLICIT, Dhcp6Retransmission.Params.SOLICIT.limitedTo(settings.acquireLimit()),
                null, List.of(), allServers(), true, p -> {
                    boolean rapid = p.type() == Dhcp6Message.REPLY && settings.rapidCommit() && p.rapidCommit();
                    if (p.type() != Dhcp6Message.ADVERTISE && !rapid) {
                        return Verdict.IGNORE;
                    }
                    if (!hasAddresses(p)) {
                        // RFC 8415 18.2.9: an Advertise without addresses is ignored (its other data may be used)
                        noAddrs[0] = true;
                        return Verdict.REFUSED;
                    }
                    return Verdict.ACCEPT;
                });
        if (got == null) {
            if (noAddrs[0] && settings.informFallback()) {
                return inform(false);
            }
            throw new IOException("DHCPv6: no ADVERTISE with an address within " + settings.acquireLimit().toSeconds() + " s"
                    + (noAddrs[0] ? " (servers answered NoAddrsAvail)" : ""));
        }
        Dhcp6Message.Parsed reply = got.message();
        InetSocketAddress from = got.from();
        if (reply.type() == Dhcp6Message.ADVERTISE) {
            List<Inet6Address> offered = reply.ia().addresses().stream().map(Dhcp6Message.IaAddress::address).toList();
            Exchanged r = exchange(Dhcp6Message.REQUEST, Dhcp6Retransmission.Params.REQUEST.limitedTo(settings.acquireLimit()),
                    reply.serverId(), offered, to(reply), false, this::judgeBinding);
            if (r == null) {
                throw new IOException("DHCPv6: no REPLY with an address to REQUEST (server " + from.getAddress().getHostAddress() + ")");
            }
            reply = r.message();
            from = r.from();
        }
        Dhcp6Lease l = Dhcp6Lease.stateful(reply, from, clock.instant());
        apply(null, l);
        return l;
    }

    /** Stateless configuration: INFORMATION-REQUEST, REPLY with DNS servers and domains, applied. */
    public Dhcp6Lease inform() throws IOException {
        return inform(true);
    }

    private Dhcp6Lease inform(boolean delay) throws IOException {
        if (delay) {
            firstDelay();
        }
        Exchanged got = exchange(Dhcp6Message.INFORMATION_REQUEST,
                Dhcp6Retransmission.Params.INFORMATION_REQUEST.limitedTo(settings.acquireLimit()), null, List.of(),
                allServers(), false, p -> p.type() == Dhcp6Message.REPLY && p.status() == Dhcp6Message.STATUS_SUCCESS
                        ? Verdict.ACCEPT : Verdict.IGNORE);
        if (got == null) {
            throw new IOException("DHCPv6: no REPLY to INFORMATION-REQUEST within " + settings.acquireLimit().toSeconds() + " s");
        }
        Dhcp6Lease l = Dhcp6Lease.stateless(got.message(), got.from(), clock.instant());
        apply(null, l);
        return l;
    }

    private void firstDelay() throws IOException {
        long max = settings.firstDelayMax().toNanos();
        if (max <= 0) {
            return;
        }
        Instant until = clock.instant().plusNanos(jitter.nextLong(max));
        try (Dhcp6Link link = links.open()) {
            while (!closed && link.receive(until) != null) {
                ignored.incrementAndGet(); // nothing is expected before the first message
            }
        }
    }

    private static boolean hasAddresses(Dhcp6Message.Parsed p) {
        return p.status() == Dhcp6Message.STATUS_SUCCESS && p.ia() != null && p.ia().status() == Dhcp6Message.STATUS_SUCCESS
                && p.ia().addresses().stream().anyMatch(a -> a.valid() > 0)
                && (p.ia().t1() <= p.ia().t2() || p.ia().t2() == 0); // RFC 8415 21.4: T1 > T2 > 0 is discarded
    }

    /** A REPLY to REQUEST, RENEW or REBIND: addresses accepted; NoAddrsAvail, NoBinding, NotOnLink end the exchange. */
    private Verdict judgeBinding(Dhcp6Message.Parsed p) {
        if (p.type() != Dhcp6Message.REPLY) {
            return Verdict.IGNORE;
        }
        if (hasAddresses(p)) {
            return Verdict.ACCEPT;
        }
        int s = p.ia() != null && p.ia().status() != Dhcp6Message.STATUS_SUCCESS ? p.ia().status() : p.status();
        return s == Dhcp6Message.STATUS_NO_ADDRS_AVAIL || s == Dhcp6Message.STATUS_NO_BINDING || s == Dhcp6Message.STATUS_NOT_ON_LINK
                || p.ia() != null && p.status() == Dhcp6Message.STATUS_SUCCESS ? Verdict.FAIL : Verdict.IGNORE;
    }

    /**
     * What the timers do at {@code now}: addresses past their valid lifetime are removed; RENEW
     * from T1, REBIND from T2 (a REPLY replaces the lease); when nothing is left, SOLICIT again
     * (after 4 s, doubling to 600 s while no server answers). A stateless configuration is asked
     * again after its refresh time. Returns when to be called next (null: never).
     */
    public Instant onTimer(Instant now) throws IOException {
        Dhcp6Lease l;
        Duration pause;
        synchronized (lock) {
            if (closed) {
                return null;
            }
            l = lease;
            pause = rediscoverPause;
        }
        if (l == null) {
            return pause == null ? null : rediscover(now, pause);
        }
        if (l.isStateless()) {
            if (now.isBefore(l.renewAt())) {
                return l.renewAt();
            }
            synchronized (lock) {
                lease = null;
                rediscoverPause = FIRST_REDISCOVER_PAUSE;
            }
            return now;
        }
        l = dropExpired(l, now);
        if (l.addresses().isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, "DHCPv6 lease on interface " + ifindex + " expired");
            synchronized (lock) {
                lease = null;
                rediscoverPause = FIRST_REDISCOVER_PAUSE;
            }
            names.names(List.of(), List.of());
            return now;
        }
        Dhcp6Lease.Phase phase = l.phase(now);
        if (phase == Dhcp6Lease.Phase.BOUND) {
            return earliest(l.renewAt(), l);
        }
        boolean renewing = phase == Dhcp6Lease.Phase.RENEWING;
        Instant end = renewing ? l.rebindAt() : l.expiresAt();
        Duration limit = Duration.between(now, end);
        List<Inet6Address> held = l.addresses().stream().map(Dhcp6Message.IaAddress::address).toList();
        Exchanged r = renewing
                ? exchange(Dhcp6Message.RENEW, Dhcp6Retransmission.Params.RENEW.limitedTo(limit), l.serverId(), held, to(l),
                        false, this::judgeBinding)
                : exchange(Dhcp6Message.REBIND, Dhcp6Retransmission.Params.REBIND.limitedTo(limit), null, held, allServers(),
                        false, this::judgeBinding);
        if (r != null) {
            Dhcp6Lease fresh = Dhcp6Lease.stateful(r.message(), r.from(), clock.instant());
            apply(l, fresh);
            return earliest(fresh.renewAt(), fresh);
        }
        if (closed) {
            return null;
        }
        Instant now2 = clock.instant();
        return earliest(end.isAfter(now2) ? end : now2, l); // an address may end before the next phase
    }

    /** The earlier of {@code at} and the next end of an address's valid lifetime. */
    private static Instant earliest(Instant at, Dhcp6Lease l) {
        Instant e = at;
        for (Dhcp6Message.IaAddress a : l.addresses()) {
            Instant x = l.expiresAt(a);
            if (x.isBefore(e)) {
                e = x;
            }
        }
        return e;
    }

    private Dhcp6Lease dropExpired(Dhcp6Lease l, Instant now) {
        List<Dhcp6Message.IaAddress> keep = new ArrayList<>();
        for (Dhcp6Message.IaAddress a : l.addresses()) {
            if (now.isBefore(l.expiresAt(a))) {
                keep.add(a);
            } else {
                remove(a.address());
            }
        }
        if (keep.size() == l.addresses().size()) {
            return l;
        }
        Dhcp6Lease rest = new Dhcp6Lease(l.serverId(), l.server(), l.serverUnicast(), keep, l.dnsServers(), l.domains(),
                l.obtained(), l.t1(), l.t2());
        synchronized (lock) {
            lease = rest;
        }
        return rest;
    }

    private Instant rediscover(Instant now, Duration pause) {
        try {
            Dhcp6Lease l = acquire();
            synchronized (lock) {
                rediscoverPause = null;
            }
            if (closed) {
                unapply(l);
                return null;
            }
            return l.isStateless() ? l.renewAt() : earliest(l.renewAt(), l);
        } catch (IOException e) {
            if (closed) {
                return null;
            }
            LOG.log(System.Logger.Level.INFO, "DHCPv6 rediscovery: " + e.getMessage() + "; next try in " + pause);
            Duration next = pause.multipliedBy(2);
            synchronized (lock) {
                rediscoverPause = next.compareTo(MAX_REDISCOVER_PAUSE) > 0 ? MAX_REDISCOVER_PAUSE : next;
            }
            return clock.instant().plus(pause);
        }
    }

    /** Runs {@link #onTimer} on a virtual thread, sleeping until each next instant. */
    public void startTimers() {
        synchronized (lock) {
            if (timers != null || closed) {
                return;
            }
            timers = Thread.ofVirtual().name("jioth-dhcp6-" + ifindex).start(this::runTimers);
        }
    }

    private void runTimers() {
        Instant next = clock.instant();
        while (next != null && !closed) {
            try {
                Duration wait = Duration.between(clock.instant(), next);
                if (wait.compareTo(Duration.ZERO) > 0) {
                    Thread.sleep(wait.compareTo(Duration.ofDays(1)) > 0 ? Duration.ofDays(1) : wait);
                    if (clock.instant().isBefore(next)) {
                        continue;
                    }
                }
                next = onTimer(clock.instant());
            } catch (InterruptedException e) {
                return;
            } catch (IOException | RuntimeException e) {
                if (closed) {
                    return;
                }
                LOG.log(System.Logger.Level.WARNING, "DHCPv6 timer: " + e.getMessage(), e);
                next = clock.instant().plusSeconds(60);
            }
        }
    }

    /** Stops the timers, removes the addresses and sends RELEASE (bounded by {@link Settings#releaseLimit}). */
    @Override
    public void close() {
        Thread t;
        Dhcp6Lease l;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            t = timers;
        }
        if (t != null) {
            t.interrupt();
            try {
                t.join(Duration.ofSeconds(2)); // its exchange notices `closed` within a slice
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (lock) {
            l = lease;
            lease = null;
        }
        if (l == null) {
            return;
        }
        unapply(l); // RFC 8415 18.2.7: stop using the addresses before the Release
        if (l.isStateless()) {
            return;
        }
        releasing = true;
        try {
            List<Inet6Address> held = l.addresses().stream().map(Dhcp6Message.IaAddress::address).toList();
            exchange(Dhcp6Message.RELEASE, Dhcp6Retransmission.Params.RELEASE.limitedTo(settings.releaseLimit()),
                    l.serverId(), held, to(l), false, p -> p.type() == Dhcp6Message.REPLY ? Verdict.ACCEPT : Verdict.IGNORE);
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "DHCPv6 release: " + e);
        } finally {
            releasing = false;
        }
    }

    private boolean aborted() {
        return closed && !releasing;
    }

    private record Exchanged(Dhcp6Message.Parsed message, InetSocketAddress from) {
    }

    /**
     * One message exchange: sends {@code type} (same transaction id, updated elapsed time) on the
     * RFC 8415 15 schedule until {@code judge} accepts a message or fails the exchange, or the
     * limits end it (null). With {@code collect} (SOLICIT), Advertises are gathered during the
     * first timeout and the highest preference wins (255 wins at once).
     */
    private Exchanged exchange(int type, Dhcp6Retransmission.Params params, byte[] serverId, List<Inet6Address> addresses,
                               InetSocketAddress to, boolean collect, Judge judge) throws IOException {
        Dhcp6Retransmission schedule = new Dhcp6Retransmission(params, jitter, type == Dhcp6Message.SOLICIT);
        int xid = xids.nextInt(1 << 24);
        Instant start = clock.instant();
        Instant end = schedule.maxDuration() == null ? Instant.MAX : start.plus(schedule.maxDuration());
        Exchanged best = null;
        boolean refused = false;
        try (Dhcp6Link link = links.open()) {
            while (!aborted() && !schedule.countExhausted() && clock.instant().isBefore(end)) {
                boolean firstRound = schedule.transmissions() == 0;
                Instant roundEnd = clock.instant().plus(schedule.next());
                if (roundEnd.isAfter(end)) {
                    roundEnd = end;
                }
                byte[] msg = Dhcp6Message.client(type, xid, new Dhcp6Message.Fields(duid, serverId, iaid, addresses,
                        elapsedCentis(start), settings.rapidCommit(), fqdn));
                boolean delivered = send(link, msg, to);
                while (true) {
                    Instant now = clock.instant();
                    Instant slice = now.plus(delivered ? SLICE : RESEND);
                    Dhcp6Link.Datagram d = link.receive(slice.isBefore(roundEnd) ? slice : roundEnd);
                    if (d == null) {
                        if (aborted() || !clock.instant().isBefore(roundEnd)) {
                            break;
                        }
                        if (!delivered) {
                            delivered = send(link, msg, to);
                        }
                        continue;
                    }
                    Dhcp6Message.Parsed p = validate(d, xid);
                    if (p == null) {
                        continue;
                    }
                    Verdict v = judge.judge(p);
                    if (v == Verdict.FAIL) {
                        LOG.log(System.Logger.Level.INFO, "DHCPv6: " + name(type) + " refused by " + d.from() + " (status "
                                + (p.ia() != null && p.ia().status() != 0 ? p.ia().status() : p.status()) + ")");
                        return null;
                    }
                    if (v == Verdict.IGNORE || v == Verdict.REFUSED) {
                        ignored.incrementAndGet();
                        refused |= v == Verdict.REFUSED;
                        continue;
                    }
                    Exchanged e = new Exchanged(p, d.from());
                    if (!(collect && firstRound && p.type() == Dhcp6Message.ADVERTISE) || p.preference() == 255) {
                        return e;
                    }
                    if (best == null || p.preference() > best.message().preference()) {
                        best = e;
                    }
                }
                if (best != null || refused) {
                    return best; // a server answered that it has nothing for us: no use asking again now
                }
            }
        }
        return best;
    }

    private boolean send(Dhcp6Link link, byte[] msg, InetSocketAddress to) {
        try {
            link.send(msg, to);
            sent.incrementAndGet();
            return true;
        } catch (IOException e) {
            // typically no usable link-local source address yet (DAD): tried again shortly
            LOG.log(System.Logger.Level.DEBUG, () -> "DHCPv6 send to " + to + ": " + e.getMessage());
            return false;
        }
    }

    /** The message when it is a well-formed server message for this exchange; null (counted) otherwise. */
    private Dhcp6Message.Parsed validate(Dhcp6Link.Datagram d, int xid) {
        received.incrementAndGet();
        Dhcp6Message.Parsed p;
        try {
            p = Dhcp6Message.parse(d.data(), d.length(), iaid);
        } catch (IllegalArgumentException e) {
            malformed.incrementAndGet();
            LOG.log(System.Logger.Level.DEBUG, () -> "DHCPv6 from " + d.from() + " dropped: " + e.getMessage());
            return null;
        }
        if (p.type() != Dhcp6Message.ADVERTISE && p.type() != Dhcp6Message.REPLY) {
            ignored.incrementAndGet();
            return null;
        }
        if (p.serverId() == null) {
            malformed.incrementAndGet(); // RFC 8415 16.3/16.10: discarded
            return null;
        }
        if (p.xid() != xid || p.clientId() == null || !Arrays.equals(p.clientId(), duid)) {
            ignored.incrementAndGet();
            return null;
        }
        return p;
    }

    private int elapsedCentis(Instant start) {
        long c = Duration.between(start, clock.instant()).toMillis() / 10;
        return (int) Math.min(c, 0xffff);
    }

    private InetSocketAddress allServers() {
        return ChannelDhcp6Link.allServers(ifindex);
    }

    /** The server's own address when it offered unicast and that is allowed, else the multicast group. */
    private InetSocketAddress to(Dhcp6Message.Parsed p) {
        return settings.allowUnicast() && p.serverUnicast() != null ? new InetSocketAddress(p.serverUnicast(), SERVER_PORT) : allServers();
    }

    private InetSocketAddress to(Dhcp6Lease l) {
        return settings.allowUnicast() && l.serverUnicast() != null ? new InetSocketAddress(l.serverUnicast(), SERVER_PORT) : allServers();
    }

    private void apply(Dhcp6Lease old, Dhcp6Lease l) throws NetConfigException {
        List<Inet6Address> now = l.addresses().stream().map(Dhcp6Message.IaAddress::address).toList();
        if (old != null) {
            for (Dhcp6Message.IaAddress a : old.addresses()) {
                if (!now.contains(a.address())) {
                    remove(a.address());
                }
            }
        }
        for (Inet6Address a : now) {
            try {
                config.ipAddrAdd(a, 128, ifindex);
            } catch (NetConfigException e) {
                if (!e.errno().equals("EEXIST")) {
                    throw e;
                }
            }
        }
        synchronized (lock) {
            lease = l;
        }
        names.names(l.dnsServers(), l.domains());
    }

    private void unapply(Dhcp6Lease l) {
        for (Dhcp6Message.IaAddress a : l.addresses()) {
            remove(a.address());
        }
        names.names(List.of(), List.of());
    }

    private void remove(Inet6Address a) {
        try {
            config.ipAddrDel(a, 128, ifindex);
        } catch (NetConfigException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "DHCPv6 address removal: " + e.getMessage());
        }
    }

    private static String name(int type) {
        return switch (type) {
            case Dhcp6Message.SOLICIT -> "SOLICIT";
            case Dhcp6Message.REQUEST -> "REQUEST";
            case Dhcp6Message.RENEW -> "RENEW";
            case Dhcp6Message.REBIND -> "REBIND";
            case Dhcp6Message.RELEASE -> "RELEASE";
            default -> "INFORMATION-REQUEST";
        };
    }
}
