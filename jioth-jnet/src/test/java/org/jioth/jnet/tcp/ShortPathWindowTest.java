package org.jioth.jnet.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jioth.jnet.tcp.TcpHarness.LOCAL_ISS;
import static org.jioth.jnet.tcp.TcpHarness.REMOTE_ISS;

import org.jioth.jnet.tcp.TcpHarness.Seg;
import org.junit.jupiter.api.Test;

/**
 * The receive window on a short path (issue 10, one-way bulk from a Linux client into a jnet
 * server): a peer whose timestamp echoes come back within a tick of the timestamp clock sits on the
 * same switch, puts its whole window on the wire at once, and whatever of it does not fit the
 * switch's queue toward our data socket is dropped while our loop is not running; so the window
 * stays within {@link TcpReceiver.SHORT_PATH_WINDOW_SEGMENTS} segments there, while a longer path
 * still autotunes up to its bandwidth-delay product. The short-path case FAILED before (the window
 * was the 256 KiB default buffer from the start, ~180 segments).
 */
class ShortPathWindowTest {
    static final int L = LOCAL_ISS + 1;
    static final int R = REMOTE_ISS + 1;
    static final int MSS = TcpHarness.MSS;
    static final int WSCALE = 7;

    /**
     * The peer (timestamps on) fills our window each round and echoes the TSval of our latest ACK,
     * the application reads everything, and each round takes {@code roundMillis}; the largest
     * window we advertised, in bytes.
     */
    private static long largestWindow(int roundMillis, int rounds) {
        TcpHarness h = new TcpHarness();
        h.established(h.synFromPeer().sackPermitted().wscale(WSCALE).ts(1, 0), roundMillis);
        byte[] seg = TcpHarness.bytes(MSS, 3);
        int seq = R;
        int tsVal = 2 + roundMillis;
        int echo = 0;
        long window = 65535;
        long largest = 0;
        for (int round = 0; round < rounds; round++) {
            for (long sent = 0; sent + MSS <= window; sent += MSS) {
                h.seg().seq(seq).ack(L).win(65535).ts(tsVal, echo).data(seg).send();
                seq += MSS;
            }
            h.read();
            h.advance(roundMillis);
            tsVal += roundMillis;
            for (Seg ack : h.recvAll()) {
                window = (long) ack.window() << WSCALE;
                largest = Math.max(largest, window);
                echo = ack.options().tsVal;
            }
        }
        return largest;
    }

    @Test
    void aPeerWithinATickGetsAWindowTheIngressQueueHolds() {
        long largest = largestWindow(1, 200);
        assertThat(largest).isGreaterThan((TcpReceiver.SHORT_PATH_WINDOW_SEGMENTS - 4L) * MSS)
                .isLessThanOrEqualTo((long) TcpReceiver.SHORT_PATH_WINDOW_SEGMENTS * MSS);
    }

    @Test
    void aPeerTenMillisecondsAwayStillGetsItsBandwidthDelayProduct() {
        long largest = largestWindow(10, 60);
        assertThat(largest).isGreaterThan(2L * TcpReceiver.SHORT_PATH_WINDOW_SEGMENTS * MSS)
                .isLessThanOrEqualTo((long) TcpReceiver.AUTOTUNE_SEGMENTS * MSS);
    }
}
