package org.jioth.jnet.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jioth.jnet.tcp.TcpHarness.LOCAL_ISS;
import static org.jioth.jnet.tcp.TcpHarness.REMOTE_ISS;

import java.util.SplittableRandom;
import org.jioth.jnet.wire.Tcp;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Seeded random segments thrown at connections in every state: nothing may throw, the buffers'
 * invariants must hold, and a connection that survived keeps working afterwards.
 */
class TcpFuzzTest {

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void randomSegmentsNeverBreakTheStateMachine(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        TcpHarness h = new TcpHarness();
        h.established(h.synFromPeer().sackPermitted().wscale(r.nextInt(15)).ts(5, 0));
        h.write(TcpHarness.bytes(20_000, 1));
        int near = LOCAL_ISS + 1;
        int rnear = REMOTE_ISS + 1;
        for (int i = 0; i < 5000; i++) {
            TcpHarness.SegBuilder b = h.seg().flags(r.nextInt(64) & ~Tcp.URG);
            b.seq(r.nextBoolean() ? rnear + r.nextInt(-70_000, 70_000) : r.nextInt());
            b.ack(r.nextBoolean() ? near + r.nextInt(-70_000, 70_000) : r.nextInt());
            if (r.nextInt(4) == 0) {
                b.flags(r.nextInt(64) & ~Tcp.ACK & ~Tcp.URG); // and sometimes no ACK at all
            }
            b.win(r.nextInt(65536));
            if (r.nextBoolean()) {
                b.ts(r.nextInt(), r.nextInt());
            }
            for (int k = r.nextInt(3); k > 0; k--) {
                int left = near + r.nextInt(-5000, 30_000);
                b.sack(left, left + r.nextInt(-100, 5000));
            }
            b.data(TcpHarness.bytes(r.nextInt(4) == 0 ? r.nextInt(3000) : 0, i));
            b.send();
            h.recvAll();
            if (r.nextInt(50) == 0) {
                h.advance(r.nextInt(5000));
                h.recvAll();
            }
            if (r.nextInt(40) == 0) {
                h.read();
            }
            assertThat(h.c.receiveBuffer().available()).isBetween(0, h.c.receiveBuffer().capacity());
            assertThat(h.c.sendBuffer().size()).isBetween(0, h.c.sendBuffer().capacity());
        }
        // whatever state it reached, time moves it along: no timer is left behind in the past
        h.advance(600_000);
        h.recvAll();
        assertThat(h.c.nextDeadline()).isGreaterThan(h.now);
    }
}
