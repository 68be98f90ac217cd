package org.jioth.jnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jioth.IfAddr;
import org.jioth.NetConfig;
import org.jioth.jnet.loop.Counter;
import org.jioth.testkit.ChildProcess;
import org.jioth.testkit.Eventually;
import org.jioth.testkit.SwitchNamespace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Router discovery and SLAAC against Debian's radvd in a namespace on the same vde_switch, through
 * the public API ({@link NetConfig#ipv6Autoconf}): the jnet stack solicits, gets a stable-privacy
 * address in the advertised prefix, the router as default route, RDNSS and DNSSL; it pings the
 * router's global address and a destination beyond it (through the default route), and the kernel
 * sees the autoconfigured address in {@code ip -6 neigh} and pings it back.
 */
class Ipv6SlaacKernelTest {
    static final String PREFIX = "fd00:14::";
    static final String ROUTER = "fd00:14::1";

    @Test
    void stackAutoconfiguresFromRadvd(@TempDir Path dir) throws Exception {
        String missing = SwitchNamespace.missing("radvd", "ping");
        assumeTrue(missing == null, missing);
        try (SwitchNamespace net = SwitchNamespace.start(dir, "192.168.254.1/24")) {
            String tap = net.tap();
            ok(net.exec(10, "ip", "-6", "addr", "add", ROUTER + "/64", "dev", tap, "nodad"));
            ok(net.exec(10, "ip", "-6", "addr", "add", "fd00:15::1/64", "dev", "lo"));
            ok(net.exec(10, "sysctl", "-q", "-w", "net.ipv6.conf.all.forwarding=1"));
            Path conf = dir.resolve("radvd.conf");
            Files.writeString(conf, "interface " + tap + " {\n AdvSendAdvert on;\n MinRtrAdvInterval 30;\n"
                    + " MaxRtrAdvInterval 60;\n AdvOtherConfigFlag on;\n AdvLinkMTU 1400;\n"
                    + " prefix " + PREFIX + "/64 { AdvOnLink on; AdvAutonomous on; AdvValidLifetime 3600;"
                    + " AdvPreferredLifetime 1800; };\n RDNSS " + ROUTER + " { AdvRDNSSLifetime 600; };\n"
                    + " DNSSL lab.test { AdvDNSSLLifetime 600; };\n};\n");
            Process radvd = net.spawn("radvd.log", "radvd", "--nodaemon", "-C", conf.toString(),
                    "-p", dir.resolve("radvd.pid").toString(), "-m", "stderr", "-d", "1");
            JnetStack j = JnetStack.builder().options("seed=14").vnl("vde://" + net.switchDir()).build();
            NetConfig stack = j.config(); // what an IothStack of the jnet plug-in delegates to
            try {
                int idx = stack.ifNameToIndex("vde0");
                stack.linkSetUpDown(idx, true);
                stack.ipv6Autoconf(idx, true, true);
                // the first RS leaves within 1 s; radvd answers solicitations at once
                Eventually.holds(() -> autoconf(stack.interfaces()) != null);
                Inet6Address auto = autoconf(stack.interfaces());
                assertThat(auto).as(net.log("radvd.log")).isNotNull();
                Inet6Address found = auto;
                IfAddr entry = stack.interfaces().stream().filter(x -> found.equals(x.address())).findFirst().orElseThrow();
                assertThat(entry.addressFlags() & IfAddr.IFA_F_STABLE_PRIVACY).isNotZero();
                assertThat(entry.validLifetime()).isBetween(3500L, 3600L);
                NetConfig.Ipv6RouterInfo info = stack.ipv6RouterInfo(idx);
                assertThat(info.heard()).isTrue();
                assertThat(info.otherConfig()).isTrue();
                assertThat(info.routers()).hasSize(1);
                assertThat(info.routers().get(0).isLinkLocalAddress()).isTrue();
                assertThat(info.dnsServers()).containsExactly(InetAddress.ofLiteral(ROUTER));
                assertThat(info.searchDomains()).containsExactly("lab.test");

                assertThat(j.ping(InetAddress.ofLiteral(ROUTER), Duration.ofSeconds(10))).isNotNull();
                // beyond the router: only the default route from the advertisement leads there
                assertThat(j.ping(InetAddress.ofLiteral("fd00:15::1"), Duration.ofSeconds(10))).isNotNull();
                assertThat(j.onLoop(() -> j.ipv6.pathMtu(InetAddress.ofLiteral("fd00:15::1").getAddress())))
                        .isEqualTo(1400);

                String a = auto.getHostAddress();
                ChildProcess.Result neigh = net.exec(10, "ip", "-6", "neigh", "show", "dev", tap);
                Inet6Address mine = auto;
                assertThat(neigh.output().lines().map(l -> l.split(" ")[0]).filter(t -> t.contains(":"))
                        .map(InetAddress::ofLiteral)).as(neigh.output()).anyMatch(x -> x.equals(mine));
                ChildProcess.Result back = net.exec(30, "ping", "-6", "-c", "2", "-W", "5", a);
                assertThat(back.exitCode()).as(back.output()).isZero();
                assertThat(j.counter(Counter.LOOP_ERRORS)).isZero();
            } finally {
                j.close();
                radvd.destroy();
                radvd.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static Inet6Address autoconf(List<IfAddr> l) {
        for (IfAddr x : l) {
            if (x.address() instanceof Inet6Address v6 && v6.getHostAddress().startsWith("fd00:14:")) {
                return v6;
            }
        }
        return null;
    }

    private static void ok(ChildProcess.Result r) {
        assertThat(r.exitCode()).as(r.output()).isZero();
    }
}
