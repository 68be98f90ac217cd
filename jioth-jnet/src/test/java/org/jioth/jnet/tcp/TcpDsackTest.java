package org.jioth.jnet.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jioth.jnet.tcp.TcpHarness.LOCAL_ISS;
import static org.jioth.jnet.tcp.TcpHarness.REMOTE_ISS;

import org.jioth.jnet.tcp.TcpHarness.Seg;
import org.junit.jupiter.api.Test;

/**
 * The receiver's D-SACK (RFC 2883): data arriving again below RCV.NXT is reported in the next
 * ACK's first SACK block, once; out-of-order blocks follow it. Before: no D-SACK, so a Linux
 * sender could neither undo its spurious retransmissions nor widen its reordering window.
 */
class TcpDsackTest {
    static final int L = LOCAL_ISS + 1;
    static final int R = REMOTE_ISS + 1;

    @Test
    void aDuplicateBelowRcvNxtIsReportedOnceAsTheFirstSackBlock() {
        TcpHarness h = new TcpHarness();
        h.established(h.synFromPeer().sackPermitted());
        h.seg().seq(R).ack(L).win(65535).data("abcd").send();
        h.seg().seq(R + 4).ack(L).win(65535).data("efgh").send();
        h.recvAll();
        h.seg().seq(R).ack(L).win(65535).data("abcd").send(); // a spurious retransmission
        Seg ack = h.recv();
        assertThat(ack.ack()).isEqualTo(R + 8);
        assertThat(ack.options().sackCount).isEqualTo(1);
        assertThat(ack.options().sackLeft(0)).isEqualTo(R);
        assertThat(ack.options().sackRight(0)).isEqualTo(R + 4);
        h.seg().seq(R + 8).ack(L).win(65535).data("ijkl").send();
        h.advance(200);
        for (Seg s : h.recvAll()) {
            assertThat(s.options().sackCount).as("reported once").isZero();
        }
    }

    @Test
    void theDsackComesBeforeTheOutOfOrderBlocks() {
        TcpHarness h = new TcpHarness();
        h.established(h.synFromPeer().sackPermitted());
        h.seg().seq(R).ack(L).win(65535).data("abcd").send();
        h.seg().seq(R + 8).ack(L).win(65535).data("ijkl").send(); // a hole at R + 4
        h.recvAll();
        h.seg().seq(R + 2).ack(L).win(65535).data("cd").send(); // old bytes again
        Seg ack = h.recv();
        assertThat(ack.ack()).isEqualTo(R + 4);
        assertThat(ack.options().sackCount).isEqualTo(2);
        assertThat(ack.options().sackLeft(0)).isEqualTo(R + 2);
        assertThat(ack.options().sackRight(0)).isEqualTo(R + 4);
        assertThat(ack.options().sackLeft(1)).isEqualTo(R + 8);
        assertThat(ack.options().sackRight(1)).isEqualTo(R + 12);
    }

    @Test
    void aPartlyOldSegmentReportsItsOldPart() {
        TcpHarness h = new TcpHarness();
        h.established(h.synFromPeer().sackPermitted());
        h.seg().seq(R).ack(L).win(65535).data("abcd").send();
        h.recvAll();
        h.seg().seq(R + 2).ack(L).win(65535).data("cdef").send();
        Seg ack = h.recv();
        assertThat(ack.ack()).isEqualTo(R + 6);
        assertThat(ack.options().sackCount).isEqualTo(1);
        assertThat(ack.options().sackLeft(0)).isEqualTo(R + 2);
        assertThat(ack.options().sackRight(0)).isEqualTo(R + 4);
    }

    @Test
    void noDsackWithoutSack() {
        TcpHarness h = new TcpHarness();
        h.established();
        h.seg().seq(R).ack(L).win(65535).data("abcd").send();
        h.recvAll();
        h.seg().seq(R).ack(L).win(65535).data("abcd").send();
        assertThat(h.recv().options().sackCount).isZero();
    }
}
