package org.jioth.linux.netlink;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jioth.IfAddr;
import org.jioth.MacAddress;
import org.jioth.NetConfigException;

/**
 * Exercises {@link RtNetlinkConfig} against the real kernel. Run ONLY inside a private network
 * namespace ({@code unshare -rn java ... NetnsScenario}): it changes the namespace's configuration.
 * It refuses to run when the namespace has any link besides {@code lo}. Prints what it does; exits
 * 0 when every check passed, 1 with "FAIL: ..." otherwise.
 *
 * <p>With the argument {@code unprivileged} it instead checks that a change the caller lacks the
 * privilege for fails with EPERM and the CAP_NET_ADMIN hint; that mode asks to set {@code lo} up,
 * which is a no-op wherever {@code lo} is already up, so it is harmless in any namespace.
 */
public final class NetnsScenario {
    private final RtNetlinkConfig nc = new RtNetlinkConfig(Duration.ofSeconds(20));
    private String linkType;

    private NetnsScenario() {
    }

    public static void main(String[] args) {
        try {
            if (args.length > 0 && args[0].equals("unprivileged")) {
                new NetnsScenario().unprivileged();
            } else {
                new NetnsScenario().run();
            }
            System.out.println("SCENARIO OK");
            System.exit(0);
        } catch (Throwable t) {
            System.out.println("FAIL: " + t);
            t.printStackTrace(System.out);
            System.exit(1);
        }
    }

    private void unprivileged() throws Exception {
        int lo = nc.ifNameToIndex("lo");
        // Only ever ask for what is already so: lo up stays up even if the call were permitted.
        check(link(nc.interfaces(), "lo").isUp(), "lo is down here; refusing to try to change it");
        try {
            nc.linkSetUpDown(lo, true);
            throw new AssertionError("linkSetUpDown succeeded without CAP_NET_ADMIN");
        } catch (NetConfigException e) {
            System.out.println("unprivileged linkSetUpDown: " + e.getMessage());
            check(e.errno().equals("EPERM"), "want EPERM, got " + e.errno());
            check(e.getMessage().contains("CAP_NET_ADMIN") && e.getMessage().contains("unshare -rn"),
                    "the message should explain the privilege needed: " + e.getMessage());
        }
    }

    private void run() throws Exception {
        // Safety: a fresh namespace from unshare -n holds nothing but a down lo.
        List<IfAddr> before = nc.interfaces();
        System.out.println("initial interfaces: " + before);
        check(before.stream().allMatch(e -> e.name().equals("lo")),
                "not in a fresh network namespace (found " + before + "); refusing to change anything");

        int lo = nc.ifNameToIndex("lo");
        check(lo == 1, "ifNameToIndex(lo) = " + lo + ", want 1");
        nc.linkSetUpDown(lo, true);
        check(link(nc.interfaces(), "lo").isUp(), "lo should be up");
        System.out.println("lo up, index " + lo);

        expectErrno("ENODEV", () -> nc.ifNameToIndex("nosuch0"));
        expectErrno("ENODEV", () -> nc.linkGetAddr(9999));

        int index = addTestLink();
        check(nc.ifNameToIndex("test0") == index, "ifNameToIndex(test0) disagrees with ipLinkAdd's " + index);
        expectErrno("EEXIST", () -> nc.ipLinkAdd("test0", 0, linkType, List.of()));

        MacAddress mac = MacAddress.parse("02:11:22:33:44:55");
        nc.linkSetAddr(index, mac);
        check(nc.linkGetAddr(index).equals(mac), "linkGetAddr = " + nc.linkGetAddr(index) + ", want " + mac);
        nc.linkSetMtu(index, 1400);
        IfAddr link = link(nc.interfaces(), "test0");
        check(link.mtu() == 1400, "mtu " + link.mtu() + ", want 1400");
        check(mac.equals(link.mac()), "interfaces() mac " + link.mac() + ", want " + mac);
        nc.linkSetUpDown(index, true);
        check(link(nc.interfaces(), "test0").isUp(), "test0 should be up");
        System.out.println("test0: " + link(nc.interfaces(), "test0"));

        InetAddress v4 = InetAddress.ofLiteral("10.99.0.1");
        InetAddress v6 = InetAddress.ofLiteral("fd00:99::1");
        nc.ipAddrAdd(v4, 24, index);
        nc.ipAddrAdd(v6, 64, index);
        expectErrno("EEXIST", () -> nc.ipAddrAdd(v4, 24, index));
        expectErrno("EINVAL", () -> nc.ipAddrAdd(v4, 33, index));
        String delMissing = expectAnyError(() -> nc.ipAddrDel(InetAddress.ofLiteral("10.99.0.77"), 24, index));
        check(delMissing.equals("EADDRNOTAVAIL"), "deleting a missing address: " + delMissing);
        IfAddr a4 = address(nc.interfaces(), "test0", "10.99.0.1");
        check(a4.prefixLength() == 24, "prefix " + a4.prefixLength());
        check(a4.mtu() == 1400 && a4.isUp(), "address entries carry the link's mtu and flags: " + a4);
        check(address(nc.interfaces(), "test0", "fd00:99:0:0:0:0:0:1").prefixLength() == 64, "v6 prefix");
        IfAddr loV4 = address(nc.interfaces(), "lo", "127.0.0.1");
        check((loV4.flags() & IfAddr.IFF_LOOPBACK) != 0, "lo address entry lacks IFF_LOOPBACK");

        // Routes: via a gateway on the subnet, then defaults of both families.
        InetAddress gw4 = InetAddress.ofLiteral("10.99.0.254");
        InetAddress gw6 = InetAddress.ofLiteral("fd00:99::fe");
        InetAddress net = InetAddress.ofLiteral("10.98.0.0");
        nc.ipRouteAdd(net, 16, gw4);
        nc.ipRouteAdd(null, 0, gw4);
        nc.ipRouteAdd(InetAddress.ofLiteral("fd00:98::"), 48, gw6, index);
        nc.ipRouteAdd(null, 0, gw6);
        expectErrno("EEXIST", () -> nc.ipRouteAdd(net, 16, gw4));
        expectErrno("EINVAL", () -> nc.ipRouteAdd(null, 0, null));
        String routes = run("ip", "route") + run("ip", "-6", "route");
        System.out.println("routes:\n" + routes);
        check(routes.contains("10.98.0.0/16 via 10.99.0.254 dev test0"), "route 10.98.0.0/16 missing");
        check(routes.contains("default via 10.99.0.254 dev test0"), "IPv4 default route missing");
        check(routes.contains("fd00:98::/48 via fd00:99::fe dev test0"), "IPv6 route missing");
        check(routes.contains("default via fd00:99::fe dev test0"), "IPv6 default route missing");
        String detailed = run("ip", "-d", "route", "show", "10.98.0.0/16");
        check(detailed.contains("unicast") && detailed.contains("proto boot"),
                "routes should be unicast with protocol BOOT: " + detailed);

        compareWithIp();

        nc.ipRouteDel(net, 16, gw4);
        nc.ipRouteDel(null, 0, gw4);
        nc.ipRouteDel(InetAddress.ofLiteral("fd00:98::"), 48, gw6, index);
        nc.ipRouteDel(null, 0, gw6);
        expectErrno("ESRCH", () -> nc.ipRouteDel(net, 16, gw4));
        String after = run("ip", "route") + run("ip", "-6", "route");
        check(!after.contains("via"), "routes left after deleting them:\n" + after);

        nc.ipAddrDel(v4, 24, index);
        nc.ipAddrDel(v6, 64, index);
        check(nc.interfaces().stream().noneMatch(e -> !e.isLink() && e.name().equals("test0")
                        && !e.address().isLinkLocalAddress()),
                "addresses left on test0: " + nc.interfaces());

        // An index the caller picks: ipLinkAdd returns 0 and the kernel uses that index.
        check(nc.ipLinkAdd("test1", 42, linkType, List.of()) == 0, "ipLinkAdd with an index should return 0");
        check(nc.ifNameToIndex("test1") == 42, "test1 should have index 42");
        nc.ipLinkDel(null, 42);
        expectErrno("ENODEV", () -> nc.ifNameToIndex("test1"));
        expectErrno("ENODEV", () -> nc.linkSetUpDown(4242, true));

        nc.linkSetUpDown(index, false);
        check(!link(nc.interfaces(), "test0").isUp(), "test0 should be down");
        nc.ipLinkDel("test0", 0);
        expectErrno("ENODEV", () -> nc.ifNameToIndex("test0"));
        expectErrno("ENODEV", () -> nc.ipLinkDel(null, index));
        System.out.println("test0 deleted");
    }

    /**
     * Creates test0 with index -1 (the kernel chooses). Tries "dummy", and "bridge" where the kernel
     * has no dummy driver (EOPNOTSUPP). Also records what the kernel answers to nlinline's own
     * request with an empty IFLA_NEW_IFINDEX, which RtNetlinkConfig does not send.
     */
    private int addTestLink() throws Exception {
        for (String type : List.of("dummy", "bridge")) {
            try (NetlinkSocket s = NetlinkSocket.open(Duration.ofSeconds(20))) {
                s.send(RtnlRequests.newLink(77, "probe0", -1, type, List.of(), true));
                NetlinkMessage reply = NetlinkMessage.parseAll(s.receive()).getFirst();
                System.out.println("kernel reply to nlinline's iplink_add(probe0, -1, " + type
                        + ") with empty IFLA_NEW_IFINDEX: type " + reply.type() + " error " + reply.errorCode());
                if (reply.errorCode() == 0) {
                    nc.ipLinkDel("probe0", 0);
                }
            }
            try {
                int index = nc.ipLinkAdd("test0", -1, type, List.of());
                System.out.println("ipLinkAdd(test0, -1, " + type + ") returned index " + index);
                check(index > 1, "ipLinkAdd with -1 should return the new index, got " + index);
                linkType = type;
                return index;
            } catch (NetConfigException e) {
                if (!e.errno().equals("EOPNOTSUPP")) {
                    throw e;
                }
                System.out.println("link type " + type + " not supported by this kernel: " + e.getMessage());
            }
        }
        throw new AssertionError("the kernel supports neither dummy nor bridge links");
    }

    /** interfaces() and `ip -j addr` list the same "ifname address/prefix" set. */
    private void compareWithIp() throws Exception {
        Set<String> ours = new TreeSet<>();
        for (IfAddr e : nc.interfaces()) {
            if (!e.isLink()) {
                String host = e.address().getHostAddress();
                int pct = host.indexOf('%');
                ours.add(e.name() + " " + InetAddress.ofLiteral(pct < 0 ? host : host.substring(0, pct))
                        .getHostAddress() + "/" + e.prefixLength());
            }
        }
        String json = run("ip", "-j", "addr");
        Set<String> theirs = new TreeSet<>();
        // Minimal JSON walk: each link object has "ifname", then its addr_info entries "local"+"prefixlen".
        Matcher m = Pattern.compile("\"ifname\":\"([^\"]+)\"|\"local\":\"([^\"]+)\",\"prefixlen\":(\\d+)").matcher(json);
        String ifname = null;
        while (m.find()) {
            if (m.group(1) != null) {
                ifname = m.group(1);
            } else {
                theirs.add(ifname + " " + InetAddress.ofLiteral(m.group(2)).getHostAddress() + "/" + m.group(3));
            }
        }
        System.out.println("interfaces(): " + ours);
        System.out.println("ip -j addr:   " + theirs);
        check(!theirs.isEmpty(), "could not read any address from ip -j addr: " + json);
        check(ours.equals(theirs), "interfaces() and ip -j addr disagree");
    }

    private static IfAddr link(List<IfAddr> entries, String name) {
        return entries.stream().filter(e -> e.isLink() && e.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no link " + name + " in " + entries));
    }

    private static IfAddr address(List<IfAddr> entries, String name, String addr) {
        InetAddress want = InetAddress.ofLiteral(addr);
        return entries.stream().filter(e -> !e.isLink() && e.name().equals(name)
                        && java.util.Arrays.equals(e.address().getAddress(), want.getAddress()))
                .findFirst().orElseThrow(() -> new AssertionError("no address " + addr + " on " + name + " in " + entries));
    }

    private interface Call {
        void run() throws Exception;
    }

    private static void expectErrno(String errno, Call call) {
        String got = expectAnyError(call);
        check(got.equals(errno), "want " + errno + ", got " + got);
    }

    private static String expectAnyError(Call call) {
        try {
            call.run();
        } catch (NetConfigException e) {
            System.out.println("expected error: " + e.getMessage());
            return e.errno();
        } catch (Exception e) {
            throw new AssertionError("want a NetConfigException, got " + e, e);
        }
        throw new AssertionError("want an error, the call succeeded");
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new AssertionError(message);
        }
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new AssertionError(String.join(" ", command) + " failed: " + new String(out, StandardCharsets.UTF_8));
            }
            return new String(out, StandardCharsets.UTF_8);
        } finally {
            p.destroyForcibly();
        }
    }
}
