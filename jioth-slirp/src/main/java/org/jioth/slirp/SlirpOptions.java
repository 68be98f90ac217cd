package org.jioth.slirp;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The settings of one {@code slirp://} port, libslirp's defaults unless the VNL says otherwise.
 *
 * @param network      the virtual network (10.0.2.0)
 * @param prefix       its prefix length (24)
 * @param host         the gateway, which is also the host's loopback seen from inside (10.0.2.2)
 * @param dns          the DNS server (10.0.2.3)
 * @param dhcpStart    the first address DHCP hands out (10.0.2.15)
 * @param hostForwards {@code hostfwd} rules
 * @param restrict     guests reach only the gateway's services (DHCP, DNS) and hostfwd ports
 * @param hostLoopback whether the host address reaches the host's 127.0.0.1 (off with {@code disable_host_loopback})
 * @param mtu          the gateway interface's MTU
 * @param maxFlows     TCP and UDP flows open at once, at most; more are refused and counted
 * @param flowBuffer   the bytes one TCP flow buffers in each direction
 * @param maxLeases    DHCP leases at most (the pool size)
 * @param leaseTime    the DHCP lease time
 * @param udpTimeout   an idle UDP flow is closed after this
 * @param mac          the gateway's MAC address
 * @param ipv6         whether the gateway speaks IPv6 (router advertisements, DNS, NAT)
 * @param v6prefix     the virtual network's /64 prefix, announced for SLAAC (fd00::)
 * @param v6host       the gateway's IPv6 address, also the host's ::1 seen from inside (fd00::2)
 * @param v6dns        the DNS server's IPv6 address (fd00::3)
 * @param pacing       whether the gateway paces its TCP segments to the guests; null (the default): not when its
 *                     frames go to a tap with offload (bursts become TSO super-frames there, as libslirp does not
 *                     pace either), else paced (a switch port's short queue would drop an unpaced window)
 * @param tso          whether the gateway's TCP sends TSO segments toward a tap with offload ({@code tso=1}; off by
 *                     default, as jnet's {@code tso} option: cheaper for the stack loop, but measured slower)
 */
public record SlirpOptions(int network, int prefix, int host, int dns, int dhcpStart, List<HostForward> hostForwards,
        boolean restrict, boolean hostLoopback, int mtu, int maxFlows, int flowBuffer, int maxLeases,
        Duration leaseTime, Duration udpTimeout, String mac, boolean ipv6, Inet6Address v6prefix, Inet6Address v6host,
        Inet6Address v6dns, Boolean pacing, boolean tso) {

    /** The IPv6 prefix length: 64, what SLAAC needs. */
    public static final int V6_PREFIX_LENGTH = 64;

    /** The option table, in the order that decides prefix matches. */
    public static final List<String> OPTIONS = List.of("v4net", "v4prefix", "v4host", "v4dns", "v4dhcpstart",
            "hostfwd", "restrict", "disable_host_loopback", "mtu", "maxflows", "flowbuf", "leases", "leasetime",
            "udptimeout", "mac", "ipv6", "v6prefix", "v6prefixlen", "v6host", "v6dns", "pacing", "tso");

    public SlirpOptions {
        hostForwards = List.copyOf(hostForwards);
    }

    /** libslirp's defaults. */
    public static SlirpOptions defaults() {
        return fromOptions("", Map.of());
    }

    /** The netmask as an int. */
    public int netmask() {
        return prefix == 0 ? 0 : -1 << (32 - prefix);
    }

    /** Whether {@code a} is inside the virtual network (its broadcast address included). */
    public boolean inNetwork(int a) {
        return (a & netmask()) == network;
    }

    /** Whether {@code a} is inside the IPv6 prefix. */
    public boolean inNetwork6(InetAddress a) {
        return a instanceof Inet6Address && java.util.Arrays.equals(a.getAddress(), 0, 8, v6prefix.getAddress(), 0, 8);
    }

    public int broadcast() {
        return network | ~netmask();
    }

    /** Reads the VNL's main part (must be empty) and options; errors name the option. */
    public static SlirpOptions fromOptions(String main, Map<String, String> options) {
        if (main != null && !main.isEmpty()) {
            throw new IllegalArgumentException("slirp: unexpected '" + main + "' before the options (write slirp:// or "
                    + "slirp:///option=value/...)");
        }
        for (String key : options.keySet()) {
            if (!OPTIONS.contains(key)) {
                throw new IllegalArgumentException("slirp: unknown option '" + key + "'; accepted: "
                        + String.join(", ", OPTIONS));
            }
        }
        int network = Ipv4Text.parse(options.getOrDefault("v4net", "10.0.2.0"), "v4net");
        int prefix = (int) integer(options, "v4prefix", 24, 8, 30);
        int mask = -1 << (32 - prefix);
        if ((network & ~mask) != 0) {
            throw new IllegalArgumentException("slirp: v4net " + Ipv4Text.format(network) + " has bits set past the /"
                    + prefix + " prefix (write " + Ipv4Text.format(network & mask) + ")");
        }
        int host = inside(options, "v4host", network | 2, network, mask);
        int dns = inside(options, "v4dns", network | 3, network, mask);
        int dhcpStart = inside(options, "v4dhcpstart", network | 15, network, mask);
        if (host == dns) {
            throw new IllegalArgumentException("slirp: v4host and v4dns are both " + Ipv4Text.format(host));
        }
        int maxLeases = (int) integer(options, "leases", 16, 1, 1024);
        int broadcast = network | ~mask;
        int poolEnd = dhcpStart + maxLeases - 1;
        if (Integer.compareUnsigned(poolEnd, broadcast) >= 0) {
            throw new IllegalArgumentException("slirp: " + maxLeases + " leases from " + Ipv4Text.format(dhcpStart)
                    + " do not fit in " + Ipv4Text.format(network) + "/" + prefix + " (option leases or v4dhcpstart)");
        }
        if (Integer.compareUnsigned(host, dhcpStart) >= 0 && Integer.compareUnsigned(host, poolEnd) <= 0
                || Integer.compareUnsigned(dns, dhcpStart) >= 0 && Integer.compareUnsigned(dns, poolEnd) <= 0) {
            throw new IllegalArgumentException("slirp: the DHCP pool " + Ipv4Text.format(dhcpStart) + ".."
                    + Ipv4Text.format(poolEnd) + " overlaps v4host or v4dns");
        }
        List<HostForward> forwards = new ArrayList<>();
        String fwd = options.get("hostfwd");
        if (fwd != null) {
            for (String rule : fwd.split(",")) {
                if (!rule.isBlank()) {
                    forwards.add(HostForward.parse(rule, dhcpStart));
                }
            }
        }
        int mtu = (int) integer(options, "mtu", 1500, 576, 9216);
        int maxFlows = (int) integer(options, "maxflows", 256, 1, 65536);
        int flowBuffer = (int) size(options, "flowbuf", 64 * 1024, 4 * 1024, 4 * 1024 * 1024);
        Duration leaseTime = Duration.ofSeconds(integer(options, "leasetime", 86400, 60, 7 * 86400));
        Duration udpTimeout = Duration.ofSeconds(integer(options, "udptimeout", 240, 1, 86400));
        String mac = options.getOrDefault("mac", "52:55:0a:00:02:02");
        try {
            org.jioth.MacAddress.parse(mac);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("slirp: bad value '" + mac + "' for option 'mac'; expected a MAC "
                    + "address such as 52:55:0a:00:02:02");
        }
        boolean ipv6 = !options.containsKey("ipv6") || flag(options, "ipv6");
        integer(options, "v6prefixlen", V6_PREFIX_LENGTH, V6_PREFIX_LENGTH, V6_PREFIX_LENGTH);
        Inet6Address v6prefix = inet6(options, "v6prefix", "fd00::");
        byte[] p = v6prefix.getAddress();
        for (int i = 8; i < 16; i++) {
            if (p[i] != 0) {
                throw new IllegalArgumentException("slirp: v6prefix " + v6prefix.getHostAddress()
                        + " has bits set past the /64 prefix");
            }
        }
        if (p[0] == (byte) 0xff || p[0] == (byte) 0xfe && (p[1] & 0xc0) == 0x80 || v6prefix.isAnyLocalAddress()) {
            throw new IllegalArgumentException("slirp: v6prefix " + v6prefix.getHostAddress()
                    + " is not a unicast prefix (try fd00::)");
        }
        Inet6Address v6host = inPrefix6(options, "v6host", p, 2);
        Inet6Address v6dns = inPrefix6(options, "v6dns", p, 3);
        if (v6host.equals(v6dns)) {
            throw new IllegalArgumentException("slirp: v6host and v6dns are both " + v6host.getHostAddress());
        }
        for (HostForward f : forwards) {
            if (f.guestAddress() instanceof Inet6Address g && !(ipv6 && java.util.Arrays.equals(g.getAddress(), 0, 8,
                    v6prefix.getAddress(), 0, 8))) {
                throw new IllegalArgumentException("slirp: hostfwd rule '" + f + "': the guest address is not in the "
                        + "v6prefix " + v6prefix.getHostAddress() + "/64" + (ipv6 ? "" : " (and ipv6 is off)"));
            }
        }
        return new SlirpOptions(network, prefix, host, dns, dhcpStart, forwards, flag(options, "restrict"),
                !flag(options, "disable_host_loopback"), mtu, maxFlows, flowBuffer, maxLeases, leaseTime, udpTimeout,
                mac, ipv6, v6prefix, v6host, v6dns, options.containsKey("pacing") ? flag(options, "pacing") : null,
                options.containsKey("tso") ? flag(options, "tso") : org.jioth.jnet.JnetOptions.DEFAULT_TSO);
    }

    private static Inet6Address inet6(Map<String, String> options, String key, String dflt) {
        String v = options.getOrDefault(key, dflt).trim();
        if (v.startsWith("[") && v.endsWith("]")) {
            v = v.substring(1, v.length() - 1);
        }
        if (v.indexOf(':') >= 0 && v.matches("[0-9A-Fa-f:.]+")) {
            try {
                if (InetAddress.getByName(v) instanceof Inet6Address a) { // a literal: no name lookup
                    return a;
                }
            } catch (java.net.UnknownHostException e) {
                // reported below
            }
        }
        throw new IllegalArgumentException("slirp: bad value '" + v + "' for option '" + key
                + "'; expected an IPv6 address such as " + dflt);
    }

    /** The option's address (default: the prefix with {@code low} as the last byte), which must be in the prefix. */
    private static Inet6Address inPrefix6(Map<String, String> options, String key, byte[] prefix, int low) {
        byte[] d = prefix.clone();
        d[15] = (byte) low;
        Inet6Address a;
        try {
            a = inet6(options, key, InetAddress.getByAddress(d).getHostAddress());
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
        byte[] b = a.getAddress();
        if (!java.util.Arrays.equals(b, 0, 8, prefix, 0, 8) || java.util.Arrays.equals(b, 8, 16, new byte[16], 8, 16)) {
            throw new IllegalArgumentException("slirp: " + key + " " + a.getHostAddress()
                    + " is not a host address of the v6prefix /64");
        }
        return a;
    }

    private static int inside(Map<String, String> options, String key, int dflt, int network, int mask) {
        String v = options.get(key);
        int a = v == null ? dflt : Ipv4Text.parse(v, key);
        if ((a & mask) != network || a == network || a == (network | ~mask)) {
            throw new IllegalArgumentException("slirp: " + key + " " + Ipv4Text.format(a) + " is not a host address of "
                    + Ipv4Text.format(network) + "/" + Integer.bitCount(mask));
        }
        return a;
    }

    private static boolean flag(Map<String, String> options, String key) {
        String v = options.get(key);
        if (v == null) {
            return false;
        }
        String lower = v.toLowerCase(Locale.ROOT);
        if (lower.isEmpty() || lower.equals("1") || lower.equals("true") || lower.equals("yes")) {
            return true;
        }
        if (lower.equals("0") || lower.equals("false") || lower.equals("no")) {
            return false;
        }
        throw new IllegalArgumentException("slirp: bad value '" + v + "' for option '" + key
                + "'; expected nothing (a flag), 1/0, true/false or yes/no");
    }

    private static long integer(Map<String, String> options, String key, long dflt, long min, long max) {
        String v = options.get(key);
        if (v == null) {
            return dflt;
        }
        try {
            long n = Long.parseLong(v.trim());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("slirp: bad value '" + v + "' for option '" + key + "'; expected an integer "
                + "from " + min + " to " + max);
    }

    private static long size(Map<String, String> options, String key, long dflt, long min, long max) {
        String v = options.get(key);
        if (v == null) {
            return dflt;
        }
        String t = v.trim().toLowerCase(Locale.ROOT);
        int shift = t.endsWith("k") ? 10 : t.endsWith("m") ? 20 : 0;
        try {
            long n = Long.parseLong(shift == 0 ? t : t.substring(0, t.length() - 1)) << shift;
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("slirp: bad value '" + v + "' for option '" + key + "'; expected a size "
                + "from " + min + " to " + max + " bytes (k and m suffixes allowed)");
    }
}
