package org.jioth.jnet.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jioth.jnet.tcp.TcpHarness.LOCAL_ISS;
import static org.jioth.jnet.tcp.TcpHarness.MSS;
import static org.jioth.jnet.tcp.TcpHarness.REMOTE_ISS;

import java.util.List;
import org.jioth.jnet.tcp.TcpHarness.Seg;
import org.jioth.jnet.wire.Tcp;
import org.junit.jupiter.api.Test;

/**
 * Inside a batch of received frames (segments fed by {@link TcpConnection#inputDeferred}), the ACK
 * owed for a quarter of the window our last ACK advertised leaves at once ({@link
 * TcpConnection#ackEarly}, which the layer calls after each segment), not at the batch's end: a
 * sender held by our window waits for it. Smaller batches keep one ACK at their end.
 */
class EarlyAckTest {
    static final int L = LOCAL_ISS + 1;
    static final int R = REMOTE_ISS + 1;

    @Test
    void theAckForAQuarterOfTheAdvertisedWindowLeavesInsideTheBatch() {
        TcpHarness h = new TcpHarness(TcpHarness.plain()).established();
        int seq = first(h);
        int window = h.recvAll().getLast().window();
        int due = Math.max(2 * MSS, window / 4);
        int segments = 0;
        List<Seg> early = List.of();
        while (early.isEmpty() && segments < 64) {
            h.c.inputDeferred(h.seg().flags(Tcp.ACK).seq(seq).ack(L).win(65535).data(new byte[MSS]).build(), h.now);
            seq += MSS;
            segments++;
            assertThat(h.c.ackEarly(h.now)).as("early ACK after %d segments", segments).isEqualTo(segments * MSS >= due);
            early = h.recvAll();
        }
        assertThat(segments).as("segments until the early ACK").isEqualTo((due + MSS - 1) / MSS);
        assertThat(early).hasSize(1);
        assertThat(early.getFirst().ack()).as("it acknowledges every segment so far").isEqualTo(seq);
        assertThat(early.getFirst().len()).isZero();

        // the rest of the batch, shorter than a quarter window: its ACK waits for the batch's end
        for (int i = 0; i < 3; i++) {
            h.c.inputDeferred(h.seg().flags(Tcp.ACK).seq(seq).ack(L).win(65535).data(new byte[MSS]).build(), h.now);
            seq += MSS;
            assertThat(h.c.ackEarly(h.now)).isFalse();
        }
        h.recvNothing();
        h.c.output(h.now); // the batch's end
        List<Seg> end = h.recvAll();
        assertThat(end).hasSize(1);
        assertThat(end.getFirst().ack()).isEqualTo(seq);
    }

    @Test
    void outOfOrderDataIsNotAnsweredEarlyTwice() {
        TcpHarness h = new TcpHarness(TcpHarness.plain()).established();
        int seq = first(h);
        h.recvAll();
        // a hole: the duplicate ACK leaves at once as before (the sender's recovery counts it), nothing more
        h.c.inputDeferred(h.seg().flags(Tcp.ACK).seq(seq + MSS).ack(L).win(65535).data(new byte[MSS]).build(), h.now);
        assertThat(h.recvAll()).hasSize(1).allSatisfy(s -> assertThat(s.ack()).isEqualTo(seq));
        assertThat(h.c.ackEarly(h.now)).isFalse();
        h.recvNothing();
    }

    /** Two segments and their ACK (a whole batch): our last ACK advertises the window. Returns the next sequence number. */
    private static int first(TcpHarness h) {
        int seq = R;
        for (int i = 0; i < 2; i++) {
            h.seg().flags(Tcp.ACK).seq(seq).ack(L).win(65535).data(new byte[MSS]).send();
            seq += MSS;
        }
        return seq;
    }
}
