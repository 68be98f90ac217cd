package org.jioth.jnet.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jioth.jnet.tcp.TcpHarness.LOCAL_ISS;
import static org.jioth.jnet.tcp.TcpHarness.REMOTE_ISS;

import org.jioth.jnet.tcp.TcpHarness.Seg;
import org.jioth.jnet.wire.Tcp;
import org.junit.jupiter.api.Test;

/**
 * An old ACK (below SND.UNA) never updates the peer's window (RFC 9293 3.10.7.4: only
 * SND.UNA =< SEG.ACK =< SND.NXT does; Linux's tcp_ack leaves at "old_ack" before its window
 * update). Found by {@code HostilePeersTest} seed 56: a segment with a newer sequence number
 * (SND.WL1 < SEG.SEQ) but an ACK below SND.UNA opened a shut window, and we sent a burst past
 * the right edge the peer offered (its ACK + its window). FAILED before the fix.
 */
class TcpOldAckWindowTest {
    static final int L = LOCAL_ISS + 1;
    static final int R = REMOTE_ISS + 1;

    final TcpHarness h = new TcpHarness(TcpHarness.plain()).established();

    @Test
    void anOldAckWithNewerDataLeavesAShutWindowShut() {
        h.write(TcpHarness.bytes(2920, 1));
        h.recvAll();
        h.seg().seq(R).ack(L + 2920).win(0).send(); // all taken, the window shuts
        h.write(TcpHarness.bytes(20_000, 2));
        h.recvNothing();
        h.seg().seq(R).ack(L + 2920).win(0).data("ab").send();
        h.recvAll();
        // newer data (SEG.SEQ > SND.WL1) with an ACK below SND.UNA and a wide window
        h.seg().seq(R + 2).ack(L + 1000).win(30_000).data("cd").send();
        for (Seg s : h.recvAll()) {
            assertThat(s.len()).as("no data past the right edge the peer offered: %s", s).isZero();
            assertThat(s.has(Tcp.ACK)).isTrue();
        }
        assertThat(h.c.snd.wnd).as("the window stays shut").isZero();
    }

    @Test
    void anAckAtSndUnaStillUpdatesTheWindow() {
        h.write(TcpHarness.bytes(2920, 1));
        h.recvAll();
        h.seg().seq(R).ack(L + 2920).win(0).send();
        h.write(TcpHarness.bytes(2000, 2));
        h.recvNothing();
        h.seg().seq(R).ack(L + 2920).win(30_000).data("abcd").send();
        int sent = 0;
        for (Seg s : h.recvAll()) {
            sent += s.len();
        }
        assertThat(sent).as("the window opened: a full segment goes (Nagle holds the rest)").isEqualTo(1460);
    }
}
