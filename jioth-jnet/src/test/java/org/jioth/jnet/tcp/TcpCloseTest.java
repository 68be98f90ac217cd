package org.jioth.jnet.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jioth.jnet.tcp.TcpHarness.LOCAL_ISS;
import static org.jioth.jnet.tcp.TcpHarness.REMOTE_ISS;

import org.jioth.jnet.tcp.TcpHarness.Seg;
import org.jioth.jnet.wire.Tcp;
import org.junit.jupiter.api.Test;

/** Closing: active, passive, simultaneous, half-close, TIME_WAIT, abort, orphans. */
class TcpCloseTest {
    static final int L = LOCAL_ISS + 1;
    static final int R = REMOTE_ISS + 1;

    TcpHarness h = new TcpHarness(TcpHarness.plain()).established();

    @Test
    void timeWaitGuardHoldsNoBuffers() {
        h.write(TcpHarness.bytes(100, 1));
        h.recvAll();
        h.seg().seq(R).ack(L + 100).win(65535).data("reply").send();
        assertThat(h.c.sendBuffer().allocated()).isTrue();
        assertThat(h.c.receiveBuffer().allocated()).isTrue();
        h.c.receiveBuffer().read(java.nio.ByteBuffer.allocate(5));
        h.c.close(h.now);
        h.recvAll();
        h.seg().flags(Tcp.FIN).seq(R + 5).ack(L + 101).win(65535).send();
        assertThat(h.c.state()).isEqualTo(TcpState.TIME_WAIT);
        assertThat(h.c.sendBuffer().allocated()).isFalse();
        assertThat(h.c.receiveBuffer().allocated()).isFalse();
    }

    @Test
    void activeCloseThroughTimeWait() {
        h.c.close(h.now);
        assertThat(h.c.state()).isEqualTo(TcpState.FIN_WAIT_1);
        Seg fin = h.recv();
        assertThat(fin.flags()).isEqualTo(Tcp.FIN | Tcp.ACK);
        assertThat(fin.seq()).isEqualTo(L);
        h.seg().seq(R).ack(L + 1).win(65535).send();
        assertThat(h.c.state()).isEqualTo(TcpState.FIN_WAIT_2);
        h.seg().flags(Tcp.FIN).seq(R).ack(L + 1).win(65535).send();
        assertThat(h.c.state()).isEqualTo(TcpState.TIME_WAIT);
        assertThat(h.recv().ack()).isEqualTo(R + 1);
        // a retransmitted FIN is acknowledged again and restarts the 2 MSL timer
        h.advance(30_000);
        h.seg().flags(Tcp.FIN).seq(R).ack(L + 1).win(65535).send();
        assertThat(h.recv().ack()).isEqualTo(R + 1);
        h.advance(59_999);
        assertThat(h.c.state()).isEqualTo(TcpState.TIME_WAIT);
        h.advance(1);
        assertThat(h.c.state()).isEqualTo(TcpState.CLOSED);
        assertThat(h.c.error()).isNull();
    }

    @Test
    void finIsRetransmittedUntilAcked() {
        h.write("bye");
        h.c.close(h.now);
        Seg d = h.recv();
        assertThat(d.text()).isEqualTo("bye");
        Seg fin = h.recv();
        assertThat(fin.has(Tcp.FIN)).isTrue();
        assertThat(fin.seq()).isEqualTo(L + 3);
        h.advance(200);
        Seg again = h.recv(); // go-back-N: the data again, the FIN piggybacked now
        assertThat(again.has(Tcp.FIN)).isTrue();
        assertThat(again.text()).isEqualTo("bye");
        h.recvNothing();
        h.seg().seq(R).ack(L + 4).win(65535).send();
        assertThat(h.c.state()).isEqualTo(TcpState.FIN_WAIT_2);
    }

    @Test
    void passiveClose() {
        h.seg().flags(Tcp.FIN).seq(R).ack(L).win(65535).data("last").send();
        assertThat(h.c.state()).isEqualTo(TcpState.CLOSE_WAIT);
        assertThat(h.recv().ack()).isEqualTo(R + 5);
        assertThat(h.c.finReceived()).isTrue();
        assertThat(h.read()).isEqualTo("last");
        h.write("reply"); // still allowed in CLOSE_WAIT
        assertThat(h.recv().text()).isEqualTo("reply");
        h.c.close(h.now);
        assertThat(h.c.state()).isEqualTo(TcpState.LAST_ACK);
        Seg fin = h.recv();
        assertThat(fin.has(Tcp.FIN)).isTrue();
        assertThat(fin.seq()).isEqualTo(L + 5);
        h.seg().seq(R + 5).ack(L + 6).win(65535).send();
        assertThat(h.c.state()).isEqualTo(TcpState.CLOSED);
        assertThat(h.c.error()).isNull();
    }

    /**
     * A bare FIN in ESTABLISHED is not acknowledged on its own at once (Linux's CLOSE_WAIT
     * pingpong): the application's close right after sends one FIN that acknowledges it, instead of
     * an ACK and then a FIN (a segment less per connection the peer closes first).
     */
    @Test
    void aBareFinIsAcknowledgedByOurFinWhenTheApplicationClosesAtOnce() {
        h.seg().flags(Tcp.FIN).seq(R).ack(L).win(65535).send();
        assertThat(h.c.state()).isEqualTo(TcpState.CLOSE_WAIT);
        h.recvNothing();
        h.c.close(h.now);
        Seg fin = h.recv();
        assertThat(fin.flags()).isEqualTo(Tcp.FIN | Tcp.ACK);
        assertThat(fin.ack()).isEqualTo(R + 1);
        h.recvNothing();
        h.seg().seq(R + 1).ack(L + 1).win(65535).send();
        assertThat(h.c.state()).isEqualTo(TcpState.CLOSED);
    }

    /** ... and when the application does not close, the delayed-ACK timer acknowledges it. */
    @Test
    void aBareFinIsAcknowledgedByTheDelayedAckTimerWhenTheApplicationKeepsTheConnection() {
        h.seg().flags(Tcp.FIN).seq(R).ack(L).win(65535).send();
        h.recvNothing();
        h.advance(40);
        Seg ack = h.recv();
        assertThat(ack.flags()).isEqualTo(Tcp.ACK);
        assertThat(ack.ack()).isEqualTo(R + 1);
        h.recvNothing();
        assertThat(h.c.state()).isEqualTo(TcpState.CLOSE_WAIT);
    }

    @Test
    void simultaneousClose() {
        h.c.close(h.now);
        h.recv();
        h.seg().flags(Tcp.FIN).seq(R).ack(L).win(65535).send(); // the peer's FIN crosses ours
        assertThat(h.c.state()).isEqualTo(TcpState.CLOSING);
        assertThat(h.recv().ack()).isEqualTo(R + 1);
        h.seg().seq(R + 1).ack(L + 1).win(65535).send();
        assertThat(h.c.state()).isEqualTo(TcpState.TIME_WAIT);
    }

    @Test
    void finAndAckTogetherGoStraightToTimeWait() {
        h.c.close(h.now);
        h.recv();
        h.seg().flags(Tcp.FIN).seq(R).ack(L + 1).win(65535).send();
        assertThat(h.c.state()).isEqualTo(TcpState.TIME_WAIT);
    }

    @Test
    void halfCloseKeepsReceiving() {
        h.c.shutdownOutput(h.now);
        assertThat(h.recv().has(Tcp.FIN)).isTrue();
        assertThat(h.c.outputShut()).isTrue();
        h.seg().seq(R).ack(L + 1).win(65535).send();
        assertThat(h.c.state()).isEqualTo(TcpState.FIN_WAIT_2);
        h.seg().seq(R).ack(L + 1).win(65535).data("still here").send();
        assertThat(h.read()).isEqualTo("still here");
        h.advance(40);
        assertThat(h.recv().ack()).isEqualTo(R + 10);
        assertThat(h.c.state()).isEqualTo(TcpState.FIN_WAIT_2); // no timeout: not orphaned
        h.advance(600_000);
        assertThat(h.c.state()).isEqualTo(TcpState.FIN_WAIT_2);
    }

    @Test
    void orphanedFinWait2GivesUp() {
        h.c.close(h.now);
        h.recv();
        h.seg().seq(R).ack(L + 1).win(65535).send();
        h.advance(60_000);
        assertThat(h.c.state()).isEqualTo(TcpState.CLOSED);
    }

    @Test
    void dataForAClosedSocketDrawsAReset() {
        h.c.close(h.now);
        h.recv();
        h.seg().seq(R).ack(L + 1).win(65535).data("late").send();
        Seg rst = h.recv();
        assertThat(rst.has(Tcp.RST)).isTrue();
        assertThat(h.c.state()).isEqualTo(TcpState.CLOSED);
    }

    @Test
    void abortSendsResetAtOnce() {
        h.write("pending");
        h.recv();
        h.c.abort(h.now);
        Seg rst = h.recv();
        assertThat(rst.flags()).isEqualTo(Tcp.RST | Tcp.ACK);
        assertThat(rst.seq()).isEqualTo(L + 7);
        assertThat(h.c.state()).isEqualTo(TcpState.CLOSED);
        assertThat(h.c.error()).isEqualTo(TcpError.ABORTED);
        assertThat(h.c.nextDeadline()).isEqualTo(TcpConnection.NEVER);
    }

    @Test
    void closeWithUnreadDataResets() {
        h.seg().seq(R).ack(L).win(65535).data("unread").send();
        h.c.close(h.now);
        assertThat(h.recv().has(Tcp.RST)).isTrue();
        assertThat(h.c.state()).isEqualTo(TcpState.CLOSED);
    }

    @Test
    void resetIsIgnoredInTimeWait() {
        h.c.close(h.now);
        h.recv();
        h.seg().flags(Tcp.FIN).seq(R).ack(L + 1).win(65535).send();
        h.recv();
        h.seg().flags(Tcp.RST).seq(R + 1).send(); // RFC 1337
        assertThat(h.c.state()).isEqualTo(TcpState.TIME_WAIT);
        assertThat(h.c.acceptsNewSyn(h.seg().flags(Tcp.SYN).seq(R + 100).build())).isTrue();
        assertThat(h.c.acceptsNewSyn(h.seg().flags(Tcp.SYN).seq(R - 100).build())).isFalse();
    }

    @Test
    void finOutOfOrderWaitsForTheDataBeforeIt() {
        h.seg().flags(Tcp.FIN).seq(R + 3).ack(L).win(65535).data("def").send();
        assertThat(h.c.state()).isEqualTo(TcpState.ESTABLISHED);
        h.recv();
        h.seg().seq(R).ack(L).win(65535).data("abc").send();
        assertThat(h.c.state()).isEqualTo(TcpState.CLOSE_WAIT);
        assertThat(h.recv().ack()).isEqualTo(R + 7);
        assertThat(h.read()).isEqualTo("abcdef");
    }
}
