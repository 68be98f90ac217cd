package org.jioth.jnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jioth.jnet.TestNet.await;
import static org.jioth.jnet.TestNet.ip;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.jioth.jnet.loop.Counter;
import org.jioth.jnet.wire.Icmp4;
import org.jioth.jnet.wire.Ipv4;
import org.jioth.jnet.wire.Mac;
import org.jioth.vde.EthernetNode;
import org.junit.jupiter.api.Test;

/** A — R — B: two switches, R forwarding between them. */
class RoutingTest {

    @Test
    void forwardsPingAndUdpThroughARouter() throws Exception {
        try (TestNet net = new TestNet()) {
            EthernetNode left = net.newSwitch();
            EthernetNode right = net.newSwitch();
            JnetStack a = net.stack("", left, "10.1.0.2/24");
            JnetStack r = net.stack("forwarding=1,mtu=1500", left, "10.1.0.1/24", right, "10.2.0.1/24");
            JnetStack b = net.stack("mtu=900", right, "10.2.0.2/24");
            a.config().ipRouteAdd(null, 0, ip("10.1.0.1"));
            b.config().ipRouteAdd(null, 0, ip("10.2.0.1"));
            assertThat(a.pingAsync(ip("10.2.0.2"), 56, Duration.ofSeconds(2)).get(60, TimeUnit.SECONDS)).isNotNull();
            assertThat(r.counter(Counter.IP_FORW_DATAGRAMS)).isEqualTo(2);
            // R fragments what does not fit B's side (R's right MTU set to 800 now)
            r.config().linkSetMtu(r.config().ifNameToIndex("vde1"), 800);
            try (DatagramChannel rx = b.provider().openDatagramChannel();
                 DatagramChannel tx = a.provider().openDatagramChannel()) {
                rx.bind(new InetSocketAddress(9000));
                byte[] data = new byte[3000];
                new java.util.SplittableRandom(5).nextBytes(data);
                tx.send(ByteBuffer.wrap(data), new InetSocketAddress("10.2.0.2", 9000));
                ByteBuffer in = ByteBuffer.allocate(5000);
                InetSocketAddress from = (InetSocketAddress) rx.receive(in);
                assertThat(from.getAddress()).isEqualTo(ip("10.1.0.2"));
                assertThat(java.util.Arrays.copyOf(in.array(), in.position())).isEqualTo(data);
                r.sync(); // R counts a datagram fragmented after handing its last piece to the port
                assertThat(r.counter(Counter.IP_FRAG_OKS)).isGreaterThanOrEqualTo(2); // both A fragments refragmented
            }
        }
    }

    @Test
    void withoutForwardingTheRouterDrops() throws Exception {
        try (TestNet net = new TestNet()) {
            EthernetNode left = net.newSwitch();
            EthernetNode right = net.newSwitch();
            JnetStack a = net.stack("", left, "10.1.0.2/24");
            JnetStack r = net.stack("", left, "10.1.0.1/24", right, "10.2.0.1/24");
            net.stack("", right, "10.2.0.2/24");
            a.config().ipRouteAdd(null, 0, ip("10.1.0.1"));
            var f = a.pingAsync(ip("10.2.0.2"), 8, Duration.ofSeconds(2));
            assertThat(await(() -> r.counter(Counter.IP_IN_ADDR_ERRORS) == 1)).isTrue();
            net.advance(Duration.ofSeconds(3), 3);
            assertThatThrownBy(() -> f.get(60, TimeUnit.SECONDS)).hasCauseInstanceOf(java.net.SocketTimeoutException.class);
            assertThat(r.counter(Counter.IP_FORW_DATAGRAMS)).isZero();
        }
    }

    @Test
    void ttlExpiryAndUnknownNetworksAnswerWithIcmp() throws Exception {
        try (TestNet net = new TestNet()) {
            EthernetNode left = net.newSwitch();
            EthernetNode right = net.newSwitch();
            JnetStack r = net.stack("forwarding=1", left, "10.1.0.1/24", right, "10.2.0.1/24");
            net.stack("", right, "10.2.0.2/24");
            TestNet.RawPort host = net.raw(left);
            long hostMac = 0x020000000042L;
            long rMac = Mac.of(r.config().linkGetAddr(2));
            int src = Frames.ip("10.1.0.9");
            // the raw host answers R's ARP questions about it
            host.send(Frames.arpRequest(hostMac, src, Frames.ip("10.1.0.1")));
            host.send(Frames.ipv4(rMac, hostMac, src, Frames.ip("10.2.0.2"), Ipv4.PROTO_ICMP, 1, 1, 0,
                    Frames.echoRequest(7, 1, 8)));
            byte[] te = host.poll(f -> Frames.isIcmp(f, Icmp4.TIME_EXCEEDED));
            assertThat(te).isNotNull();
            assertThat(r.counter(Counter.IP_TTL_EXCEEDED)).isEqualTo(1);
            host.send(Frames.ipv4(rMac, hostMac, src, Frames.ip("172.16.0.1"), Ipv4.PROTO_ICMP, 64, 2, 0,
                    Frames.echoRequest(7, 2, 8)));
            byte[] nu = host.poll(f -> Frames.isIcmp(f, Icmp4.DEST_UNREACHABLE));
            assertThat(nu).isNotNull();
            assertThat(nu[34 + 1]).isEqualTo((byte) Icmp4.CODE_NET_UNREACHABLE);
            // DF and too big for the next hop: fragmentation needed with the MTU
            r.config().linkSetMtu(3, 576);
            host.send(Frames.ipv4(rMac, hostMac, src, Frames.ip("10.2.0.2"), Ipv4.PROTO_UDP, 64, 3, Ipv4.FLAG_DF,
                    Frames.udp(src, Frames.ip("10.2.0.2"), 1, 2, new byte[1000])));
            byte[] fn = host.poll(f -> Frames.isIcmp(f, Icmp4.DEST_UNREACHABLE) && f[35] == Icmp4.CODE_FRAGMENTATION_NEEDED);
            assertThat(fn).isNotNull();
            assertThat(ByteBuffer.wrap(fn).getShort(34 + 6)).isEqualTo((short) 576);
        }
    }
}
