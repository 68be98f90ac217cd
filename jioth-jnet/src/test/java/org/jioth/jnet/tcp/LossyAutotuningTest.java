package org.jioth.jnet.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jioth.jnet.tcp.TcpHarness.LOCAL_ISS;
import static org.jioth.jnet.tcp.TcpHarness.REMOTE_ISS;

import org.jioth.jnet.tcp.TcpHarness.Seg;
import org.junit.jupiter.api.Test;

/**
 * Receive-buffer autotuning after a loss: a peer whose data came with a hole may open our window
 * past the loss-free cap ({@link TcpReceiver#AUTOTUNE_SEGMENTS} full segments) up to {@link
 * TcpReceiver#LOSSY_AUTOTUNE_SEGMENTS}, since a hole holds the window's left edge while it is
 * repaired (issue 10: a Linux sender through wirefilter at 5 % loss was receive-window-limited a
 * third of the time). FAILED before (the window stopped at 192 segments either way).
 */
class LossyAutotuningTest {
    static final int L = LOCAL_ISS + 1;
    static final int R = REMOTE_ISS + 1;
    static final int MSS = TcpHarness.MSS;

    /** The peer fills our window every 10 ms and we read it all; the largest window we advertised, in bytes. */
    private static long largestWindowAfterRounds(boolean hole) {
        TcpHarness h = new TcpHarness();
        h.established(h.synFromPeer().sackPermitted().wscale(7), 10); // a 10 ms path: not a short one
        byte[] seg = TcpHarness.bytes(MSS, 1);
        int seq = R;
        if (hole) {
            h.seg().seq(seq + MSS).ack(L).win(65535).data(seg).send(); // segment 1 before 0
            h.seg().seq(seq).ack(L).win(65535).data(seg).send();
            seq += 2 * MSS;
            h.read();
            h.recvAll();
        }
        long window = 65535;
        long largest = 0;
        for (int round = 0; round < 60; round++) {
            for (long sent = 0; sent + MSS <= window; sent += MSS) {
                h.seg().seq(seq).ack(L).win(65535).data(seg).send();
                seq += MSS;
            }
            h.read();
            h.advance(10);
            for (Seg ack : h.recvAll()) {
                window = (long) ack.window() << 7;
                largest = Math.max(largest, window);
            }
        }
        return largest;
    }

    @Test
    void withoutLossTheWindowStopsAtTheLossFreeCap() {
        long largest = largestWindowAfterRounds(false);
        assertThat(largest).isGreaterThan((TcpReceiver.AUTOTUNE_SEGMENTS - 8L) * MSS)
                .isLessThanOrEqualTo((long) TcpReceiver.AUTOTUNE_SEGMENTS * MSS);
    }

    @Test
    void afterAHoleTheWindowMayGrowFurther() {
        long largest = largestWindowAfterRounds(true);
        assertThat(largest).isGreaterThan(2L * TcpReceiver.AUTOTUNE_SEGMENTS * MSS)
                .isLessThanOrEqualTo((long) TcpReceiver.LOSSY_AUTOTUNE_SEGMENTS * MSS);
    }
}
