package org.jioth.jnet.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jioth.jnet.tcp.TcpHarness.LOCAL_ISS;
import static org.jioth.jnet.tcp.TcpHarness.REMOTE_ISS;

import org.jioth.jnet.tcp.TcpHarness.Seg;
import org.jioth.jnet.wire.Tcp;
import org.junit.jupiter.api.Test;

/**
 * The sequence number of our pure ACKs while the peer's window is shut and a zero-window probe
 * byte is out (issue 10: the stall of the jnet client echoing through wirefilter with Linux).
 * Linux accepts a segment only when its sequence number is at most RCV.NXT + RCV.WND
 * ({@code tcp_sequence}); with its window shut that is RCV.NXT exactly, so an ACK carrying SND.MAX
 * = SND.UNA + 1 (the refused probe byte) is dropped unread, its acknowledgment and window with it.
 * In a full-duplex echo the peer's application then never sees its send buffer drain, never
 * reads, never opens its window: both sides wait until the timers give up. FAILED before (the
 * ACK carried SND.UNA + 1).
 */
class TcpZeroWindowAckTest {
    static final int L = LOCAL_ISS + 1;
    static final int R = REMOTE_ISS + 1;

    final TcpHarness h = new TcpHarness(TcpHarness.plain()).established();

    /** The peer shuts its window on data we want to send; the persist timer sends its 1-byte probe. */
    private void probeRefused() {
        h.seg().seq(R).ack(L).win(0).send();
        h.write("data");
        h.recvNothing();
        h.advance(h.msToDeadline());
        Seg probe = h.recv();
        assertThat(probe.seq()).isEqualTo(L);
        assertThat(probe.len()).isEqualTo(1);
        h.seg().seq(R).ack(L).win(0).send(); // refused: the window stays shut
        h.recvNothing();
    }

    @Test
    void anAckWhileTheProbeByteIsRefusedCarriesTheEdgeOfThePeersWindow() {
        probeRefused();
        // the peer (window still shut) sends us data: our ACK must be acceptable to it
        h.seg().seq(R).ack(L).win(0).data("abcd").send();
        h.advance(40); // delayed ACK
        Seg ack = h.recv();
        assertThat(ack.has(Tcp.ACK)).isTrue();
        assertThat(ack.len()).isZero();
        assertThat(ack.ack()).isEqualTo(R + 4);
        assertThat(ack.seq()).as("at most RCV.NXT + RCV.WND of the peer: SND.UNA + 0").isEqualTo(L);
    }

    @Test
    void aWindowUpdateWhileTheProbeByteIsRefusedCarriesTheEdgeOfThePeersWindow() {
        probeRefused();
        h.seg().seq(R).ack(L).win(0).data(TcpHarness.bytes(60_000, 3)).send();
        h.recvAll();
        assertThat(h.read()).hasSize(60_000); // the application drains what came: a window update is due
        Seg update = h.recv();
        assertThat(update.ack()).isEqualTo(R + 60_000);
        assertThat(update.window()).isGreaterThan(60_000);
        assertThat(update.seq()).isEqualTo(L);
    }

    @Test
    void onceTheWindowOpensTheProbeByteIsSentAgainWithTheRest() {
        probeRefused();
        h.seg().seq(R).ack(L).win(1000).send();
        Seg d = h.recv();
        assertThat(d.seq()).isEqualTo(L);
        assertThat(d.text()).isEqualTo("data");
        h.seg().seq(R).ack(L + 4).win(1000).send();
        h.advance(40);
        assertThat(h.c.sendUnacknowledged()).isEqualTo(L + 4);
    }
}
