package org.jioth.jnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jioth.jnet.TestNet.ip;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jioth.jnet.ip.GroupMemberships;
import org.jioth.jnet.ip.Igmp3;
import org.jioth.jnet.ip.SourceFilter;
import org.jioth.jnet.link.NetInterface;
import org.jioth.jnet.loop.Counter;
import org.jioth.jnet.wire.Checksum;
import org.jioth.jnet.wire.Ethernet;
import org.jioth.jnet.wire.Ipv4;
import org.jioth.vde.EthernetNode;
import org.junit.jupiter.api.Test;

/** IGMPv3 (RFC 3376) group membership in the network layer, against crafted frames on a manual clock. */
class Igmp3Test {
    static final long EVIL = Ipv6StackTest.EVIL;

    static boolean isReport(byte[] f) {
        ByteBuffer b = ByteBuffer.wrap(f);
        return f.length >= 46 && (b.getShort(12) & 0xffff) == Ethernet.TYPE_IPV4 && (f[14] & 0xff) == 0x46
                && (f[23] & 0xff) == Igmp3.PROTOCOL && (f[22] & 0xff) == 1 && b.getInt(30) == Igmp3.ALL_IGMPV3_ROUTERS
                && b.getInt(34) == 0x94040000 && (f[38] & 0xff) == Igmp3.REPORT_V3;
    }

    /** "type:group/sources" for each record. */
    static String records(byte[] f) {
        ByteBuffer b = ByteBuffer.wrap(f);
        int n = b.getShort(38 + 6) & 0xffff;
        int len = (b.getShort(16) & 0xffff) - 24;
        assertThat(Checksum.of(b, 38, len)).as("IGMP checksum").isZero();
        StringBuilder s = new StringBuilder();
        int p = 38 + 8;
        for (int i = 0; i < n; i++) {
            int sources = b.getShort(p + 2) & 0xffff;
            int g = b.getInt(p + 4);
            s.append(i == 0 ? "" : " ").append(b.get(p) & 0xff).append(':').append(g >>> 24).append('.')
                    .append(g >>> 16 & 0xff).append('.').append(g >>> 8 & 0xff).append('.').append(g & 0xff)
                    .append('/').append(sources);
            p += 8 + 4 * sources;
        }
        return s.toString();
    }

    static byte[] query(int dst, int group, int ttl) {
        ByteBuffer b = ByteBuffer.allocate(14 + 20 + 12 + 14);
        Ethernet.emit(b, 0, 0x01005e000001L, EVIL, Ethernet.TYPE_IPV4);
        Ipv4.emit(b, 14, 0, 32, 1, 0, ttl, Igmp3.PROTOCOL, 0xc0a8fa09, dst);
        b.put(34, (byte) Igmp3.QUERY).put(35, (byte) 10).putInt(38, group);
        b.putShort(36, (short) Checksum.of(b, 34, 12));
        return b.array();
    }

    @Test
    void joinsLeavesAndQueriesAreAnsweredWithIgmpv3Reports() throws Exception {
        try (TestNet net = new TestNet()) {
            EthernetNode sw = net.newSwitch();
            TestNet.RawPort evil = net.raw(sw);
            JnetStack s = net.stack("", sw, "192.168.250.1/24");
            NetInterface nic = s.onLoop(() -> s.interfaces.byIndex(2));
            byte[] asm = ip("239.1.2.3").getAddress();
            GroupMemberships.Membership m = s.onLoop(() -> s.ipv4.igmp().join(nic, asm, SourceFilter.any()));
            byte[] r = evil.poll(Igmp3Test::isReport);
            assertThat(r).isNotNull();
            assertThat(records(r)).isEqualTo("4:239.1.2.3/0");
            assertThat(ByteBuffer.wrap(r).getInt(26)).as("from the interface address").isEqualTo(0xc0a8fa01);
            GroupMemberships.Membership sm = s.onLoop(() -> s.ipv4.igmp().join(nic, ip("232.1.1.1").getAddress(),
                    SourceFilter.include(ip("10.0.0.5"))));
            assertThat(records(evil.poll(f -> isReport(f) && records(f).startsWith("5:")))).isEqualTo("5:232.1.1.1/1");

            evil.clear();
            evil.send(query(0xe0000001, 0, 64)); // TTL 64: dropped
            evil.send(query(0xe0000001, 0, 1));
            assertThat(TestNet.await(() -> s.counter(Counter.IGMP_IN_QUERIES) == 1
                    && s.counter(Counter.IGMP_IN_BAD_QUERIES) == 1)).isTrue();
            net.advance(Duration.ofSeconds(1), 2);
            r = evil.poll(f -> isReport(f) && records(f).contains("2:239"));
            assertThat(r).isNotNull();
            assertThat(records(r)).contains("2:239.1.2.3/0").contains("1:232.1.1.1/1");

            evil.clear();
            s.onLoop(() -> {
                s.ipv4.igmp().leave(m);
                s.ipv4.igmp().leave(sm);
                return null;
            });
            assertThat(records(evil.poll(f -> isReport(f) && records(f).contains("239")))).isEqualTo("3:239.1.2.3/0");
            assertThat(records(evil.poll(f -> isReport(f) && records(f).contains("232")))).isEqualTo("6:232.1.1.1/1");
            assertThat(s.counter(Counter.LOOP_ERRORS)).isZero();
        }
    }

    @Test
    void recordsThatDoNotFitOneReportGoInSeveralThatFitTheMtu() throws Exception {
        try (TestNet net = new TestNet()) {
            EthernetNode sw = net.newSwitch();
            TestNet.RawPort evil = net.raw(sw);
            JnetStack s = net.stack("", sw, "192.168.250.1/24");
            NetInterface nic = s.onLoop(() -> s.interfaces.byIndex(2));
            InetAddress[] sources = new InetAddress[GroupMemberships.MAX_SOURCES];
            for (int i = 0; i < sources.length; i++) {
                sources[i] = ip("10.0.0." + (i + 1));
            }
            // 7 records of 8 + 4 x 64 = 264 bytes; 1500 - 24 (IP with Router Alert) - 8 leaves room for 5
            for (int g = 1; g <= 7; g++) {
                byte[] group = ip("232.1.1." + g).getAddress();
                s.onLoop(() -> s.ipv4.igmp().join(nic, group, SourceFilter.include(sources)));
            }
            evil.clear();
            evil.send(query(0xe0000001, 0, 1));
            assertThat(TestNet.await(() -> s.counter(Counter.IGMP_IN_QUERIES) == 1)).isTrue();
            net.advance(Duration.ofSeconds(1), 2);
            List<String> answers = new ArrayList<>();
            int groups = 0;
            while (groups < 7) {
                byte[] r = evil.poll(f -> isReport(f) && records(f).startsWith("1:"));
                assertThat(r).as("the answers to the query so far: %s", answers).isNotNull();
                assertThat(r.length).as("within the MTU").isLessThanOrEqualTo(Ethernet.HEADER + 1500);
                answers.add(records(r));
                groups += records(r).split(" ").length;
            }
            assertThat(answers).hasSize(2).allMatch(a -> a.matches("(1:232\\.1\\.1\\.[1-7]/64 ?)+"));
            assertThat(answers.stream().map(a -> a.split(" ").length).sorted()).containsExactly(2, 5);
        }
    }
}
