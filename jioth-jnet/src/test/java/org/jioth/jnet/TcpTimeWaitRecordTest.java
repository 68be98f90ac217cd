package org.jioth.jnet;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import org.jioth.jnet.loop.Counter;
import org.jioth.jnet.wire.Tcp;
import org.jioth.jnet.wire.TcpOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * TIME_WAIT as the peer sees it, with crafted segments on the virtual clock: the retransmitted FIN
 * re-ACKed (2MSL restarted), RFC 1337 (a RST never ends the guard), challenge ACKs, PAWS, an ACK
 * beyond SND.MAX, the expiry, and a socket the application still holds. The layer keeps a compact
 * record instead of the connection: these tests passed unchanged on the code before it (the
 * connection itself in TIME_WAIT), so the wire did not change.
 */
class TcpTimeWaitRecordTest {
    static final int PORT = 6101;
    static final int PEER_ISN = 50_000;
    static final int PEER_TS = 7000;
    final TcpLayerTest t = new TcpLayerTest();

    /** Our last ACK of the handshake into TIME_WAIT and the numbers around it. */
    record Guard(int ourNext, int peerNext, int window, int ourTs) {
    }

    @BeforeEach
    void setUp() throws Exception {
        t.setUp();
    }

    @AfterEach
    void tearDown() throws Exception {
        t.tearDown();
    }

    /** A handshake with timestamps; we close first (or only shut output when {@code keep}); the peer's FIN. */
    Guard intoTimeWait(ServerSocketChannel server, SocketChannel[] kept) throws Exception {
        t.send(TcpLayerTest.segment(PORT, 80, PEER_ISN, 0, Tcp.SYN, 65535, TcpLayerTest.synOptions(-1, false, PEER_TS),
                new byte[0]));
        t.answerArp();
        Tcp synAck = t.next(PORT);
        int our = synAck.seq();
        int ourTs = TcpLayerTest.optionsOf(synAck).tsVal;
        t.send(TcpLayerTest.segment(PORT, 80, PEER_ISN + 1, our + 1, Tcp.ACK, 65535, TcpLayerTest.ts(PEER_TS + 1, ourTs),
                new byte[0]));
        SocketChannel c = server.accept();
        if (kept != null) {
            kept[0] = c;
            c.shutdownOutput();
        } else {
            c.close();
        }
        Tcp fin;
        do {
            fin = t.next(PORT);
        } while ((fin.flags() & Tcp.FIN) == 0);
        t.send(TcpLayerTest.segment(PORT, 80, PEER_ISN + 1, our + 2, Tcp.FIN | Tcp.ACK, 65535,
                TcpLayerTest.ts(PEER_TS + 2, ourTs), new byte[0]));
        Tcp last = t.next(PORT);
        assertThat(last.flags()).isEqualTo(Tcp.ACK);
        assertThat(last.seq()).isEqualTo(our + 2);
        assertThat(last.ack()).isEqualTo(PEER_ISN + 2);
        assertThat(TestNet.await(() -> t.timeWaits() == 1)).isTrue();
        return new Guard(our + 2, PEER_ISN + 2, last.window(), TcpLayerTest.optionsOf(last).tsVal);
    }

    void peer(int seq, int ack, int flags, int tsVal) {
        t.send(TcpLayerTest.segment(PORT, 80, seq, ack, flags, 65535, TcpLayerTest.ts(tsVal, 1), new byte[0]));
    }

    /** Our answer: an ACK of the guard's numbers echoing {@code tsEcr}, with the same window as the last. */
    void expectAck(Guard g, int tsEcr) throws Exception {
        Tcp a = t.nextAnsweringArp(PORT);
        assertThat(a.flags()).isEqualTo(Tcp.ACK);
        assertThat(a.seq()).isEqualTo(g.ourNext());
        assertThat(a.ack()).isEqualTo(g.peerNext());
        assertThat(a.window()).isEqualTo(g.window());
        TcpOptions o = TcpLayerTest.optionsOf(a);
        assertThat(o.timestamps).isTrue();
        assertThat(o.tsEcr).isEqualTo(tsEcr);
        assertThat(o.sackCount).isZero();
    }

    void expectNothing() throws Exception {
        t.stack.sync();
        byte[] f = t.raw.poll(x -> x.length > 34 && (x[12] & 0xff) == 0x08 && x[13] == 0 && x[23] == 6
                && (ByteBuffer.wrap(x).getShort(14 + 20 + 2) & 0xffff) == PORT, Duration.ofMillis(200));
        assertThat(f).as("no segment to the peer").isNull();
    }

    @Test
    void aRetransmittedFinIsAckedAgainAndRestarts2Msl() throws Exception {
        try (ServerSocketChannel server = t.stack.provider().openServerSocketChannel()) {
            server.bind(new InetSocketAddress(80), 8);
            Guard g = intoTimeWait(server, null);
            t.net.advance(Duration.ofSeconds(40), 4);
            assertThat(t.timeWaits()).isEqualTo(1);
            peer(PEER_ISN + 1, g.ourNext(), Tcp.FIN | Tcp.ACK, PEER_TS + 3); // our last ACK was lost
            expectAck(g, PEER_TS + 2); // out of window: TS.Recent stays
            t.net.advance(Duration.ofSeconds(30), 3); // 70 s after the first FIN, 30 s after the second
            assertThat(t.timeWaits()).as("2MSL restarted by the FIN").isEqualTo(1);
            t.net.advance(Duration.ofSeconds(31), 3);
            assertThat(t.timeWaits()).isZero();
            assertThat(t.connections()).isZero();
            // gone: a stray ACK now draws a RST from the listener's port
            peer(g.peerNext(), g.ourNext(), Tcp.ACK, PEER_TS + 4);
            Tcp rst = t.nextAnsweringArp(PORT);
            assertThat(rst.flags()).isEqualTo(Tcp.RST);
            assertThat(rst.seq()).isEqualTo(g.ourNext());
        }
    }

    @Test
    void aResetNeverEndsTheGuardAndOutOfWindowOnesDrawChallengeAcks() throws Exception {
        try (ServerSocketChannel server = t.stack.provider().openServerSocketChannel()) {
            server.bind(new InetSocketAddress(80), 8);
            Guard g = intoTimeWait(server, null);
            long resets = t.stack.counter(Counter.TCP_OUT_RSTS);
            peer(g.peerNext(), 0, Tcp.RST, PEER_TS + 3); // RFC 1337: ignored
            expectNothing();
            assertThat(t.timeWaits()).isEqualTo(1);
            peer(g.peerNext() + 100, 0, Tcp.RST, PEER_TS + 3); // in window, not exact: RFC 5961 3.2
            expectAck(g, PEER_TS + 2);
            peer(g.peerNext() + 10_000_000, 0, Tcp.RST, PEER_TS + 3); // out of window: dropped
            expectNothing();
            assertThat(t.timeWaits()).isEqualTo(1);
            assertThat(t.stack.counter(Counter.TCP_OUT_RSTS)).isEqualTo(resets);
        }
    }

    @Test
    void pawsAckBeyondSndMaxAndInWindowSynAreAnswered() throws Exception {
        try (ServerSocketChannel server = t.stack.provider().openServerSocketChannel()) {
            server.bind(new InetSocketAddress(80), 8);
            Guard g = intoTimeWait(server, null);
            peer(g.peerNext(), g.ourNext(), Tcp.ACK, PEER_TS - 5); // an old timestamp: PAWS
            expectAck(g, PEER_TS + 2);
            peer(g.peerNext(), g.ourNext() + 1000, Tcp.ACK, PEER_TS + 3); // acknowledges what we never sent
            expectAck(g, PEER_TS + 2);
            // a SYN the listener may not take (older timestamp, RFC 6191) is PAWS-dropped with an ACK
            peer(g.peerNext() + 5, 0, Tcp.SYN, PEER_TS - 1);
            expectAck(g, PEER_TS + 2);
            // an acceptable ACK with a newer timestamp moves TS.Recent: the next answer echoes it
            peer(g.peerNext(), g.ourNext(), Tcp.ACK, PEER_TS + 9);
            expectNothing();
            peer(g.peerNext(), g.ourNext() + 1000, Tcp.ACK, PEER_TS + 10);
            expectAck(g, PEER_TS + 9);
            assertThat(t.timeWaits()).isEqualTo(1);
        }
    }

    @Test
    void aNewerSynReopensTheTupleAndTheGuardGoes() throws Exception {
        try (ServerSocketChannel server = t.stack.provider().openServerSocketChannel()) {
            server.bind(new InetSocketAddress(80), 8);
            Guard g = intoTimeWait(server, null);
            t.send(TcpLayerTest.segment(PORT, 80, PEER_ISN + 100, 0, Tcp.SYN, 65535,
                    TcpLayerTest.synOptions(-1, false, PEER_TS + 50), new byte[0]));
            Tcp synAck = t.next(PORT);
            assertThat(synAck.flags()).isEqualTo(Tcp.SYN | Tcp.ACK);
            assertThat(synAck.seq()).isEqualTo(g.ourNext() + 65535 + 2);
            assertThat(synAck.ack()).isEqualTo(PEER_ISN + 101);
            assertThat(t.timeWaits()).isZero();
            assertThat(t.connections()).isEqualTo(1);
        }
    }

    @Test
    void aSocketStillOpenReadsItsEndAndSeesClosedAt2Msl() throws Exception {
        try (ServerSocketChannel server = t.stack.provider().openServerSocketChannel()) {
            server.bind(new InetSocketAddress(80), 8);
            SocketChannel[] kept = new SocketChannel[1];
            Guard g = intoTimeWait(server, kept);
            try (SocketChannel c = kept[0]) {
                assertThat(c.read(ByteBuffer.allocate(16))).isEqualTo(-1);
                peer(PEER_ISN + 1, g.ourNext(), Tcp.FIN | Tcp.ACK, PEER_TS + 3);
                expectAck(g, PEER_TS + 2);
                t.net.advance(Duration.ofSeconds(61), 6);
                assertThat(t.timeWaits()).isZero();
                assertThat(TestNet.await(() -> ((org.jioth.jnet.nio.JnetSocketChannel) c).tcpSocket().state() == org.jioth.jnet.tcp.TcpState.CLOSED)).isTrue();
            }
            expectNothing(); // closing it afterwards sends nothing
        }
    }

    /** Fails on the code before the record: the connection itself stayed listed in TIME_WAIT. */
    @Test
    void theGuardIsACompactRecordNotTheConnection() throws Exception {
        try (ServerSocketChannel server = t.stack.provider().openServerSocketChannel()) {
            server.bind(new InetSocketAddress(80), 8);
            intoTimeWait(server, null);
            assertThat(t.connections()).isEqualTo(1);
            // describe() lists the connections the layer holds (like ss -ti): none, only the record
            assertThat(t.stack.onLoop(() -> t.stack.onLoopTcp().describe())).isEmpty();
        }
    }

    @Test
    void anActiveCloseKeepsItsPortUntilTheRecordExpires() throws Exception {
        int peerPort = 6200;
        try (SocketChannel c = t.stack.provider().openSocketChannel()) {
            c.bind(new InetSocketAddress(40000));
            c.configureBlocking(false);
            c.connect(new InetSocketAddress("10.2.0.99", peerPort));
            t.answerArp();
            Tcp syn = t.next(peerPort);
            t.send(TcpLayerTest.segment(peerPort, 40000, 500, syn.seq() + 1, Tcp.SYN | Tcp.ACK, 65535, null,
                    new byte[0]));
            assertThat(TestNet.await(() -> {
                try {
                    return c.finishConnect();
                } catch (java.io.IOException e) {
                    throw new AssertionError(e);
                }
            })).isTrue();
            c.close();
            Tcp fin;
            do {
                fin = t.next(peerPort);
            } while ((fin.flags() & Tcp.FIN) == 0);
            assertThat(fin.seq()).isEqualTo(syn.seq() + 1);
            t.send(TcpLayerTest.segment(peerPort, 40000, 501, syn.seq() + 2, Tcp.FIN | Tcp.ACK, 65535, null,
                    new byte[0]));
            Tcp last = t.next(peerPort);
            assertThat(last.flags()).isEqualTo(Tcp.ACK);
            assertThat(last.ack()).isEqualTo(502);
        }
        assertThat(TestNet.await(() -> t.timeWaits() == 1)).isTrue();
        try (SocketChannel again = t.stack.provider().openSocketChannel()) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> again.bind(new InetSocketAddress(40000)))
                    .isInstanceOf(java.io.IOException.class);
        }
        t.net.advance(Duration.ofSeconds(61), 6);
        assertThat(t.timeWaits()).isZero();
        try (SocketChannel again = t.stack.provider().openSocketChannel()) {
            again.bind(new InetSocketAddress(40000)); // the port came back with the record's end
        }
    }
}
