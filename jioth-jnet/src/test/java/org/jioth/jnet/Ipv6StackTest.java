package org.jioth.jnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jioth.jnet.TestNet.ip;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NoRouteToHostException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.jioth.Errno;
import org.jioth.IfAddr;
import org.jioth.NetConfigException;
import org.jioth.jnet.link.Neighbor6Cache;
import org.jioth.jnet.loop.Counter;
import org.jioth.jnet.wire.Icmp6;
import org.jioth.jnet.wire.Ip6;
import org.jioth.jnet.wire.Ipv6;
import org.jioth.jnet.wire.Mac;
import org.jioth.vde.EthernetNode;
import org.junit.jupiter.api.Test;

/** IPv6, ICMPv6 and Neighbor Discovery between jnet stacks and against crafted frames, on a manual clock. */
class Ipv6StackTest {
    static final long EVIL = 0x02000000e611L;
    static final byte[] EVIL_LL = Ip6.linkLocal(EVIL);

    private static Inet6Address linkLocal(JnetStack s, int ifindex) throws Exception {
        return Ip6.toInet(Ip6.linkLocal(Mac.of(s.config().linkGetAddr(ifindex))), ifindex);
    }

    @Test
    void stacksPingEachOtherOverLinkLocalAndGlobalAddresses() throws Exception {
        try (TestNet net = new TestNet()) {
            EthernetNode sw = net.newSwitch();
            JnetStack a = net.stack("", sw, "192.168.250.1/24");
            JnetStack b = net.stack("", sw, "192.168.250.2/24");
            Inet6Address bll = linkLocal(b, 2);
            assertThat(a.ping(bll, Duration.ofSeconds(5))).isNotNull();
            assertThat(a.neighbour("vde0", bll)).contains(b.config().linkGetAddr(2));
            // b learnt a from the solicitation (STALE) and answered without soliciting back
            assertThat(b.neighbour("vde0", linkLocal(a, 2))).contains(a.config().linkGetAddr(2));

            a.config().ipAddrAdd(ip("fd00::1"), 64, 2);
            b.config().ipAddrAdd(ip("fd00::2"), 64, 2);
            assertThat(a.ping(ip("fd00::2"), Duration.ofSeconds(5))).isNotNull();
            assertThat(b.ping(ip("fd00::1"), Duration.ofSeconds(5))).isNotNull();

            List<IfAddr> addrs = a.config().interfaces();
            assertThat(addrs).anyMatch(x -> ip("fd00::1").equals(x.address()) && x.prefixLength() == 64);
            assertThat(addrs).anyMatch(x -> x.address() instanceof Inet6Address v6 && v6.isLinkLocalAddress()
                    && x.prefixLength() == 64 && "vde0".equals(x.name()));
            assertThatThrownBy(() -> a.config().ipAddrAdd(ip("fd00::1"), 64, 2))
                    .isInstanceOfSatisfying(NetConfigException.class, e -> assertThat(e.errnoValue()).isEqualTo(Errno.EEXIST.value()));
            assertThatThrownBy(() -> a.config().ipRouteAdd(ip("fd01::"), 64, ip("fd02::1"), 0))
                    .isInstanceOfSatisfying(NetConfigException.class,
                            e -> assertThat(e.errnoValue()).isEqualTo(Errno.ENETUNREACH.value()));
            // a route through b's global address reaches b's other prefix
            b.config().ipAddrAdd(ip("fd01::2"), 64, 2);
            a.config().ipRouteAdd(ip("fd01::"), 64, ip("fd00::2"), 0);
            assertThat(a.ping(ip("fd01::2"), Duration.ofSeconds(5))).isNotNull();
            assertThatThrownBy(() -> a.ping(ip("fd09::2"), Duration.ofSeconds(5))).isInstanceOf(NoRouteToHostException.class);
        }
    }

    @Test
    void errorsAreRateLimitedAndUnsupportedUpperLayersAnswered() throws Exception {
        try (TestNet net = new TestNet()) {
            EthernetNode sw = net.newSwitch();
            JnetStack s = net.stack("", sw, "192.168.250.1/24");
            TestNet.RawPort evil = net.raw(sw);
            long mac = Mac.of(s.config().linkGetAddr(2));
            byte[] ll = Ip6.linkLocal(mac);
            evil.send(Frames6.icmp6(Frames6.solicitedMac(ll), EVIL, EVIL_LL, Ip6.solicitedNode(ll), 255,
                    Icmp6.NEIGHBOR_SOLICITATION, 0, Frames6.nd(ll, 1, EVIL)));
            // an unknown upper layer: parameter problem code 1 pointing at the next header
            byte[] udp = Frames6.icmp6(mac, EVIL, EVIL_LL, ll, 64, Icmp6.ECHO_REQUEST, 0, new byte[8]);
            udp[14 + 6] = (byte) 253; // an experimental next header (RFC 3692) nobody takes
            evil.send(udp);
            byte[] pp = evil.poll(f -> Frames6.isIcmp6(f, Icmp6.PARAMETER_PROBLEM));
            assertThat(pp).isNotNull();
            assertThat(pp[55]).isEqualTo((byte) 1);
            assertThat(ByteBuffer.wrap(pp).getInt(54 + 4)).isEqualTo(6);
            // the manual clock stands still: the burst is all there is
            byte[] rh0 = new byte[24];
            rh0[0] = (byte) Ipv6.ICMPV6;
            rh0[1] = 2;
            rh0[3] = 1;
            int n = org.jioth.jnet.icmp.IcmpLayer.ERROR_BURST + 10;
            for (int i = 0; i < n; i++) {
                evil.send(Frames6.icmp6(mac, EVIL, EVIL_LL, ll, 64, Ipv6.ROUTING, rh0, Icmp6.ECHO_REQUEST, 0, i,
                        new byte[8]));
                if (i % 20 == 19) {
                    s.sync();
                }
            }
            assertThat(TestNet.await(() -> s.counter(Counter.IP6_IN_HDR_ERRORS) == n)).isTrue();
            s.sync();
            assertThat(s.counter(Counter.ICMP6_OUT_PARM_PROBLEMS)).isEqualTo(org.jioth.jnet.icmp.IcmpLayer.ERROR_BURST);
            assertThat(s.counter(Counter.ICMP6_OUT_RATE_LIMITED)).isEqualTo(11);
        }
    }

    @Test
    void seededMutationsOfIpv6FramesAreCountedAndDropped() throws Exception {
        try (TestNet net = new TestNet()) {
            EthernetNode sw = net.newSwitch();
            JnetStack s = net.stack("", sw, "192.168.250.1/24");
            TestNet.RawPort evil = net.raw(sw);
            long mac = Mac.of(s.config().linkGetAddr(2));
            byte[] ll = Ip6.linkLocal(mac);
            byte[] hbh = {(byte) Ipv6.ICMPV6, 0, 1, 4, 0, 0, 0, 0};
            byte[] frag = {(byte) Ipv6.ICMPV6, 0, 0, 1, 0, 0, 0, 9};
            byte[][] templates = {
                Frames6.icmp6(mac, EVIL, EVIL_LL, ll, 64, Icmp6.ECHO_REQUEST, 1, new byte[24]),
                Frames6.icmp6(Frames6.solicitedMac(ll), EVIL, EVIL_LL, Ip6.solicitedNode(ll), 255,
                        Icmp6.NEIGHBOR_SOLICITATION, 0, Frames6.nd(ll, 1, EVIL)),
                Frames6.icmp6(mac, EVIL, EVIL_LL, ll, 255, Icmp6.NEIGHBOR_ADVERTISEMENT, 0x60000000,
                        Frames6.nd(EVIL_LL, 2, EVIL)),
                Frames6.icmp6(mac, EVIL, EVIL_LL, ll, 64, Ipv6.HOP_BY_HOP, hbh, Icmp6.ECHO_REQUEST, 0, 2, new byte[8]),
                Frames6.icmp6(mac, EVIL, EVIL_LL, ll, 64, Ipv6.FRAGMENT, frag, Icmp6.ECHO_REQUEST, 0, 3, new byte[8]),
            };
            java.util.SplittableRandom r = new java.util.SplittableRandom(613);
            for (int i = 0; i < 2000; i++) {
                byte[] f = templates[r.nextInt(templates.length)].clone();
                if (r.nextInt(4) == 0) {
                    f = java.util.Arrays.copyOf(f, r.nextInt(14, f.length + 1)); // truncated
                } else {
                    for (int k = r.nextInt(1, 4); k > 0; k--) {
                        f[r.nextInt(14, f.length)] = (byte) r.nextInt(256);
                    }
                }
                evil.send(f);
                if (i % 100 == 99) {
                    s.sync();
                }
            }
            net.settle(); // every mutant handled (sync() alone runs before frames still in the ring)
            assertThat(s.counter(Counter.LOOP_ERRORS)).isZero();
            assertThat(s.counter(Counter.IP6_IN_RECEIVES)).isPositive();
            assertThat(s.onLoop(() -> s.ipv6.neighbours().size())).isLessThanOrEqualTo(Neighbor6Cache.MAX_ENTRIES);
            evil.clear();
            evil.send(templates[1]);
            evil.send(Frames6.icmp6(mac, EVIL, EVIL_LL, ll, 64, Icmp6.ECHO_REQUEST, 0x10003, new byte[16]));
            assertThat(evil.poll(f -> Frames6.isIcmp6(f, Icmp6.ECHO_REPLY))).isNotNull();
        }
    }

    @Test
    void anIcmpv6ErrorQuotingOurEchoRequestFailsThePing() throws Exception {
        try (TestNet net = new TestNet()) {
            EthernetNode sw = net.newSwitch();
            JnetStack s = net.stack("", sw, "192.168.250.1/24");
            TestNet.RawPort evil = net.raw(sw);
            long mac = Mac.of(s.config().linkGetAddr(2));
            byte[] ll = Ip6.linkLocal(mac);
            // evil is known (its solicitation), so the echo request goes straight out
            evil.send(Frames6.icmp6(Frames6.solicitedMac(ll), EVIL, EVIL_LL, Ip6.solicitedNode(ll), 255,
                    Icmp6.NEIGHBOR_SOLICITATION, 0, Frames6.nd(ll, 1, EVIL)));
            assertThat(evil.poll(f -> Frames6.isIcmp6(f, Icmp6.NEIGHBOR_ADVERTISEMENT))).isNotNull();
            var f = s.pingAsync(Ip6.toInet(EVIL_LL, 2), 8, Duration.ofSeconds(60));
            byte[] req = evil.poll(x -> Frames6.isIcmp6(x, Icmp6.ECHO_REQUEST));
            assertThat(req).isNotNull();
            byte[] quote = java.util.Arrays.copyOfRange(req, 14, req.length);
            evil.send(Frames6.icmp6(mac, EVIL, EVIL_LL, ll, 64, 0, new byte[0], Icmp6.DEST_UNREACHABLE, 3, 0, quote));
            assertThatThrownBy(() -> f.get(60, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(NoRouteToHostException.class).hasMessageContaining("type 1 code 3");
        }
    }

    @Test
    void unansweredSolicitationsFailThePingAfterThreeTries() throws Exception {
        try (TestNet net = new TestNet()) {
            EthernetNode sw = net.newSwitch();
            JnetStack a = net.stack("", sw, "192.168.250.1/24");
            var f = a.pingAsync(Ip6.toInet(InetAddress.ofLiteral("fe80::dead").getAddress(), 2), 8,
                    Duration.ofSeconds(60));
            net.advance(Duration.ofSeconds(4), 8);
            assertThatThrownBy(() -> f.get(60, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(NoRouteToHostException.class);
            assertThat(a.counter(Counter.ICMP6_OUT_NEIGHBOR_SOLICITS) - a.counter(Counter.IP6_DAD_PROBES))
                    .isEqualTo(Neighbor6Cache.MAX_MULTICAST_SOLICIT);
            assertThat(a.counter(Counter.NDP_RESOLVE_FAILED)).isEqualTo(1);
        }
    }

    @Test
    void aPacketDroppedFromAFullNeighbourQueueFailsItsPingAtOnce() throws Exception {
        try (TestNet net = new TestNet()) {
            EthernetNode sw = net.newSwitch();
            JnetStack a = net.stack("", sw, "192.168.250.1/24");
            Inet6Address dead = Ip6.toInet(InetAddress.ofLiteral("fe80::dead").getAddress(), 2);
            var first = a.pingAsync(dead, 8, Duration.ofSeconds(60));
            var others = new java.util.ArrayList<java.util.concurrent.CompletableFuture<?>>();
            for (int i = 0; i < Neighbor6Cache.MAX_WAITING; i++) {
                others.add(a.pingAsync(dead, 8, Duration.ofSeconds(60)));
            }
            // no clock advance: the oldest waiting packet was dropped, so its ping fails now
            assertThatThrownBy(() -> first.get(60, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .hasMessageContaining("ENOBUFS (dropped from the full neighbour queue)");
            assertThat(a.counter(Counter.NDP_QUEUE_DROPS)).isEqualTo(1);
            assertThat(others).noneMatch(java.util.concurrent.CompletableFuture::isDone);
        }
    }

    @Test
    void hostileInputIsAnsweredOrCountedAndTheCacheStaysBounded() throws Exception {
        try (TestNet net = new TestNet()) {
            EthernetNode sw = net.newSwitch();
            JnetStack s = net.stack("", sw, "192.168.250.1/24");
            TestNet.RawPort evil = net.raw(sw);
            long mac = Mac.of(s.config().linkGetAddr(2));
            byte[] ll = Ip6.linkLocal(mac);
            net.advance(Duration.ofSeconds(3), 3); // DAD of the link-local address done: NAs carry the override flag

            // NS with our source link-layer address: a solicited NA comes back, and we are in the cache
            evil.send(Frames6.icmp6(Frames6.solicitedMac(ll), EVIL, EVIL_LL, Ip6.solicitedNode(ll), 255,
                    Icmp6.NEIGHBOR_SOLICITATION, 0, Frames6.nd(ll, 1, EVIL)));
            byte[] na = evil.poll(f -> Frames6.isIcmp6(f, Icmp6.NEIGHBOR_ADVERTISEMENT));
            assertThat(na).isNotNull();
            ByteBuffer nb = ByteBuffer.wrap(na);
            assertThat(Mac.get(nb, 0)).isEqualTo(EVIL);
            assertThat(nb.get(21) & 0xff).as("hop limit").isEqualTo(255);
            assertThat(nb.getInt(54 + 4) & 0x60000000).as("S and O").isEqualTo(0x60000000);
            assertThat(Mac.get(nb, 54 + 24 + 2)).isEqualTo(mac);

            // echo with a type 0 routing header (segments left 1): parameter problem, pointer at the type
            byte[] rh0 = new byte[24];
            rh0[0] = (byte) Ipv6.ICMPV6;
            rh0[1] = 2;
            rh0[3] = 1;
            evil.clear();
            evil.send(Frames6.icmp6(mac, EVIL, EVIL_LL, ll, 64, Ipv6.ROUTING, rh0, Icmp6.ECHO_REQUEST, 0, 7, new byte[8]));
            byte[] pp = evil.poll(f -> Frames6.isIcmp6(f, Icmp6.PARAMETER_PROBLEM));
            assertThat(pp).isNotNull();
            assertThat(ByteBuffer.wrap(pp).getInt(54 + 4)).isEqualTo(Ipv6.HEADER + 2);
            s.sync(); // it counts what it sent after handing it to the port: let its loop finish that turn first
            assertThat(s.counter(Counter.ICMP6_OUT_PARM_PROBLEMS)).isEqualTo(1);

            // a plain echo is answered
            evil.send(Frames6.icmp6(mac, EVIL, EVIL_LL, ll, 64, Icmp6.ECHO_REQUEST, 0x10001, new byte[16]));
            assertThat(evil.poll(f -> Frames6.isIcmp6(f, Icmp6.ECHO_REPLY))).isNotNull();

            // unsolicited NA (override, with a link-layer address) for an address we never asked about
            byte[] victim = InetAddress.ofLiteral("fe80::bad").getAddress();
            evil.send(Frames6.icmp6(Ip6.multicastMac(Ip6.ALL_NODES), EVIL, victim, Ip6.ALL_NODES, 255,
                    Icmp6.NEIGHBOR_ADVERTISEMENT, 0x20000000, Frames6.nd(victim, 2, EVIL)));
            // ND with a hop limit below 255 (came through a router): dropped
            evil.send(Frames6.icmp6(Frames6.solicitedMac(ll), EVIL, EVIL_LL, Ip6.solicitedNode(ll), 64,
                    Icmp6.NEIGHBOR_SOLICITATION, 0, Frames6.nd(ll, 1, EVIL)));
            // a non-atomic fragment (waits for the rest), a chain of nine destination options, a bad checksum
            byte[] frag = {(byte) Ipv6.ICMPV6, 0, 0, 1, 0, 0, 0, 9};
            evil.send(Frames6.icmp6(mac, EVIL, EVIL_LL, ll, 64, Ipv6.FRAGMENT, frag, Icmp6.ECHO_REQUEST, 0, 1, new byte[8]));
            byte[] chain = new byte[9 * 8];
            for (int i = 0; i < 9; i++) {
                chain[i * 8] = (byte) (i == 8 ? Ipv6.ICMPV6 : Ipv6.DESTINATION_OPTIONS);
                chain[i * 8 + 2] = 1; // PadN of 4
                chain[i * 8 + 3] = 4;
            }
            evil.send(Frames6.icmp6(mac, EVIL, EVIL_LL, ll, 64, Ipv6.DESTINATION_OPTIONS, chain, Icmp6.ECHO_REQUEST, 0, 1,
                    new byte[8]));
            byte[] bad = Frames6.icmp6(mac, EVIL, EVIL_LL, ll, 64, Icmp6.ECHO_REQUEST, 1, new byte[8]);
            bad[bad.length - 1] ^= 1;
            evil.send(bad);
            // a flood of solicitations from distinct sources: the cache stays bounded
            for (int i = 0; i < 1000; i++) {
                byte[] from = Ip6.linkLocal(EVIL + 1 + i);
                evil.send(Frames6.icmp6(Frames6.solicitedMac(ll), EVIL + 1 + i, from, Ip6.solicitedNode(ll), 255,
                        Icmp6.NEIGHBOR_SOLICITATION, 0, Frames6.nd(ll, 1, EVIL + 1 + i)));
                if (i % 100 == 99) {
                    long want = i + 3;
                    assertThat(TestNet.await(() -> s.counter(Counter.ICMP6_IN_NEIGHBOR_SOLICITS) >= want)).isTrue();
                }
            }
            net.settle();
            assertThat(TestNet.await(() -> s.counter(Counter.ICMP6_IN_NEIGHBOR_SOLICITS) >= 1002)).isTrue();
            s.sync();
            assertThat(s.neighbour("vde0", Ip6.toInet(victim, 2))).isEmpty();
            assertThat(s.counter(Counter.NDP_UNSOLICITED_NA_IGNORED)).isEqualTo(1);
            assertThat(s.counter(Counter.ICMP6_IN_BAD_ND)).isEqualTo(1);
            assertThat(s.counter(Counter.IP6_REASM_REQDS)).isEqualTo(1); // held for reassembly
            assertThat(s.counter(Counter.IP6_IN_HDR_ERRORS)).isEqualTo(2); // RH0 and the long chain
            assertThat(s.counter(Counter.ICMP6_IN_CSUM_ERRORS)).isEqualTo(1);
            assertThat(s.onLoop(() -> s.ipv6.neighbours().size())).isLessThanOrEqualTo(Neighbor6Cache.MAX_ENTRIES);
            assertThat(s.counter(Counter.LOOP_ERRORS)).isZero();
            // still healthy: answers an echo (evil's own entry was evicted by the flood: it solicits again)
            evil.clear();
            evil.send(Frames6.icmp6(Frames6.solicitedMac(ll), EVIL, EVIL_LL, Ip6.solicitedNode(ll), 255,
                    Icmp6.NEIGHBOR_SOLICITATION, 0, Frames6.nd(ll, 1, EVIL)));
            evil.send(Frames6.icmp6(mac, EVIL, EVIL_LL, ll, 64, Icmp6.ECHO_REQUEST, 0x10002, new byte[16]));
            assertThat(evil.poll(f -> Frames6.isIcmp6(f, Icmp6.ECHO_REPLY))).isNotNull();
        }
    }
}
