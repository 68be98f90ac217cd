package org.jioth.conf;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.jioth.IothStack;
import java.time.Duration;
import org.jioth.dhcp.Dhcp6Clients;
import org.jioth.dhcp.Dhcp6Lease;
import org.jioth.dhcp.DhcpClients;
import org.jioth.dns.NameSources;
import org.jioth.dhcp.DhcpLease;
import org.jioth.MacAddress;
import org.jioth.NetConfig;
import org.jioth.NetConfigException;

/**
 * iothconf: configures a stack from one text string, through the public {@link NetConfig} calls
 * and the stack's own sockets only, so it works for every plug-in.
 *
 * <pre>{@code
 * IothConf.parse("eth,ip=192.168.250.50/24,gw=192.168.250.1").apply(stack);
 * stack.configure("eth,dhcp,dhcp6,rd,slaac");
 * }</pre>
 *
 * <p>Tags: {@code iface=NAME} (default {@code vde0}), {@code ifindex=N}, {@code mac=} ({@code macaddr=}),
 * {@code fqdn=NAME} (with {@code eth} and no {@code mac}: the hash MAC of libiothaddr; sent by DHCP and
 * DHCPv6), {@code eth} (MAC if given, link up), {@code ip=ADDR[/PREFIX]} (repeatable; missing or 0
 * prefix: 24 for IPv4, 64 for IPv6), {@code gw=ADDR}, {@code dns=ADDR}, {@code domain=NAME}, and the
 * removals {@code -ip=}, {@code -gw=}, {@code -dns=}, {@code -domain=}, {@code -eth}. Protocols (they
 * need an {@link IothStack}): {@code dhcp} ({@code dhcp4}, {@code dhcpv4}) runs a
 * {@link org.jioth.dhcp.DhcpClient}, {@code dhcp6} ({@code dhcpv6}) a {@link org.jioth.dhcp.Dhcp6Client},
 * both keeping their lease fresh; {@code rd} ({@code rd6}) router discovery and, with {@code slaac},
 * SLAAC, through the stack's {@link RouterDiscovery} capability or, without one, by waiting for the
 * Linux kernel's own ({@link KernelRouterDiscovery}); {@code auto} = {@code eth,dhcp,dhcp6,rd},
 * {@code auto4} = {@code eth,dhcp}, {@code auto6} = {@code eth,dhcp6,rd}; {@code -dhcp}, {@code -dhcp6},
 * {@code -rd}, {@code -auto} ({@code -all}), {@code -auto4}, {@code -auto6} undo them. DNS data of every
 * source goes to the stack's resolver through {@link NameSources}; {@link #resolvConf(IothStack)} gives
 * it as resolv.conf text. Deviations from the C library: no 1-second sleep after {@code eth}; no record
 * store, so an address or route already present counts as applied (EEXIST is not an error) and
 * {@code -static} is refused; {@code rd} waits up to 6 s (C: 1 s after its own solicitation).
 */
public final class IothConf {

    /** The steps of libioth's result mask. */
    public enum Step {
        STATIC(1), ETH(1 << 1), DHCP(1 << 2), DHCPV6(1 << 3), RD(1 << 4);

        private final int bit;

        Step(int bit) {
            this.bit = bit;
        }

        /** The bit of {@code ioth_config}'s result. */
        public int bit() {
            return bit;
        }
    }

    /**
     * What {@link #apply} did: the steps that succeeded, and the static DNS servers and search
     * domains (which configure no stack object; a resolver reads them).
     */
    public record Result(Set<Step> steps, List<InetAddress> dnsServers, List<String> domains) {
        public Result {
            steps = Collections.unmodifiableSet(steps.isEmpty() ? EnumSet.noneOf(Step.class) : EnumSet.copyOf(steps));
            dnsServers = List.copyOf(dnsServers);
            domains = List.copyOf(domains);
        }

        /** {@code ioth_config}'s return value: one bit per step (0 when nothing was requested). */
        public int mask() {
            int m = 0;
            for (Step s : steps) {
                m |= s.bit();
            }
            return m;
        }
    }

    /** An address with its prefix length. */
    public record Prefix(InetAddress address, int length) {
        @Override
        public String toString() {
            return address.getHostAddress() + "/" + length;
        }
    }

    private static final Set<String> DHCP = Set.of("dhcp", "dhcp4", "dhcpv4");
    private static final Set<String> DHCP6 = Set.of("dhcp6", "dhcpv6");
    private static final Set<String> RD = Set.of("rd", "rd6");
    /** How long {@code rd} waits for an advertisement (and, with {@code slaac}, its address). */
    static final Duration RD_WAIT = Duration.ofSeconds(6);

    private String iface = "vde0";
    private Integer ifindex;
    private String fqdn;
    private MacAddress mac;
    private boolean eth;
    private boolean ethDown;
    private boolean dhcp;
    private boolean dhcpRemove;
    private boolean dhcp6;
    private boolean dhcp6Remove;
    private boolean rd;
    private boolean rdRemove;
    private boolean slaac;
    private final List<InetAddress> removeDns = new ArrayList<>();
    private final List<String> removeDomains = new ArrayList<>();
    private final List<Prefix> ips = new ArrayList<>();
    private final List<InetAddress> gateways = new ArrayList<>();
    private final List<InetAddress> dns = new ArrayList<>();
    private final List<String> domains = new ArrayList<>();
    private final List<Prefix> removeIps = new ArrayList<>();
    private final List<InetAddress> removeGateways = new ArrayList<>();
    private String stack;
    private String vnl;

    private IothConf() {
    }

    /**
     * Parses {@code config}. Nothing is applied yet.
     *
     * @throws IllegalArgumentException naming the bad option (an unknown tag, a bad value, a
     *                                  protocol that is not supported yet)
     */
    public static IothConf parse(String config) {
        return parse(config, false);
    }

    /**
     * Parses an {@code ioth_newstackc} string: {@code stack=} and {@code vnl=} are accepted
     * besides the configuration tags.
     */
    public static IothConf parseStackConfig(String config) {
        return parse(config, true);
    }

    private static IothConf parse(String config, boolean stackTags) {
        IothConf c = new IothConf();
        for (ConfTokenizer.Option o : ConfTokenizer.options(config == null ? "" : config)) {
            c.accept(o, stackTags);
        }
        return c;
    }

    private void accept(ConfTokenizer.Option o, boolean stackTags) {
        String tag = o.tag();
        String bare = tag.startsWith("-") ? tag.substring(1) : tag;
        boolean remove = tag.startsWith("-");
        boolean v4 = DHCP.contains(bare) || bare.equals("auto4") || bare.equals("autov4");
        boolean v6 = DHCP6.contains(bare) || RD.contains(bare) || bare.equals("auto6") || bare.equals("autov6");
        boolean all = bare.equals("auto") || bare.equals("all") && remove;
        if (v4 || v6 || all) {
            bare(o);
            boolean group = bare.startsWith("auto") || all;
            boolean dhcp4Too = v4 || all;
            boolean dhcp6Too = DHCP6.contains(bare) || group && !v4;
            boolean rdToo = RD.contains(bare) || group && !v4;
            if (remove) {
                dhcpRemove |= dhcp4Too;
                dhcp6Remove |= dhcp6Too;
                rdRemove |= rdToo;
                ethDown |= group;
            } else {
                dhcp |= dhcp4Too;
                dhcp6 |= dhcp6Too;
                rd |= rdToo;
                eth |= group;
            }
            return;
        }
        switch (tag) {
            case "iface" -> iface = required(o);
            case "ifindex" -> ifindex = positive(o);
            case "fqdn" -> fqdn = required(o);
            case "mac", "macaddr" -> {
                try {
                    mac = MacAddress.parse(required(o));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("iothconf: bad " + o + ": " + e.getMessage(), e);
                }
            }
            case "eth" -> eth = bare(o);
            case "-eth" -> ethDown = bare(o);
            case "ip" -> ips.add(prefix(o));
            case "-ip" -> removeIps.add(prefix(o));
            case "gw" -> gateways.add(address(o));
            case "-gw" -> removeGateways.add(address(o));
            case "dns" -> dns.add(address(o));
            case "-dns" -> removeDns.add(address(o));
            case "domain" -> domains.add(required(o));
            case "-domain" -> removeDomains.add(required(o));
            case "slaac" -> slaac = bare(o);
            case "stack", "vnl" -> {
                if (!stackTags) {
                    throw new IllegalArgumentException("iothconf: '" + tag
                            + "' is accepted only when the string also makes the stack (Ioth.newStackConf)");
                }
                if (tag.equals("stack")) {
                    stack = required(o);
                } else {
                    vnl = required(o);
                }
            }
            case "-static" -> throw new IllegalArgumentException(
                    "iothconf: '-static' is not supported yet (no record store); remove items one by one with -ip=, -gw=");
            default -> throw new IllegalArgumentException("iothconf: unknown option '" + o + "' (known: iface, ifindex,"
                    + " fqdn, mac, eth, dhcp, dhcp6, rd, slaac, auto, auto4, auto6, ip, gw, dns, domain and their '-' removals)");
        }
    }

    private static String required(ConfTokenizer.Option o) {
        if (o.value() == null || o.value().isEmpty()) {
            throw new IllegalArgumentException("iothconf: '" + o.tag() + "' needs a value (" + o.tag() + "=...)");
        }
        return o.value();
    }

    private static boolean bare(ConfTokenizer.Option o) {
        if (o.value() != null) {
            throw new IllegalArgumentException("iothconf: '" + o.tag() + "' takes no value: " + o);
        }
        return true;
    }

    private static int positive(ConfTokenizer.Option o) {
        try {
            int v = Integer.parseInt(required(o));
            if (v > 0) {
                return v;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("iothconf: bad " + o + " (want a positive interface index)");
    }

    private static InetAddress address(ConfTokenizer.Option o) {
        String text = required(o);
        try {
            return InetAddress.ofLiteral(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("iothconf: bad " + o + " (not an IPv4 or IPv6 address)", e);
        }
    }

    private static Prefix prefix(ConfTokenizer.Option o) {
        String text = required(o);
        int slash = text.indexOf('/');
        String addr = slash < 0 ? text : text.substring(0, slash);
        InetAddress a;
        try {
            a = InetAddress.ofLiteral(addr);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("iothconf: bad " + o + " (not an IPv4 or IPv6 address: '" + addr + "')", e);
        }
        int max = a instanceof Inet6Address ? 128 : 32;
        int len = 0;
        if (slash >= 0) {
            try {
                len = Integer.parseInt(text.substring(slash + 1));
            } catch (NumberFormatException e) {
                len = -1;
            }
            if (len < 0 || len > max) {
                throw new IllegalArgumentException("iothconf: bad " + o + " (prefix length must be 0.." + max + ")");
            }
        }
        if (len == 0) {
            len = a instanceof Inet6Address ? 64 : 24;
        }
        return new Prefix(a, len);
    }

    /** The {@code stack=} of an {@code ioth_newstackc} string, or null. */
    public String stack() {
        return stack;
    }

    /** The {@code vnl=} of an {@code ioth_newstackc} string, or null. */
    public String vnl() {
        return vnl;
    }

    /** The static addresses to add, in order. */
    public List<Prefix> addresses() {
        return List.copyOf(ips);
    }

    /** The protocol steps the string asks for (DHCP, DHCPV6, RD), to tell which of them got no answer. */
    public Set<Step> requestedProtocols() {
        EnumSet<Step> s = EnumSet.noneOf(Step.class);
        if (dhcp) {
            s.add(Step.DHCP);
        }
        if (dhcp6) {
            s.add(Step.DHCPV6);
        }
        if (rd) {
            s.add(Step.RD);
        }
        return s;
    }

    /** True when the string asks for any work (libioth returns 0 without touching the stack otherwise). */
    public boolean hasActions() {
        return eth || ethDown || dhcp || dhcpRemove || dhcp6 || dhcp6Remove || rd || rdRemove || !ips.isEmpty() || !gateways.isEmpty() || !dns.isEmpty() || !domains.isEmpty()
                || !removeIps.isEmpty() || !removeGateways.isEmpty() || !removeDns.isEmpty() || !removeDomains.isEmpty();
    }

    /**
     * Applies the configuration to {@code stack}, in libioth's order: removals, link down, then
     * {@code eth} (MAC, link up), then the static items (IPv6 addresses, IPv6 gateway, IPv4
     * addresses, IPv4 gateway).
     *
     * @throws NetConfigException ENODEV when the interface does not exist, or the stack's error
     *                            for a call it refused (the message names the call)
     */
    public Result apply(NetConfig stack) throws NetConfigException {
        if (dhcp || dhcpRemove || dhcp6 || dhcp6Remove || rd || rdRemove) {
            throw new IllegalArgumentException("iothconf: 'dhcp', 'dhcp6' and 'rd' need the stack's sockets: apply them to an IothStack");
        }
        return apply(stack, null);
    }

    private Result apply(NetConfig stack, IothStack sockets) throws NetConfigException {
        EnumSet<Step> done = EnumSet.noneOf(Step.class);
        if (!hasActions()) {
            return new Result(done, List.of(), List.of());
        }
        int index = ifindex != null ? ifindex : stack.ifNameToIndex(iface);
        for (Prefix p : removeIps) {
            stack.ipAddrDel(p.address(), p.length(), index);
        }
        for (InetAddress g : removeGateways) {
            stack.ipRouteDel(null, 0, g, g instanceof Inet6Address ? index : 0);
        }
        if (rdRemove) {
            try {
                routerDiscovery(sockets).forget(index);
            } catch (NetConfigException e) {
                throw e;
            } catch (java.io.IOException e) {
                throw new NetConfigException("-rd", org.jioth.Errno.EIO, e.getMessage());
            }
            NameSources.of(sockets).set(NameSources.Source.RD, List.of(), List.of());
        }
        if (dhcp6Remove) {
            Dhcp6Clients.stop(sockets, index);
        }
        if (dhcpRemove) {
            DhcpClients.stop(sockets, index);
        }
        if (ethDown) {
            stack.linkSetUpDown(index, false);
        }
        if (eth) {
            MacAddress m = mac != null ? mac : fqdn != null ? hashMac(fqdn) : null;
            if (m != null) {
                stack.linkSetAddr(index, m);
            }
            stack.linkSetUpDown(index, true);
            done.add(Step.ETH);
        }
        List<InetAddress> servers = new ArrayList<>();
        List<String> search = new ArrayList<>();
        boolean otherConfigOnly = false;
        if (rd) {
            RouterDiscovery.Outcome o;
            try {
                o = discoverRouters(sockets, index, slaac);
            } catch (NetConfigException e) {
                throw e;
            } catch (java.io.IOException e) {
                o = null; // like a protocol that timed out: the bit stays clear
            }
            if (o != null) {
                done.add(Step.RD);
                otherConfigOnly = o.otherConfig() && !o.managed();
                servers.addAll(o.dnsServers());
                search.addAll(o.domains());
                NameSources.of(sockets).set(NameSources.Source.RD, o.dnsServers(), o.domains());
            }
        }
        if (dhcp6) {
            Dhcp6Lease lease = Dhcp6Clients.start(sockets, index, fqdn, otherConfigOnly);
            if (lease != null) {
                done.add(Step.DHCPV6);
                servers.addAll(lease.dnsServers());
                search.addAll(lease.domains());
            }
        }
        if (dhcp) {
            DhcpLease lease = DhcpClients.start(sockets, index, fqdn);
            if (lease != null) {
                done.add(Step.DHCP);
                servers.addAll(lease.dnsServers());
                search.addAll(lease.searchDomains());
            }
        }
        boolean anyStatic = !ips.isEmpty() || !gateways.isEmpty() || !dns.isEmpty() || !domains.isEmpty();
        for (boolean v6 : new boolean[] {true, false}) {
            for (Prefix p : ips) {
                if ((p.address() instanceof Inet6Address) == v6) {
                    addIgnoringExisting(() -> stack.ipAddrAdd(p.address(), p.length(), index));
                }
            }
            for (InetAddress g : gateways) {
                if ((g instanceof Inet6Address) == v6) {
                    addIgnoringExisting(() -> stack.ipRouteAdd(null, 0, g, v6 ? index : 0));
                }
            }
        }
        if (anyStatic) {
            done.add(Step.STATIC);
        }
        servers.addAll(dns);
        search.addAll(domains);
        return new Result(done, servers, search);
    }

    /**
     * {@link #apply(NetConfig)}, then hands the {@code dns=} servers and {@code domain=} search
     * domains to the stack's {@link IothStack#resolver() resolver} (when the string names any).
     */
    public Result apply(IothStack stack) throws NetConfigException {
        if (!removeDns.isEmpty() || !removeDomains.isEmpty()) {
            NameSources.of(stack).removeStatic(removeDns, removeDomains);
        }
        Result r = apply(stack, stack);
        if (!dns.isEmpty() || !domains.isEmpty()) {
            NameSources.of(stack).addStatic(dns, domains);
        }
        return r;
    }

    /**
     * libioth's {@code ioth_resolvconf}: {@code resolv.conf(5)} text from everything the stack
     * learned (static {@code dns=}/{@code domain=}, DHCPv6, RDNSS/DNSSL, DHCPv4), or null when it
     * did not change since the previous call.
     */
    public static String resolvConf(IothStack stack) {
        return NameSources.of(stack).resolvConfIfChanged();
    }

    /** The stack's own router discovery when its plug-in offers one, else the kernel's observed. */
    private static RouterDiscovery routerDiscovery(IothStack stack) {
        return stack.capability(RouterDiscovery.class).orElseGet(() -> new KernelRouterDiscovery(stack));
    }

    /**
     * {@code rd}: a {@link RouterDiscovery} capability first; else the stack's own router discovery
     * behind {@link NetConfig#ipv6Autoconf} (jnet); else, when that is EOPNOTSUPP, the Linux kernel's
     * observed ({@link KernelRouterDiscovery}).
     */
    private static RouterDiscovery.Outcome discoverRouters(IothStack stack, int index, boolean slaac) throws java.io.IOException {
        java.util.Optional<RouterDiscovery> own = stack.capability(RouterDiscovery.class);
        if (own.isPresent()) {
            return own.get().discover(index, slaac, RD_WAIT);
        }
        NetConfigRouterDiscovery viaConfig = new NetConfigRouterDiscovery(stack);
        if (viaConfig.start(index, slaac)) {
            return viaConfig.discover(index, slaac, RD_WAIT);
        }
        return new KernelRouterDiscovery(stack).discover(index, slaac, RD_WAIT);
    }

    private interface ConfigCall {
        void run() throws NetConfigException;
    }

    private static void addIgnoringExisting(ConfigCall call) throws NetConfigException {
        try {
            call.run();
        } catch (NetConfigException e) {
            if (!e.errno().equals("EEXIST")) {
                throw e;
            }
        }
    }

    /**
     * libiothaddr's MAC for a name: MD5 of the name (one trailing dot dropped), bytes 0, 1, 2, 5,
     * 6, 7 of the digest, made locally administered unicast.
     */
    public static MacAddress hashMac(String fqdn) {
        String name = fqdn.endsWith(".") ? fqdn.substring(0, fqdn.length() - 1) : fqdn;
        byte[] d;
        try {
            d = MessageDigest.getInstance("MD5").digest(name.getBytes(StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no MD5", e);
        }
        byte[] m = {d[0], d[1], d[2], d[5], d[6], d[7]};
        m[0] = (byte) ((m[0] | 0x02) & ~0x01);
        return MacAddress.of(m);
    }

    @Override
    public String toString() {
        return "IothConf[iface=" + (ifindex != null ? "#" + ifindex : iface) + (eth ? ", eth" : "")
                + (ips.isEmpty() ? "" : ", ip=" + ips) + (gateways.isEmpty() ? "" : ", gw=" + gateways) + "]";
    }
}
