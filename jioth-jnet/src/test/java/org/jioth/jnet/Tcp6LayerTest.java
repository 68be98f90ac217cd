package org.jioth.jnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jioth.jnet.TestNet.ip;

import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.UnsupportedAddressTypeException;
import org.jioth.jnet.loop.Counter;
import org.jioth.jnet.wire.Ethernet;
import org.jioth.jnet.wire.Icmp6;
import org.jioth.jnet.wire.Ip128;
import org.jioth.jnet.wire.Ip6;
import org.jioth.jnet.wire.Ipv4;
import org.jioth.jnet.wire.Ipv6;
import org.jioth.jnet.wire.Mac;
import org.jioth.jnet.wire.Tcp;
import org.jioth.jnet.wire.TcpOptions;
import org.jioth.vde.EthernetNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * TCP over IPv6 against crafted frames from a raw switch port, on the virtual clock: the same
 * machinery as IPv4 (resets, handshakes, cookies, MSS), IPv6 checksums, and Linux's dual-stack
 * listeners (v4-mapped IPv4 on {@code ::} unless IPV6_V6ONLY, INET listeners IPv4 only).
 */
class Tcp6LayerTest {
    static final long RAW_MAC = 0x02000000bbbbL;
    static final byte[] RAW6 = ip("fd00::99").getAddress();
    static final byte[] STACK6 = ip("fd00::2").getAddress();

    TestNet net;
    JnetStack stack;
    TestNet.RawPort raw;
    long stackMac;

    @BeforeEach
    void setUp() throws Exception {
        net = new TestNet();
        EthernetNode sw = net.newSwitch();
        stack = net.stack("", sw, "10.2.0.2/24");
        stack.config().ipAddrAdd(ip("fd00::2"), 64, 2);
        stackMac = Mac.of(stack.config().linkGetAddr(2));
        raw = net.raw(sw);
        // introduce ourselves: the stack learns our MAC from the solicitation (no NS from it later)
        raw.send(Frames6.icmp6(Frames6.solicitedMac(STACK6), RAW_MAC, RAW6, Ip6.solicitedNode(STACK6), 255,
                Icmp6.NEIGHBOR_SOLICITATION, 0, Frames6.nd(STACK6, 1, RAW_MAC)));
        assertThat(raw.poll(f -> Frames6.isIcmp6(f, Icmp6.NEIGHBOR_ADVERTISEMENT))).isNotNull();
    }

    @AfterEach
    void tearDown() throws Exception {
        net.close();
    }

    static long sum() {
        return Ip128.addressSum(Ip128.hi(RAW6), Ip128.lo(RAW6), Ip128.hi(STACK6), Ip128.lo(STACK6));
    }

    static byte[] segment(int sport, int dport, int seq, int ack, int flags, TcpOptions o, byte[] data) {
        int hl = Tcp.headerLength(o);
        ByteBuffer b = ByteBuffer.allocate(hl + data.length);
        b.put(hl, data);
        Tcp.emit(b, 0, sport, dport, seq, ack, flags, 65535, o, data.length, sum());
        return b.array();
    }

    void send(byte[] tcp) {
        raw.send(Frames6.ipv6(stackMac, RAW_MAC, RAW6, STACK6, Ipv6.TCP, tcp));
    }

    /** The next TCP-over-IPv6 segment from the stack to {@code dport}, its checksum verified. */
    Tcp next(int dport) throws Exception {
        byte[] f = raw.poll(x -> x.length >= 74 && (x[12] & 0xff) == 0x86 && (x[13] & 0xff) == 0xdd && x[20] == 6
                && (ByteBuffer.wrap(x).getShort(14 + 40 + 2) & 0xffff) == dport);
        assertThat(f).as("an IPv6 segment to port " + dport).isNotNull();
        ByteBuffer b = ByteBuffer.wrap(f);
        int len = b.getShort(18) & 0xffff;
        byte[] src = new byte[16];
        b.get(22, src);
        assertThat(src).isEqualTo(STACK6);
        Tcp t = new Tcp();
        assertThat(t.wrap(b, 54, len, sum())).isEqualTo(Tcp.Check.OK);
        return t;
    }

    static TcpOptions mss(int v) {
        TcpOptions o = new TcpOptions();
        o.mss = v;
        return o;
    }

    static TcpOptions optionsOf(Tcp t) {
        TcpOptions o = new TcpOptions();
        t.options(o);
        return o;
    }

    @Test
    void closedPortsAreResetAndBadChecksumsDropped() throws Exception {
        send(segment(1111, 81, 5000, 0, Tcp.SYN, null, new byte[0]));
        Tcp rst = next(1111);
        assertThat(rst.flags()).isEqualTo(Tcp.RST | Tcp.ACK);
        assertThat(rst.ack()).isEqualTo(5001);
        byte[] bad = segment(1112, 81, 1, 0, Tcp.SYN, null, new byte[0]);
        bad[17] ^= 0x11;
        send(bad);
        // an IPv4 pseudo-header checksum is wrong over IPv6
        byte[] v4sum = TcpLayerTest.segment(1113, 81, 1, 0, Tcp.SYN, null, new byte[0]);
        send(v4sum);
        assertThat(TestNet.await(() -> stack.counter(Counter.TCP_IN_CSUM_ERRORS) == 2)).isTrue();
        assertThat(stack.counter(Counter.TCP_NO_PORTS)).isEqualTo(1);
        assertThat(stack.counter(Counter.TCP_OUT_RSTS)).isEqualTo(1);
    }

    @Test
    void dualStackListenerTakesIpv6WithTheIpv6MssAndData() throws Exception {
        try (ServerSocketChannel server = stack.provider().openServerSocketChannel(StandardProtocolFamily.INET6)) {
            server.bind(new InetSocketAddress(80));
            assertThat(((InetSocketAddress) server.getLocalAddress()).getAddress()).isEqualTo(ip("::"));
            send(segment(3000, 80, 777, 0, Tcp.SYN, mss(1440), new byte[0]));
            Tcp synAck = next(3000);
            assertThat(synAck.flags()).isEqualTo(Tcp.SYN | Tcp.ACK);
            assertThat(synAck.ack()).isEqualTo(778);
            assertThat(optionsOf(synAck).mss).as("MTU 1500 less 60").isEqualTo(1440);
            send(segment(3000, 80, 778, synAck.seq() + 1, Tcp.ACK, null, "hello".getBytes()));
            try (SocketChannel c = server.accept()) {
                assertThat(((InetSocketAddress) c.getRemoteAddress()).getAddress()).isEqualTo(ip("fd00::99"));
                assertThat(((InetSocketAddress) c.getLocalAddress()).getAddress()).isEqualTo(ip("fd00::2"));
                ByteBuffer in = ByteBuffer.allocate(10);
                c.read(in);
                assertThat(new String(in.array(), 0, in.position())).isEqualTo("hello");
                c.write(ByteBuffer.wrap("back".getBytes()));
                Tcp data;
                do {
                    data = next(3000);
                } while (data.payloadLength() == 0);
                byte[] got = new byte[data.payloadLength()];
                data.buffer().get(data.payloadOffset(), got);
                assertThat(new String(got)).isEqualTo("back");
                assertThat(data.ack()).isEqualTo(783);
            }
        }
    }

    @Test
    void synCookiesWorkOverIpv6() throws Exception {
        stack.onLoop(() -> {
            stack.onLoopTcp().setSyncookies(2);
            return null;
        });
        try (ServerSocketChannel server = stack.provider().openServerSocketChannel(StandardProtocolFamily.INET6)) {
            server.bind(new InetSocketAddress(80));
            send(segment(4000, 80, 777, 0, Tcp.SYN, mss(1440), new byte[0]));
            Tcp synAck = next(4000);
            assertThat(stack.counter(Counter.TCP_SYNCOOKIES_SENT)).isEqualTo(1);
            assertThat(stack.onLoop(() -> stack.onLoopTcp().connectionCount())).isZero();
            send(segment(4000, 80, 778, synAck.seq() + 1, Tcp.ACK, null, "hi".getBytes()));
            assertThat(TestNet.await(() -> stack.counter(Counter.TCP_SYNCOOKIES_RECV) == 1)).isTrue();
            try (SocketChannel c = server.accept()) {
                ByteBuffer in = ByteBuffer.allocate(10);
                c.read(in);
                assertThat(new String(in.array(), 0, in.position())).isEqualTo("hi");
            }
            // a forged cookie is reset
            send(segment(4001, 80, 5, 123456, Tcp.ACK, null, new byte[0]));
            assertThat(next(4001).flags()).isEqualTo(Tcp.RST);
        }
    }

    @Test
    void dualStackListenerTakesIpv4AsV4MappedUnlessV6Only() throws Exception {
        try (ServerSocketChannel server = stack.provider().openServerSocketChannel()) { // default: INET6
            server.bind(new InetSocketAddress(80));
            raw.send(Frames.ipv4(stackMac, RAW_MAC, TcpLayerTest.RAW_IP, TcpLayerTest.STACK_IP, Ipv4.PROTO_TCP, 64, 1, 0,
                    TcpLayerTest.segment(5000, 80, 1, 0, Tcp.SYN, null, new byte[0])));
            assertThat(TestNet.await(() -> stack.counter(Counter.TCP_PASSIVE_OPENS) == 1)).isTrue();
        }
        try (ServerSocketChannel server = stack.provider().openServerSocketChannel(StandardProtocolFamily.INET6)) {
            server.setOption(JnetSocketOptions.IPV6_V6ONLY, true);
            server.bind(new InetSocketAddress(81));
            raw.send(Frames.ipv4(stackMac, RAW_MAC, TcpLayerTest.RAW_IP, TcpLayerTest.STACK_IP, Ipv4.PROTO_TCP, 64, 1, 0,
                    TcpLayerTest.segment(5001, 81, 1, 0, Tcp.SYN, null, new byte[0])));
            assertThat(TestNet.await(() -> stack.counter(Counter.TCP_NO_PORTS) == 1)).isTrue();
            // while IPv6 still comes in
            send(segment(5002, 81, 1, 0, Tcp.SYN, null, new byte[0]));
            assertThat(next(5002).flags()).isEqualTo(Tcp.SYN | Tcp.ACK);
        }
        try (ServerSocketChannel server = stack.provider().openServerSocketChannel(StandardProtocolFamily.INET)) {
            server.bind(new InetSocketAddress(82));
            assertThat(server.supportedOptions()).doesNotContain(JnetSocketOptions.IPV6_V6ONLY);
            send(segment(5003, 82, 1, 0, Tcp.SYN, null, new byte[0]));
            assertThat(next(5003).flags()).as("an INET listener takes no IPv6").isEqualTo(Tcp.RST | Tcp.ACK);
            assertThatThrownBy(() -> {
                try (ServerSocketChannel x = stack.provider().openServerSocketChannel(StandardProtocolFamily.INET)) {
                    x.bind(new InetSocketAddress(ip("fd00::2"), 83));
                }
            }).isInstanceOf(UnsupportedAddressTypeException.class);
        }
    }

    @Test
    void bindConflictsAndErrorsAreLinuxs() throws Exception {
        try (ServerSocketChannel v4 = stack.provider().openServerSocketChannel(StandardProtocolFamily.INET);
             ServerSocketChannel v6only = stack.provider().openServerSocketChannel(StandardProtocolFamily.INET6);
             ServerSocketChannel dual = stack.provider().openServerSocketChannel(StandardProtocolFamily.INET6)) {
            v4.bind(new InetSocketAddress(90));
            v6only.setOption(JnetSocketOptions.IPV6_V6ONLY, true);
            v6only.bind(new InetSocketAddress(90)); // no overlap with 0.0.0.0
            assertThatThrownBy(() -> dual.bind(new InetSocketAddress(90)))
                    .isInstanceOf(java.net.BindException.class).hasMessageContaining("in use");
        }
        try (ServerSocketChannel x = stack.provider().openServerSocketChannel(StandardProtocolFamily.INET6)) {
            assertThatThrownBy(() -> x.bind(new InetSocketAddress(ip("fd00::77"), 91)))
                    .isInstanceOf(java.net.BindException.class).hasMessageContaining("assign requested address");
        }
        try (SocketChannel c = stack.provider().openSocketChannel(StandardProtocolFamily.INET)) {
            assertThatThrownBy(() -> c.connect(new InetSocketAddress(ip("fd00::99"), 80)))
                    .isInstanceOf(UnsupportedAddressTypeException.class);
        }
    }

    /** The flow label of the next TCP-over-IPv6 frame from the stack to {@code dport}. */
    int nextFlowLabel(int dport) throws Exception {
        byte[] f = raw.poll(x -> x.length >= 74 && (x[12] & 0xff) == 0x86 && (x[13] & 0xff) == 0xdd && x[20] == 6
                && (ByteBuffer.wrap(x).getShort(14 + 40 + 2) & 0xffff) == dport);
        assertThat(f).as("an IPv6 segment to port " + dport).isNotNull();
        return ByteBuffer.wrap(f).getInt(14) & 0xfffff;
    }

    @Test
    void eachConnectionKeepsOneUnpredictableFlowLabel() throws Exception {
        // RFC 6437: a label per flow, the same on every packet of it, and not a constant
        SocketChannel c = stack.provider().openSocketChannel(StandardProtocolFamily.INET6);
        c.configureBlocking(false);
        c.connect(new InetSocketAddress(ip("fd00::99"), 9100));
        Tcp syn = next(9100);
        int sport = syn.sourcePort();
        int isn = syn.seq();
        // the SYN is retransmitted until answered: the label must not change in between
        SocketChannel d = stack.provider().openSocketChannel(StandardProtocolFamily.INET6);
        d.configureBlocking(false);
        d.connect(new InetSocketAddress(ip("fd00::99"), 9101));
        int other = nextFlowLabel(9101);
        send(segment(9100, sport, 700, isn + 1, Tcp.SYN | Tcp.ACK, mss(1440), new byte[0]));
        assertThat(TestNet.await(() -> {
            try {
                return c.finishConnect();
            } catch (java.io.IOException e) {
                throw new AssertionError(e);
            }
        })).isTrue();
        int label = nextFlowLabel(9100); // the handshake's last ACK
        c.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
        assertThat(nextFlowLabel(9100)).as("data of the same connection").isEqualTo(label);
        assertThat(label).isNotZero();
        assertThat(other).isNotZero().isNotEqualTo(label);
        c.close();
        d.close();
    }

    @Test
    void activeOpenOverIpv6AndToV4MappedGoesOutAsIpv4() throws Exception {
        SocketChannel c = stack.provider().openSocketChannel(StandardProtocolFamily.INET6);
        c.configureBlocking(false);
        c.connect(new InetSocketAddress(ip("fd00::99"), 9000));
        Tcp syn = next(9000);
        assertThat(optionsOf(syn).mss).isEqualTo(1440);
        send(segment(9000, syn.sourcePort(), 500, syn.seq() + 1, Tcp.SYN | Tcp.ACK, mss(1440), new byte[0]));
        assertThat(TestNet.await(() -> {
            try {
                return c.finishConnect();
            } catch (java.io.IOException e) {
                throw new AssertionError(e);
            }
        })).isTrue();
        assertThat(((InetSocketAddress) c.getLocalAddress()).getAddress()).isEqualTo(ip("fd00::2"));
        c.close();
        // an INET6 socket reaching ::ffff:10.2.0.99 sends IPv4 and reports IPv4 addresses, as the JDK on Linux
        SocketChannel m = stack.provider().openSocketChannel(StandardProtocolFamily.INET6);
        m.configureBlocking(false);
        m.connect(new InetSocketAddress(java.net.Inet6Address.getByAddress(null,
                Ip128.bytes(0, Ip128.lo4(TcpLayerTest.RAW_IP), new byte[16]), -1), 9001));
        byte[] f = raw.poll(x -> x.length > 34 && (x[12] & 0xff) == 0x08 && (x[13] == 6 || x[13] == 0 && x[23] == 6));
        assertThat(f).as("ARP or an IPv4 SYN").isNotNull();
        assertThat(((InetSocketAddress) m.getLocalAddress()).getAddress()).isInstanceOf(Inet4Address.class);
        m.close();
    }

    @Test
    void packetTooBigShrinksTheSegmentsAndUnreachablePortsReachUdp() throws Exception {
        SocketChannel c = stack.provider().openSocketChannel(StandardProtocolFamily.INET6);
        c.configureBlocking(false);
        c.connect(new InetSocketAddress(ip("fd00::99"), 9000));
        Tcp syn = next(9000);
        send(segment(9000, syn.sourcePort(), 500, syn.seq() + 1, Tcp.SYN | Tcp.ACK, mss(1440), new byte[0]));
        assertThat(TestNet.await(() -> {
            try {
                return c.finishConnect();
            } catch (java.io.IOException e) {
                throw new AssertionError(e);
            }
        })).isTrue();
        ByteBuffer data = ByteBuffer.allocate(3000);
        while (data.hasRemaining()) {
            c.write(data);
        }
        Tcp first;
        do {
            first = next(9000);
        } while (first.payloadLength() == 0);
        assertThat(first.payloadLength()).isEqualTo(1440);
        // "packet too big, MTU 1280" quoting the IPv6 header and the start of the segment
        byte[] quoted = new byte[Ipv6.HEADER + 40];
        first.buffer().get(Ethernet.HEADER, quoted);
        raw.send(Frames6.icmp6(stackMac, RAW_MAC, RAW6, STACK6, 64, Icmp6.PACKET_TOO_BIG, 1280, quoted));
        Tcp resent;
        do {
            resent = next(9000);
        } while (resent.payloadLength() == 1440);
        assertThat(resent.seq()).isEqualTo(first.seq());
        assertThat(resent.payloadLength()).as("1280 less 60").isEqualTo(1220);
        c.close();

        // a connected UDP socket hears ICMPv6 port unreachable on its next read
        try (java.nio.channels.DatagramChannel d = stack.provider().openDatagramChannel(StandardProtocolFamily.INET6)) {
            d.connect(new InetSocketAddress(ip("fd00::99"), 53));
            d.write(ByteBuffer.wrap("q".getBytes()));
            byte[] f = raw.poll(x -> x.length > 54 && (x[12] & 0xff) == 0x86 && x[20] == Ipv6.UDP);
            assertThat(f).isNotNull();
            byte[] q = java.util.Arrays.copyOfRange(f, Ethernet.HEADER, f.length);
            raw.send(Frames6.icmp6(stackMac, RAW_MAC, RAW6, STACK6, 64, 0, new byte[0], Icmp6.DEST_UNREACHABLE, 4, 0, q));
            d.configureBlocking(false);
            assertThat(TestNet.await(() -> {
                try {
                    d.read(ByteBuffer.allocate(10));
                    return false;
                } catch (java.net.PortUnreachableException expected) {
                    return true;
                } catch (java.io.IOException e) {
                    throw new AssertionError(e);
                }
            })).isTrue();
        }
    }
}
