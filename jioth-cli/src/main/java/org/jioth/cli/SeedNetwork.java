package org.jioth.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.jioth.IothStack;

/**
 * The network set-up of libioth's iothtest programs: interface {@code vde0} up, addresses with
 * their prefixes (IPv4, IPv6 or both), a default route per family. Each failure is printed the way
 * perror would, and the rest of the set-up goes on, as in the seed (a failed name lookup skips
 * everything).
 */
record SeedNetwork(String ifname, List<Cidr> addresses, List<InetAddress> gateways) {
    /** The gateway used when none is given, for an interface with an IPv4 address. */
    static final String DEFAULT_GATEWAY = "192.168.250.1";

    record Cidr(InetAddress address, int prefixLength) {
        static Cidr parse(String cidr) {
            int slash = cidr.indexOf('/');
            if (slash < 0) {
                throw new IllegalArgumentException("address must be ADDR/PREFIX, e.g. 192.168.250.50/24 or fd00::50/64: "
                        + cidr);
            }
            InetAddress addr = InetAddress.ofLiteral(cidr.substring(0, slash));
            int prefix = Integer.parseInt(cidr.substring(slash + 1));
            int max = addr.getAddress().length * 8;
            if (prefix < 0 || prefix > max) {
                throw new IllegalArgumentException("prefix length must be 0.." + max + ": " + cidr);
            }
            return new Cidr(addr, prefix);
        }
    }

    /**
     * {@code cidrs} one or more ADDR/PREFIX of either family; {@code gateways} null for the default
     * (192.168.250.1 when an IPv4 address is given), or one per family ('' for none). A gateway
     * whose family has no address is refused: it could not be reached.
     */
    static SeedNetwork parse(String ifname, List<String> cidrs, List<String> gateways) {
        List<Cidr> addrs = new ArrayList<>();
        for (String c : cidrs) {
            addrs.add(Cidr.parse(c));
        }
        List<InetAddress> gws = new ArrayList<>();
        if (gateways == null) {
            if (addrs.stream().anyMatch(a -> !(a.address() instanceof Inet6Address))) {
                gws.add(InetAddress.ofLiteral(DEFAULT_GATEWAY));
            }
        } else {
            for (String g : gateways) {
                if (g.isEmpty()) {
                    continue;
                }
                InetAddress gw = InetAddress.ofLiteral(g);
                boolean v6 = gw instanceof Inet6Address;
                if (gws.stream().anyMatch(x -> x instanceof Inet6Address == v6)) {
                    throw new IllegalArgumentException("one --gateway per family: " + g);
                }
                if (addrs.stream().noneMatch(a -> a.address() instanceof Inet6Address == v6)) {
                    throw new IllegalArgumentException("--gateway " + g + " needs an " + (v6 ? "IPv6" : "IPv4")
                            + " --addr");
                }
                gws.add(gw);
            }
        }
        return new SeedNetwork(ifname, List.copyOf(addrs), List.copyOf(gws));
    }

    static SeedNetwork parse(String ifname, String cidr, String gateway) {
        return parse(ifname, List.of(cidr), gateway == null ? List.of() : List.of(gateway));
    }

    void apply(IothStack stack, PrintStream err) {
        int ifindex;
        try {
            ifindex = stack.ifNameToIndex(ifname);
        } catch (IOException | RuntimeException e) {
            err.println("nametoindex: " + e.getMessage());
            return;
        }
        try {
            stack.linkSetUpDown(ifindex, true);
        } catch (IOException | RuntimeException e) {
            err.println("link up: " + e.getMessage());
        }
        for (Cidr a : addresses) {
            try {
                stack.ipAddrAdd(a.address(), a.prefixLength(), ifindex);
            } catch (IOException | RuntimeException e) {
                err.println("addr " + family(a.address()) + ": " + e.getMessage());
            }
        }
        for (InetAddress gateway : gateways) {
            try {
                stack.ipRouteAdd(null, 0, gateway);
            } catch (IOException | RuntimeException e) {
                err.println("route " + family(gateway) + ": " + e.getMessage());
            }
        }
    }

    private static String family(InetAddress a) {
        return a instanceof Inet6Address ? "ipv6" : "ipv4";
    }

    /** The first address, as the ready line shows it ({@code [v6]} in brackets). */
    String firstAddressText() {
        return text(addresses.get(0).address());
    }

    static String text(InetAddress a) {
        return a instanceof Inet6Address ? "[" + a.getHostAddress() + "]" : a.getHostAddress();
    }
}
