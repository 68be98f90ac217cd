package org.jioth.jnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jioth.jnet.TestNet.ip;

import java.io.ByteArrayOutputStream;
import java.net.Inet6Address;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.jioth.IfAddr;
import org.jioth.NetConfig;
import org.jioth.jnet.link.Neighbor6Cache;
import org.jioth.jnet.loop.Counter;
import org.jioth.jnet.wire.Icmp6;
import org.jioth.jnet.wire.Ip6;
import org.jioth.jnet.wire.Mac;
import org.jioth.vde.EthernetNode;
import org.junit.jupiter.api.Test;

/**
 * DAD (RFC 4862, RFC 4429), SLAAC with stable identifiers (RFC 7217), router discovery with
 * RDNSS/DNSSL (RFC 4861, 7559, 8106), redirects, NUD and the neighbour cache's bound, against
 * crafted frames on a manual clock.
 */
class Ipv6AutoconfTest {
    static final long EVIL = Ipv6StackTest.EVIL;
    static final byte[] EVIL_LL = Ipv6StackTest.EVIL_LL;
    static final byte[] PREFIX = ip("fd00:13::").getAddress();

    // ------------------------------------------------------------ helpers

    /** Waits until the stack has counted {@code n} of {@code c} (frames reach the loop asynchronously). */
    static void seen(JnetStack s, Counter c, long n) throws Exception {
        assertThat(TestNet.await(() -> s.counter(c) >= n)).as(c.key() + " >= " + n).isTrue();
        s.sync();
    }

    static IfAddr addr(JnetStack s, String a) throws Exception {
        return s.config().interfaces().stream().filter(x -> ip(a).equals(x.address())).findFirst().orElse(null);
    }

    static List<IfAddr> inPrefix(JnetStack s, byte[] prefix) throws Exception {
        return s.config().interfaces().stream().filter(x -> x.address() instanceof Inet6Address v6
                && Ip6.samePrefix(v6.getAddress(), prefix, 64)).toList();
    }

    /** An unsolicited NA (override) for {@code target} claiming EVIL's MAC. */
    static byte[] spoofedNa(byte[] target) {
        return Frames6.icmp6(Ip6.multicastMac(Ip6.ALL_NODES), EVIL, EVIL_LL, Ip6.ALL_NODES, 255,
                Icmp6.NEIGHBOR_ADVERTISEMENT, 0x20000000, Frames6.nd(target, 2, EVIL));
    }

    /** Another node's DAD probe for {@code target}: from ::, no link-layer option. */
    static byte[] dadProbe(byte[] target) {
        return Frames6.icmp6(Frames6.solicitedMac(target), EVIL, Ip6.UNSPECIFIED, Ip6.solicitedNode(target), 255,
                Icmp6.NEIGHBOR_SOLICITATION, 0, Frames6.nd(target, 1, -1));
    }

    static byte[] ns(byte[] target, long fromMac, byte[] from) {
        return Frames6.icmp6(Frames6.solicitedMac(target), fromMac, from, Ip6.solicitedNode(target), 255,
                Icmp6.NEIGHBOR_SOLICITATION, 0, Frames6.nd(target, 1, fromMac));
    }

    /** A router advertisement from EVIL_LL with SLLA, PIO (L, A), MTU, RDNSS and DNSSL options. */
    static byte[] ra(int hopLimit, int flags, int lifetime, byte[] prefix, long valid, long preferred, int mtu,
                     byte[] dns, long dnsLife, String domain) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteBuffer head = ByteBuffer.allocate(8); // reachable, retrans
        o.writeBytes(head.array());
        ByteBuffer sll = ByteBuffer.allocate(8).put(0, (byte) 1).put(1, (byte) 1);
        Mac.put(sll, 2, EVIL);
        o.writeBytes(sll.array());
        if (prefix != null) {
            ByteBuffer pio = ByteBuffer.allocate(32);
            pio.put(0, (byte) 3).put(1, (byte) 4).put(2, (byte) 64).put(3, (byte) 0xc0);
            pio.putInt(4, (int) valid).putInt(8, (int) preferred);
            pio.put(16, prefix);
            o.writeBytes(pio.array());
        }
        if (mtu > 0) {
            o.writeBytes(ByteBuffer.allocate(8).put(0, (byte) 5).put(1, (byte) 1).putInt(4, mtu).array());
        }
        if (dns != null) {
            ByteBuffer r = ByteBuffer.allocate(24).put(0, (byte) 25).put(1, (byte) 3).putInt(4, (int) dnsLife);
            r.put(8, dns);
            o.writeBytes(r.array());
        }
        if (domain != null) {
            ByteArrayOutputStream n = new ByteArrayOutputStream();
            for (String label : domain.split("\\.")) {
                n.write(label.length());
                n.writeBytes(label.getBytes(StandardCharsets.US_ASCII));
            }
            n.write(0);
            int len = (8 + n.size() + 7) / 8 * 8;
            ByteBuffer d = ByteBuffer.allocate(len).put(0, (byte) 31).put(1, (byte) (len / 8)).putInt(4, (int) dnsLife);
            d.put(8, n.toByteArray());
            o.writeBytes(d.array());
        }
        return Frames6.icmp6(Ip6.multicastMac(Ip6.ALL_NODES), EVIL, EVIL_LL, Ip6.ALL_NODES, 255,
                Icmp6.ROUTER_ADVERTISEMENT, hopLimit << 24 | flags << 16 | lifetime, o.toByteArray());
    }

    static byte[] standardRa() {
        return ra(77, 0x40, 1800, PREFIX, 3600, 1800, 1400, ip("fd00:13::53").getAddress(), 600, "example.test");
    }

    // ------------------------------------------------------------ DAD

    @Test
    void strictDadKeepsAnAddressTentativeUntilNoOneClaimsIt() throws Exception {
        try (TestNet net = new TestNet()) {
            EthernetNode sw = net.newSwitch();
            JnetStack s = net.stack("dad=strict", sw, "192.168.250.1/24");
            TestNet.RawPort evil = net.raw(sw);
            long mac = Mac.of(s.config().linkGetAddr(2));
            s.config().ipAddrAdd(ip("fd00::1"), 64, 2);
            IfAddr a = addr(s, "fd00::1");
            assertThat(a.addressFlags() & IfAddr.IFA_F_TENTATIVE).isNotZero();
            assertThat(a.toString()).contains("tentative");
            // a tentative address does not answer for itself
            evil.send(ns(ip("fd00::1").getAddress(), EVIL, ip("fd00::99").getAddress()));
            seen(s, Counter.ICMP6_IN_NEIGHBOR_SOLICITS, 1);
            assertThat(evil.poll(f -> Frames6.isIcmp6(f, Icmp6.NEIGHBOR_ADVERTISEMENT), Duration.ofMillis(200))).isNull();
            // the probe: from ::, to the solicited-node group, no options
            net.advance(Duration.ofSeconds(3), 3);
            byte[] probe = evil.poll(f -> Frames6.isIcmp6(f, Icmp6.NEIGHBOR_SOLICITATION)
                    && ByteBuffer.wrap(f).getLong(22) == 0 && f[62 + 15] == 1);
            assertThat(probe).isNotNull();
            assertThat(probe.length).isEqualTo(14 + 40 + 24);
            a = addr(s, "fd00::1");
            assertThat(a.addressFlags() & (IfAddr.IFA_F_TENTATIVE | IfAddr.IFA_F_DADFAILED)).isZero();
            assertThat(a.addressFlags() & IfAddr.IFA_F_PERMANENT).isNotZero();
            evil.clear();
            evil.send(ns(ip("fd00::1").getAddress(), EVIL, ip("fd00::99").getAddress()));
            byte[] na = evil.poll(f -> Frames6.isIcmp6(f, Icmp6.NEIGHBOR_ADVERTISEMENT));
            assertThat(na).isNotNull();
            assertThat(ByteBuffer.wrap(na).getInt(58) & 0x20000000).as("override once DAD is done").isNotZero();
            assertThat(Mac.get(ByteBuffer.wrap(na), 6)).isEqualTo(mac);
        }
    }

    @Test
    void aSpoofedAdvertisementOrProbeForATentativeAddressMarksItDuplicated() throws Exception {
        try (TestNet net = new TestNet()) {
            EthernetNode sw = net.newSwitch();
            JnetStack s = net.stack("dad=strict", sw, "192.168.250.1/24");
            TestNet.RawPort evil = net.raw(sw);
            s.config().ipAddrAdd(ip("fd00::1"), 64, 2);
            s.config().ipAddrAdd(ip("fd00::2"), 64, 2);
            evil.send(spoofedNa(ip("fd00::1").getAddress()));
            evil.send(dadProbe(ip("fd00::2").getAddress()));
            seen(s, Counter.IP6_DAD_DUPLICATES, 2);
            net.advance(Duration.ofSeconds(3), 3);
            for (String x : List.of("fd00::1", "fd00::2")) {
                IfAddr a = addr(s, x);
                assertThat(a.addressFlags() & IfAddr.IFA_F_DADFAILED).as(x).isNotZero();
                assertThat(a.toString()).contains("dadfailed");
            }
            assertThat(s.counter(Counter.IP6_DAD_DUPLICATES)).isEqualTo(2);
            // never used: no answer for it, not a source
            evil.clear();
            long before = s.counter(Counter.IP6_IN_RECEIVES);
            evil.send(ns(ip("fd00::1").getAddress(), EVIL, ip("fd00::99").getAddress()));
            seen(s, Counter.IP6_IN_RECEIVES, before + 1); // its solicited-node group is left: dropped
            assertThat(evil.poll(f -> Frames6.isIcmp6(f, Icmp6.NEIGHBOR_ADVERTISEMENT), Duration.ofMillis(200))).isNull();
            assertThat(s.onLoop(() -> Ip6.isLinkLocal(s.ipv6.sourceFor(s.interfaces.byIndex(2),
                    ip("fd00::99").getAddress())))).isTrue();
            // once DAD is done, a spoofed advertisement changes nothing
            s.config().ipAddrAdd(ip("fd00::3"), 64, 2);
            net.advance(Duration.ofSeconds(3), 3);
            long nas = s.counter(Counter.ICMP6_IN_NEIGHBOR_ADVERTISEMENTS);
            evil.send(spoofedNa(ip("fd00::3").getAddress()));
            seen(s, Counter.ICMP6_IN_NEIGHBOR_ADVERTISEMENTS, nas + 1);
            assertThat(addr(s, "fd00::3").addressFlags() & IfAddr.IFA_F_DADFAILED).isZero();
            assertThat(s.counter(Counter.IP6_DAD_DUPLICATES)).isEqualTo(2);
        }
    }

    @Test
    void optimisticAddressesWorkAtOnceWithoutOverridingAndCanStillFail() throws Exception {
        try (TestNet net = new TestNet()) {
            EthernetNode sw = net.newSwitch();
            JnetStack s = net.stack("", sw, "192.168.250.1/24");
            TestNet.RawPort evil = net.raw(sw);
            s.config().ipAddrAdd(ip("fd00::1"), 64, 2);
            assertThat(addr(s, "fd00::1").addressFlags() & IfAddr.IFA_F_OPTIMISTIC).isNotZero();
            evil.send(ns(ip("fd00::1").getAddress(), EVIL, ip("fd00::99").getAddress()));
            byte[] na = evil.poll(f -> Frames6.isIcmp6(f, Icmp6.NEIGHBOR_ADVERTISEMENT));
            assertThat(na).isNotNull();
            assertThat(ByteBuffer.wrap(na).getInt(58) & 0x20000000).as("no override while optimistic").isZero();
            evil.send(spoofedNa(ip("fd00::1").getAddress()));
            seen(s, Counter.IP6_DAD_DUPLICATES, 1);
            assertThat(addr(s, "fd00::1").addressFlags() & IfAddr.IFA_F_DADFAILED).isNotZero();
        }
    }

    // ------------------------------------------------------------ router discovery and SLAAC

    @Test
    void routerSolicitationsBackOffUntilARouterAnswers() throws Exception {
        try (TestNet net = new TestNet()) {
            EthernetNode sw = net.newSwitch();
            JnetStack s = net.stack("", sw, "192.168.250.1/24");
            TestNet.RawPort evil = net.raw(sw);
            s.config().ipv6Autoconf(2, true, true);
            net.advance(Duration.ofSeconds(40), 80);
            // at most 1 s, then 4 s, 4 s, 8 s, 16 s (±10 %): five by 40 s, the sixth after 57 s
            assertThat(s.counter(Counter.ICMP6_OUT_ROUTER_SOLICITS)).isEqualTo(5);
            byte[] rs = evil.poll(f -> Frames6.isIcmp6(f, Icmp6.ROUTER_SOLICITATION));
            assertThat(rs).isNotNull();
            assertThat(rs[21] & 0xff).as("hop limit").isEqualTo(255);
            assertThat(ByteBuffer.wrap(rs).getLong(38)).as("to ff02::2").isEqualTo(0xff02000000000000L);
            assertThat(rs[62]).as("source link-layer option").isEqualTo((byte) 1);
            evil.send(standardRa());
            seen(s, Counter.ICMP6_IN_ROUTER_ADVERTISEMENTS, 1);
            net.advance(Duration.ofSeconds(600), 10);
            assertThat(s.counter(Counter.ICMP6_OUT_ROUTER_SOLICITS)).isEqualTo(5);
        }
    }

    @Test
    void slaacRouterAndDnsOptionsFromAnAdvertisementWithTheirLifetimes() throws Exception {
        try (TestNet net = new TestNet()) {
            EthernetNode sw = net.newSwitch();
            JnetStack s = net.stack("", sw, "192.168.250.1/24");
            TestNet.RawPort evil = net.raw(sw);
            long mac = Mac.of(s.config().linkGetAddr(2));
            // not enabled: ignored
            evil.send(standardRa());
            seen(s, Counter.ICMP6_IN_RA_IGNORED, 1);
            assertThat(inPrefix(s, PREFIX)).isEmpty();

            s.config().ipv6Autoconf(2, true, true);
            evil.send(standardRa());
            seen(s, Counter.ICMP6_IN_ROUTER_ADVERTISEMENTS, 1);
            net.advance(Duration.ofSeconds(2), 2);
            List<IfAddr> auto = inPrefix(s, PREFIX);
            assertThat(auto).hasSize(1);
            IfAddr a = auto.get(0);
            byte[] b = a.address().getAddress();
            assertThat(b[11] == (byte) 0xff && b[12] == (byte) 0xfe).as("not EUI-64: RFC 7217").isFalse();
            assertThat(a.addressFlags() & IfAddr.IFA_F_STABLE_PRIVACY).isNotZero();
            assertThat(a.validLifetime()).isBetween(3590L, 3600L);
            assertThat(a.preferredLifetime()).isBetween(1790L, 1800L);
            assertThat(a.toString()).contains("dynamic valid_lft");

            NetConfig.Ipv6RouterInfo info = s.config().ipv6RouterInfo(2);
            assertThat(info.heard()).isTrue();
            assertThat(info.otherConfig()).isTrue();
            assertThat(info.managed()).isFalse();
            assertThat(info.routers()).containsExactly(Ip6.toInet(EVIL_LL, 2));
            assertThat(info.dnsServers()).containsExactly(ip("fd00:13::53"));
            assertThat(info.searchDomains()).containsExactly("example.test");

            // the default route and the MTU option: a ping beyond goes to the router with its hop limit
            byte[] far = ip("2001:db8::1").getAddress();
            assertThat(s.onLoop(() -> s.ipv6.pathMtu(far))).isEqualTo(1400);
            assertThat(s.onLoop(() -> s.ipv6.hopLimit())).isEqualTo(77);
            evil.clear();
            s.pingAsync(ip("2001:db8::1"), 8, Duration.ofSeconds(60));
            byte[] req = evil.poll(f -> Frames6.isIcmp6(f, Icmp6.ECHO_REQUEST));
            assertThat(req).isNotNull();
            ByteBuffer rb = ByteBuffer.wrap(req);
            assertThat(Mac.get(rb, 0)).as("to the router").isEqualTo(EVIL);
            assertThat(Mac.get(rb, 6)).isEqualTo(mac);
            assertThat(req[21] & 0xff).isEqualTo(77);
            assertThat(java.util.Arrays.copyOfRange(req, 22, 38)).as("from the SLAAC address").isEqualTo(b);

            // preferred lifetime over: deprecated; DNS options expire; valid lifetime over: gone
            net.advance(Duration.ofSeconds(1801), 4);
            IfAddr dep = inPrefix(s, PREFIX).get(0);
            assertThat(dep.addressFlags() & IfAddr.IFA_F_DEPRECATED).isNotZero();
            assertThat(dep.toString()).contains("deprecated");
            info = s.config().ipv6RouterInfo(2);
            assertThat(info.dnsServers()).isEmpty();
            assertThat(info.searchDomains()).isEmpty();
            assertThat(info.routers()).isEmpty();
            assertThat(s.onLoop(() -> s.ipv6.pathMtu(far))).isZero();
            net.advance(Duration.ofSeconds(1800), 4);
            assertThat(inPrefix(s, PREFIX)).isEmpty();
            assertThat(s.counter(Counter.LOOP_ERRORS)).isZero();
        }
    }

    @Test
    void stableIdentifiersDependOnTheSecretAndSurviveRestartsAndForgedShortLifetimesAreCapped() throws Exception {
        byte[][] got = new byte[3][];
        String[] options = {"secretseed=5,mac=02:00:00:00:00:10", "secretseed=5,mac=02:00:00:00:00:10",
            "secretseed=6,mac=02:00:00:00:00:10"};
        for (int i = 0; i < 3; i++) {
            try (TestNet net = new TestNet()) {
                EthernetNode sw = net.newSwitch();
                JnetStack s = net.stack(options[i], sw, "192.168.250.1/24");
                TestNet.RawPort evil = net.raw(sw);
                s.config().ipv6Autoconf(2, true, true);
                evil.send(standardRa());
                seen(s, Counter.ICMP6_IN_ROUTER_ADVERTISEMENTS, 1);
                got[i] = inPrefix(s, PREFIX).get(0).address().getAddress();
                if (i == 0) {
                    // RFC 4862 5.5.3 e: with 3600 s left, a forged valid lifetime of 10 s is ignored…
                    evil.send(ra(0, 0, 1800, PREFIX, 10, 10, 0, null, 0, null));
                    seen(s, Counter.ICMP6_IN_ROUTER_ADVERTISEMENTS, 2);
                    assertThat(inPrefix(s, PREFIX).get(0).validLifetime()).isBetween(3590L, 3600L);
                    // …and with a day left, it becomes two hours
                    evil.send(ra(0, 0, 1800, PREFIX, 86400, 14400, 0, null, 0, null));
                    evil.send(ra(0, 0, 1800, PREFIX, 10, 10, 0, null, 0, null));
                    seen(s, Counter.ICMP6_IN_ROUTER_ADVERTISEMENTS, 4);
                    assertThat(inPrefix(s, PREFIX).get(0).validLifetime()).isBetween(7190L, 7200L);
                    // a flood of prefixes makes at most MAX_AUTOCONF addresses
                    for (int p = 0; p < 40; p++) {
                        byte[] px = ip("fd00:77:" + Integer.toHexString(p) + "::").getAddress();
                        evil.send(ra(0, 0, 1800, px, 3600, 1800, 0, null, 0, null));
                        seen(s, Counter.ICMP6_IN_ROUTER_ADVERTISEMENTS, 5 + p);
                    }
                    long slaac = s.config().interfaces().stream().filter(x -> (x.addressFlags() & IfAddr.IFA_F_STABLE_PRIVACY) != 0).count();
                    assertThat(slaac).isEqualTo(org.jioth.jnet.ip.AddressTable6.MAX_AUTOCONF);
                }
            }
        }
        assertThat(got[1]).isEqualTo(got[0]);
        assertThat(got[2]).isNotEqualTo(got[0]);
    }

    @Test
    void redirectsAreTakenOnlyFromTheCurrentFirstHop() throws Exception {
        try (TestNet net = new TestNet()) {
            EthernetNode sw = net.newSwitch();
            JnetStack s = net.stack("", sw, "192.168.250.1/24");
            TestNet.RawPort evil = net.raw(sw);
            long mac = Mac.of(s.config().linkGetAddr(2));
            byte[] ll = Ip6.linkLocal(mac);
            s.config().ipv6Autoconf(2, true, true);
            evil.send(standardRa());
            seen(s, Counter.ICMP6_IN_ROUTER_ADVERTISEMENTS, 1);
            byte[] far = ip("2001:db8::1").getAddress();
            byte[] better = ip("fe80::77").getAddress();
            long betterMac = 0x020000000077L;
            ByteBuffer body = ByteBuffer.allocate(32 + 8);
            body.put(0, better).put(16, far).put(32, (byte) 2).put(33, (byte) 1);
            Mac.put(body, 34, betterMac);
            byte[] other = ip("fe80::66").getAddress();
            // from a node that is not our first hop: refused
            evil.send(Frames6.icmp6(mac, EVIL, other, ll, 255, Icmp6.REDIRECT, 0, body.array()));
            // with a hop limit below 255: refused
            evil.send(Frames6.icmp6(mac, EVIL, EVIL_LL, ll, 64, Icmp6.REDIRECT, 0, body.array()));
            seen(s, Counter.ICMP6_IN_REDIRECTS, 2);
            assertThat(s.counter(Counter.ICMP6_IN_BAD_REDIRECTS)).isEqualTo(2);
            evil.send(Frames6.icmp6(mac, EVIL, EVIL_LL, ll, 255, Icmp6.REDIRECT, 0, body.array()));
            seen(s, Counter.ICMP6_IN_REDIRECTS, 3);
            evil.clear();
            s.pingAsync(ip("2001:db8::1"), 8, Duration.ofSeconds(60));
            byte[] req = evil.poll(f -> Frames6.isIcmp6(f, Icmp6.ECHO_REQUEST));
            assertThat(req).isNotNull();
            assertThat(Mac.get(ByteBuffer.wrap(req), 0)).as("to the better router").isEqualTo(betterMac);
        }
    }

    @Test
    void deletingAnInterfaceForgetsItsAddressesRoutesRoutersAndGroups() throws Exception {
        try (TestNet net = new TestNet()) {
            EthernetNode sw = net.newSwitch();
            JnetStack s = net.stack("", sw, "192.168.250.1/24");
            int idx = s.config().ipLinkAdd("extra0", -1, "vde",
                    List.of(NetConfig.LinkData.ofString(NetConfig.LinkData.IFLA_VDE_VNL, "null://")));
            s.config().linkSetUpDown(idx, true);
            s.config().ipAddrAdd(ip("fd00:9::1"), 64, idx);
            s.config().ipv6Autoconf(idx, true, true);
            var nic = s.onLoop(() -> s.interfaces.byIndex(idx));
            s.onLoop(() -> s.ipv6.mld().join(nic, ip("ff05::9").getAddress(), org.jioth.jnet.ip.SourceFilter.any()));
            assertThat(s.onLoop(() -> s.ipv6.addressTable().of(idx))).hasSize(2);
            s.config().ipLinkDel(null, idx);
            assertThat(s.onLoop(() -> s.ipv6.addressTable().of(idx))).isEmpty();
            assertThat(s.onLoop(() -> s.ipv6.routes().stream().noneMatch(r -> r.ifindex() == idx))).isTrue();
            assertThat(s.onLoop(() -> s.ipv6.mld().memberships().groups(idx))).isEmpty();
            assertThat(s.onLoop(() -> s.ipv6.routerDiscovery().isEnabled(idx))).isFalse();
            net.advance(Duration.ofSeconds(10), 5); // no timer of the deleted interface fires into trouble
            assertThat(s.counter(Counter.LOOP_ERRORS)).isZero();
        }
    }

    // ------------------------------------------------------------ NUD and the cache's bound

    @Test
    void neighbourUnreachabilityDetectionProbesAStaleNeighbourAndForgetsASilentOne() throws Exception {
        try (TestNet net = new TestNet()) {
            EthernetNode sw = net.newSwitch();
            JnetStack a = net.stack("", sw, "192.168.250.1/24");
            JnetStack b = net.stack("", sw, "192.168.250.2/24");
            TestNet.RawPort evil = net.raw(sw);
            a.config().ipAddrAdd(ip("fd00::1"), 64, 2);
            b.config().ipAddrAdd(ip("fd00::2"), 64, 2);
            byte[] bAddr = ip("fd00::2").getAddress();
            assertThat(a.ping(ip("fd00::2"), Duration.ofSeconds(5))).isNotNull();
            assertThat(state(a, bAddr)).isEqualTo(Neighbor6Cache.State.REACHABLE);
            net.advance(Duration.ofSeconds(31), 1);
            assertThat(state(a, bAddr)).isEqualTo(Neighbor6Cache.State.STALE);
            a.pingAsync(ip("fd00::2"), 8, Duration.ofSeconds(60));
            net.settle();
            assertThat(state(a, bAddr)).isEqualTo(Neighbor6Cache.State.DELAY);
            net.advance(Duration.ofSeconds(6), 3); // DELAY -> PROBE: a unicast solicitation, b answers
            awaitState(a, bAddr, Neighbor6Cache.State.REACHABLE);

            // a neighbour that stops answering is forgotten after the probes
            byte[] aLl = Ip6.linkLocal(Mac.of(a.config().linkGetAddr(2)));
            long nss = a.counter(Counter.ICMP6_IN_NEIGHBOR_SOLICITS);
            evil.send(ns(aLl, EVIL, EVIL_LL));
            seen(a, Counter.ICMP6_IN_NEIGHBOR_SOLICITS, nss + 1);
            a.pingAsync(Ip6.toInet(EVIL_LL, 2), 8, Duration.ofSeconds(60));
            net.settle();
            assertThat(state(a, EVIL_LL)).isEqualTo(Neighbor6Cache.State.DELAY);
            net.advance(Duration.ofSeconds(6), 3);
            assertThat(state(a, EVIL_LL)).isEqualTo(Neighbor6Cache.State.PROBE);
            net.advance(Duration.ofSeconds(4), 4);
            assertThat(state(a, EVIL_LL)).isNull();
            assertThat(a.counter(Counter.NDP_UNREACHABLE)).isEqualTo(1);
        }
    }

    @Test
    void aSolicitationFloodNeitherGrowsTheCacheNorEvictsResolvedNeighbours() throws Exception {
        try (TestNet net = new TestNet()) {
            EthernetNode sw = net.newSwitch();
            JnetStack a = net.stack("", sw, "192.168.250.1/24");
            JnetStack b = net.stack("", sw, "192.168.250.2/24");
            TestNet.RawPort evil = net.raw(sw);
            a.config().ipAddrAdd(ip("fd00::1"), 64, 2);
            b.config().ipAddrAdd(ip("fd00::2"), 64, 2);
            byte[] bAddr = ip("fd00::2").getAddress();
            assertThat(a.ping(ip("fd00::2"), Duration.ofSeconds(5))).isNotNull();
            byte[] aLl = Ip6.linkLocal(Mac.of(a.config().linkGetAddr(2)));
            int flood = 1000;
            long base = a.counter(Counter.ICMP6_IN_NEIGHBOR_SOLICITS);
            long naBase = a.counter(Counter.ICMP6_OUT_NEIGHBOR_ADVERTISEMENTS);
            for (int i = 0; i < flood; i++) {
                long m = EVIL + 1 + i;
                evil.send(ns(aLl, m, Ip6.linkLocal(m)));
                if (i % 50 == 49) {
                    seen(a, Counter.ICMP6_IN_NEIGHBOR_SOLICITS, base + i + 1);
                }
            }
            assertThat(a.onLoop(() -> a.ipv6.neighbours().size())).isLessThanOrEqualTo(Neighbor6Cache.MAX_ENTRIES);
            assertThat(state(a, bAddr)).isEqualTo(Neighbor6Cache.State.REACHABLE);
            // every solicitation was still answered (the answer needs no cache entry)
            assertThat(a.counter(Counter.ICMP6_OUT_NEIGHBOR_ADVERTISEMENTS) - naBase).isEqualTo(flood);
            // and a new neighbour still resolves
            TestNet.RawPort c = net.raw(sw);
            long cMac = 0x0200000000ccL;
            byte[] cLl = Ip6.linkLocal(cMac);
            var f = a.pingAsync(Ip6.toInet(cLl, 2), 8, Duration.ofSeconds(60));
            byte[] sol = c.poll(x -> Frames6.isIcmp6(x, Icmp6.NEIGHBOR_SOLICITATION) && x[62 + 15] == cLl[15]);
            assertThat(sol).isNotNull();
            c.send(Frames6.icmp6(Mac.of(a.config().linkGetAddr(2)), cMac, cLl, aLl, 255, Icmp6.NEIGHBOR_ADVERTISEMENT,
                    0x60000000, Frames6.nd(cLl, 2, cMac)));
            awaitState(a, cLl, Neighbor6Cache.State.REACHABLE);
            assertThat(a.counter(Counter.LOOP_ERRORS)).isZero();
        }
    }

    private static void awaitState(JnetStack s, byte[] a, Neighbor6Cache.State want) throws Exception {
        assertThat(TestNet.await(() -> {
            try {
                return state(s, a) == want;
            } catch (Exception e) {
                return false;
            }
        })).as("neighbour state " + want).isTrue();
    }

    private static Neighbor6Cache.State state(JnetStack s, byte[] a) throws Exception {
        return s.onLoop(() -> s.ipv6.neighbours().state(s.interfaces.byIndex(2), a));
    }
}
