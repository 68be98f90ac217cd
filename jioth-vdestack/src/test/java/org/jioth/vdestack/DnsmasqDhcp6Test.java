package org.jioth.vdestack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jioth.IfAddr;
import org.jioth.Ioth;
import org.jioth.IothStack;
import org.jioth.conf.IothConf;
import org.jioth.dhcp.Dhcp6Clients;
import org.jioth.dhcp.Dhcp6Lease;
import org.jioth.testkit.Eventually;
import org.jioth.testkit.SwitchNamespace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * iothconf {@code dhcp6} and {@code rd}/{@code slaac} on a vdestack (a Linux kernel in a private
 * namespace) against Debian's dnsmasq as DHCPv6 server, router advertiser and DNS server, in a
 * namespace on a vde_switch: stateful (an address from the range, dnsmasq's lease file shows it,
 * RELEASE on close empties it) and stateless (the kernel's SLAAC address, INFORMATION-REQUEST
 * for the DNS data). In both, a name only dnsmasq knows resolves over the stack, to an IPv6 server.
 */
class DnsmasqDhcp6Test {
    static final String SERVER = "fd00:53::1";
    static final String SERVER4 = "192.168.254.1";

    @Test
    @Timeout(180)
    void statefulDhcp6GivesAnAddressAndDnsAndReleasesOnClose(@TempDir Path dir) throws Exception {
        String missing = SwitchNamespace.missing("dnsmasq");
        assumeTrue(missing == null, missing);
        VdestackTest.assumeNamespaces();
        Path leases = dir.resolve("leases");
        try (SwitchNamespace net = SwitchNamespace.start(dir, SERVER + "/64")) {
            assertThat(net.exec(20, "ip", "addr", "add", SERVER4 + "/24", "dev", net.tap()).exitCode()).isZero();
            Process dnsmasq = dnsmasq(net, dir, leases, "--dhcp-range=fd00:53::100,fd00:53::1ff,64,10m",
                    "--dhcp-range=192.168.254.100,192.168.254.120,255.255.255.0,10m", "--dhcp-option=option:router," + SERVER4);
            try {
                IothStack stack = Ioth.newStack("vdestack", "vde://" + net.switchDir());
                String address;
                try {
                    IothConf.Result r = stack.configure("eth,dhcp,rd,dhcp6");
                    assertThat(r.steps()).as(net.log("dnsmasq.log")).contains(IothConf.Step.ETH, IothConf.Step.DHCP,
                            IothConf.Step.DHCPV6, IothConf.Step.RD);
                    int idx = stack.ifNameToIndex("vde0");
                    Dhcp6Lease l = Dhcp6Clients.lease(stack, idx);
                    assertThat(l.isStateless()).isFalse();
                    address = l.addresses().getFirst().address().getHostAddress();
                    assertThat(l.addresses().getFirst().address().getAddress()[15] & 0xff).isBetween(0x00, 0xff);
                    assertThat(address).startsWith("fd00:53:0:0:0:0:0:1");
                    assertThat(l.dnsServers()).containsExactly((Inet6Address) InetAddress.ofLiteral(SERVER));
                    assertThat(l.domains()).containsExactly("lan6.test");
                    assertThat(globals(stack, idx)).contains(address + "/128");
                    // DHCPv6's server first, then DHCPv4's; dnsmasq gives the same domain to both
                    String conf = "search lan6.test\nnameserver " + SERVER + "\nnameserver " + SERVER4 + "\n";
                    assertThat(stack.resolver().resolvConf()).isEqualTo(conf);
                    assertThat(IothConf.resolvConf(stack)).isEqualTo(conf);
                    assertThat(IothConf.resolvConf(stack)).isNull(); // nothing changed since
                    awaitLease(leases, address, true);
                    // "only6" + the search domain, asked over the stack (AAAA, IPv6 server)
                    assertThat(stack.resolver().lookup("only6", false, true)).extracting(InetAddress::getHostAddress)
                            .containsExactly("fd00:53:0:0:0:0:0:77");
                    assertThat(stack.resolver().lookup("only4", true, false)).extracting(InetAddress::getHostAddress)
                            .containsExactly("192.168.254.77");
                    // the kernel side reaches the leased address
                    assertThat(net.exec(20, "ping", "-6", "-c", "1", "-W", "5", address).exitCode()).as("ping6 " + address).isZero();
                } finally {
                    stack.close(); // RELEASE
                }
                awaitLease(leases, address, false);
                assertThat(net.log("dnsmasq.log")).contains("DHCPRELEASE");
            } finally {
                dnsmasq.destroy();
                dnsmasq.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    @Timeout(180)
    void statelessDhcp6WithTheKernelsSlaac(@TempDir Path dir) throws Exception {
        String missing = SwitchNamespace.missing("dnsmasq");
        assumeTrue(missing == null, missing);
        VdestackTest.assumeNamespaces();
        try (SwitchNamespace net = SwitchNamespace.start(dir, SERVER + "/64")) {
            Process dnsmasq = dnsmasq(net, dir, dir.resolve("leases"), "--dhcp-range=fd00:53::,ra-stateless,64");
            try (IothStack stack = Ioth.newStack("vdestack", "vde://" + net.switchDir())) {
                IothConf.Result r = stack.configure("eth,rd,slaac,dhcp6");
                assertThat(r.steps()).as(net.log("dnsmasq.log")).contains(IothConf.Step.RD, IothConf.Step.DHCPV6);
                int idx = stack.ifNameToIndex("vde0");
                assertThat(globals(stack, idx)).anyMatch(a -> a.startsWith("fd00:53:0:0:") && a.endsWith("/64"));
                Dhcp6Lease l = Dhcp6Clients.lease(stack, idx);
                assertThat(l.isStateless()).isTrue();
                assertThat(l.dnsServers()).containsExactly((Inet6Address) InetAddress.ofLiteral(SERVER));
                assertThat(stack.resolver().lookup("only6.lan6.test", false, true)).extracting(InetAddress::getHostAddress)
                        .containsExactly("fd00:53:0:0:0:0:0:77");
            } finally {
                dnsmasq.destroy();
                dnsmasq.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    @Timeout(180)
    void dhcp6RightAfterTheLinkComesUpWaitsOutDad(@TempDir Path dir) throws Exception {
        String missing = SwitchNamespace.missing("dnsmasq");
        assumeTrue(missing == null, missing);
        VdestackTest.assumeNamespaces();
        try (SwitchNamespace net = SwitchNamespace.start(dir, SERVER + "/64")) {
            Process dnsmasq = dnsmasq(net, dir, dir.resolve("leases"), "--dhcp-range=fd00:53::100,fd00:53::1ff,64,10m");
            try (IothStack stack = Ioth.newStack("vdestack", "vde://" + net.switchDir())) {
                // no rd: the first SOLICIT goes while the link-local address is still tentative
                IothConf.Result r = stack.configure("eth,dhcp6");
                assertThat(r.steps()).as(net.log("dnsmasq.log")).containsExactlyInAnyOrder(IothConf.Step.ETH, IothConf.Step.DHCPV6);
                assertThat(Dhcp6Clients.lease(stack, stack.ifNameToIndex("vde0")).addresses()).hasSize(1);
            } finally {
                dnsmasq.destroy();
                dnsmasq.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    static Process dnsmasq(SwitchNamespace net, Path dir, Path leases, String... ranges) throws Exception {
        // dnsmasq binds its address only once DAD is done
        Eventually.holds(() -> net.exec(10, "ip", "-6", "addr", "show", "tentative").output().isBlank());
        List<String> cmd = new ArrayList<>(List.of("dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null", "--no-resolv",
                "--no-hosts", "--interface=" + net.tap(), "--bind-interfaces", "--user=root",
                "--pid-file=" + dir.resolve("dnsmasq.pid"), "--log-facility=-", "--log-dhcp", "--enable-ra",
                "--ra-param=" + net.tap() + ",4,1800", "--dhcp-option=option6:dns-server,[" + SERVER + "]",
                "--dhcp-option=option6:domain-search,lan6.test", "--domain=lan6.test", "--dhcp-leasefile=" + leases,
                "--local=/test/", "--address=/only6.lan6.test/fd00:53::77", "--address=/only4.lan6.test/192.168.254.77"));
        cmd.addAll(List.of(ranges));
        Process p = net.spawn("dnsmasq.log", cmd.toArray(String[]::new));
        net.awaitLog("dnsmasq.log", "DHCPv6"); // dnsmasq logs its DHCPv6 range once it listens
        return p;
    }

    static List<String> globals(IothStack stack, int idx) throws Exception {
        List<String> out = new ArrayList<>();
        for (IfAddr a : stack.interfaces()) {
            if (a.index() == idx && a.address() instanceof Inet6Address v6 && !v6.isLinkLocalAddress()) {
                out.add(v6.getHostAddress() + "/" + a.prefixLength());
            }
        }
        return out;
    }

    static void awaitLease(Path leases, String address, boolean present) throws Exception {
        String compact = InetAddress.ofLiteral(address).getHostAddress();
        Eventually.holds(() -> containsAddress(Files.exists(leases) ? Files.readString(leases) : "", compact) == present);
        String text = Files.exists(leases) ? Files.readString(leases) : "";
        assertThat(containsAddress(text, compact)).as("lease of " + address + " in\n" + text).isEqualTo(present);
    }

    private static boolean containsAddress(String leaseFile, String address) {
        for (String line : leaseFile.split("\n")) {
            for (String word : line.split(" ")) {
                if (word.contains(":") && !word.startsWith("duid")) {
                    try {
                        if (InetAddress.ofLiteral(word).getHostAddress().equals(address)) {
                            return true;
                        }
                    } catch (IllegalArgumentException notAnAddress) {
                        // a DUID or a MAC
                    }
                }
            }
        }
        return false;
    }
}
