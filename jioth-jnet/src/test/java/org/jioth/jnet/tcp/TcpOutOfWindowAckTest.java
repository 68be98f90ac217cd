package org.jioth.jnet.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jioth.jnet.tcp.TcpHarness.LOCAL_ISS;
import static org.jioth.jnet.tcp.TcpHarness.REMOTE_ISS;

import org.jioth.jnet.tcp.TcpHarness.Seg;
import org.junit.jupiter.api.Test;

/**
 * The ACK storm of {@code TcpFullDuplexStallTest} (seen once in a loaded CI-like run: 15.4 million
 * out-of-window segments each way, no progress). Two causes, each tested here:
 * <ul>
 * <li>A scaled window field is rounded down, so the right edge of the peer's window as we see it
 * can lie up to 2^wscale - 1 bytes below data we already sent in a wider window. Our pure ACK,
 * clamped to that edge, then carried a sequence number below the peer's RCV.NXT, and the peer
 * dropped it unread. Linux's {@code tcp_acceptable_seq} keeps SND.NXT while it is less than
 * 2^wscale past the edge.</li>
 * <li>Each out-of-window pure ACK was answered by an ACK at once; two ends both in that state ping
 * pong for good. Linux answers such segments at most once per 500 ms
 * ({@code tcp_invalid_ratelimit}); data and SYNs are still answered every time.</li>
 * </ul>
 * Both FAILED before the fix.
 */
class TcpOutOfWindowAckTest {
    static final int L = LOCAL_ISS + 1;
    static final int R = REMOTE_ISS + 1;

    @Test
    void aPureAckKeepsSndMaxWhenItLiesLessThanTheWindowScaleUnitPastTheEdge() {
        TcpConfig cfg = TcpHarness.plain();
        cfg.windowScaling = true;
        TcpHarness h = new TcpHarness(cfg).established(new TcpHarness().synFromPeer().wscale(7));
        h.write(TcpHarness.bytes(2920, 1));
        int sent = 0;
        for (Seg s : h.recvAll()) {
            sent += s.len();
        }
        assertThat(sent).isEqualTo(2920);
        // The peer took the first segment and, its buffer filling, offers 11 units of 128 bytes:
        // its right edge as we see it, L + 1460 + 1408, is 52 bytes below what we sent.
        h.seg().seq(R).ack(L + 1460).win(11).send();
        h.seg().seq(R).ack(L + 1460).win(11).data("abcd").send();
        h.advance(200); // delayed ACK
        Seg ack = null;
        for (Seg s : h.recvAll()) {
            if (s.len() == 0 && s.ack() == R + 4) {
                ack = s;
            }
        }
        assertThat(ack).as("an ACK of the peer's data").isNotNull();
        assertThat(ack.seq()).as("SND.MAX, which the peer's RCV.NXT may have reached").isEqualTo(L + 2920);
    }

    @Test
    void withAScaledWindowShutAnAckStillCarriesTheEdgeNotTheRefusedProbeByte() {
        TcpConfig cfg = TcpHarness.plain();
        cfg.windowScaling = true;
        TcpHarness h = new TcpHarness(cfg).established(new TcpHarness().synFromPeer().wscale(7));
        h.seg().seq(R).ack(L).win(0).send();
        h.write("data");
        h.recvNothing();
        h.advance(h.msToDeadline());
        Seg probe = h.recv();
        assertThat(probe.seq()).isEqualTo(L);
        assertThat(probe.len()).isEqualTo(1);
        h.seg().seq(R).ack(L).win(0).send(); // refused: the window stays shut
        h.recvNothing();
        h.seg().seq(R).ack(L).win(0).data("abcd").send();
        h.advance(200);
        Seg ack = h.recv();
        assertThat(ack.ack()).isEqualTo(R + 4);
        assertThat(ack.seq()).as("a shut window is exact: the probe byte lies past it").isEqualTo(L);
    }

    @Test
    void outOfWindowPureAcksAreAnsweredAtMostTwiceASecond() {
        TcpHarness h = new TcpHarness(TcpHarness.plain()).established();
        for (int i = 0; i < 10; i++) {
            h.seg().seq(R - 1000).ack(L).win(65535).send(); // an old sequence number: out of window
        }
        assertThat(h.recvAll()).as("one answer for the burst").hasSize(1);
        h.advance(100);
        h.seg().seq(R - 1000).ack(L).win(65535).send();
        assertThat(h.recvAll()).as("none within 500 ms of the last").isEmpty();
        h.advance(400);
        h.seg().seq(R - 1000).ack(L).win(65535).send();
        assertThat(h.recvAll()).as("one again after 500 ms").hasSize(1);
    }

    @Test
    void oldDataIsAnsweredEveryTime() {
        TcpHarness h = new TcpHarness(TcpHarness.plain()).established();
        h.seg().seq(R).ack(L).win(65535).data("abcd").send();
        h.advance(200);
        h.recvAll();
        for (int i = 0; i < 3; i++) {
            h.seg().seq(R).ack(L).win(65535).data("abcd").send(); // a retransmission we already have
        }
        assertThat(h.recvAll()).as("each duplicate of data is acknowledged (its ACK may be all the peer lacks)").hasSize(3);
    }
}
