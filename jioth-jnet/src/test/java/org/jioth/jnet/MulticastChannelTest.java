package org.jioth.jnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.jioth.jnet.TestNet.ip;

import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.MembershipKey;
import java.nio.charset.StandardCharsets;
import org.jioth.jnet.loop.Counter;
import org.jioth.jnet.wire.Ipv4;
import org.jioth.vde.EthernetNode;
import org.junit.jupiter.api.Test;

/** DatagramChannel.join on jnet: reports on the wire, delivery only to joined sockets, source filters. */
class MulticastChannelTest {
    static final long EVIL = Ipv6StackTest.EVIL;

    /**
     * A host interface to name in join: jnet maps it by name, else index, else to the stack's only
     * non-loopback interface (every stack here has one).
     */
    static NetworkInterface hostNic() throws Exception {
        NetworkInterface nif = NetworkInterface.networkInterfaces().filter(i -> {
            try {
                return !i.isLoopback();
            } catch (java.net.SocketException e) {
                return false;
            }
        }).findFirst().orElse(null);
        assumeThat(nif).as("a non-loopback host interface to name in join").isNotNull();
        return nif;
    }

    static DatagramChannel bound(JnetStack s, StandardProtocolFamily family, int port) throws Exception {
        DatagramChannel c = s.provider().openDatagramChannel(family);
        c.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        c.bind(new InetSocketAddress(port));
        c.configureBlocking(false);
        return c;
    }

    static byte[] datagram(String from, String group, int port, String text) {
        int src = Frames.ip(from);
        int dst = Frames.ip(group);
        long mac = 0x01005e000000L | (dst & 0x7fffff);
        return Frames.ipv4(mac, EVIL, src, dst, Ipv4.PROTO_UDP, 1, 7, 0,
                Frames.udp(src, dst, 5000, port, text.getBytes(StandardCharsets.US_ASCII)));
    }

    /** The text of the datagram waiting on {@code c}, or null (the stack delivers before the counter moves). */
    static String take(DatagramChannel c) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(100);
        if (c.receive(b) == null) {
            return null;
        }
        b.flip();
        return StandardCharsets.US_ASCII.decode(b).toString();
    }

    static void sendAndWait(JnetStack s, TestNet.RawPort evil, byte[] frame) throws Exception {
        long before = s.counter(Counter.IP_IN_RECEIVES);
        evil.send(frame);
        assertThat(TestNet.await(() -> s.counter(Counter.IP_IN_RECEIVES) > before)).isTrue();
        s.onLoop(() -> null); // the frame's processing is done
    }

    @Test
    void ipv4JoinsReportAndFilterDelivery() throws Exception {
        NetworkInterface nif = hostNic();
        try (TestNet net = new TestNet()) {
            EthernetNode sw = net.newSwitch();
            TestNet.RawPort evil = net.raw(sw);
            JnetStack s = net.stack("", sw, "192.168.250.1/24");
            try (DatagramChannel joined = bound(s, StandardProtocolFamily.INET, 4000);
                 DatagramChannel other = bound(s, StandardProtocolFamily.INET, 4000);
                 DatagramChannel second = bound(s, StandardProtocolFamily.INET, 4000);
                 DatagramChannel ssm = bound(s, StandardProtocolFamily.INET, 4001)) {
                MembershipKey k = joined.join(ip("239.1.2.3"), nif);
                byte[] r = evil.poll(Igmp3Test::isReport);
                assertThat(Igmp3Test.records(r)).isEqualTo("4:239.1.2.3/0");
                long reports = s.counter(Counter.IGMP_OUT_REPORTS);
                MembershipKey k2 = second.join(ip("239.1.2.3"), nif);
                assertThat(s.counter(Counter.IGMP_OUT_REPORTS)).as("a second socket: no change to report")
                        .isEqualTo(reports);
                assertThat(k.group()).isEqualTo(ip("239.1.2.3"));
                assertThat(k.networkInterface()).isEqualTo(nif);
                assertThat(k.sourceAddress()).isNull();
                assertThat(k.channel()).isSameAs(joined);
                assertThatThrownBy(() -> joined.join(ip("239.1.2.3"), nif)).isInstanceOf(IllegalStateException.class);
                assertThatThrownBy(() -> joined.join(ip("192.168.250.7"), nif))
                        .isInstanceOf(IllegalArgumentException.class);
                assertThatThrownBy(() -> joined.join(ip("ff15::1"), nif)).isInstanceOf(IllegalArgumentException.class);

                sendAndWait(s, evil, datagram("192.168.250.9", "239.1.2.3", 4000, "hello"));
                assertThat(take(joined)).isEqualTo("hello");
                assertThat(take(second)).isEqualTo("hello");
                assertThat(take(other)).as("not joined: IP_MULTICAST_ALL off").isNull();
                long addrErrors = s.counter(Counter.IP_IN_ADDR_ERRORS);
                sendAndWait(s, evil, datagram("192.168.250.9", "239.9.9.9", 4000, "nobody"));
                assertThat(s.counter(Counter.IP_IN_ADDR_ERRORS)).as("a group nobody joined").isEqualTo(addrErrors + 1);
                assertThat(take(joined)).isNull();

                // block and unblock a source on an any-source key
                k.block(ip("192.168.250.10"));
                assertThat(s.counter(Counter.IGMP_OUT_REPORTS)).as("merged state unchanged: second takes all")
                        .isEqualTo(reports);
                sendAndWait(s, evil, datagram("192.168.250.10", "239.1.2.3", 4000, "blocked"));
                assertThat(take(joined)).isNull();
                assertThat(take(second)).isEqualTo("blocked");
                k.unblock(ip("192.168.250.10"));
                assertThatThrownBy(() -> k.unblock(ip("192.168.250.10"))).isInstanceOf(IllegalStateException.class);
                sendAndWait(s, evil, datagram("192.168.250.10", "239.1.2.3", 4000, "again"));
                assertThat(take(joined)).isEqualTo("again");
                assertThat(take(second)).isEqualTo("again");

                // source-specific
                MembershipKey sk = ssm.join(ip("232.1.1.1"), nif, ip("192.168.250.9"));
                assertThat(Igmp3Test.records(evil.poll(f -> Igmp3Test.isReport(f)
                        && Igmp3Test.records(f).contains("232.1.1.1")))).isEqualTo("5:232.1.1.1/1");
                assertThat(sk.sourceAddress()).isEqualTo(ip("192.168.250.9"));
                assertThatThrownBy(() -> sk.block(ip("192.168.250.10"))).isInstanceOf(IllegalStateException.class);
                assertThatThrownBy(() -> ssm.join(ip("232.1.1.1"), nif)).isInstanceOf(IllegalStateException.class);
                assertThat(ssm.join(ip("232.1.1.1"), nif, ip("192.168.250.9"))).isSameAs(sk);
                sendAndWait(s, evil, datagram("192.168.250.10", "232.1.1.1", 4001, "other source"));
                assertThat(take(ssm)).isNull();
                sendAndWait(s, evil, datagram("192.168.250.9", "232.1.1.1", 4001, "the source"));
                assertThat(take(ssm)).isEqualTo("the source");

                // drop: the last member's leave goes out, delivery stops
                k.drop();
                assertThat(k.isValid()).isFalse();
                assertThat(s.counter(Counter.IGMP_OUT_REPORTS)).as("second is still a member").isEqualTo(reports + 1);
                evil.clear();
                k2.drop();
                assertThat(Igmp3Test.records(evil.poll(f -> Igmp3Test.isReport(f)
                        && Igmp3Test.records(f).contains("239.1.2.3")))).isEqualTo("3:239.1.2.3/0");
                sendAndWait(s, evil, datagram("192.168.250.9", "239.1.2.3", 4000, "gone"));
                assertThat(take(joined)).isNull();
                assertThat(take(second)).isNull();

                // close drops the keys (and leaves)
                ssm.close();
                assertThat(sk.isValid()).isFalse();
                assertThat(Igmp3Test.records(evil.poll(f -> Igmp3Test.isReport(f)
                        && Igmp3Test.records(f).contains("232.1.1.1")))).startsWith("6:232.1.1.1/1");
                assertThatThrownBy(() -> ssm.join(ip("239.1.2.3"), nif)).isInstanceOf(ClosedChannelException.class);
            }
        }
    }

    static String receive(DatagramChannel c) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(100);
        c.receive(b);
        b.flip();
        return StandardCharsets.US_ASCII.decode(b).toString();
    }

    static void send(DatagramChannel c, String text, String group, int port) throws Exception {
        c.send(ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII)), new InetSocketAddress(ip(group), port));
    }

    static boolean isUdpTo(byte[] f, int port) {
        ByteBuffer b = ByteBuffer.wrap(f);
        int type = b.getShort(12) & 0xffff;
        if (type == 0x0800) {
            return (f[23] & 0xff) == Ipv4.PROTO_UDP && (b.getShort(36) & 0xffff) == port;
        }
        return type == 0x86dd && (f[20] & 0xff) == 17 && (b.getShort(56) & 0xffff) == port;
    }

    @Test
    @org.junit.jupiter.api.Timeout(60)
    void betweenTwoStacksWithLoopTtlAndInterfaceOptions() throws Exception {
        NetworkInterface nif = hostNic();
        try (TestNet net = new TestNet()) {
            EthernetNode sw = net.newSwitch();
            TestNet.RawPort evil = net.raw(sw);
            JnetStack a = net.stack("", sw, "192.168.250.1/24");
            JnetStack b = net.stack("", sw, "192.168.250.2/24");
            a.config().ipAddrAdd(ip("fd00::1"), 64, 2);
            b.config().ipAddrAdd(ip("fd00::2"), 64, 2);
            try (DatagramChannel rx = a.provider().openDatagramChannel(StandardProtocolFamily.INET);
                 DatagramChannel rx6 = a.provider().openDatagramChannel(StandardProtocolFamily.INET6);
                 DatagramChannel rx64 = a.provider().openDatagramChannel(StandardProtocolFamily.INET6);
                 DatagramChannel own = bound(b, StandardProtocolFamily.INET, 4100);
                 DatagramChannel tx = b.provider().openDatagramChannel(StandardProtocolFamily.INET);
                 DatagramChannel tx6 = b.provider().openDatagramChannel(StandardProtocolFamily.INET6)) {
                rx.bind(new InetSocketAddress(4100)).join(ip("239.5.5.5"), nif);
                rx6.bind(new InetSocketAddress(4101)).join(ip("ff15::5"), nif);
                rx64.bind(new InetSocketAddress(4102)).join(ip("239.6.6.6"), nif); // an INET6 socket, an IPv4 group
                own.join(ip("239.5.5.5"), nif);
                assertThat(tx.getOption(StandardSocketOptions.IP_MULTICAST_TTL)).isEqualTo(1);
                assertThat(tx.getOption(StandardSocketOptions.IP_MULTICAST_LOOP)).isTrue();
                assertThat(tx.getOption(StandardSocketOptions.IP_MULTICAST_IF)).isNull();

                // no 224/4 route on b: the only NIC; TTL 1; a copy to b's own joined socket
                evil.clear();
                send(tx, "m1", "239.5.5.5", 4100);
                assertThat(receive(rx)).isEqualTo("m1");
                assertThat(take(own)).as("IP_MULTICAST_LOOP on").isEqualTo("m1");
                assertThat(evil.poll(f -> isUdpTo(f, 4100))[22]).as("TTL").isEqualTo((byte) 1);

                tx.setOption(StandardSocketOptions.IP_MULTICAST_LOOP, false);
                tx.setOption(StandardSocketOptions.IP_MULTICAST_TTL, 7);
                tx.setOption(StandardSocketOptions.IP_MULTICAST_IF, nif);
                assertThat(tx.getOption(StandardSocketOptions.IP_MULTICAST_IF)).isEqualTo(nif);
                evil.clear();
                send(tx, "m2", "239.5.5.5", 4100);
                assertThat(receive(rx)).isEqualTo("m2");
                assertThat(take(own)).as("IP_MULTICAST_LOOP off").isNull();
                assertThat(evil.poll(f -> isUdpTo(f, 4100))[22]).as("TTL").isEqualTo((byte) 7);

                send(tx, "m3", "239.6.6.6", 4102);
                assertThat(receive(rx64)).isEqualTo("m3");

                evil.clear();
                tx6.setOption(StandardSocketOptions.IP_MULTICAST_IF, nif);
                send(tx6, "six", "ff15::5", 4101);
                InetSocketAddress from;
                ByteBuffer in = ByteBuffer.allocate(100);
                from = (InetSocketAddress) rx6.receive(in);
                assertThat(new String(in.array(), 0, in.position(), StandardCharsets.US_ASCII)).isEqualTo("six");
                assertThat(from.getPort()).isEqualTo(tx6.socket().getLocalPort());
                assertThat(evil.poll(f -> isUdpTo(f, 4101))[21]).as("hop limit").isEqualTo((byte) 1);
            }
        }
    }

    static byte[] udp6(String from, String group, int port, String text) {
        byte[] src = ip(from).getAddress();
        byte[] dst = ip(group).getAddress();
        byte[] data = text.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = ByteBuffer.allocate(8 + data.length);
        b.put(8, data);
        org.jioth.jnet.wire.Udp.emit(b, 0, 5000, port, 8 + data.length,
                org.jioth.jnet.wire.Ip128.sum(org.jioth.jnet.wire.Ip128.hi(src), org.jioth.jnet.wire.Ip128.lo(src))
                        + org.jioth.jnet.wire.Ip128.sum(org.jioth.jnet.wire.Ip128.hi(dst),
                        org.jioth.jnet.wire.Ip128.lo(dst)));
        return Frames6.ipv6(org.jioth.jnet.wire.Ip6.multicastMac(dst), EVIL, src, dst, 17, b.array());
    }

    static void send6AndWait(JnetStack s, TestNet.RawPort evil, byte[] frame) throws Exception {
        long before = s.counter(Counter.IP6_IN_RECEIVES);
        evil.send(frame);
        assertThat(TestNet.await(() -> s.counter(Counter.IP6_IN_RECEIVES) > before)).isTrue();
        s.onLoop(() -> null);
    }

    @Test
    void ipv6JoinsAreMldReportsAndFilterDelivery() throws Exception {
        NetworkInterface nif = hostNic();
        try (TestNet net = new TestNet()) {
            EthernetNode sw = net.newSwitch();
            TestNet.RawPort evil = net.raw(sw);
            JnetStack s = net.stack("", sw, "192.168.250.1/24");
            try (DatagramChannel asm = bound(s, StandardProtocolFamily.INET6, 4000);
                 DatagramChannel other = bound(s, StandardProtocolFamily.INET6, 4000);
                 DatagramChannel ssm = bound(s, StandardProtocolFamily.INET6, 4001)) {
                MembershipKey k = asm.join(ip("ff05::1234"), nif);
                assertThat(Ipv6MulticastTest.records(evil.poll(f -> Ipv6MulticastTest.isReport(f)
                        && Ipv6MulticastTest.records(f).contains("ff05")))).isEqualTo("4:ff05:0:0:0:0:0:0:1234/0");
                MembershipKey sk = ssm.join(ip("ff3e::1"), nif, ip("fd00::5"));
                assertThat(Ipv6MulticastTest.records(evil.poll(f -> Ipv6MulticastTest.isReport(f)
                        && Ipv6MulticastTest.records(f).contains("ff3e")))).isEqualTo("5:ff3e:0:0:0:0:0:0:1/1");
                assertThatThrownBy(() -> ssm.join(ip("ff3e::1"), nif, ip("192.168.250.9")))
                        .isInstanceOf(IllegalArgumentException.class);

                send6AndWait(s, evil, udp6("fd00::9", "ff05::1234", 4000, "asm"));
                assertThat(take(asm)).isEqualTo("asm");
                assertThat(take(other)).isNull();
                k.block(ip("fd00::9"));
                assertThat(Ipv6MulticastTest.records(evil.poll(f -> Ipv6MulticastTest.isReport(f)
                        && Ipv6MulticastTest.records(f).contains("ff05")))).isEqualTo("6:ff05:0:0:0:0:0:0:1234/1");
                send6AndWait(s, evil, udp6("fd00::9", "ff05::1234", 4000, "blocked"));
                assertThat(take(asm)).isNull();
                send6AndWait(s, evil, udp6("fd00::6", "ff3e::1", 4001, "wrong source"));
                send6AndWait(s, evil, udp6("fd00::5", "ff3e::1", 4001, "right source"));
                assertThat(take(ssm)).isEqualTo("right source");
                assertThat(take(ssm)).isNull();

                evil.clear();
                k.drop();
                assertThat(Ipv6MulticastTest.records(evil.poll(f -> Ipv6MulticastTest.isReport(f)
                        && Ipv6MulticastTest.records(f).contains("ff05")))).isEqualTo("3:ff05:0:0:0:0:0:0:1234/0");
                assertThat(sk.isValid()).isTrue();
            }
        }
    }
}
