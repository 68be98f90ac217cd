package org.jioth.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DnsResolverTest {
    static final InetSocketAddress NS1 = new InetSocketAddress(InetAddress.ofLiteral("10.0.0.53"), 53);
    static final InetSocketAddress NS2 = new InetSocketAddress(InetAddress.ofLiteral("10.0.0.54"), 53);

    /** Time that moves only when told to. */
    static final class ManualInstant implements InstantSource {
        long millis = 1_000_000;

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis);
        }
    }

    final FakeDnsServer dns = new FakeDnsServer();
    final ManualInstant clock = new ManualInstant();

    DnsResolver resolver() {
        return DnsResolver.builder(dns).server(NS1).server(NS2).clock(clock).build();
    }

    static List<String> text(List<InetAddress> l) {
        return l.stream().map(InetAddress::getHostAddress).toList();
    }

    @Test
    void resolvesBothFamiliesThroughACname() throws Exception {
        dns.cname("www.test", "real.test", 300);
        dns.a("real.test", "10.1.2.3", 300);
        dns.a("real.test", "fd00::3", 300);
        List<InetAddress> got = resolver().lookup("WWW.test");
        assertThat(text(got)).containsExactly("10.1.2.3", "fd00:0:0:0:0:0:0:3");
        assertThat(got.get(0).getHostName()).isEqualTo("WWW.test");
    }

    @Test
    void cachesForTheTtlAndNegativeAnswersForTheSoaMinimum() throws Exception {
        dns.a("a.test", "10.1.2.3", 30);
        DnsResolver r = resolver();
        r.lookup("a.test", true, false);
        r.lookup("a.test", true, false);
        assertThat(dns.udpCount).isEqualTo(1);
        clock.millis += 31_000;
        r.lookup("a.test", true, false);
        assertThat(dns.udpCount).isEqualTo(2);

        assertThatThrownBy(() -> r.lookup("missing.test", true, false)).isInstanceOf(UnknownHostException.class)
                .hasMessageContaining("no such name");
        assertThatThrownBy(() -> r.lookup("missing.test", true, false)).isInstanceOf(UnknownHostException.class);
        assertThat(dns.udpCount).isEqualTo(3); // the second NXDOMAIN came from the cache
        clock.millis += 61_000;
        assertThatThrownBy(() -> r.lookup("missing.test", true, false)).isInstanceOf(UnknownHostException.class);
        assertThat(dns.udpCount).isEqualTo(4);
    }

    @Test
    void aNameThatDoesNotExistIsNotAskedForItsAaaa() {
        DnsResolver r = resolver();
        assertThatThrownBy(() -> r.lookup("missing.test")).isInstanceOf(UnknownHostException.class);
        assertThat(dns.udpCount).isEqualTo(1); // A got NXDOMAIN: the name has no AAAA either
    }

    @Test
    void ipv6ServersAreAskedLikeIpv4Ones() throws Exception {
        dns.a("v6.test", "fd00::9", 60);
        java.net.InetSocketAddress ns6 = new java.net.InetSocketAddress(InetAddress.ofLiteral("fd00::53"), 53);
        DnsResolver r = DnsResolver.builder(dns).server(ns6).clock(clock).build();
        assertThat(text(r.lookup("v6.test", false, true))).containsExactly("fd00:0:0:0:0:0:0:9");
        assertThat(dns.asked).containsExactly(ns6);
        assertThat(r.resolvConf()).isEqualTo("nameserver fd00::53\n");
    }

    @Test
    void cacheStaysBounded() throws Exception {
        DnsResolver r = DnsResolver.builder(dns).server(NS1).clock(clock).cacheSize(8).build();
        for (int i = 0; i < 100; i++) {
            dns.a("h" + i + ".test", "10.0.1." + i, 300);
            r.lookup("h" + i + ".test", true, false);
        }
        assertThat(r.statistics().get("cacheSize")).isEqualTo(8L);
    }

    @Test
    void truncatedAnswerIsAskedAgainOverTcp() throws Exception {
        dns.a("big.test", "10.9.9.9", 300);
        dns.truncateUdp = true;
        assertThat(text(resolver().lookup("big.test", true, false))).containsExactly("10.9.9.9");
        assertThat(dns.tcpCount).isEqualTo(1);
    }

    @Test
    void silentServerIsSkippedAndRotationSpreadsTheLoad() throws Exception {
        dns.a("x.test", "10.0.0.1", 0);
        dns.silent = NS1;
        assertThat(text(resolver().lookup("x.test", true, false))).containsExactly("10.0.0.1");
        assertThat(dns.asked).containsExactly(NS1, NS2);

        dns.silent = null;
        dns.asked.clear();
        DnsResolver rotating = DnsResolver.builder(dns).server(NS1).server(NS2).clock(clock).rotate(true).build();
        for (int i = 0; i < 4; i++) {
            rotating.lookup("x.test", true, false);
        }
        assertThat(dns.asked).containsExactly(NS1, NS2, NS1, NS2);
    }

    @Test
    void noAnswerAtAllNamesTheServers() {
        dns.silent = NS1;
        DnsResolver r = DnsResolver.builder(dns).server(NS1).clock(clock).attempts(2).build();
        assertThatThrownBy(() -> r.lookup("x.test")).isInstanceOf(UnknownHostException.class)
                .hasMessageContaining("no DNS server answered").hasMessageContaining("10.0.0.53");
        assertThat(dns.udpCount).isEqualTo(2);
    }

    @Test
    void searchDomainsFollowNdots() throws Exception {
        dns.a("db.corp.test", "10.3.3.3", 300);
        DnsResolver r = DnsResolver.builder(dns).server(NS1).clock(clock).search("corp.test").build();
        assertThat(text(r.lookup("db", true, false))).containsExactly("10.3.3.3");
        assertThat(r.candidates("db", List.of("corp.test"))).containsExactly("db.corp.test", "db");
        assertThat(r.candidates("db.x", List.of("corp.test"))).containsExactly("db.x", "db.x.corp.test");
        assertThat(r.candidates("db.x.", List.of("corp.test"))).containsExactly("db.x");
    }

    @Test
    void hostsEntriesAndLiteralsNeedNoServer() throws Exception {
        DnsResolver r = DnsResolver.builder(dns).clock(clock).hosts(HostsTable.parse("# comment\n10.7.7.7 gw gw.test\n")).build();
        assertThat(text(r.lookup("GW"))).containsExactly("10.7.7.7");
        assertThat(text(r.lookup("10.1.1.1"))).containsExactly("10.1.1.1");
        assertThat(text(r.lookup("[fd00::1]"))).containsExactly("fd00:0:0:0:0:0:0:1");
        assertThat(r.reverse(InetAddress.ofLiteral("10.7.7.7"))).isEqualTo("gw");
        assertThatThrownBy(() -> r.lookup("other")).hasMessageContaining("no DNS server configured");
        assertThat(dns.udpCount).isZero();
        assertThatThrownBy(() -> HostsTable.parse("nonsense\n")).hasMessageContaining("line 1");
    }

    @Test
    void serverWithoutEdnsIsAskedAgainWithout() throws Exception {
        dns.a("old.test", "10.4.4.4", 300);
        dns.refuseEdns = true;
        assertThat(text(resolver().lookup("old.test", true, false))).containsExactly("10.4.4.4");
        assertThat(dns.queriesSeen).hasSize(2);
        assertThat(dns.queriesSeen.get(0)[11]).isEqualTo((byte) 1); // first with OPT
        assertThat(dns.queriesSeen.get(1)[11]).isEqualTo((byte) 0);
    }

    @Test
    void answerToAnotherQuestionOrIdIsDropped() {
        dns.a("a.test", "10.1.1.1", 300);
        dns.mangle = b -> {
            b[0] ^= 1; // wrong ID
            return b;
        };
        DnsResolver r = DnsResolver.builder(dns).server(NS1).clock(clock).attempts(1).build();
        assertThatThrownBy(() -> r.lookup("a.test", true, false)).isInstanceOf(UnknownHostException.class);
        assertThat(r.statistics().get("malformed")).isEqualTo(1L);
    }

    @Test
    void resolvConfText() {
        DnsResolver r = resolver();
        r.configure(List.of(InetAddress.ofLiteral("10.0.2.3"), InetAddress.ofLiteral("fd00::3")), List.of("lan.test"));
        assertThat(r.resolvConf()).isEqualTo("search lan.test\nnameserver 10.0.2.3\nnameserver fd00::3\n");
    }

    @Test
    void reverseLookupNames() {
        assertThat(DnsResolver.reverseName(InetAddress.ofLiteral("10.1.2.3").getAddress())).isEqualTo("3.2.1.10.in-addr.arpa");
        assertThat(DnsResolver.reverseName(InetAddress.ofLiteral("2001:db8::1").getAddress()))
                .isEqualTo("1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa");
    }

    /** Hostile answers: random corruption of real answers never throws anything but UnknownHostException. */
    @Test
    void mangledAnswersNeverEscape() {
        dns.cname("www.test", "real.test", 300);
        dns.a("real.test", "10.1.2.3", 300);
        dns.a("real.test", "fd00::3", 300);
        Random rnd = new Random(1035);
        dns.mangle = b -> {
            byte[] c = b.clone();
            int kind = rnd.nextInt(4);
            if (kind == 0) {
                c = java.util.Arrays.copyOf(c, rnd.nextInt(c.length + 1));
            } else if (kind == 1) {
                for (int i = 0, n = 1 + rnd.nextInt(4); i < n && c.length > 2; i++) {
                    c[2 + rnd.nextInt(c.length - 2)] = (byte) rnd.nextInt(256);
                }
            } else if (kind == 2 && c.length > 12) {
                c[6] = (byte) 0xff; // claims 65k answers
                c[7] = (byte) 0xff;
            } else if (c.length > 40) {
                int p = 12 + rnd.nextInt(c.length - 13);
                c[p] = (byte) 0xc0; // pointer, likely forward or into itself
                c[p + 1] = (byte) rnd.nextInt(256);
            }
            return c;
        };
        for (int i = 0; i < 2000; i++) {
            DnsResolver r = DnsResolver.builder(dns).server(NS1).clock(clock).attempts(1).build();
            try {
                r.lookup("www.test");
            } catch (UnknownHostException expected) {
                // fine: a mangled answer may well be unusable
            }
        }
    }
}
