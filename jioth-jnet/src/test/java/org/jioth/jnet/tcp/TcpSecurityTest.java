package org.jioth.jnet.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jioth.jnet.tcp.TcpHarness.LOCAL_ISS;
import static org.jioth.jnet.tcp.TcpHarness.REMOTE_ISS;

import org.jioth.jnet.tcp.TcpHarness.Seg;
import org.jioth.jnet.wire.Tcp;
import org.junit.jupiter.api.Test;

/** RFC 5961 (blind RST, SYN and data injection), acceptability checks, keep-alive. */
class TcpSecurityTest {
    static final int L = LOCAL_ISS + 1;
    static final int R = REMOTE_ISS + 1;

    TcpHarness h = new TcpHarness(TcpHarness.plain()).established();

    @Test
    void resetWithTheExactSequenceNumberResets() {
        h.seg().flags(Tcp.RST).seq(R).send();
        assertThat(h.c.state()).isEqualTo(TcpState.CLOSED);
        assertThat(h.c.error()).isEqualTo(TcpError.RESET);
        h.recvNothing();
    }

    @Test
    void resetInTheWindowButNotExactDrawsAChallengeAck() {
        h.seg().flags(Tcp.RST).seq(R + 100).send();
        assertThat(h.c.state()).isEqualTo(TcpState.ESTABLISHED);
        Seg challenge = h.recv();
        assertThat(challenge.flags()).isEqualTo(Tcp.ACK);
        assertThat(challenge.ack()).isEqualTo(R);
        assertThat(h.c.stats().challengeAcks).isEqualTo(1);
    }

    @Test
    void resetOutsideTheWindowIsDroppedSilently() {
        h.seg().flags(Tcp.RST).seq(R + 70_000).send();
        h.seg().flags(Tcp.RST).seq(R - 1).send();
        assertThat(h.c.state()).isEqualTo(TcpState.ESTABLISHED);
        h.recvNothing();
    }

    @Test
    void synOnAnEstablishedConnectionDrawsAChallengeAck() {
        h.seg().flags(Tcp.SYN).seq(R + 10).win(100).send();
        assertThat(h.c.state()).isEqualTo(TcpState.ESTABLISHED);
        assertThat(h.recv().ack()).isEqualTo(R);
    }

    @Test
    void challengeAcksAreRateLimited() {
        for (int i = 0; i < 50; i++) {
            h.seg().flags(Tcp.RST).seq(R + 1 + i).send();
        }
        assertThat(h.recvAll()).hasSize(10);
        h.advance(1000);
        h.seg().flags(Tcp.RST).seq(R + 5).send();
        assertThat(h.recvAll()).hasSize(1);
    }

    @Test
    void ackOfDataNeverSentIsAnsweredAndDropped() {
        h.seg().seq(R).ack(L + 1000).win(65535).data("x").send();
        assertThat(h.recv().ack()).isEqualTo(R);
        assertThat(h.c.receiveBuffer().available()).isZero();
    }

    @Test
    void tooOldAckDrawsAChallengeAndTheDataIsDropped() {
        h.seg().seq(R).ack(L - 200_000).win(65535).data("inject").send();
        assertThat(h.recv().ack()).isEqualTo(R);
        assertThat(h.c.receiveBuffer().available()).isZero();
        assertThat(h.c.stats().challengeAcks).isEqualTo(1);
    }

    @Test
    void segmentOutsideTheReceiveWindowDrawsAnAck() {
        h.seg().seq(R + 100_000).ack(L).win(65535).data("far").send();
        assertThat(h.recv().ack()).isEqualTo(R);
        h.seg().seq(R - 10).ack(L).win(65535).data("old").send();
        assertThat(h.recv().ack()).isEqualTo(R);
        assertThat(h.c.stats().outOfWindow).isEqualTo(2);
    }

    @Test
    void segmentWithoutAckIsDropped() {
        h.seg().flags(0).seq(R).win(65535).data("noack").send();
        assertThat(h.c.receiveBuffer().available()).isZero();
        h.recvNothing();
    }

    @Test
    void keepAliveProbesAnIdlePeerAndGivesUp() {
        TcpConfig cfg = TcpHarness.plain();
        cfg.keepAlive = true;
        cfg.keepAliveIdle = 10_000_000_000L;
        cfg.keepAliveInterval = 1_000_000_000L;
        cfg.keepAliveCount = 3;
        TcpHarness k = new TcpHarness(cfg).established();
        k.advance(9_999);
        k.recvNothing();
        k.advance(1);
        Seg probe = k.recv();
        assertThat(probe.seq()).isEqualTo(L - 1);
        assertThat(probe.len()).isZero();
        // the peer answers: idle again
        k.seg().seq(R).ack(L).win(65535).send();
        k.advance(9_999);
        k.recvNothing();
        k.advance(1);
        k.recv();
        for (int i = 0; i < 2; i++) {
            k.advance(1000);
            assertThat(k.recv().seq()).isEqualTo(L - 1);
        }
        k.advance(1000);
        assertThat(k.c.state()).isEqualTo(TcpState.CLOSED);
        assertThat(k.c.error()).isEqualTo(TcpError.TIMED_OUT);
    }

    @Test
    void keepAliveIsOffByDefault() {
        h.advance(10_000_000);
        h.recvNothing();
        assertThat(h.c.state()).isEqualTo(TcpState.ESTABLISHED);
    }
}
