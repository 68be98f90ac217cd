package org.jioth.jnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jioth.Ioth;
import org.jioth.IothStack;
import org.jioth.dns.DnsMessages;
import org.jioth.dns.DnsResolver;
import org.jioth.testkit.SwitchNamespace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stack's resolver against Debian's dnsmasq in a namespace on a vde_switch: names only dnsmasq
 * knows are resolved over the jnet stack (the host's resolver could not answer them), a large answer
 * is truncated over UDP and fetched again over TCP, and a missing name is a negative answer.
 */
class DnsmasqResolverTest {
    static final String DNSMASQ = "192.168.252.1";

    @Test
    void resolvesNamesOnlyDnsmasqKnowsOverTheJnetStack(@TempDir Path dir) throws Exception {
        String missing = SwitchNamespace.missing("dnsmasq");
        assumeTrue(missing == null, missing);
        StringBuilder big = new StringBuilder();
        for (int i = 1; i <= 120; i++) {
            big.append("10.77.0.").append(i).append(" big.test\n");
        }
        Files.writeString(dir.resolve("hosts"), big + "192.168.252.90 viahosts.test\n");
        try (SwitchNamespace net = SwitchNamespace.start(dir, DNSMASQ + "/24")) {
            Process dnsmasq = net.spawn("dnsmasq.log", "dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null",
                    "--no-resolv", "--no-hosts", "--bind-interfaces", "--listen-address=" + DNSMASQ,
                    "--pid-file=" + dir.resolve("dnsmasq.pid"), "--user=root", "--log-queries", "--log-facility=-",
                    "--addn-hosts=" + dir.resolve("hosts"),
                    "--address=/only.test/192.168.252.77", "--address=/only.test/fd00::77",
                    "--host-record=db.corp.test,192.168.252.88", "--local=/test/");
            try (IothStack stack = Ioth.newStackConf("jnet", List.of("vde://" + net.switchDir()),
                    "eth,ip=192.168.252.2/24,dns=" + DNSMASQ + ",domain=corp.test")) {
                DnsResolver r = stack.resolver();
                assertThat(r.servers()).hasSize(1);
                List<InetAddress> only = awaitAnswer(r, "only.test", dnsmasq, net);
                assertThat(only).extracting(InetAddress::getHostAddress)
                        .containsExactly("192.168.252.77", "fd00:0:0:0:0:0:0:77");
                assertThat(r.lookup("db", true, false)).extracting(InetAddress::getHostAddress)
                        .containsExactly("192.168.252.88"); // through the search domain
                assertThat(r.lookup("viahosts.test", true, false)).extracting(InetAddress::getHostAddress)
                        .containsExactly("192.168.252.90");

                List<InetAddress> many = r.lookup("big.test", true, false);
                assertThat(many).hasSize(DnsMessages.MAX_RECORDS); // 120 sent, the parser keeps a bounded number
                assertThat(r.statistics().get("tcpRetries")).isGreaterThanOrEqualTo(1L);

                assertThatThrownBy(() -> r.lookup("nowhere.test")).isInstanceOf(UnknownHostException.class)
                        .hasMessageContaining("no such name");
                assertThat(net.log("dnsmasq.log")).contains("only.test");
            } finally {
                dnsmasq.destroy();
                dnsmasq.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * dnsmasq needs a moment to bind; the first queries may time out (resolver timeouts, not test
     * timing). Asks again until it answers, for up to 60 s (a loaded machine starts it slowly).
     */
    private static List<InetAddress> awaitAnswer(DnsResolver r, String name, Process dnsmasq, SwitchNamespace net)
            throws Exception {
        UnknownHostException last = null;
        long deadline = System.nanoTime() + org.jioth.testkit.Eventually.DEADLINE.toNanos();
        while (last == null || System.nanoTime() < deadline) {
            assertThat(dnsmasq.isAlive()).as(net.log("dnsmasq.log")).isTrue();
            try {
                return r.lookup(name);
            } catch (UnknownHostException e) {
                last = e;
                Thread.sleep(300);
            }
        }
        throw new AssertionError("dnsmasq never answered: " + net.log("dnsmasq.log"), last);
    }
}
