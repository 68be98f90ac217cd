package org.jioth.dhcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jioth.dhcp.FakeDhcp6Server.Msg;
import static org.jioth.dhcp.FakeDhcp6Server.Reply;
import static org.jioth.dhcp.FakeDhcp6Server.Sent;
import static org.jioth.dhcp.FakeDhcp6Server.v6;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.jioth.Errno;
import org.jioth.IfAddr;
import org.jioth.MacAddress;
import org.jioth.NetConfig;
import org.jioth.NetConfigException;
import org.junit.jupiter.api.Test;

class Dhcp6ClientTest {
    static final MacAddress MAC = MacAddress.parse("02:00:00:00:00:07");
    static final int IAID = 0x00000007;
    static final byte[] DUID = Duid.linkLayer(MAC);

    final FakeDhcp6Server server = new FakeDhcp6Server(IAID);
    final Config config = new Config();
    final List<String> names = new ArrayList<>();

    /** Records address changes; everything else is refused. */
    static final class Config implements NetConfig {
        final List<String> calls = new ArrayList<>();

        private static NetConfigException no(String op) {
            return new NetConfigException(op, Errno.EOPNOTSUPP);
        }

        @Override public int ifNameToIndex(String ifname) throws NetConfigException { throw no("ifNameToIndex"); }
        @Override public void linkSetUpDown(int ifindex, boolean up) throws NetConfigException { throw no("up"); }
        @Override public void linkSetAddr(int ifindex, MacAddress mac) throws NetConfigException { throw no("mac"); }
        @Override public MacAddress linkGetAddr(int ifindex) { return MAC; }
        @Override public void linkSetMtu(int ifindex, int mtu) throws NetConfigException { throw no("mtu"); }
        @Override public void ipAddrAdd(InetAddress addr, int prefixLength, int ifindex) {
            calls.add("add " + addr.getHostAddress() + "/" + prefixLength + " " + ifindex);
        }
        @Override public void ipAddrDel(InetAddress addr, int prefixLength, int ifindex) {
            calls.add("del " + addr.getHostAddress() + "/" + prefixLength + " " + ifindex);
        }
        @Override public void ipRouteAdd(InetAddress dst, int p, InetAddress gw, int ifindex) throws NetConfigException { throw no("route"); }
        @Override public void ipRouteDel(InetAddress dst, int p, InetAddress gw, int ifindex) throws NetConfigException { throw no("route"); }
        @Override public int ipLinkAdd(String n, int i, String t, List<LinkData> d) throws NetConfigException { throw no("link"); }
        @Override public void ipLinkDel(String n, int i) throws NetConfigException { throw no("link"); }
        @Override public List<IfAddr> interfaces() throws NetConfigException { throw no("interfaces"); }
    }

    Dhcp6Client client(Dhcp6Client.Settings settings) {
        return new Dhcp6Client(config, 2, MAC, null, server.opener(), server.clock, new SplittableRandom(42), settings,
                (s, d) -> names.add(s.stream().map(InetAddress::getHostAddress).toList() + " " + d));
    }

    Dhcp6Client client() {
        return client(Dhcp6Client.Settings.defaults().withRapidCommit(false));
    }

    /** A server that advertises fd00::100 and grants it on REQUEST/RENEW/REBIND (T1 300, T2 480, 600/900 s). */
    static Function<Sent, List<Reply>> granting(long delayMillis) {
        return s -> switch (s.type()) {
            case Dhcp6Message.SOLICIT -> List.of(Msg.to(Dhcp6Message.ADVERTISE, s).ia(IAID, 300, 480, "fd00::100", 600, 900)
                    .dns("fd00::1").domains("lan.test").after(delayMillis));
            case Dhcp6Message.REQUEST, Dhcp6Message.RENEW, Dhcp6Message.REBIND ->
                    List.of(Msg.to(Dhcp6Message.REPLY, s).ia(IAID, 300, 480, "fd00::100", 600, 900).dns("fd00::1")
                            .domains("lan.test").after(delayMillis));
            case Dhcp6Message.RELEASE -> List.of(Msg.to(Dhcp6Message.REPLY, s).after(delayMillis));
            default -> List.of();
        };
    }

    @Test
    void fourMessageExchangeBindsTheAddressAndNames() throws IOException {
        server.script(granting(20));
        Dhcp6Client c = client();
        Instant start = server.clock.now;
        Dhcp6Lease l = c.acquire();

        assertThat(l.addresses()).extracting(Dhcp6Message.IaAddress::address).containsExactly(v6("fd00::100"));
        assertThat(l.renewAt()).isEqualTo(l.obtained().plusSeconds(300));
        assertThat(l.rebindAt()).isEqualTo(l.obtained().plusSeconds(480));
        assertThat(l.expiresAt()).isEqualTo(l.obtained().plusSeconds(900));
        assertThat(config.calls).containsExactly("add fd00:0:0:0:0:0:0:100/128 2");
        assertThat(names).containsExactly("[fd00:0:0:0:0:0:0:1] [lan.test]");

        Sent solicit = server.sent(Dhcp6Message.SOLICIT).getFirst();
        assertThat(solicit.to().getAddress().getHostAddress()).isEqualTo("ff02:0:0:0:0:0:1:2%2");
        assertThat(solicit.to().getPort()).isEqualTo(547);
        assertThat(solicit.parsed().clientId()).isEqualTo(DUID);
        assertThat(solicit.parsed().ia().iaid()).isEqualTo(IAID);
        assertThat(Duration.between(start, solicit.at())).isLessThanOrEqualTo(Duration.ofSeconds(1)); // SOL_MAX_DELAY
        Sent request = server.sent(Dhcp6Message.REQUEST).getFirst();
        assertThat(request.parsed().serverId()).isEqualTo(FakeDhcp6Server.SERVER_DUID);
        assertThat(request.parsed().ia().addresses()).extracting(Dhcp6Message.IaAddress::address).containsExactly(v6("fd00::100"));
        assertThat(request.parsed().xid()).isNotEqualTo(solicit.parsed().xid());
        // the ADVERTISE came within the first timeout: it waits for the whole timeout for better ones (RFC 8415 18.2.1)
        assertThat(Duration.between(solicit.at(), request.at())).isGreaterThan(Duration.ofSeconds(1));
        assertThat(server.opened).isEqualTo(server.closed);
    }

    @Test
    void rapidCommitBindsWithTwoMessages() throws IOException {
        server.script(s -> s.type() == Dhcp6Message.SOLICIT && s.raw().length > 0
                ? List.of(Msg.to(Dhcp6Message.REPLY, s).rapidCommit().ia(IAID, 0, 0, "fd00::7", 1000, 2000).after(5))
                : List.of());
        Dhcp6Lease l = client(Dhcp6Client.Settings.defaults()).acquire();
        assertThat(server.sent(Dhcp6Message.REQUEST)).isEmpty();
        assertThat(hasRapidCommit(server.sent(Dhcp6Message.SOLICIT).getFirst().raw())).isTrue();
        // T1 and T2 left to the client: 0.5 and 0.8 of the preferred lifetime
        assertThat(l.renewAt()).isEqualTo(l.obtained().plusSeconds(500));
        assertThat(l.rebindAt()).isEqualTo(l.obtained().plusSeconds(800));
        assertThat(config.calls).containsExactly("add fd00:0:0:0:0:0:0:7/128 2");
    }

    private static boolean hasRapidCommit(byte[] m) {
        for (int p = 4; p + 4 <= m.length; p += 4 + Dhcp6Message.u16(m, p + 2)) {
            if (Dhcp6Message.u16(m, p) == Dhcp6Message.OPT_RAPID_COMMIT) {
                return true;
            }
        }
        return false;
    }

    @Test
    void aRapidCommitReplyIsNotTakenWhenRapidCommitWasNotAsked() throws IOException {
        server.script(s -> s.type() == Dhcp6Message.SOLICIT
                ? List.of(Msg.to(Dhcp6Message.REPLY, s).rapidCommit().ia(IAID, 0, 0, "fd00::66", 100, 200).after(5),
                        Msg.to(Dhcp6Message.ADVERTISE, s).ia(IAID, 0, 0, "fd00::100", 100, 200).after(10))
                : granting(5).apply(s));
        Dhcp6Client c = client();
        Dhcp6Lease l = c.acquire();
        assertThat(l.addresses()).extracting(Dhcp6Message.IaAddress::address).containsExactly(v6("fd00::100"));
        assertThat(c.statistics().get("ignored")).isPositive();
    }

    @Test
    void theMostPreferredAdvertiseWinsAnd255WinsAtOnce() throws IOException {
        server.script(s -> switch (s.type()) {
            case Dhcp6Message.SOLICIT -> List.of(
                    new Msg(Dhcp6Message.ADVERTISE, s.parsed().xid()).opt(1, s.parsed().clientId()).opt(2, new byte[] {0, 3, 0, 1, 1, 1, 1, 1, 1, 1})
                            .preference(10).ia(IAID, 0, 0, "fd00::a", 100, 200).after(10),
                    Msg.to(Dhcp6Message.ADVERTISE, s).preference(50).ia(IAID, 0, 0, "fd00::b", 100, 200).after(20));
            case Dhcp6Message.REQUEST -> List.of(Msg.to(Dhcp6Message.REPLY, s).ia(IAID, 0, 0, "fd00::b", 100, 200).after(5));
            default -> List.of();
        });
        assertThat(client().acquire().addresses().getFirst().address()).isEqualTo(v6("fd00::b"));
        assertThat(server.sent(Dhcp6Message.REQUEST).getFirst().parsed().serverId()).isEqualTo(FakeDhcp6Server.SERVER_DUID);

        FakeDhcp6Server.Clock clock = server.clock;
        server.sent.clear();
        server.script(s -> s.type() == Dhcp6Message.SOLICIT
                ? List.of(Msg.to(Dhcp6Message.ADVERTISE, s).preference(255).ia(IAID, 0, 0, "fd00::c", 100, 200).after(10))
                : s.type() == Dhcp6Message.REQUEST ? List.of(Msg.to(Dhcp6Message.REPLY, s).ia(IAID, 0, 0, "fd00::c", 100, 200).after(5))
                : List.of());
        client().acquire();
        Sent solicit = server.sent(Dhcp6Message.SOLICIT).getFirst();
        assertThat(Duration.between(solicit.at(), server.sent(Dhcp6Message.REQUEST).getFirst().at())).isEqualTo(Duration.ofMillis(10));
        assertThat(clock).isSameAs(server.clock);
    }

    @Test
    void solicitRetransmitsOnRfc8415ScheduleWithTheSameTransactionIdThenGivesUp() {
        Dhcp6Client c = client();
        assertThatThrownBy(c::acquire).isInstanceOf(IOException.class).hasMessageContaining("no ADVERTISE");
        List<Sent> s = server.sent(Dhcp6Message.SOLICIT);
        assertThat(s).hasSizeGreaterThanOrEqualTo(3);
        assertThat(s).extracting(x -> x.parsed().xid()).containsOnly(s.getFirst().parsed().xid());
        // RT1 = IRT + RAND*IRT with RAND in (0, 0.1]; then RT = 2*RTprev + RAND*RTprev
        Duration rt1 = Duration.between(s.get(0).at(), s.get(1).at());
        assertThat(rt1).isGreaterThan(Duration.ofSeconds(1)).isLessThanOrEqualTo(Duration.ofMillis(1100));
        Duration rt2 = Duration.between(s.get(1).at(), s.get(2).at());
        assertThat(rt2.toNanos()).isBetween((long) (rt1.toNanos() * 1.9) - 1, (long) (rt1.toNanos() * 2.1) + 1);
        // elapsed time counts hundredths since the first SOLICIT
        assertThat(elapsed(s.get(0).raw())).isZero();
        assertThat(elapsed(s.get(1).raw())).isEqualTo((int) (rt1.toMillis() / 10));
        // bounded by acquireLimit (10 s) after the first send
        assertThat(Duration.between(s.getFirst().at(), server.clock.now)).isLessThanOrEqualTo(Duration.ofSeconds(10));
        assertThat(server.opened).isEqualTo(server.closed);
    }

    private static int elapsed(byte[] m) {
        for (int p = 4; p + 4 <= m.length; p += 4 + Dhcp6Message.u16(m, p + 2)) {
            if (Dhcp6Message.u16(m, p) == Dhcp6Message.OPT_ELAPSED_TIME) {
                return Dhcp6Message.u16(m, p + 4);
            }
        }
        return -1;
    }

    @Test
    void retransmissionTimesStayWithinTheRfcBoundsAndTheCaps() {
        SplittableRandom r = new SplittableRandom(7);
        for (int run = 0; run < 200; run++) {
            Dhcp6Retransmission t = new Dhcp6Retransmission(Dhcp6Retransmission.Params.REQUEST, r, false);
            Duration prev = null;
            for (int i = 0; i < 10; i++) {
                Duration rt = t.next();
                if (prev == null) {
                    assertThat(rt.toMillis()).isBetween(900L, 1100L);
                } else if (rt.toMillis() < 27_000) {
                    assertThat(rt.toNanos()).isBetween((long) (prev.toNanos() * 1.9) - 1, (long) (prev.toNanos() * 2.1) + 1);
                }
                assertThat(rt).isLessThanOrEqualTo(Duration.ofMillis(33_000)); // MRT 30 s + 10 %
                prev = rt;
            }
            assertThat(t.countExhausted()).isTrue(); // REQ_MAX_RC 10
        }
        Dhcp6Retransmission solicit = new Dhcp6Retransmission(Dhcp6Retransmission.Params.SOLICIT, r, true);
        assertThat(solicit.next()).isGreaterThan(Duration.ofSeconds(1));
        assertThat(Dhcp6Retransmission.Params.SOLICIT.limitedTo(Duration.ofSeconds(5)).mrd()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void renewsAtT1RebindsAtT2AndDropsTheAddressAtExpiry() throws IOException {
        server.script(granting(10));
        Dhcp6Client c = client();
        Dhcp6Lease l = c.acquire();
        Instant t0 = l.obtained();
        assertThat(c.onTimer(server.clock.now)).isEqualTo(t0.plusSeconds(300));

        // T1: RENEW to the server (multicast, with its server id), the REPLY extends the lease
        server.clock.now = t0.plusSeconds(300);
        Instant next = c.onTimer(server.clock.now);
        Sent renew = server.sent(Dhcp6Message.RENEW).getFirst();
        assertThat(renew.parsed().serverId()).isEqualTo(FakeDhcp6Server.SERVER_DUID);
        assertThat(renew.parsed().ia().addresses()).extracting(Dhcp6Message.IaAddress::address).containsExactly(v6("fd00::100"));
        assertThat(c.lease().obtained()).isAfter(t0);
        assertThat(next).isEqualTo(c.lease().renewAt());

        // now the server stops answering: RENEW until T2, then REBIND (no server id) until expiry
        server.script(s -> List.of());
        Dhcp6Lease held = c.lease();
        server.clock.now = held.renewAt();
        Instant afterRenew = c.onTimer(server.clock.now);
        assertThat(afterRenew).isEqualTo(held.rebindAt());
        assertThat(server.sent(Dhcp6Message.RENEW).size()).isGreaterThan(1);
        Instant afterRebind = c.onTimer(afterRenew);
        assertThat(server.sent(Dhcp6Message.REBIND)).isNotEmpty().allSatisfy(s -> assertThat(s.parsed().serverId()).isNull());
        assertThat(afterRebind).isEqualTo(held.expiresAt());

        // expiry: the address goes, names too, and the client solicits again
        server.clock.now = afterRebind;
        config.calls.clear();
        Instant again = c.onTimer(server.clock.now);
        assertThat(config.calls).containsExactly("del fd00:0:0:0:0:0:0:100/128 2");
        assertThat(names.getLast()).isEqualTo("[] []");
        assertThat(c.lease()).isNull();
        assertThat(again).isEqualTo(server.clock.now);
        int solicits = server.sent(Dhcp6Message.SOLICIT).size();
        Instant retry = c.onTimer(again);
        assertThat(server.sent(Dhcp6Message.SOLICIT).size()).isGreaterThan(solicits);
        assertThat(retry).isAfter(again);

        server.script(granting(10));
        server.clock.now = retry;
        c.onTimer(retry);
        assertThat(c.lease()).isNotNull();
        assertThat(server.opened).isEqualTo(server.closed);
    }

    @Test
    void eachAddressEndsWithItsOwnValidLifetime() throws IOException {
        server.script(s -> switch (s.type()) {
            case Dhcp6Message.SOLICIT -> List.of(Msg.to(Dhcp6Message.ADVERTISE, s).ia(IAID, 0, 0, "fd00::1", 100, 200).after(5));
            case Dhcp6Message.REQUEST -> {
                // two addresses in one IA_NA: fd00::2 lives 150 s, fd00::1 200 s
                byte[] ia = Msg.to(Dhcp6Message.REPLY, s).ia(IAID, 1000, 1000, "fd00::1", 100, 200).bytes();
                byte[] extra = new Msg(0, 0).ia(IAID, 1000, 1000, "fd00::2", 100, 150).bytes();
                // splice fd00::2's IAADDR (the last 28 bytes of the extra IA_NA) into the first IA_NA
                byte[] addr = java.util.Arrays.copyOfRange(extra, extra.length - 28, extra.length);
                byte[] m = java.util.Arrays.copyOf(ia, ia.length + 28);
                System.arraycopy(addr, 0, m, ia.length, 28);
                int iaStart = ia.length - 28 - 12 - 4; // IA_NA header
                int len = Dhcp6Message.u16(m, iaStart + 2) + 28;
                m[iaStart + 2] = (byte) (len >> 8);
                m[iaStart + 3] = (byte) len;
                yield List.of(new Reply(m, Duration.ofMillis(5)));
            }
            default -> List.of();
        });
        Dhcp6Client c = client();
        Dhcp6Lease l = c.acquire();
        assertThat(l.addresses()).hasSize(2);
        Instant t0 = l.obtained();
        // T1 1000 s is beyond the lifetimes: the next event is fd00::2's end (RFC 8415 wants T1 <= lifetimes; we cope)
        assertThat(c.onTimer(server.clock.now)).isEqualTo(t0.plusSeconds(150));
        config.calls.clear();
        server.clock.now = t0.plusSeconds(150);
        assertThat(c.onTimer(server.clock.now)).isEqualTo(t0.plusSeconds(200));
        assertThat(config.calls).containsExactly("del fd00:0:0:0:0:0:0:2/128 2");
        assertThat(c.lease().addresses()).extracting(Dhcp6Message.IaAddress::address).containsExactly(v6("fd00::1"));
    }

    @Test
    void closeRemovesTheAddressThenReleasesIt() throws IOException {
        server.script(granting(10));
        Dhcp6Client c = client();
        c.acquire();
        config.calls.clear();
        c.close();
        assertThat(config.calls).containsExactly("del fd00:0:0:0:0:0:0:100/128 2");
        Sent release = server.sent(Dhcp6Message.RELEASE).getFirst();
        assertThat(release.parsed().serverId()).isEqualTo(FakeDhcp6Server.SERVER_DUID);
        assertThat(release.parsed().ia().addresses()).extracting(Dhcp6Message.IaAddress::address).containsExactly(v6("fd00::100"));
        assertThat(server.sent(Dhcp6Message.RELEASE)).hasSize(1); // the REPLY came
        assertThat(c.lease()).isNull();
        assertThat(c.onTimer(server.clock.now)).isNull();

        // a server that never answers the RELEASE: REL_MAX_RC (4) transmissions at most, within the limit
        FakeDhcp6Server quiet = new FakeDhcp6Server(IAID);
        quiet.script(s -> s.type() == Dhcp6Message.RELEASE ? List.<Reply>of() : granting(10).apply(s));
        Dhcp6Client q = new Dhcp6Client(config, 2, MAC, null, quiet.opener(), quiet.clock, new SplittableRandom(1),
                Dhcp6Client.Settings.defaults().withRapidCommit(false), (s, d) -> { });
        q.acquire();
        Instant before = quiet.clock.now;
        q.close();
        assertThat(quiet.sent(Dhcp6Message.RELEASE)).hasSizeBetween(2, 4);
        assertThat(Duration.between(before, quiet.clock.now)).isLessThanOrEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void statelessInformationRequestAndFallbackWhenNoAddressIsAvailable() throws IOException {
        server.script(s -> switch (s.type()) {
            case Dhcp6Message.SOLICIT -> List.of(Msg.to(Dhcp6Message.ADVERTISE, s).iaStatus(IAID, Dhcp6Message.STATUS_NO_ADDRS_AVAIL).after(5));
            case Dhcp6Message.INFORMATION_REQUEST -> List.of(Msg.to(Dhcp6Message.REPLY, s).dns("fd00::53", "fd00::54")
                    .domains("a.test", "b.test").opt(Dhcp6Message.OPT_INFORMATION_REFRESH_TIME, Msg.u32(30)).after(5));
            default -> List.of();
        });
        Dhcp6Client c = client();
        Dhcp6Lease l = c.acquire();
        assertThat(l.isStateless()).isTrue();
        assertThat(l.dnsServers()).containsExactly(v6("fd00::53"), v6("fd00::54"));
        assertThat(l.domains()).containsExactly("a.test", "b.test");
        assertThat(l.renewAt()).isEqualTo(l.obtained().plusSeconds(600)); // refresh time at least IRT_MINIMUM
        assertThat(config.calls).isEmpty();
        assertThat(server.sent(Dhcp6Message.REQUEST)).isEmpty();
        Sent inform = server.sent(Dhcp6Message.INFORMATION_REQUEST).getFirst();
        assertThat(inform.parsed().ia()).isNull();
        assertThat(inform.parsed().clientId()).isEqualTo(DUID);

        // refreshed after the refresh time
        server.clock.now = l.renewAt();
        Instant next = c.onTimer(server.clock.now);
        c.onTimer(next);
        assertThat(server.sent(Dhcp6Message.INFORMATION_REQUEST)).hasSize(2);

        FakeDhcp6Server s2 = new FakeDhcp6Server(IAID);
        s2.script(s -> s.type() == Dhcp6Message.INFORMATION_REQUEST ? List.of(Msg.to(Dhcp6Message.REPLY, s).dns("fd00::53").after(3)) : List.of());
        Dhcp6Lease direct = new Dhcp6Client(config, 2, MAC, null, s2.opener(), s2.clock, new SplittableRandom(3),
                Dhcp6Client.Settings.defaults(), (a, b) -> { }).inform();
        assertThat(direct.dnsServers()).containsExactly(v6("fd00::53"));
        assertThat(s2.sent(Dhcp6Message.SOLICIT)).isEmpty();
    }

    @Test
    void serverUnicastIsIgnoredUnlessAllowed() throws IOException {
        Function<Sent, List<Reply>> unicasting = s -> switch (s.type()) {
            case Dhcp6Message.SOLICIT -> List.of(Msg.to(Dhcp6Message.ADVERTISE, s).unicast("fd00::1").ia(IAID, 0, 0, "fd00::100", 100, 200).after(5));
            case Dhcp6Message.REQUEST, Dhcp6Message.RELEASE ->
                    List.of(Msg.to(Dhcp6Message.REPLY, s).unicast("fd00::1").ia(IAID, 0, 0, "fd00::100", 100, 200).after(5));
            default -> List.of();
        };
        server.script(unicasting);
        Dhcp6Client c = client();
        c.acquire();
        c.close();
        assertThat(server.sent).extracting(s -> s.to().getAddress().getHostAddress()).containsOnly("ff02:0:0:0:0:0:1:2%2");

        FakeDhcp6Server s2 = new FakeDhcp6Server(IAID);
        s2.script(unicasting);
        Dhcp6Client allowed = new Dhcp6Client(config, 2, MAC, null, s2.opener(), s2.clock, new SplittableRandom(3),
                Dhcp6Client.Settings.defaults().withRapidCommit(false).withAllowUnicast(true), (a, b) -> { });
        allowed.acquire();
        allowed.close();
        assertThat(s2.sent(Dhcp6Message.REQUEST).getFirst().to().getAddress()).isEqualTo(v6("fd00::1"));
        assertThat(s2.sent(Dhcp6Message.RELEASE).getFirst().to().getAddress()).isEqualTo(v6("fd00::1"));
    }

    @Test
    void foreignAndMalformedMessagesAreCountedAndDropped() throws IOException {
        server.script(s -> {
            if (s.type() != Dhcp6Message.SOLICIT) {
                return granting(5).apply(s);
            }
            byte[] good = Msg.to(Dhcp6Message.ADVERTISE, s).ia(IAID, 0, 0, "fd00::100", 100, 200).bytes();
            byte[] cut = java.util.Arrays.copyOf(good, good.length - 3);
            byte[] otherXid = good.clone();
            otherXid[3] ^= 1;
            byte[] otherClient = new Msg(Dhcp6Message.ADVERTISE, s.parsed().xid()).opt(1, new byte[] {0, 3, 0, 1, 9, 9, 9, 9, 9, 9})
                    .opt(2, FakeDhcp6Server.SERVER_DUID).ia(IAID, 0, 0, "fd00::66", 100, 200).bytes();
            byte[] noServerId = new Msg(Dhcp6Message.ADVERTISE, s.parsed().xid()).opt(1, s.parsed().clientId())
                    .ia(IAID, 0, 0, "fd00::66", 100, 200).bytes();
            byte[] badT = Msg.to(Dhcp6Message.ADVERTISE, s).ia(IAID, 200, 100, "fd00::66", 100, 200).bytes(); // T1 > T2
            return List.of(new Reply(cut, Duration.ofMillis(1)), new Reply(otherXid, Duration.ofMillis(2)),
                    new Reply(otherClient, Duration.ofMillis(3)), new Reply(noServerId, Duration.ofMillis(4)),
                    new Reply(badT, Duration.ofMillis(5)), new Reply(new byte[] {2}, Duration.ofMillis(6)),
                    new Reply(good, Duration.ofMillis(7)));
        });
        Dhcp6Client c = client();
        assertThat(c.acquire().addresses().getFirst().address()).isEqualTo(v6("fd00::100"));
        assertThat(c.statistics().get("malformed")).isEqualTo(3); // cut, no server id, 1 byte
        assertThat(c.statistics().get("ignored")).isGreaterThanOrEqualTo(3); // other xid, other client, T1 > T2
    }

    @Test
    void seededFuzzNeverThrowsAnythingButADropAndKeepsTheClientWorking() throws IOException {
        SplittableRandom r = new SplittableRandom(20261205);
        byte[] valid = new Msg(Dhcp6Message.REPLY, 0x123456).opt(1, DUID).opt(2, FakeDhcp6Server.SERVER_DUID)
                .ia(IAID, 10, 20, "fd00::100", 100, 200).dns("fd00::1").domains("lan.test").preference(3).bytes();
        int parsed = 0;
        for (int i = 0; i < 20_000; i++) {
            byte[] m;
            if (i % 2 == 0) {
                m = new byte[r.nextInt(0, 300)];
                r.nextBytes(m);
            } else {
                m = valid.clone();
                for (int k = r.nextInt(1, 6); k > 0; k--) {
                    m[r.nextInt(m.length)] = (byte) r.nextInt(256);
                }
                if (r.nextInt(4) == 0) {
                    m = java.util.Arrays.copyOf(m, r.nextInt(m.length + 1));
                }
            }
            try {
                Dhcp6Message.Parsed p = Dhcp6Message.parse(m, m.length, IAID);
                parsed++;
                assertThat(p.dnsServers().size()).isLessThanOrEqualTo(Dhcp6Message.MAX_DNS_SERVERS);
                assertThat(p.domains().size()).isLessThanOrEqualTo(Dhcp6Message.MAX_DOMAINS);
                if (p.ia() != null) {
                    assertThat(p.ia().addresses().size()).isLessThanOrEqualTo(Dhcp6Message.MAX_ADDRESSES);
                }
            } catch (IllegalArgumentException expected) {
                assertThat(expected.getMessage()).startsWith("DHCPv6: ");
            }
        }
        assertThat(parsed).isPositive();

        // the client, fed mutated replies before the good one, still binds
        SplittableRandom r2 = new SplittableRandom(99);
        server.script(s -> {
            if (s.type() != Dhcp6Message.SOLICIT) {
                return granting(50).apply(s);
            }
            byte[] good = Msg.to(Dhcp6Message.ADVERTISE, s).ia(IAID, 0, 0, "fd00::100", 100, 200).dns("fd00::1").bytes();
            List<Reply> out = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                byte[] m = good.clone();
                m[r2.nextInt(4, m.length)] ^= (byte) r2.nextInt(1, 256);
                out.add(new Reply(m, Duration.ofMillis(1)));
            }
            out.add(new Reply(good, Duration.ofMillis(2)));
            return out;
        });
        Dhcp6Client c = client();
        Dhcp6Lease l = c.acquire();
        assertThat(l.addresses()).isNotEmpty();
        assertThat(c.statistics().get("received")).isGreaterThanOrEqualTo(201);
    }

    @Test
    void transactionIdsDifferBetweenExchanges() throws IOException {
        server.script(granting(5));
        for (int i = 0; i < 5; i++) {
            client().acquire();
        }
        assertThat(server.sent).extracting(s -> s.parsed().xid()).doesNotHaveDuplicates();
    }

    @Test
    void duidsHaveTheRfcLayout() {
        assertThat(Duid.linkLayer(MAC)).containsExactly(0, 3, 0, 1, 2, 0, 0, 0, 0, 7);
        assertThat(Duid.linkLayerTime(MAC, Instant.parse("2000-01-01T00:01:00Z"))).containsExactly(0, 1, 0, 1, 0, 0, 0, 60, 2, 0, 0, 0, 0, 7);
    }

    @Test
    void aFqdnIsSentInDnsWireForm() {
        byte[] m = Dhcp6Message.client(Dhcp6Message.SOLICIT, 1, new Dhcp6Message.Fields(DUID, null, IAID, List.of(), 0, false, "host.lan.test"));
        String hex = java.util.HexFormat.of().formatHex(m);
        assertThat(hex).contains("0027001000" + "04686f7374036c616e0474657374" + "00");
        assertThatThrownBy(() -> Dhcp6Message.dnsName("a..b")).hasMessageContaining("bad DNS name");
    }
}
