package org.jioth.jnet.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jioth.jnet.tcp.TcpHarness.LOCAL_ISS;
import static org.jioth.jnet.tcp.TcpHarness.REMOTE_ISS;

import java.util.List;
import org.jioth.jnet.link.IngressBudget;
import org.jioth.jnet.tcp.TcpHarness.Seg;
import org.junit.jupiter.api.Test;

/**
 * One-byte requests and responses on a short path (jnet ↔ jnet across one {@code vde_switch}, the
 * round-trip row of {@code ioth bench stack}): each request is answered by one segment, the
 * response carrying the ACK. Reading a request must not send a window update of its own when the
 * window cannot grow: on a {@code vde://} port the open window is held at the connection's share
 * of the port's ingress, which reading one byte does not move. FAILED before: every read sent a pure
 * ACK moving the window's edge by the one byte read (two segments per request, and a wake-up of the
 * peer's loop for the second), because the update's threshold looked at the buffer's free room
 * without the ingress cap the advertisement applies.
 */
class RequestResponseAckTest {
    static final int L = LOCAL_ISS + 1;
    static final int R = REMOTE_ISS + 1;

    @Test
    void aReadRequestIsAnsweredByItsResponseAloneOnAPortWhoseIngressHoldsTheWindow() {
        assertThat(segmentsPerRequest(new IngressBudget(ShortPathWindowTest.VDE_QUEUE)))
                .as("segments a request draws: the response only").containsOnly(1);
    }

    /** The control: without an ingress bound the threshold was right already (passed before too). */
    @Test
    void aPortWithoutAnIngressBoundAnswersTheSameWay() {
        assertThat(segmentsPerRequest(null)).containsOnly(1);
    }

    /**
     * The segments we send for each of 50 one-byte requests, each read and answered by one byte,
     * after the first (whose read opens the window beyond the handshake's: a due update).
     */
    private static List<Integer> segmentsPerRequest(IngressBudget port) {
        TcpHarness h = new TcpHarness();
        h.established(h.synFromPeer().sackPermitted().wscale(7).ts(1, 0), 1);
        h.c.arrivedOn(port);
        h.recvAll();
        int seq = R;
        int ack = L;
        int tsVal = 3;
        int echo = 0;
        List<Integer> counts = new java.util.ArrayList<>();
        for (int i = 0; i < 50; i++) {
            h.seg().seq(seq).ack(ack).win(65535).ts(tsVal, echo).data(new byte[] {(byte) i}).send();
            seq++;
            assertThat(h.read()).hasSize(1);
            h.write(new byte[] {(byte) i});
            List<Seg> out = h.recvAll();
            counts.add(out.size());
            for (Seg s : out) {
                if (s.payload().length > 0) {
                    ack = s.seq() + s.payload().length;
                }
                echo = s.options().tsVal;
            }
            h.advance(1);
            tsVal++;
        }
        return counts.subList(1, counts.size()); // the first read opens the window from the handshake's: an update
    }
}
