package org.jioth.jnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.InetAddress;
import java.nio.file.Path;
import org.jioth.jnet.ip.GroupMemberships;
import org.jioth.jnet.ip.SourceFilter;
import org.jioth.jnet.link.NetInterface;
import org.jioth.jnet.loop.Counter;
import org.jioth.testkit.ChildProcess;
import org.jioth.testkit.Eventually;
import org.jioth.testkit.SwitchNamespace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * jnet's MLDv2 and IGMPv3 reports read by a real peer: the namespace's tap is a port of a Linux
 * bridge with multicast snooping, whose group database ({@code bridge mdb}) learns the groups jnet
 * joins from its reports and forgets them when jnet leaves.
 */
class MulticastSnoopingKernelTest {

    @Test
    void aSnoopingLinuxBridgeLearnsOurGroupsFromOurReports(@TempDir Path dir) throws Exception {
        String missing = SwitchNamespace.missing("bridge");
        assumeTrue(missing == null, missing);
        try (SwitchNamespace net = SwitchNamespace.start(dir, "192.168.251.1/24")) {
            String tap = net.tap();
            ok(net.exec(10, "ip", "link", "add", "br0", "type", "bridge", "mcast_snooping", "1",
                    "mcast_mld_version", "2", "mcast_igmp_version", "3"));
            ok(net.exec(10, "ip", "link", "set", tap, "master", "br0"));
            ok(net.exec(10, "ip", "link", "set", "br0", "up"));
            JnetStack s = JnetStack.builder().options("seed=15").vnl("vde://" + net.switchDir()).build();
            try {
                s.config().linkSetUpDown(2, true);
                s.config().ipAddrAdd(InetAddress.ofLiteral("192.168.251.2"), 24, 2);
                NetInterface nic = s.onLoop(() -> s.interfaces.byIndex(2));
                byte[] g6 = InetAddress.ofLiteral("ff05::1234").getAddress();
                byte[] g4 = InetAddress.ofLiteral("239.1.2.3").getAddress();
                GroupMemberships.Membership m6 = s.onLoop(() -> s.ipv6.mld().join(nic, g6, SourceFilter.any()));
                GroupMemberships.Membership m4 = s.onLoop(() -> s.ipv4.igmp().join(nic, g4, SourceFilter.any()));
                Eventually.holds(() -> mdb(net).contains("ff05::1234") && mdb(net).contains("239.1.2.3"));
                String mdb = mdb(net);
                assertThat(mdb).contains("port " + tap).contains("ff05::1234").contains("239.1.2.3");
                s.onLoop(() -> {
                    s.ipv6.mld().leave(m6);
                    s.ipv4.igmp().leave(m4);
                    return null;
                });
                Eventually.holds(() -> !mdb(net).contains("ff05::1234") && !mdb(net).contains("239.1.2.3"));
                mdb = mdb(net);
                assertThat(mdb).as("the leaves were understood").doesNotContain("ff05::1234").doesNotContain("239.1.2.3");
                assertThat(s.counter(Counter.LOOP_ERRORS)).isZero();
            } finally {
                s.close();
            }
        }
    }

    /** The bridge's multicast database (the groups snooped on br0's ports). */
    private static String mdb(SwitchNamespace net) throws Exception {
        return net.exec(10, "bridge", "mdb", "show", "dev", "br0").output();
    }

    private static void ok(ChildProcess.Result r) {
        assertThat(r.exitCode()).as(r.output()).isZero();
    }
}
