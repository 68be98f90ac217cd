package org.jioth.jnet.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jioth.jnet.tcp.TcpHarness.LOCAL_ISS;
import static org.jioth.jnet.tcp.TcpHarness.MSS;
import static org.jioth.jnet.tcp.TcpHarness.REMOTE_ISS;

import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * The time a sender spends held back, by reason (TcpStats' chrono), reaches the layer through
 * {@link TcpConnection.Output#sendLimited}, so the stack's statistics tell what bounds a bulk
 * transfer ({@code TcpExt.SendLimited*Nanos}; ioth bench stack prints it). Virtual time.
 */
class SendLimitedCountersTest {
    static final int L = LOCAL_ISS + 1;
    static final int R = REMOTE_ISS + 1;

    @Test
    void theTimeAReceiveWindowHoldsTheSenderIsReportedAsRwnd() {
        TcpHarness h = new TcpHarness(TcpHarness.plain()).established();
        h.seg().seq(R).ack(L).win(MSS).send(); // the peer's window: one segment
        h.write(TcpHarness.bytes(3 * MSS, 1));
        assertThat(h.recvAll()).hasSize(1);
        h.advance(5);
        h.seg().seq(R).ack(L + MSS).win(MSS).send(); // room for the next one, 5 ms later
        assertThat(h.recvAll()).hasSize(1);

        int rwnd = TcpStats.SendLimit.RWND.ordinal();
        assertThat(h.limitedNanos[rwnd]).isEqualTo(5_000_000L);
        assertThat(h.c.stats().rwndLimitedNanos).isEqualTo(5_000_000L);
        assertThat(h.limitedNanos[TcpStats.SendLimit.CWND.ordinal()]).isZero();
    }

    @Test
    void everyCreditOfTheConnectionsChronoIsReported() {
        TcpHarness h = new TcpHarness(TcpHarness.plain()).established();
        h.seg().seq(R).ack(L).win(2 * MSS).send();
        int acked = 0;
        for (int round = 0; round < 6; round++) {
            h.write(TcpHarness.bytes(MSS + round * 100, round));
            h.advance(1 + round);
            for (TcpHarness.Seg s : h.recvAll()) {
                acked += s.len();
            }
            h.seg().seq(R).ack(L + acked).win(2 * MSS).send();
            h.advance(2);
            h.recvAll();
        }
        TcpStats st = h.c.stats();
        long[] own = {st.idleNanos, st.sndbufLimitedNanos, st.cwndLimitedNanos, st.rwndLimitedNanos,
            st.pacingLimitedNanos, st.nagleLimitedNanos};
        assertThat(h.limitedNanos).containsExactly(own);
        assertThat(own[TcpStats.SendLimit.IDLE.ordinal()]).isPositive();
    }

    @Test
    void eachReasonHasItsOwnStackCounter() {
        for (TcpStats.SendLimit why : TcpStats.SendLimit.values()) {
            String name = why.name().charAt(0) + why.name().substring(1).toLowerCase(Locale.ROOT);
            assertThat(why.total.key()).isEqualTo("TcpExt.SendLimited" + name + "Nanos");
        }
    }
}
