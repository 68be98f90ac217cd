package org.jioth.dns;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A DNS stub resolver (RFC 1035) over a {@link DnsTransport}: A and AAAA queries over UDP with EDNS0
 * (RFC 6891), a TCP retry when an answer is truncated, several servers tried in turn (optionally
 * rotated) with a timeout each, search domains with {@code ndots}, static hosts entries first, and a
 * bounded cache honouring TTLs, negative answers included (RFC 2308).
 *
 * <p>Query IDs come from {@link SecureRandom} (they guard against off-path spoofing); answers whose
 * source, ID or question do not match are dropped. Thread-safe; servers, search domains and hosts
 * can be changed at any time ({@link #configure}).
 */
public final class DnsResolver {
    private static final System.Logger LOG = System.getLogger(DnsResolver.class.getName());
    /** The EDNS0 UDP payload size advertised (DNS flag day 2020: fits unfragmented in any path). */
    public static final int EDNS_SIZE = 1232;
    private static final int MAX_CNAME_HOPS = 8;

    private record Config(List<InetSocketAddress> servers, List<String> search, HostsTable hosts) {
    }

    private record Outcome(List<InetAddress> addresses, boolean noSuchName) {
    }

    private final DnsTransport transport;
    private final DnsCache cache;
    private final Duration timeout;
    private final int attempts;
    private final int ndots;
    private final boolean rotate;
    private final boolean edns;
    private final SecureRandom ids = new SecureRandom();
    private final AtomicInteger nextServer = new AtomicInteger();
    /** Read without a lock by lookups; replaced under this resolver's lock, so concurrent edits are not lost. */
    private volatile Config config;
    private final AtomicLong queries = new AtomicLong();
    private final AtomicLong timeouts = new AtomicLong();
    private final AtomicLong malformed = new AtomicLong();
    private final AtomicLong tcpRetries = new AtomicLong();
    private final AtomicLong cacheHits = new AtomicLong();

    private DnsResolver(Builder b) {
        this.transport = Objects.requireNonNull(b.transport, "transport");
        this.cache = new DnsCache(b.cacheSize, b.clock);
        this.timeout = b.timeout;
        this.attempts = b.attempts;
        this.ndots = b.ndots;
        this.rotate = b.rotate;
        this.edns = b.edns;
        this.config = new Config(List.copyOf(b.servers), List.copyOf(b.search), b.hosts);
    }

    /** A resolver over {@code transport}; set servers, search domains, hosts and limits on the builder. */
    public static Builder builder(DnsTransport transport) {
        return new Builder(transport);
    }

    /** Replaces the servers (port 53) and the search domains, e.g. from iothconf's {@code dns=} and {@code domain=}. */
    public synchronized void configure(List<InetAddress> servers, List<String> search) {
        Config c = config;
        config = new Config(servers.stream().map(a -> new InetSocketAddress(a, 53)).toList(), List.copyOf(search), c.hosts());
        cache.clear();
    }

    /** Adds a static entry, answered before any server is asked. */
    public synchronized void addHost(String name, InetAddress address) {
        Config c = config;
        config = new Config(c.servers(), c.search(), c.hosts().with(name, address));
    }

    /** Replaces the static entries. */
    public synchronized void setHosts(HostsTable hosts) {
        Config c = config;
        config = new Config(c.servers(), c.search(), hosts);
    }

    /** The servers asked, in order. */
    public List<InetSocketAddress> servers() {
        return config.servers();
    }

    /** The search domains, in order. */
    public List<String> searchDomains() {
        return config.search();
    }

    /** True when there is anything to ask: a server or a static entry. */
    public boolean hasSources() {
        Config c = config;
        return !c.servers().isEmpty() || !c.hosts().isEmpty();
    }

    /** The servers and domains as {@code resolv.conf(5)} text. */
    public String resolvConf() {
        Config c = config;
        StringBuilder sb = new StringBuilder();
        if (!c.search().isEmpty()) {
            sb.append("search ").append(String.join(" ", c.search())).append('\n');
        }
        for (InetSocketAddress s : c.servers()) {
            sb.append("nameserver ").append(NameSources.text(s.getAddress())).append('\n');
        }
        return sb.toString();
    }

    /** Counters: queries sent, timeouts, malformed answers, TCP retries, cache hits, cache size. */
    public Map<String, Long> statistics() {
        return Map.of("queries", queries.get(), "timeouts", timeouts.get(), "malformed", malformed.get(),
                "tcpRetries", tcpRetries.get(), "cacheHits", cacheHits.get(), "cacheSize", (long) cache.size());
    }

    /** IPv4 then IPv6 addresses of {@code host}. */
    public List<InetAddress> lookup(String host) throws UnknownHostException {
        return lookup(host, true, true);
    }

    /**
     * The addresses of {@code host} of the families asked for (IPv4 first). A literal address is
     * returned as is.
     *
     * @throws UnknownHostException when the name does not exist, has no address of those families,
     *                              or no server answered (the message says which)
     */
    public List<InetAddress> lookup(String host, boolean ipv4, boolean ipv6) throws UnknownHostException {
        String name = host.strip();
        InetAddress literal = literal(name);
        if (literal != null) {
            return List.of(literal);
        }
        Config c = config;
        List<InetAddress> fixed = c.hosts().lookup(name).stream()
                .filter(a -> a instanceof Inet4Address ? ipv4 : ipv6).toList();
        if (!fixed.isEmpty()) {
            return fixed;
        }
        if (c.servers().isEmpty()) {
            throw new UnknownHostException(host + ": no DNS server configured (iothconf dns=ADDR, or DnsResolver.configure)");
        }
        String failure = null;
        for (String candidate : candidates(name, c.search())) {
            List<InetAddress> found = new ArrayList<>();
            try {
                boolean noSuchName = false;
                if (ipv4) {
                    Outcome o = query(c, candidate, DnsMessages.TYPE_A);
                    found.addAll(o.addresses());
                    noSuchName = o.noSuchName();
                }
                if (ipv6 && !noSuchName) { // NXDOMAIN holds for every type (RFC 2308 5): no AAAA query
                    found.addAll(query(c, candidate, DnsMessages.TYPE_AAAA).addresses());
                }
            } catch (UnknownHostException e) {
                failure = e.getMessage();
                break;
            }
            if (!found.isEmpty()) {
                List<InetAddress> named = new ArrayList<>();
                for (InetAddress a : found) {
                    named.add(HostsTable.withName(host, a));
                }
                return List.copyOf(named);
            }
        }
        throw new UnknownHostException(host + ": " + (failure != null ? failure : "no such name, or no address of the family asked for"));
    }

    /** The name of {@code address} from a PTR query (or the hosts table); null when it has none. */
    public String reverse(InetAddress address) throws UnknownHostException {
        Config c = config;
        String fixed = c.hosts().nameOf(address.getAddress());
        if (fixed != null) {
            return fixed;
        }
        if (c.servers().isEmpty()) {
            return null;
        }
        byte[] r = exchange(c, reverseName(address.getAddress()), DnsMessages.TYPE_PTR);
        if (r == null) {
            return null;
        }
        try {
            for (DnsRecord rec : DnsMessages.parse(r, r.length).answers()) {
                if (rec.type() == DnsMessages.TYPE_PTR) {
                    return rec.target();
                }
            }
        } catch (DnsFormatException e) {
            malformed.incrementAndGet();
        }
        return null;
    }

    static String reverseName(byte[] a) {
        StringBuilder sb = new StringBuilder();
        if (a.length == 4) {
            for (int i = 3; i >= 0; i--) {
                sb.append(a[i] & 0xff).append('.');
            }
            return sb.append("in-addr.arpa").toString();
        }
        for (int i = 15; i >= 0; i--) {
            sb.append(Character.forDigit(a[i] & 0xf, 16)).append('.').append(Character.forDigit(a[i] >> 4 & 0xf, 16)).append('.');
        }
        return sb.append("ip6.arpa").toString();
    }

    private static InetAddress literal(String name) {
        if (name.isEmpty() || !(Character.digit(name.charAt(0), 16) >= 0 || name.charAt(0) == ':' || name.charAt(0) == '[')) {
            return null;
        }
        String n = name.startsWith("[") && name.endsWith("]") ? name.substring(1, name.length() - 1) : name;
        try {
            return InetAddress.ofLiteral(n);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** resolv.conf's order: as given first when it has {@code ndots} dots, else the search list first. */
    List<String> candidates(String name, List<String> search) {
        String lower = name.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".")) {
            return List.of(lower.substring(0, lower.length() - 1));
        }
        long dots = lower.chars().filter(ch -> ch == '.').count();
        List<String> out = new ArrayList<>();
        if (dots >= ndots) {
            out.add(lower);
        }
        for (String d : search) {
            String dom = d.toLowerCase(Locale.ROOT);
            out.add(lower + "." + (dom.endsWith(".") ? dom.substring(0, dom.length() - 1) : dom));
        }
        if (dots < ndots) {
            out.add(lower);
        }
        return out;
    }

    /** One name and type: from the cache, else from the servers (following CNAMEs in the answer). */
    private Outcome query(Config c, String name, int type) throws UnknownHostException {
        DnsCache.Cached e = cache.get(name, type);
        if (e != null) {
            cacheHits.incrementAndGet();
            return new Outcome(e.addresses(), e.noSuchName());
        }
        byte[] r = exchange(c, name, type);
        if (r == null) {
            throw new UnknownHostException("no DNS server answered for " + name + " (asked " + c.servers() + ")");
        }
        DnsMessages.Response resp;
        try {
            resp = DnsMessages.parse(r, r.length);
        } catch (DnsFormatException ex) {
            throw new IllegalStateException(ex); // exchange() returns only answers that parsed
        }
        if (resp.rcode() == DnsMessages.RCODE_NXDOMAIN) {
            cache.put(name, type, List.of(), true, resp.negativeTtl());
            return new Outcome(List.of(), true);
        }
        List<InetAddress> found = new ArrayList<>();
        long ttl = Long.MAX_VALUE;
        String owner = name;
        for (int hop = 0; hop <= MAX_CNAME_HOPS; hop++) {
            String alias = null;
            for (DnsRecord rec : resp.answers()) {
                if (!rec.name().equals(owner)) {
                    continue;
                }
                if (rec.type() == type && rec.address() != null) {
                    found.add(address(rec.address()));
                    ttl = Math.min(ttl, rec.ttl());
                } else if (rec.type() == DnsMessages.TYPE_CNAME && alias == null) {
                    alias = rec.target();
                    ttl = Math.min(ttl, rec.ttl());
                }
            }
            if (!found.isEmpty() || alias == null) {
                break;
            }
            owner = alias;
        }
        if (found.isEmpty()) {
            cache.put(name, type, List.of(), false, resp.negativeTtl()); // NODATA
        } else {
            cache.put(name, type, found, false, ttl);
        }
        return new Outcome(List.copyOf(found), false);
    }

    private static InetAddress address(byte[] b) {
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // 4 or 16 bytes, checked by the parser
        }
    }

    /**
     * Asks the servers in turn, {@code attempts} rounds, until one gives a usable answer: NOERROR or
     * NXDOMAIN, matching the question. Returns the raw answer, or null when none came.
     */
    private byte[] exchange(Config c, String name, int type) {
        List<InetSocketAddress> servers = c.servers();
        int n = servers.size();
        int first = rotate ? Math.floorMod(nextServer.getAndIncrement(), n) : 0;
        for (int round = 0; round < attempts; round++) {
            for (int i = 0; i < n; i++) {
                InetSocketAddress server = servers.get((first + i) % n);
                byte[] r = ask(server, name, type, edns);
                if (r != null) {
                    return r;
                }
            }
        }
        return null;
    }

    private byte[] ask(InetSocketAddress server, String name, int type, boolean withEdns) {
        int id = ids.nextInt(1 << 16);
        byte[] q = DnsMessages.query(id, name, type, withEdns ? EDNS_SIZE : 0);
        try {
            queries.incrementAndGet();
            byte[] r = transport.udp(server, q, timeout);
            if (r == null) {
                timeouts.incrementAndGet();
                return null;
            }
            DnsMessages.Response resp = checked(r, id, name, type);
            if (resp != null && resp.truncated()) {
                tcpRetries.incrementAndGet();
                r = transport.tcp(server, q, timeout);
                if (r == null) {
                    timeouts.incrementAndGet();
                    return null;
                }
                resp = checked(r, id, name, type);
                if (resp != null && resp.truncated()) {
                    malformed.incrementAndGet();
                    return null;
                }
            }
            if (resp == null) {
                return null;
            }
            int rc = resp.rcode();
            if (withEdns && (rc == DnsMessages.RCODE_FORMERR || rc == DnsMessages.RCODE_NOTIMP)) {
                return ask(server, name, type, false); // a server from before EDNS0 (RFC 6891 7)
            }
            return rc == DnsMessages.RCODE_NOERROR || rc == DnsMessages.RCODE_NXDOMAIN ? r : null;
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "DNS server " + server + ": " + e);
            return null;
        }
    }

    /** The parsed answer when it answers our question; null (counted) otherwise. */
    private DnsMessages.Response checked(byte[] r, int id, String name, int type) {
        try {
            DnsMessages.Response resp = DnsMessages.parse(r, r.length);
            if (resp.id() == id && (resp.question() == null ? resp.truncated() || resp.rcode() != 0
                    : resp.question().equals(name) && resp.qtype() == type)) {
                return resp;
            }
        } catch (DnsFormatException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "bad DNS answer: " + e.getMessage());
        }
        malformed.incrementAndGet();
        return null;
    }

    /** Settings of a {@link DnsResolver}. */
    public static final class Builder {
        private final DnsTransport transport;
        private final List<InetSocketAddress> servers = new ArrayList<>();
        private final List<String> search = new ArrayList<>();
        private HostsTable hosts = HostsTable.empty();
        private InstantSource clock = InstantSource.system();
        private Duration timeout = Duration.ofSeconds(2);
        private int attempts = 2;
        private int ndots = 1;
        private int cacheSize = 512;
        private boolean rotate;
        private boolean edns = true;

        private Builder(DnsTransport transport) {
            this.transport = transport;
        }

        /** Adds a server on port 53. */
        public Builder server(InetAddress address) {
            return server(new InetSocketAddress(address, 53));
        }

        /** Adds a server. */
        public Builder server(InetSocketAddress address) {
            servers.add(address);
            return this;
        }

        /** Adds a search domain. */
        public Builder search(String domain) {
            search.add(domain);
            return this;
        }

        public Builder hosts(HostsTable table) {
            hosts = table;
            return this;
        }

        /** Time for the cache's TTLs (tests pass a manual one). */
        public Builder clock(InstantSource c) {
            clock = c;
            return this;
        }

        /** How long to wait for each server (default 2 s). */
        public Builder timeout(Duration t) {
            if (t.isNegative() || t.isZero()) {
                throw new IllegalArgumentException("DNS timeout must be positive: " + t);
            }
            timeout = t;
            return this;
        }

        /** Rounds over the server list (default 2). */
        public Builder attempts(int n) {
            if (n < 1 || n > 5) {
                throw new IllegalArgumentException("DNS attempts must be 1..5: " + n);
            }
            attempts = n;
            return this;
        }

        /** Dots a name needs to be tried as given before the search list (default 1). */
        public Builder ndots(int n) {
            if (n < 0 || n > 15) {
                throw new IllegalArgumentException("ndots must be 0..15: " + n);
            }
            ndots = n;
            return this;
        }

        /** Answers kept at most (default 512). */
        public Builder cacheSize(int n) {
            if (n < 0) {
                throw new IllegalArgumentException("cache size must be >= 0: " + n);
            }
            cacheSize = n;
            return this;
        }

        /** Starts each lookup at the next server (resolv.conf's {@code options rotate}). */
        public Builder rotate(boolean r) {
            rotate = r;
            return this;
        }

        /** Sends the EDNS0 OPT record (default true). */
        public Builder edns(boolean e) {
            edns = e;
            return this;
        }

        public DnsResolver build() {
            return new DnsResolver(this);
        }
    }
}
