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
}
