package org.jioth.jnet.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jioth.jnet.tcp.TcpHarness.LOCAL_ISS;
import static org.jioth.jnet.tcp.TcpHarness.REMOTE_ISS;

import java.util.List;
import org.jioth.jnet.tcp.TcpHarness.Seg;
import org.jioth.jnet.wire.Tcp;
import org.junit.jupiter.api.Test;

/** Send and receive paths: segmentation, Nagle, delayed ACKs, reassembly with SACK, windows. */
class TcpDataTest {
    static final int L = LOCAL_ISS + 1;
    static final int R = REMOTE_ISS + 1;

    TcpHarness h = new TcpHarness(TcpHarness.plain()).established();

    @Test
    void inOrderDataIsDeliveredAndAckedAfterTheDelayedAckTimer() {
        h.seg().seq(R).ack(L).win(65535).data("hello").send();
        h.recvNothing();
        assertThat(h.c.receiveBuffer().available()).isEqualTo(5);
        h.advance(39);
        h.recvNothing();
        h.advance(1);
        Seg ack = h.recv();
        assertThat(ack.ack()).isEqualTo(R + 5);
        assertThat(ack.window()).isEqualTo(65535 - 5);
        assertThat(h.read()).isEqualTo("hello");
    }

    @Test
    void everySecondFullSegmentIsAckedAtOnce() {
        byte[] a = TcpHarness.bytes(1460, 1);
        h.seg().seq(R).ack(L).win(65535).data(a).send();
        h.recvNothing();
        h.seg().seq(R + 1460).ack(L).win(65535).data(a).send();
        assertThat(h.recv().ack()).isEqualTo(R + 2920);
        assertThat(h.c.nextDeadline()).isEqualTo(TcpConnection.NEVER);
    }

    @Test
    void outOfOrderSegmentsGetImmediateDuplicateAcksAndAreReassembled() {
        TcpHarness s = new TcpHarness();
        s.established(s.synFromPeer().sackPermitted());
        s.seg().seq(R + 5).ack(L).win(65535).data("world").send();
        Seg dup = s.recv();
        assertThat(dup.ack()).isEqualTo(R);
        assertThat(dup.options().sackCount).isEqualTo(1);
        assertThat(dup.options().sackLeft(0)).isEqualTo(R + 5);
        assertThat(dup.options().sackRight(0)).isEqualTo(R + 10);
        s.seg().seq(R + 15).ack(L).win(65535).data("!!").send();
        Seg dup2 = s.recv();
        assertThat(dup2.options().sackCount).isEqualTo(2);
        assertThat(dup2.options().sackLeft(0)).isEqualTo(R + 15); // the newest block first (RFC 2018)
        assertThat(s.c.receiveBuffer().available()).isZero();
        s.seg().seq(R).ack(L).win(65535).data("hello").send();
        Seg ack = s.recv(); // hole filled: ACK at once
        assertThat(ack.ack()).isEqualTo(R + 10);
        assertThat(ack.options().sackCount).isEqualTo(1);
        s.seg().seq(R + 10).ack(L).win(65535).data("12345").send();
        assertThat(s.recv().ack()).isEqualTo(R + 17);
        assertThat(s.read()).isEqualTo("helloworld12345!!");
    }

    @Test
    void overlappingAndDuplicateSegmentsAreTrimmed() {
        h.seg().seq(R).ack(L).win(65535).data("abcdef").send();
        h.seg().seq(R + 3).ack(L).win(65535).data("defghi").send();
        h.seg().seq(R).ack(L).win(65535).data("abc").send(); // all old: ACK at once
        assertThat(h.recv().ack()).isEqualTo(R + 9);
        assertThat(h.read()).isEqualTo("abcdefghi");
    }

    @Test
    void dataIsCutToMssAndSentUpToTheInitialWindow() {
        byte[] data = TcpHarness.bytes(20 * 1460, 3);
        assertThat(h.write(data)).isEqualTo(data.length);
        List<Seg> segs = h.recvAll();
        assertThat(segs).hasSize(10); // IW10 (RFC 6928)
        for (int i = 0; i < segs.size(); i++) {
            assertThat(segs.get(i).seq()).isEqualTo(L + i * 1460);
            assertThat(segs.get(i).len()).isEqualTo(1460);
            assertThat(segs.get(i).ack()).isEqualTo(R);
        }
        // slow start: each ACK of two segments opens the window by two more
        h.seg().seq(R).ack(L + 2920).win(65535).send();
        assertThat(h.recvAll()).hasSize(4);
    }

    @Test
    void peerWindowLimitsWhatIsSent() {
        h.seg().seq(R).ack(L).win(3000).send();
        h.write(TcpHarness.bytes(10_000, 1));
        List<Seg> segs = h.recvAll();
        assertThat(segs).extracting(Seg::len).containsExactly(1460, 1460);
        // 80 bytes of window left: less than half the largest window seen, so SWS avoidance waits
        h.seg().seq(R).ack(L + 2920).win(3000).send();
        assertThat(h.recvAll()).extracting(Seg::len).containsExactly(1460, 1460);
    }

    @Test
    void nagleHoldsSmallSegmentsWhileDataIsUnacked() {
        h.write("a");
        assertThat(h.recv().text()).isEqualTo("a");
        h.write("b");
        h.write("c");
        h.recvNothing();
        h.seg().seq(R).ack(L + 1).win(65535).send();
        Seg bc = h.recv();
        assertThat(bc.text()).isEqualTo("bc");
        assertThat(bc.has(Tcp.PSH)).isTrue();
    }

    @Test
    void noDelaySendsSmallSegmentsAtOnce() {
        h.cfg.noDelay = true;
        h.write("a");
        h.write("b");
        assertThat(h.recvAll()).extracting(Seg::text).containsExactly("a", "b");
    }

    @Test
    void sendBufferFillsUpAndDrainsOnAck() {
        TcpConfig cfg = TcpHarness.plain();
        cfg.sendBuffer = 4000;
        TcpHarness s = new TcpHarness(cfg).established();
        assertThat(s.write(TcpHarness.bytes(10_000, 1))).isEqualTo(4000);
        assertThat(s.c.sendBuffer().free()).isZero();
        s.recvAll();
        s.seg().seq(R).ack(L + 2920).win(65535).send();
        assertThat(s.c.sendBuffer().free()).isEqualTo(2920);
    }

    @Test
    void windowUpdateIsSentWhenTheApplicationReadsEnough() {
        TcpConfig cfg = TcpHarness.plain();
        cfg.receiveBuffer = 8000;
        TcpHarness s = new TcpHarness(cfg).established();
        byte[] d = TcpHarness.bytes(1460, 2);
        for (int i = 0; i < 5; i++) {
            s.seg().seq(R + i * 1460).ack(L).win(65535).data(d).send();
        }
        s.advance(40);
        List<Seg> acks = s.recvAll();
        Seg last = acks.get(acks.size() - 1);
        assertThat(last.ack()).isEqualTo(R + 7300);
        assertThat(last.window()).isEqualTo(700);
        s.seg().seq(R + 7300).ack(L).win(65535).data(new byte[700]).send();
        s.advance(40);
        assertThat(s.recv().window()).isZero();
        s.read();
        Seg update = s.recv();
        assertThat(update.ack()).isEqualTo(R + 8000);
        assertThat(update.window()).isEqualTo(8000);
    }

    @Test
    void roomForWindowUpdateTellsReadersWhetherAnUpdateCanBeDue() {
        TcpConfig cfg = TcpHarness.plain();
        cfg.receiveBuffer = 8000;
        TcpHarness s = new TcpHarness(cfg).established();
        for (int i = 0; i < 8; i++) {
            s.seg().seq(R + i * 1000).ack(L).win(65535).data(new byte[1000]).send();
        }
        s.recvAll();
        assertThat(s.c.receiveBuffer().window()).isZero();
        // advertised 0: reading 2 segments' worth (min(capacity/2, 2 * 1460) = 2920) makes it due
        assertThat(s.c.roomForWindowUpdate()).isEqualTo(2920);
        s.c.receiveBuffer().read(java.nio.ByteBuffer.allocate(2919));
        assertThat(s.c.windowUpdateDue()).isFalse();
        s.c.receiveBuffer().read(java.nio.ByteBuffer.allocate(1));
        assertThat(s.c.windowUpdateDue()).isTrue();
        s.c.windowUpdate(s.now);
        assertThat(s.recv().window()).isEqualTo(2920);
        assertThat(s.c.windowUpdateDue()).isFalse();
        assertThat(s.c.roomForWindowUpdate()).isEqualTo(2920 + 2920);
    }

    @Test
    void receiveWindowEdgeNeverMovesLeft() {
        TcpConfig cfg = TcpHarness.plain();
        cfg.receiveBuffer = 8000;
        TcpHarness s = new TcpHarness(cfg).established();
        int edge = R + 8000;
        for (int i = 0; i < 6; i++) {
            s.seg().seq(R + i * 1000).ack(L).win(65535).data(new byte[1000]).send();
            for (Seg a : s.recvAll()) {
                assertThat(a.ack() + a.window()).isEqualTo(edge);
            }
        }
        // beyond the window: trimmed, the excess not stored
        s.seg().seq(R + 6000).ack(L).win(65535).data(new byte[3000]).send();
        assertThat(s.c.receiveBuffer().available()).isEqualTo(8000);
    }

    @Test
    void scaledWindowsAreAppliedBothWays() {
        TcpHarness s = new TcpHarness();
        s.established(s.synFromPeer().wscale(4), 10); // a 10 ms path: the window is the buffer's, not a short path's
        s.seg().seq(R).ack(L).win(10).send(); // 160 bytes
        assertThat(s.c.sendWindow()).isEqualTo(160);
        s.seg().seq(R).ack(L).win(1000).data("x").send();
        s.advance(40);
        assertThat(s.recv().window()).isEqualTo((256 * 1024 - 1) >> 7); // scale 7: room for autotuning to 6 MiB
    }

    @Test
    void zeroWindowIsProbedWithBackOffUntilItOpens() {
        h.seg().seq(R).ack(L).win(0).send();
        h.write("data");
        h.recvNothing();
        // the handshake measured an RTT of 0 on the manual clock: the RTO is the 200 ms minimum
        assertThat(h.msToDeadline()).isEqualTo(200);
        h.advance(200);
        Seg probe = h.recv();
        assertThat(probe.len()).isEqualTo(1);
        assertThat(probe.seq()).isEqualTo(L);
        h.seg().seq(R).ack(L).win(0).send(); // probe refused, window still shut
        h.recvNothing();
        assertThat(h.msToDeadline()).isEqualTo(400);
        h.advance(400);
        assertThat(h.recv().seq()).isEqualTo(L);
        h.seg().seq(R).ack(L).win(0).send();
        h.seg().seq(R).ack(L).win(0).send();
        h.seg().seq(R).ack(L).win(0).send(); // not duplicate ACKs: no fast retransmit
        h.recvNothing();
        assertThat(h.c.inRecovery()).isFalse();
        h.seg().seq(R).ack(L).win(1000).send();
        Seg d = h.recv();
        assertThat(d.seq()).isEqualTo(L);
        assertThat(d.text()).isEqualTo("data");
        assertThat(h.c.state()).isEqualTo(TcpState.ESTABLISHED);
    }

    @Test
    void windowDoesNotGrowWhileThePeersWindowLimitsTheFlow() {
        int start = h.c.congestion().cwnd();
        // the peer's window holds us to two segments in flight, far below cwnd: acknowledging
        // them (many times over) is no evidence that the network takes more
        h.seg().seq(R).ack(L).win(2 * 1460).send();
        h.write(TcpHarness.bytes(200 * 1460, 1));
        int acked = L;
        for (int i = 0; i < 50; i++) {
            acked += 2 * 1460;
            h.recvAll();
            h.seg().seq(R).ack(acked).win(2 * 1460).send();
        }
        assertThat(h.c.congestion().cwnd()).isEqualTo(start);
    }

    @Test
    void slowStartRestartsAfterIdle() {
        h.write(TcpHarness.bytes(10 * 1460, 1));
        h.recvAll();
        for (int i = 1; i <= 5; i++) {
            h.seg().seq(R).ack(L + 2 * i * 1460).win(65535).send();
        }
        h.recvAll();
        int grown = h.c.congestion().cwnd();
        assertThat(grown).isGreaterThan(14600);
        h.advance(5000);
        h.seg().seq(R).ack(h.c.sendNext()).win(65535).send();
        h.recvAll();
        h.advance(5000);
        h.write(TcpHarness.bytes(40 * 1460, 1));
        assertThat(h.recvAll()).hasSize(10);
    }

    @Test
    void timestampsAreEchoedAndPawsDropsOldSegments() {
        TcpHarness s = new TcpHarness();
        s.established(s.synFromPeer().ts(1000, 0));
        s.seg().seq(R).ack(L).win(65535).ts(1005, 0).data("a").send();
        s.advance(40);
        Seg ack = s.recv();
        assertThat(ack.options().tsEcr).isEqualTo(1005);
        s.seg().seq(R + 1).ack(L).win(65535).ts(900, 0).data("b").send(); // older than TS.Recent
        Seg dup = s.recv();
        assertThat(dup.ack()).isEqualTo(R + 1);
        assertThat(s.c.stats().pawsDrops).isEqualTo(1);
        assertThat(s.read()).isEqualTo("a");
    }

    @Test
    void rttFromTimestampsSetsTheRto() {
        TcpHarness s = new TcpHarness();
        s.established(s.synFromPeer().ts(1, 0));
        for (int i = 0; i < 8; i++) {
            s.write("x");
            Seg d = s.recv();
            s.advance(150);
            s.seg().seq(R).ack(d.seq() + 1).win(65535).ts(2 + i, d.options().tsVal).send();
        }
        // the handshake's 0 ms sample fades: 150 (1 - (7/8)^8) is about 98 ms
        assertThat(s.c.rtt().srtt()).isBetween(90_000_000L, 110_000_000L);
        assertThat(s.c.rtt().rto()).isBetween(200_000_000L, 400_000_000L);
        assertThat(s.c.stats().retransmissions).isZero();
    }

    @Test
    void segmentsCarryingSackBlocksShrinkTheirPayloadToFitTheMtu() {
        TcpHarness s = new TcpHarness();
        s.established(s.synFromPeer().sackPermitted().ts(1, 0));
        int smss = s.c.sendMss();
        assertThat(smss).isEqualTo(1460 - 12);
        s.seg().seq(R + 100).ack(L).win(65535).ts(2, 0).data("later").send();
        assertThat(s.recv().options().sackCount).isEqualTo(1);
        s.write(TcpHarness.bytes(3 * smss, 1));
        Seg first = s.recv();
        assertThat(first.options().sackCount).isEqualTo(1);
        assertThat(first.len()).isEqualTo(smss - 12); // 2 NOPs + kind + length + one 8-byte block
        assertThat(20 + 20 + first.options().encodedLength() + first.len()).isEqualTo(1500); // a full MTU, not more
    }

    @Test
    void aSmallWindowWithNothingInFlightIsUsedWhenThePersistTimerFires() {
        h.write(TcpHarness.bytes(2920, 1));
        h.recvAll();
        // everything acknowledged, but the peer's window is now 100 bytes: SWS avoidance holds the
        // rest, and if the peer's next window update were lost nothing would ever move again
        h.seg().seq(R).ack(L + 2920).win(100).send();
        h.write(TcpHarness.bytes(5000, 2));
        h.recvNothing();
        assertThat(h.c.nextDeadline()).isNotEqualTo(TcpConnection.NEVER);
        h.advance(h.msToDeadline());
        Seg forced = h.recv();
        assertThat(forced.seq()).isEqualTo(L + 2920);
        assertThat(forced.len()).isEqualTo(100);
        h.seg().seq(R).ack(L + 3020).win(65535).send();
        assertThat(h.recvAll()).isNotEmpty();
    }

    @Test
    void aSmallWindowOpenedWhileAProbeByteIsOutIsUsedAndNeverTimesTheConnectionOut() {
        h.seg().seq(R).ack(L).win(0).send();
        h.write(TcpHarness.bytes(5000, 3));
        h.recvNothing();
        h.advance(h.msToDeadline());
        assertThat(h.recv().len()).isEqualTo(1); // the probe byte: SND.MAX is now past SND.UNA
        // the probe was refused, and the window then opened only a little (less than an MSS and
        // than half the largest window seen): SWS avoidance holds the data back
        h.seg().seq(R).ack(L).win(100).send();
        h.recvNothing();
        // each timer must send what the window allows (the peer takes it and keeps the window
        // small), never retransmit nothing until the connection times out
        for (int i = 0; i < h.cfg.maxRetries + 2; i++) {
            h.advance(h.msToDeadline());
            List<Seg> out = h.recvAll();
            assertThat(out).as("timer %d sent something (%s)", i, h.c).isNotEmpty();
            assertThat(out.getFirst().seq()).isEqualTo(L + 100 * i);
            assertThat(out.getFirst().len()).isEqualTo(100);
            assertThat(h.c.state()).isEqualTo(TcpState.ESTABLISHED);
            h.seg().seq(R).ack(L + 100 * (i + 1)).win(100).send();
        }
        h.seg().seq(R).ack(L + 100 * (h.cfg.maxRetries + 2)).win(65535).send();
        assertThat(h.recvAll()).isNotEmpty();
        assertThat(h.c.state()).isEqualTo(TcpState.ESTABLISHED);
    }

    @Test
    void withOurWindowShutTheAckOfAnUnacceptableSegmentStillCounts() {
        int cap = h.c.receiveBuffer().capacity();
        for (int off = 0; off < cap; off += 1460) {
            h.seg().seq(R + off).ack(L).win(65535).data(TcpHarness.bytes(Math.min(1460, cap - off), off)).send();
        }
        h.recvAll();
        assertThat(h.c.receiveBuffer().window()).isZero(); // nobody reads: our window is shut
        h.write(TcpHarness.bytes(1000, 4));
        assertThat(h.recv().len()).isEqualTo(1000);
        // the peer's ACK carries a sequence number beyond our RCV.NXT (say, after a probe byte of
        // its own that we refused): unacceptable, yet its acknowledgment must free our send buffer
        h.seg().seq(R + cap + 1).ack(L + 1000).win(65535).send();
        assertThat(h.c.sendUnacknowledged()).isEqualTo(L + 1000);
        assertThat(h.c.sendBuffer().size()).isZero();
        Seg reply = h.recv(); // and we still tell it where we are
        assertThat(reply.ack()).isEqualTo(R + cap);
        assertThat(reply.window()).isZero();
    }
}
