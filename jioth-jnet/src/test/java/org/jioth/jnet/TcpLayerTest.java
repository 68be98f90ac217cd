package org.jioth.jnet;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import org.jioth.jnet.wire.Arp;
import org.jioth.jnet.wire.Ethernet;
import org.jioth.jnet.wire.Ipv4;
import org.jioth.jnet.wire.Mac;
import org.jioth.jnet.wire.Tcp;
import org.jioth.jnet.wire.TcpOptions;
import org.jioth.vde.EthernetNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The TCP layer against crafted frames from a raw switch port: RST for closed ports, SYN floods and cookies. */
class TcpLayerTest {
    static final long RAW_MAC = 0x02000000bbbbL;
    static final int RAW_IP = Frames.ip("10.2.0.99");
    static final int STACK_IP = Frames.ip("10.2.0.2");

    TestNet net;
    JnetStack stack;
    TestNet.RawPort raw;

    @BeforeEach
    void setUp() throws Exception {
        net = new TestNet();
        EthernetNode sw = net.newSwitch();
        stack = net.stack("", sw, "10.2.0.2/24");
        raw = net.raw(sw);
    }

    @AfterEach
    void tearDown() throws Exception {
        net.close();
    }

    static byte[] segment(int sport, int dport, int seq, int ack, int flags, TcpOptions o, byte[] data) {
        int hl = Tcp.headerLength(o);
        ByteBuffer b = ByteBuffer.allocate(hl + data.length);
        b.put(hl, data);
        Tcp.emit(b, 0, sport, dport, seq, ack, flags, 65535, o, data.length, RAW_IP, STACK_IP);
        return b.array();
    }

    void send(byte[] tcp) {
        raw.send(Frames.ipv4(Mac.BROADCAST, RAW_MAC, RAW_IP, STACK_IP, Ipv4.PROTO_TCP, 64, 1, 0, tcp));
    }

    /** The next TCP segment from the stack to {@code dport}, as a view over the frame. */
    Tcp next(int dport) throws Exception {
        byte[] f = raw.poll(x -> x.length > 34 && (x[12] & 0xff) == 0x08 && x[13] == 0 && x[23] == 6
                && (ByteBuffer.wrap(x).getShort(14 + 20 + 2) & 0xffff) == dport);
        assertThat(f).as("a segment to port " + dport).isNotNull();
        ByteBuffer b = ByteBuffer.wrap(f);
        int total = b.getShort(16) & 0xffff;
        Tcp t = new Tcp();
        assertThat(t.wrap(b, 34, total - 20, STACK_IP, RAW_IP)).isEqualTo(Tcp.Check.OK);
        return t;
    }

    /** Answers the stack's ARP request for the raw port's address. */
    void answerArp() throws Exception {
        byte[] req = raw.poll(x -> (x[12] & 0xff) == 0x08 && x[13] == 6);
        assertThat(req).isNotNull();
        ByteBuffer b = ByteBuffer.wrap(req);
        Arp arp = new Arp();
        arp.wrap(b, Ethernet.HEADER, req.length - Ethernet.HEADER);
        raw.send(Frames.arpReply(RAW_MAC, RAW_IP, arp.senderMac(), arp.senderIp()));
    }

    @Test
    void segmentsForClosedPortsAreAnsweredWithReset() throws Exception {
        send(segment(1111, 81, 5000, 0, Tcp.SYN, null, new byte[0]));
        answerArp();
        Tcp rst = next(1111);
        assertThat(rst.flags()).isEqualTo(Tcp.RST | Tcp.ACK);
        assertThat(rst.seq()).isZero();
        assertThat(rst.ack()).isEqualTo(5001);
        send(segment(1112, 81, 7, 12345, Tcp.ACK, null, "x".getBytes()));
        Tcp rst2 = next(1112);
        assertThat(rst2.flags()).isEqualTo(Tcp.RST);
        assertThat(rst2.seq()).isEqualTo(12345);
        send(segment(1113, 81, 7, 0, Tcp.RST, null, new byte[0])); // never answered
        assertThat(TestNet.await(() -> stack.counter(Counter.TCP_NO_PORTS) == 3)).isTrue();
        assertThat(stack.counter(Counter.TCP_OUT_RSTS)).isEqualTo(2);
    }

    @Test
    void badChecksumsAndOptionsAreCountedAndDropped() throws Exception {
        byte[] s = segment(2222, 80, 1, 0, Tcp.SYN, null, new byte[0]);
        s[16] ^= 0x55;
        send(s);
        byte[] bad = segment(2223, 80, 1, 0, Tcp.SYN, null, new byte[0]);
        ByteBuffer b = ByteBuffer.allocate(24);
        b.put(0, bad);
        b.put(12, (byte) 0x60);
        b.put(20, new byte[] {2, 9, 0, 0}); // MSS option of length 9
        Tcp.emit(b, 0, 2223, 80, 1, 0, Tcp.SYN, 100, null, 0, RAW_IP, STACK_IP);
        b.put(12, (byte) 0x60);
        b.putShort(16, (short) 0);
        b.putShort(16, (short) org.jioth.jnet.wire.Checksum.finish(org.jioth.jnet.wire.Checksum.add(b, 0, 24,
                org.jioth.jnet.wire.Checksum.pseudoHeader(RAW_IP, STACK_IP, 6, 24))));
        send(b.array());
        assertThat(TestNet.await(() -> stack.counter(Counter.TCP_IN_ERRS) == 2)).isTrue();
        assertThat(stack.counter(Counter.TCP_IN_CSUM_ERRORS)).isEqualTo(1);
        assertThat(stack.counter(Counter.TCP_IN_BAD_OPTIONS)).isEqualTo(1);
        assertThat(stack.counter(Counter.TCP_OUT_SEGS)).isZero();
    }

    @Test
    void synFloodIsAnsweredWithCookiesAndACookieHandshakeIsAccepted() throws Exception {
        try (ServerSocketChannel server = stack.provider().openServerSocketChannel()) {
            server.bind(new InetSocketAddress(80), 4); // SYN queue of 16
            for (int i = 0; i < 40; i++) {
                send(segment(3000 + i, 80, 1000 * i, 0, Tcp.SYN, mss(1460), new byte[0]));
            }
            assertThat(TestNet.await(() -> stack.counter(Counter.TCP_SYNCOOKIES_SENT) == 24)).isTrue();
            assertThat(stack.onLoop(() -> stack.onLoopTcp().connectionCount())).isEqualTo(16);
            answerArp();
            raw.clear();
            // one more SYN: a cookie; complete it with data on the ACK
            send(segment(4000, 80, 777, 0, Tcp.SYN, mss(1460), new byte[0]));
            Tcp synAck = next(4000);
            assertThat(synAck.flags()).isEqualTo(Tcp.SYN | Tcp.ACK);
            assertThat(synAck.ack()).isEqualTo(778);
            TcpOptions o = new TcpOptions();
            synAck.options(o);
            assertThat(o.timestamps).isFalse(); // a cookie remembers only the MSS
            int cookie = synAck.seq();
            send(segment(4000, 80, 778, cookie + 1, Tcp.ACK, null, "hi".getBytes()));
            assertThat(TestNet.await(() -> stack.counter(Counter.TCP_SYNCOOKIES_RECV) == 1)).isTrue();
            try (SocketChannel c = server.accept()) {
                ByteBuffer in = ByteBuffer.allocate(10);
                c.read(in);
                assertThat(new String(in.array(), 0, in.position())).isEqualTo("hi");
                assertThat(((InetSocketAddress) c.getRemoteAddress()).getPort()).isEqualTo(4000);
            }
            // a forged ACK (wrong cookie) is reset
            send(segment(4001, 80, 5, 123456, Tcp.ACK, null, new byte[0]));
            assertThat(next(4001).flags()).isEqualTo(Tcp.RST);
        }
    }

    @Test
    void icmpFragmentationNeededShrinksTheSegments() throws Exception {
        SocketChannel c = stack.provider().openSocketChannel();
        c.configureBlocking(false);
        c.connect(new InetSocketAddress("10.2.0.99", 9000));
        answerArp();
        Tcp syn = next(9000);
        int cport = syn.sourcePort();
        send(segment(9000, cport, 500, syn.seq() + 1, Tcp.SYN | Tcp.ACK, mss(1460), new byte[0]));
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
            first = next(9000); // the handshake's final ACK first
        } while (first.payloadLength() == 0);
        assertThat(first.payloadLength()).isEqualTo(1460);
        // the frame's IP header and the first 8 TCP bytes, quoted in "fragmentation needed, MTU 1000"
        byte[] quoted = new byte[28];
        first.buffer().get(14, quoted);
        ByteBuffer icmp = ByteBuffer.allocate(8 + quoted.length);
        org.jioth.jnet.wire.Icmp4.emit(icmp, 0, org.jioth.jnet.wire.Icmp4.DEST_UNREACHABLE,
                org.jioth.jnet.wire.Icmp4.CODE_FRAGMENTATION_NEEDED, 1000);
        icmp.put(8, quoted);
        org.jioth.jnet.wire.Icmp4.finish(icmp, 0, icmp.capacity());
        raw.send(Frames.ipv4(Mac.BROADCAST, RAW_MAC, RAW_IP, STACK_IP, Ipv4.PROTO_ICMP, 64, 2, 0, icmp.array()));
        Tcp resent;
        do {
            resent = next(9000);
        } while (resent.payloadLength() == 1460);
        assertThat(resent.seq()).isEqualTo(first.seq());
        assertThat(resent.payloadLength()).isEqualTo(1000 - 40);
        c.close();
    }

    @Test
    void randomSegmentsAreHandledWithoutLoopErrors() throws Exception {
        try (ServerSocketChannel server = stack.provider().openServerSocketChannel()) {
            server.bind(new InetSocketAddress(80), 8);
            java.util.SplittableRandom r = new java.util.SplittableRandom(99);
            for (int i = 0; i < 3000; i++) {
                TcpOptions o = null;
                if (r.nextBoolean()) {
                    o = new TcpOptions();
                    o.mss = r.nextBoolean() ? r.nextInt(65536) : -1;
                    o.windowScale = r.nextBoolean() ? r.nextInt(20) : -1;
                    o.sackPermitted = r.nextBoolean();
                    o.timestamps = r.nextBoolean();
                    o.tsVal = r.nextInt();
                }
                byte[] data = new byte[r.nextInt(4) == 0 ? r.nextInt(1400) : 0];
                int port = r.nextBoolean() ? 80 : r.nextInt(1, 65536);
                send(segment(1 + r.nextInt(40), port, r.nextInt(), r.nextInt(), r.nextInt(256), o, data));
            }
            // a burst may overflow the receive ring: those frames are counted there instead
            assertThat(TestNet.await(() -> stack.counter(Counter.TCP_IN_SEGS)
                    + stack.counter(Counter.ETH_IN_QUEUE_FULL) == 3000)).isTrue();
            assertThat(stack.counter(Counter.TCP_IN_SEGS)).isPositive();
            assertThat(stack.counter(Counter.LOOP_ERRORS)).isZero();
        }
    }

    private static TcpOptions mss(int v) {
        TcpOptions o = new TcpOptions();
        o.mss = v;
        return o;
    }
}
