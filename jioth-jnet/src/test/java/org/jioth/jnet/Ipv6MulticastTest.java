package org.jioth.jnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jioth.jnet.TestNet.ip;

import java.nio.ByteBuffer;
import java.time.Duration;
import org.jioth.jnet.ip.GroupMemberships;
import org.jioth.jnet.ip.Mld6;
import org.jioth.jnet.ip.SourceFilter;
import org.jioth.jnet.link.NetInterface;
import org.jioth.jnet.loop.Counter;
import org.jioth.jnet.wire.Icmp6;
import org.jioth.jnet.wire.Ip6;
import org.jioth.jnet.wire.Ipv6;
import org.jioth.jnet.wire.Mac;
import org.jioth.vde.EthernetNode;
import org.junit.jupiter.api.Test;

/** MLDv2 (RFC 3810) group membership in the network layer, against crafted frames on a manual clock. */
class Ipv6MulticastTest {
    static final long EVIL = Ipv6StackTest.EVIL;
    static final byte[] EVIL_LL = Ipv6StackTest.EVIL_LL;
    static final byte[] RA_HBH = {(byte) Ipv6.ICMPV6, 0, 5, 2, 0, 0, 1, 0};

    /** An MLDv2 report: Ethernet, IPv6 to ff02::16 with a hop-by-hop header, ICMPv6 type 143. */
    static boolean isReport(byte[] f) {
        return f.length > 70 && (f[20] & 0xff) == Ipv6.HOP_BY_HOP && (f[54] & 0xff) == Ipv6.ICMPV6
                && (f[62] & 0xff) == Mld6.REPORT_V2 && (f[21] & 0xff) == 1
                && ByteBuffer.wrap(f).getLong(46) == 0x16L && ByteBuffer.wrap(f).getLong(38) == 0xff02000000000000L;
    }

    /** The record types, groups (last byte) and source counts of a report, e.g. "4:ff05..34/0". */
    static String records(byte[] f) {
        ByteBuffer b = ByteBuffer.wrap(f);
        int n = b.getShort(62 + 6) & 0xffff;
        StringBuilder s = new StringBuilder();
        int p = 62 + 8;
        for (int i = 0; i < n; i++) {
            int sources = b.getShort(p + 2) & 0xffff;
            byte[] g = new byte[16];
            b.get(p + 4, g);
            s.append(i == 0 ? "" : " ").append(b.get(p) & 0xff).append(':').append(Ip6.toString(g)).append('/').append(sources);
            p += 20 + 16 * sources;
        }
        return s.toString();
    }

    static byte[] query(byte[] group, int hopLimit, int maxRespMs) {
        byte[] body = new byte[20];
        ByteBuffer.wrap(body).put(0, group);
        return Frames6.icmp6(Ip6.multicastMac(Ip6.ALL_NODES), EVIL, EVIL_LL, Ip6.ALL_NODES, hopLimit, Ipv6.HOP_BY_HOP,
                RA_HBH, Mld6.QUERY, 0, maxRespMs << 16, body);
    }

    @Test
    void joinsLeavesAndSolicitedNodeGroupsAreReportedAndFilterInput() throws Exception {
        try (TestNet net = new TestNet()) {
            EthernetNode sw = net.newSwitch();
            TestNet.RawPort evil = net.raw(sw);
            JnetStack s = net.stack("", sw, "192.168.250.1/24");
            long mac = Mac.of(s.config().linkGetAddr(2));
            byte[] ll = Ip6.linkLocal(mac);
            // link up: the link-local address's solicited-node group, before its DAD probe
            byte[] r = evil.poll(Ipv6MulticastTest::isReport);
            assertThat(r).isNotNull();
            assertThat(records(r)).isEqualTo("4:" + Ip6.toString(Ip6.solicitedNode(ll)) + "/0");
            assertThat(ByteBuffer.wrap(r).getLong(22)).as("from :: while the link-local address is tentative")
                    .isZero();

            NetInterface nic = s.onLoop(() -> s.interfaces.byIndex(2));
            byte[] asm = ip("ff05::1234").getAddress();
            GroupMemberships.Membership m = s.onLoop(() -> s.ipv6.mld().join(nic, asm, SourceFilter.any()));
            r = evil.poll(f -> isReport(f) && records(f).contains("ff05"));
            assertThat(records(r)).isEqualTo("4:ff05:0:0:0:0:0:0:1234/0");
            net.advance(Duration.ofSeconds(1), 1); // robustness: once more within a second
            assertThat(evil.poll(f -> isReport(f) && records(f).contains("ff05"))).isNotNull();

            // datagrams to the joined group are taken (multicast echo: counted, not answered), others not
            evil.send(Frames6.icmp6(Ip6.multicastMac(asm), EVIL, EVIL_LL, asm, 64, Icmp6.ECHO_REQUEST, 1, new byte[8]));
            byte[] other = ip("ff05::9999").getAddress();
            evil.send(Frames6.icmp6(Ip6.multicastMac(other), EVIL, EVIL_LL, other, 64, Icmp6.ECHO_REQUEST, 1, new byte[8]));
            assertThat(TestNet.await(() -> s.counter(Counter.ICMP6_IN_ECHO_MULTICAST_IGNORED) == 1
                    && s.counter(Counter.IP6_IN_ADDR_ERRORS) == 1)).isTrue();

            // source-specific: only the included source gets through
            byte[] ssm = ip("ff3e::1").getAddress();
            byte[] good = ip("fd00::5").getAddress();
            GroupMemberships.Membership sm = s.onLoop(() -> s.ipv6.mld().join(nic, ssm,
                    SourceFilter.include(ip("fd00::5"))));
            r = evil.poll(f -> isReport(f) && records(f).contains("ff3e"));
            assertThat(records(r)).isEqualTo("5:ff3e:0:0:0:0:0:0:1/1");
            assertThat(s.onLoop(() -> s.ipv6.mld().accepts(nic, ssm, good))).isTrue();
            assertThat(s.onLoop(() -> s.ipv6.mld().accepts(nic, ssm, ip("fd00::6").getAddress()))).isFalse();

            // a general query: every group reported as it is, within the maximum response time
            evil.clear();
            evil.send(query(Ip6.UNSPECIFIED, 64, 1000)); // hop limit 64: dropped
            evil.send(query(Ip6.UNSPECIFIED, 1, 1000));
            assertThat(TestNet.await(() -> s.counter(Counter.ICMP6_IN_MLD_QUERIES) == 1
                    && s.counter(Counter.ICMP6_IN_BAD_MLD_QUERIES) == 1)).isTrue();
            net.advance(Duration.ofSeconds(1), 2);
            r = evil.poll(f -> isReport(f) && records(f).contains("2:ff05"));
            assertThat(r).isNotNull();
            assertThat(records(r)).contains("2:ff05:0:0:0:0:0:0:1234/0").contains("1:ff3e:0:0:0:0:0:0:1/1")
                    .contains("2:" + Ip6.toString(Ip6.solicitedNode(ll)) + "/0");

            // leaving: to-include-nothing for the any-source group, block for the source-specific one
            evil.clear();
            s.onLoop(() -> {
                s.ipv6.mld().leave(m);
                s.ipv6.mld().leave(sm);
                return null;
            });
            assertThat(records(evil.poll(f -> isReport(f) && records(f).contains("ff05")))).isEqualTo("3:ff05:0:0:0:0:0:0:1234/0");
            assertThat(records(evil.poll(f -> isReport(f) && records(f).contains("ff3e")))).isEqualTo("6:ff3e:0:0:0:0:0:0:1/1");
            assertThat(s.onLoop(() -> s.ipv6.mld().state(nic, asm))).isNull();
            assertThat(s.counter(Counter.LOOP_ERRORS)).isZero();
        }
    }
}
