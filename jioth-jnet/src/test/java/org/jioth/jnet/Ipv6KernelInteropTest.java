package org.jioth.jnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jioth.jnet.loop.Counter;
import org.jioth.jnet.wire.Ip6;
import org.jioth.jnet.wire.Mac;
import org.jioth.testkit.ChildProcess;
import org.jioth.testkit.SwitchNamespace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * jnet's IPv6 against the Linux kernel in a namespace on the same Debian vde_switch: ping6 both
 * ways to link-local (with the interface as scope) and global addresses, and Neighbor Discovery
 * both ways (each side's neighbour table holds the other's MAC), fragmented ping6 both ways.
 */
class Ipv6KernelInteropTest {
    static final String KERNEL = "fd00:13::1";
    static final String JNET = "fd00:13::2";

    @Test
    void ping6AndNeighborDiscoveryBothWaysWithTheKernel(@TempDir Path dir) throws Exception {
        String missing = SwitchNamespace.missing("ping", "socat");
        assumeTrue(missing == null, missing);
        try (SwitchNamespace net = SwitchNamespace.start(dir, "192.168.252.1/24")) {
            String tap = net.tap();
            ok(net.exec(10, "ip", "-6", "addr", "add", KERNEL + "/64", "dev", tap, "nodad"));
            JnetStack s = JnetStack.builder().options("seed=13").vnl("vde://" + net.switchDir()).build();
            try {
                s.config().linkSetUpDown(2, true);
                s.config().ipAddrAdd(InetAddress.ofLiteral(JNET), 64, 2);
                long mac = Mac.of(s.config().linkGetAddr(2));
                String jnetLl = Ip6.toInet(Ip6.linkLocal(mac), -1).getHostAddress();

                ChildProcess.Result global = net.exec(30, "ping", "-6", "-c", "2", "-W", "5", JNET);
                assertThat(global.exitCode()).as(global.output()).isZero();
                // the kernel's link-local address may still be tentative (DAD) for a moment: retry
                ChildProcess.Result local = null;
                for (int i = 0; i < 10 && (local == null || local.exitCode() != 0); i++) {
                    local = net.exec(30, "ping", "-6", "-c", "1", "-W", "3", jnetLl + "%" + tap);
                }
                assertThat(local.exitCode()).as(local.output()).isZero();
                ChildProcess.Result neigh = net.exec(10, "ip", "-6", "neigh", "show", "dev", tap);
                assertThat(neigh.output()).contains(JNET).contains(Mac.toString(mac).toLowerCase());

                assertThat(s.ping(InetAddress.ofLiteral(KERNEL), Duration.ofSeconds(10))).isNotNull();
                // fragmented both ways: 3008-byte ICMPv6 messages in three fragments each way
                ChildProcess.Result big = net.exec(30, "ping", "-6", "-s", "3000", "-c", "2", "-W", "5", JNET);
                assertThat(big.exitCode()).as(big.output()).isZero();
                assertThat(s.counter(Counter.IP6_REASM_OKS)).isGreaterThanOrEqualTo(2);
                assertThat(s.pingAsync(InetAddress.ofLiteral(KERNEL), 3000, Duration.ofSeconds(10))
                        .get(20, java.util.concurrent.TimeUnit.SECONDS)).isNotNull();
                assertThat(s.counter(Counter.IP6_FRAG_CREATES)).isGreaterThanOrEqualTo(9);
                String addrs = net.exec(10, "ip", "-6", "addr", "show", "dev", tap, "scope", "link").output();
                Matcher m = Pattern.compile("inet6 (fe80::[0-9a-f:]+)/64").matcher(addrs);
                assertThat(m.find()).as(addrs).isTrue();
                Inet6Address kernelLl = Ip6.toInet(InetAddress.ofLiteral(m.group(1)).getAddress(), 2);
                assertThat(s.ping(kernelLl, Duration.ofSeconds(10))).isNotNull();
                String link = net.exec(10, "ip", "link", "show", tap).output();
                Matcher lm = Pattern.compile("link/ether ([0-9a-f:]{17})").matcher(link);
                assertThat(lm.find()).as(link).isTrue();
                assertThat(s.neighbour("vde0", kernelLl)).map(Object::toString).hasValueSatisfying(
                        v -> assertThat(v.toLowerCase()).isEqualTo(lm.group(1)));
                assertThat(s.neighbour("vde0", InetAddress.ofLiteral(KERNEL))).isPresent();
                // TCP over IPv6: a closed port answers with a RST (Ipv6TransportKernelInteropTest does the rest)
                ChildProcess.Result tcp = net.exec(20, "socat", "-T", "5", "/dev/null", "TCP6:[" + JNET + "]:7");
                assertThat(tcp.exitCode()).as(tcp.output()).isNotZero();
                assertThat(tcp.output()).contains("Connection refused");
                assertThat(s.counter(Counter.LOOP_ERRORS)).isZero();
            } finally {
                s.close();
            }
        }
    }

    private static void ok(ChildProcess.Result r) {
        assertThat(r.exitCode()).as(r.output()).isZero();
    }
}
