package org.jioth.jnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jioth.jnet.TestNet.ip;

import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.UnsupportedAddressTypeException;
import java.nio.charset.StandardCharsets;
import org.jioth.jnet.loop.Counter;
import org.jioth.jnet.wire.Icmp6;
import org.jioth.jnet.wire.Ip128;
import org.jioth.jnet.wire.Ip6;
import org.jioth.jnet.wire.Ipv6;
import org.jioth.jnet.wire.Mac;
import org.jioth.jnet.wire.Udp;
import org.jioth.vde.EthernetNode;
import org.junit.jupiter.api.Test;

/** UDP over IPv6 between two jnet stacks and against crafted frames; dual-stack datagram channels. */
class Udp6Test {
    static final long RAW_MAC = 0x02000000bbbbL;

    static String text(ByteBuffer b) {
        b.flip();
        return StandardCharsets.US_ASCII.decode(b).toString();
    }

    @Test
    void datagramsBothWaysOverIpv6AndIpv4OnADualStackChannel() throws Exception {
        try (TestNet net = new TestNet()) {
            EthernetNode sw = net.newSwitch();
            JnetStack a = net.stack("", sw, "192.168.250.1/24");
            JnetStack b = net.stack("", sw, "192.168.250.2/24");
            a.config().ipAddrAdd(ip("fd00::1"), 64, 2);
            b.config().ipAddrAdd(ip("fd00::2"), 64, 2);
            try (DatagramChannel server = a.provider().openDatagramChannel(); // default: INET6, dual-stack
                 DatagramChannel client6 = b.provider().openDatagramChannel(StandardProtocolFamily.INET6);
                 DatagramChannel client4 = b.provider().openDatagramChannel(StandardProtocolFamily.INET)) {
                server.bind(new InetSocketAddress(5353));
                client6.send(ByteBuffer.wrap("six".getBytes()), new InetSocketAddress(ip("fd00::1"), 5353));
                ByteBuffer in = ByteBuffer.allocate(100);
                InetSocketAddress from = (InetSocketAddress) server.receive(in);
                assertThat(text(in)).isEqualTo("six");
                assertThat(from.getAddress()).isEqualTo(ip("fd00::2"));
                server.send(ByteBuffer.wrap("back".getBytes()), from);
                in.clear();
                assertThat(client6.receive(in)).isEqualTo(new InetSocketAddress(ip("fd00::1"), 5353));
                assertThat(text(in)).isEqualTo("back");
                // IPv4 reaches the same INET6 channel, its source shown as the JDK shows v4-mapped ones
                client4.send(ByteBuffer.wrap("four".getBytes()), new InetSocketAddress(ip("192.168.250.1"), 5353));
                in.clear();
                from = (InetSocketAddress) server.receive(in);
                assertThat(text(in)).isEqualTo("four");
                assertThat(from.getAddress()).isInstanceOf(Inet4Address.class).isEqualTo(ip("192.168.250.2"));
                server.send(ByteBuffer.wrap("back4".getBytes()), from);
                in.clear();
                client4.receive(in);
                assertThat(text(in)).isEqualTo("back4");
                // connected over IPv6
                client6.connect(new InetSocketAddress(ip("fd00::1"), 5353));
                assertThat(((InetSocketAddress) client6.getLocalAddress()).getAddress()).isEqualTo(ip("fd00::2"));
                client6.write(ByteBuffer.wrap("c".getBytes()));
                in.clear();
                server.receive(in);
                assertThat(text(in)).isEqualTo("c");
                assertThatThrownBy(() -> client4.send(ByteBuffer.wrap("x".getBytes()),
                        new InetSocketAddress(ip("fd00::1"), 5353))).isInstanceOf(UnsupportedAddressTypeException.class);
            }
            try (DatagramChannel only6 = a.provider().openDatagramChannel(StandardProtocolFamily.INET6);
                 DatagramChannel client4 = b.provider().openDatagramChannel(StandardProtocolFamily.INET)) {
                only6.setOption(JnetSocketOptions.IPV6_V6ONLY, true);
                only6.bind(new InetSocketAddress(5354));
                long before = a.counter(Counter.UDP_NO_PORTS);
                client4.send(ByteBuffer.wrap("x".getBytes()), new InetSocketAddress(ip("192.168.250.1"), 5354));
                assertThat(TestNet.await(() -> a.counter(Counter.UDP_NO_PORTS) == before + 1)).isTrue();
            }
        }
    }

    @Test
    void zeroChecksumsAreDroppedAndClosedPortsAnsweredWithIcmp6() throws Exception {
        try (TestNet net = new TestNet()) {
            EthernetNode sw = net.newSwitch();
            JnetStack s = net.stack("", sw, "10.2.0.2/24");
            s.config().ipAddrAdd(ip("fd00::2"), 64, 2);
            long mac = Mac.of(s.config().linkGetAddr(2));
            TestNet.RawPort raw = net.raw(sw);
            byte[] me = ip("fd00::99").getAddress();
            byte[] it = ip("fd00::2").getAddress();
            raw.send(Frames6.icmp6(Frames6.solicitedMac(it), RAW_MAC, me, Ip6.solicitedNode(it), 255,
                    Icmp6.NEIGHBOR_SOLICITATION, 0, Frames6.nd(it, 1, RAW_MAC)));
            try (DatagramChannel d = s.provider().openDatagramChannel(StandardProtocolFamily.INET6)) {
                d.bind(new InetSocketAddress(7000));
                d.configureBlocking(false);
                long sum = Ip128.sum(Ip128.hi(me), Ip128.lo(me)) + Ip128.sum(Ip128.hi(it), Ip128.lo(it));
                ByteBuffer u = ByteBuffer.allocate(Udp.HEADER + 2);
                u.put(Udp.HEADER, "hi".getBytes());
                Udp.emit(u, 0, 4000, 7000, Udp.HEADER + 2, sum);
                byte[] zero = u.array().clone();
                zero[6] = 0;
                zero[7] = 0;
                raw.send(Frames6.ipv6(mac, RAW_MAC, me, it, Ipv6.UDP, zero));
                raw.send(Frames6.ipv6(mac, RAW_MAC, me, it, Ipv6.UDP, u.array()));
                assertThat(TestNet.await(() -> s.counter(Counter.UDP_IN_DATAGRAMS) == 1)).isTrue();
                assertThat(s.counter(Counter.UDP_IN_CSUM_ERRORS)).isEqualTo(1);
                assertThat(s.counter(Counter.UDP_IN_ERRORS)).isEqualTo(1);
                ByteBuffer in = ByteBuffer.allocate(10);
                assertThat(d.receive(in)).isEqualTo(new InetSocketAddress(ip("fd00::99"), 4000));
                // a closed port: ICMPv6 destination unreachable, code 4 (port unreachable)
                Udp.emit(u, 0, 4000, 7001, Udp.HEADER + 2, sum);
                raw.send(Frames6.ipv6(mac, RAW_MAC, me, it, Ipv6.UDP, u.array()));
                byte[] unreach = raw.poll(f -> Frames6.isIcmp6(f, Icmp6.DEST_UNREACHABLE));
                assertThat(unreach).isNotNull();
                assertThat(unreach[55]).isEqualTo((byte) 4);
                assertThat(s.counter(Counter.UDP_NO_PORTS)).isEqualTo(1);
            }
        }
    }
}
