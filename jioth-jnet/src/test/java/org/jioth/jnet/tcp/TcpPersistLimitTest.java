package org.jioth.jnet.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jioth.jnet.tcp.TcpHarness.LOCAL_ISS;
import static org.jioth.jnet.tcp.TcpHarness.REMOTE_ISS;

import org.junit.jupiter.api.Test;

/**
 * Issue 11: zero-window probing gives up. A peer that answers every probe with a shut window and
 * never takes a byte keeps our send buffer for at most {@link TcpConfig#persistMax}, then the
 * connection times out. FAILED before (persistMax was never read: it probed forever).
 */
class TcpPersistLimitTest {
    static final int L = LOCAL_ISS + 1;
    static final int R = REMOTE_ISS + 1;

    @Test
    void aWindowHeldShutLongerThanPersistMaxTimesTheConnectionOut() {
        TcpHarness h = new TcpHarness(TcpHarness.plain()).established();
        h.seg().seq(R).ack(L).win(0).send();
        h.write("data");
        long waited = 0;
        for (int probe = 0; probe < 200 && h.c.state() != TcpState.CLOSED; probe++) {
            long ms = h.msToDeadline();
            waited += ms;
            h.advance(ms);
            h.recvAll();
            if (h.c.state() != TcpState.CLOSED) {
                h.seg().seq(R).ack(L).win(0).send(); // probe answered, window still shut
            }
        }
        assertThat(h.c.state()).isEqualTo(TcpState.CLOSED);
        assertThat(h.c.error()).isEqualTo(TcpError.TIMED_OUT);
        assertThat(waited * 1_000_000L).isGreaterThanOrEqualTo(new TcpConfig().persistMax);
    }

    @Test
    void aWindowThatOpensResetsTheLimit() {
        TcpHarness h = new TcpHarness(TcpHarness.plain()).established();
        h.seg().seq(R).ack(L).win(0).send();
        h.write("data");
        h.advance(h.msToDeadline());
        h.recvAll();
        h.seg().seq(R).ack(L).win(1000).send(); // opens: the data goes
        h.recvAll();
        h.seg().seq(R).ack(L + 4).win(1000).send();
        assertThat(h.c.state()).isEqualTo(TcpState.ESTABLISHED);
        assertThat(h.c.error()).isNull();
    }
}
