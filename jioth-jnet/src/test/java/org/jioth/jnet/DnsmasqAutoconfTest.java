package org.jioth.jnet;

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
import org.jioth.dhcp.DhcpClients;
import org.jioth.testkit.Eventually;
import org.jioth.testkit.SwitchNamespace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * iothconf {@code eth,dhcp,rd,slaac} on a jnet stack against Debian's dnsmasq (DHCPv4, router
 * advertisements with a SLAAC prefix, RDNSS and DNSSL, DNS) in a namespace on a vde_switch: the
 * stack gets the DHCPv4 lease, jnet's own router discovery (NetConfig.ipv6Autoconf) gives a SLAAC
 * address and the RDNSS/DNSSL data, resolv.conf holds every source, a name only dnsmasq knows
 * resolves over the stack, and the kernel side pings both addresses. The second test adds DHCPv6
 * ({@code eth,dhcp,dhcp6,rd,slaac}); it is skipped while jnet has no UDP over IPv6.
 */
class DnsmasqAutoconfTest {
    static final String SERVER6 = "fd00:54::1";
    static final String SERVER4 = "192.168.252.1";
    static final String SERVER6B = "fd00:55::1";
    static final String SERVER4B = "192.168.251.1";

    @Test
    @Timeout(180)
    void dhcpv4RouterDiscoveryAndSlaacFromDnsmasq(@TempDir Path dir) throws Exception {
        String missing = SwitchNamespace.missing("dnsmasq", "ping");
        assumeTrue(missing == null, missing);
        Path leases = dir.resolve("leases");
        try (SwitchNamespace net = SwitchNamespace.start(dir, SERVER4 + "/24")) {
            assertThat(net.exec(20, "ip", "addr", "add", SERVER6 + "/64", "dev", net.tap(), "nodad").exitCode()).isZero();
            Process dnsmasq = net.spawn("dnsmasq.log", "dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null",
                    "--no-resolv", "--no-hosts", "--interface=" + net.tap(), "--bind-interfaces", "--user=root",
                    "--pid-file=" + dir.resolve("dnsmasq.pid"), "--log-facility=-", "--log-dhcp",
                    "--dhcp-range=192.168.252.100,192.168.252.120,255.255.255.0,10m",
                    "--dhcp-option=option:router," + SERVER4, "--dhcp-range=fd00:54::,ra-only,64", "--enable-ra",
                    "--ra-param=" + net.tap() + ",4,1800", "--dhcp-option=option6:dns-server,[" + SERVER6 + "]",
                    "--dhcp-option=option6:domain-search,ra.test", "--domain=lan.test",
                    "--dhcp-option=option:domain-search,lan.test", "--dhcp-leasefile=" + leases, "--local=/test/",
                    "--address=/only4.lan.test/192.168.252.77");
            try {
                net.awaitLog("dnsmasq.log", "router advertisement");
                try (IothStack stack = Ioth.newStack("jnet,seed=9", "vde://" + net.switchDir())) {
                    IothConf.Result r = stack.configure("eth,dhcp,rd,slaac");
                    assertThat(r.steps()).as(net.log("dnsmasq.log")).contains(IothConf.Step.ETH, IothConf.Step.DHCP,
                            IothConf.Step.RD);
                    int idx = stack.ifNameToIndex("vde0");
                    String v4 = DhcpClients.lease(stack, idx).address().getHostAddress();
                    assertThat(v4).startsWith("192.168.252.1");
                    List<Inet6Address> slaac = new ArrayList<>();
                    for (IfAddr a : stack.interfaces()) {
                        if (a.index() == idx && a.address() instanceof Inet6Address a6 && !a6.isLinkLocalAddress()
                                && a.prefixLength() == 64) {
                            slaac.add(a6);
                        }
                    }
                    assertThat(slaac).as("SLAAC address in fd00:54::/64").isNotEmpty()
                            .allMatch(a -> a.getHostAddress().startsWith("fd00:54:0:0:"));
                    // RDNSS (before DHCPv4's server) and DNSSL from the advertisement, DHCPv4's search domain
                    assertThat(IothConf.resolvConf(stack)).isEqualTo(
                            "search ra.test lan.test\nnameserver " + SERVER6 + "\nnameserver " + SERVER4 + "\n");
                    assertThat(stack.resolver().lookup("only4.lan.test", true, false)).extracting(InetAddress::getHostAddress)
                            .containsExactly("192.168.252.77");
                    assertThat(Files.readString(leases)).as("dnsmasq's leases").contains(v4 + " ");
                    assertThat(net.exec(20, "ping", "-c", "1", "-W", "5", v4).exitCode()).isZero();
                    String six = slaac.getFirst().getHostAddress();
                    assertThat(net.exec(20, "ping", "-6", "-c", "1", "-W", "5", six).exitCode()).as("ping6 " + six).isZero();
                }
            } finally {
                dnsmasq.destroy();
                dnsmasq.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    @Timeout(180)
    void everySourceOnJnetOnceItHasUdpOverIpv6(@TempDir Path dir) throws Exception {
        String missing = SwitchNamespace.missing("dnsmasq", "ping");
        assumeTrue(missing == null, missing);
        Path leases = dir.resolve("leases");
        try (SwitchNamespace net = SwitchNamespace.start(dir, SERVER4B + "/24")) {
            assertThat(net.exec(20, "ip", "addr", "add", SERVER6B + "/64", "dev", net.tap(), "nodad").exitCode()).isZero();
            Process dnsmasq = net.spawn("dnsmasq.log", "dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null",
                    "--no-resolv", "--no-hosts", "--interface=" + net.tap(), "--bind-interfaces", "--user=root",
                    "--pid-file=" + dir.resolve("dnsmasq.pid"), "--log-facility=-", "--log-dhcp",
                    "--dhcp-range=192.168.251.100,192.168.251.120,255.255.255.0,10m",
                    "--dhcp-option=option:router," + SERVER4B,
                    "--dhcp-range=fd00:55::100,fd00:55::1ff,slaac,64,10m", "--enable-ra",
                    "--ra-param=" + net.tap() + ",4,1800", "--dhcp-option=option6:dns-server,[" + SERVER6B + "]",
                    "--domain=lan.test", "--dhcp-option=option6:domain-search,lan.test",
                    "--dhcp-option=option:domain-search,lan.test", "--dhcp-leasefile=" + leases, "--local=/test/",
                    "--address=/only6.lan.test/fd00:55::77", "--address=/only4.lan.test/192.168.251.77");
            try {
                net.awaitLog("dnsmasq.log", "DHCPv6");
                IothStack stack = Ioth.newStack("jnet,seed=9", "vde://" + net.switchDir());
                try {
                    stack.provider().openDatagramChannel(java.net.StandardProtocolFamily.INET6).close();
                } catch (UnsupportedOperationException e) {
                    stack.close();
                    assumeTrue(false, "jnet has no UDP over IPv6 yet (lane v6tcp of issue 13), DHCPv6 needs it: " + e.getMessage());
                }
                String v4;
                String v6;
                try {
                    IothConf.Result r = stack.configure("eth,dhcp,dhcp6,rd,slaac");
                    assertThat(r.steps()).as(net.log("dnsmasq.log")).contains(IothConf.Step.ETH, IothConf.Step.DHCP,
                            IothConf.Step.DHCPV6, IothConf.Step.RD);
                    int idx = stack.ifNameToIndex("vde0");
                    v4 = DhcpClients.lease(stack, idx).address().getHostAddress();
                    Dhcp6Lease l6 = Dhcp6Clients.lease(stack, idx);
                    v6 = l6.addresses().getFirst().address().getHostAddress();
                    assertThat(v4).startsWith("192.168.251.1");
                    assertThat(v6).startsWith("fd00:55:0:0:0:0:0:1");
                    List<String> globals = new ArrayList<>();
                    for (IfAddr a : stack.interfaces()) {
                        if (a.index() == idx && a.address() instanceof Inet6Address a6 && !a6.isLinkLocalAddress()) {
                            globals.add(a6.getHostAddress() + "/" + a.prefixLength());
                        }
                    }
                    assertThat(globals).as("SLAAC and DHCPv6 addresses").contains(v6 + "/128")
                            .anyMatch(a -> a.startsWith("fd00:55:0:0:") && a.endsWith("/64"));
                    String conf = IothConf.resolvConf(stack);
                    assertThat(conf).startsWith("search lan.test\n").contains("nameserver " + SERVER6B + "\n")
                            .contains("nameserver " + SERVER4B + "\n");
                    assertThat(stack.resolver().lookup("only6", false, true)).extracting(InetAddress::getHostAddress)
                            .containsExactly("fd00:55:0:0:0:0:0:77");
                    assertThat(stack.resolver().lookup("only4", true, false)).extracting(InetAddress::getHostAddress)
                            .containsExactly("192.168.251.77");
                    String leaseText = Files.readString(leases);
                    assertThat(leaseText).as("dnsmasq's leases").contains(v4 + " ").contains(org.jioth.dns.NameSources.text(InetAddress.ofLiteral(v6)) + " ");
                    assertThat(net.exec(20, "ping", "-c", "1", "-W", "5", v4).exitCode()).isZero();
                    assertThat(net.exec(20, "ping", "-6", "-c", "1", "-W", "5", v6).exitCode()).isZero();
                } finally {
                    stack.close(); // both RELEASEs
                }
                String v6Text = org.jioth.dns.NameSources.text(InetAddress.ofLiteral(v6)) + " ";
                // dnsmasq rewrites its lease file after the RELEASE
                Eventually.holds(() -> !Files.readString(leases).contains(v6Text) && !Files.readString(leases).contains(v4 + " "));
                assertThat(Files.readString(leases)).doesNotContain(v6Text).doesNotContain(v4 + " ");
                assertThat(net.log("dnsmasq.log")).contains("DHCPRELEASE");
            } finally {
                dnsmasq.destroy();
                dnsmasq.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
