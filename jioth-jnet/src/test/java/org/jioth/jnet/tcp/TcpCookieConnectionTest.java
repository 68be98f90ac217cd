package org.jioth.jnet.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jioth.jnet.tcp.TcpHarness.LOCAL_ISS;
import static org.jioth.jnet.tcp.TcpHarness.REMOTE_ISS;

import org.jioth.jnet.wire.Tcp;
import org.junit.jupiter.api.Test;

/** A connection opened from a SYN cookie keeps the options the cookie's timestamp carried. */
class TcpCookieConnectionTest {
    static final int R = REMOTE_ISS + 1;
    static final int L = LOCAL_ISS + 1;

    @Test
    void withTimestampsTheCookieRestoresWindowScaleSackAndTimestamps() {
        TcpHarness h = new TcpHarness(); // autotuned receive buffer up to 6 MiB: our window scale is 7
        int ourWscale = TcpConnection.windowScaleFor(h.cfg.receiveSpaceMax());
        assertThat(ourWscale).isEqualTo(7);
        var ack = h.seg().flags(Tcp.ACK).seq(R).ack(L).win(100).ts(777, 4242).data("GET /").build();
        h.c.acceptCookie(ack, 1460, 7, true, true, h.now);
        assertThat(h.c.state()).isEqualTo(TcpState.ESTABLISHED);
        assertThat(h.c.timestampsEnabled()).isTrue();
        assertThat(h.c.sackEnabled()).isTrue();
        assertThat(h.c.sendWindowScale()).isEqualTo(7);
        assertThat(h.c.receiveWindowScale()).isEqualTo(ourWscale);
        assertThat(h.c.sendMss()).isEqualTo(1460 - 12); // timestamps take 12 bytes of each segment
        assertThat(h.c.sendWindow()).as("the ACK's window, scaled").isEqualTo(100 << 7);
        assertThat(h.read()).isEqualTo("GET /");

        // our side: a large write goes out up to the peer's scaled window, with timestamps
        byte[] data = TcpHarness.bytes(40_000, 1);
        h.write(data);
        int sent = 0;
        for (TcpHarness.Seg s : h.recvAll()) {
            assertThat(s.options().timestamps).isTrue();
            assertThat(s.options().tsEcr).isEqualTo(777);
            assertThat(s.len()).isLessThanOrEqualTo(1460 - 12);
            // our window field is scaled by what we advertised
            assertThat(s.window()).isEqualTo(Math.min(h.c.receiveBuffer().window() >> ourWscale, 65535));
            sent += s.len();
        }
        // the whole window in full segments (sender SWS avoidance holds the short rest back)
        assertThat(sent).isEqualTo((100 << 7) / 1448 * 1448);

        // the first segment is acknowledged with a larger (scaled) window: more data leaves
        h.seg().seq(R + 5).ack(L + 1448).win(400).ts(778, 0).send();
        assertThat(h.c.sendWindow()).isEqualTo(400 << 7);
        assertThat(h.recvAll()).isNotEmpty();
        // a duplicate ACK SACKing three segments past a hole: the hole is resent at once (SACK is on)
        h.seg().seq(R + 5).ack(L + 1448).win(400).ts(779, 0).sack(L + 2 * 1448, L + 5 * 1448).send();
        assertThat(h.recvAll()).anySatisfy(s -> assertThat(s.seq()).isEqualTo(L + 1448));
        assertThat(h.c.inRecovery()).isTrue();
    }

    @Test
    void withoutTimestampsTheConnectionIsPlain() {
        TcpHarness h = new TcpHarness();
        var ack = h.seg().flags(Tcp.ACK).seq(R).ack(L).win(3000).build();
        h.c.acceptCookie(ack, 1220, h.now);
        assertThat(h.c.timestampsEnabled()).isFalse();
        assertThat(h.c.sackEnabled()).isFalse();
        assertThat(h.c.sendWindowScale()).isZero();
        assertThat(h.c.receiveWindowScale()).isZero();
        assertThat(h.c.sendMss()).isEqualTo(1220);
        assertThat(h.c.sendWindow()).isEqualTo(3000);
        h.write(TcpHarness.bytes(5000, 2));
        int sent = 0;
        for (TcpHarness.Seg s : h.recvAll()) {
            assertThat(s.options().timestamps).isFalse();
            assertThat(s.window()).isEqualTo(65535); // unscaled, capped
            sent += s.len();
        }
        assertThat(sent).isEqualTo(3000 / 1220 * 1220);
    }

    @Test
    void timestampsNeedTheAckToCarryThem() {
        TcpHarness h = new TcpHarness();
        var ack = h.seg().flags(Tcp.ACK).seq(R).ack(L).win(3000).build();
        h.c.acceptCookie(ack, 1460, 5, true, true, h.now); // the layer never does this; still no TS
        assertThat(h.c.timestampsEnabled()).isFalse();
        assertThat(h.c.sendWindowScale()).isEqualTo(5);
    }
}
