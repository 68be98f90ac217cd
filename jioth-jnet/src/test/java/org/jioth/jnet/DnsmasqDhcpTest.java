package org.jioth.jnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.jioth.Ioth;
import org.jioth.IothStack;
import org.jioth.MacAddress;
import org.jioth.conf.IothConf;
import org.jioth.dhcp.DhcpClients;
import org.jioth.dhcp.DhcpLease;
import org.jioth.testkit.Eventually;
import org.jioth.testkit.SwitchNamespace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * iothconf {@code eth,dhcp} on a jnet stack against Debian's dnsmasq as DHCP and DNS server in a
 * namespace on a vde_switch: the stack gets the address, route, DNS server and search domain; the
 * kernel side sees the lease (dnsmasq's lease file, a ping from the namespace) and a name only
 * dnsmasq knows resolves over the stack; closing the stack releases the lease.
 */
class DnsmasqDhcpTest {
    static final String SERVER = "192.168.253.1";

    @Test
    void stackGetsALeaseFromDnsmasqAndReleasesItOnClose(@TempDir Path dir) throws Exception {
        String missing = SwitchNamespace.missing("dnsmasq", "ping");
        assumeTrue(missing == null, missing);
        Path leases = dir.resolve("leases");
        try (SwitchNamespace net = SwitchNamespace.start(dir, SERVER + "/24")) {
            Process dnsmasq = net.spawn("dnsmasq.log", "dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null",
                    "--no-resolv", "--no-hosts", "--bind-interfaces", "--listen-address=" + SERVER, "--user=root",
                    "--pid-file=" + dir.resolve("dnsmasq.pid"), "--log-facility=-", "--log-dhcp",
                    "--dhcp-range=192.168.253.100,192.168.253.120,255.255.255.0,10m",
                    "--dhcp-option=option:router," + SERVER, "--dhcp-option=option:domain-search,lan.test",
                    "--domain=lan.test", "--dhcp-leasefile=" + leases, "--local=/test/",
                    "--address=/only.lan.test/192.168.253.77");
            try {
                net.awaitLog("dnsmasq.log", "DHCP, IP range"); // dnsmasq logs its DHCP range once it listens
                IothStack stack = Ioth.newStack("jnet,seed=5", "vde://" + net.switchDir());
                String lease;
                try {
                    IothConf.Result r = stack.configure("eth,dhcp,fqdn=guest.lan.test");
                    assertThat(r.steps()).as(net.log("dnsmasq.log")).contains(IothConf.Step.DHCP);
                    int idx = stack.ifNameToIndex("vde0");
                    DhcpLease l = DhcpClients.lease(stack, idx);
                    String addr = l.address().getHostAddress();
                    assertThat(addr).startsWith("192.168.253.1");
                    assertThat(l.routers()).containsExactly(InetAddress.ofLiteral(SERVER));
                    assertThat(l.leaseSeconds()).isEqualTo(600);
                    assertThat(stack.resolver().resolvConf()).isEqualTo("search lan.test\nnameserver " + SERVER + "\n");

                    MacAddress mac = stack.linkGetAddr(idx);
                    lease = Files.readString(leases);
                    assertThat(lease).contains(addr).contains(mac.toString().toLowerCase());
                    assertThat(net.exec(20, "ping", "-c", "1", "-W", "5", addr).exitCode()).isZero();
                    assertThat(stack.resolver().lookup("only", true, false)).extracting(InetAddress::getHostAddress)
                            .containsExactly("192.168.253.77"); // "only" + search domain lan.test, over the stack
                } finally {
                    stack.close(); // RELEASE
                }
                Eventually.holds(() -> Files.readString(leases).isBlank()); // dnsmasq rewrites its lease file after the RELEASE
                assertThat(Files.readString(leases)).as(net.log("dnsmasq.log")).isBlank();
                assertThat(net.log("dnsmasq.log")).contains("DHCPRELEASE");
            } finally {
                dnsmasq.destroy();
                dnsmasq.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

}
