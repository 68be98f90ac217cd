package org.jioth.jnet.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jioth.jnet.tcp.TcpHarness.LOCAL_ISS;
import static org.jioth.jnet.tcp.TcpHarness.REMOTE_ISS;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Issue 12 item 8: overlapping copies of the same stream bytes with different contents. jnet keeps
 * the first copy received of every byte (new data only fills holes), as RFC 9293 3.10.7.4 does for
 * data already received ("only the new parts are processed"); see docs/jnet-tcp.md for how this
 * compares with Linux's tcp_data_queue_ofo.
 */
class TcpOverlapTest {
    static final int L = LOCAL_ISS + 1;
    static final int R = REMOTE_ISS + 1;

    TcpHarness h = new TcpHarness(TcpHarness.plain()).established();

    void data(int at, String text) {
        h.seg().seq(R + at).ack(L).win(65535).data(text).send();
    }

    @Test
    void aLaterOverlappingOutOfOrderCopyDoesNotOverwriteParkedBytes() {
        data(4, "EFGH");        // bytes 4..7 parked
        data(2, "cdefghij");    // 2..9: only 2..3 and 8..9 are new
        data(0, "ab");          // in order: everything up to 10 is readable
        assertThat(h.read()).isEqualTo("abcdEFGHij");
    }

    @Test
    void anInOrderSegmentOverlappingParkedBytesDoesNotOverwriteThem() {
        data(4, "EFGH");
        data(0, "abcdefghij");
        assertThat(h.read()).isEqualTo("abcdEFGHij");
    }

    @Test
    void aContainedCopyChangesNothing() {
        data(2, "CDEFGH");
        data(3, "xx");
        data(0, "ab");
        assertThat(h.read()).isEqualTo("abCDEFGH");
    }

    /** Random overlapping copies against an oracle that keeps the first byte received at each offset. */
    @Test
    void randomOverlapsKeepTheFirstCopyOfEveryByte() {
        SplittableRandom r = new SplittableRandom(9);
        for (int round = 0; round < 200; round++) {
            TcpHarness x = new TcpHarness(TcpHarness.plain()).established();
            int size = 200;
            byte[] oracle = new byte[size];
            boolean[] seen = new boolean[size];
            for (int k = 0; k < 30; k++) {
                int from = r.nextInt(1, size - 1);
                int len = r.nextInt(1, Math.min(60, size - from) + 1);
                byte[] d = new byte[len];
                for (int i = 0; i < len; i++) {
                    d[i] = (byte) ('a' + r.nextInt(26));
                    if (!seen[from + i]) {
                        seen[from + i] = true;
                        oracle[from + i] = d[i];
                    }
                }
                x.seg().seq(R + from).ack(L).win(65535).data(d).send();
            }
            byte[] all = new byte[size];
            for (int i = 0; i < size; i++) {
                all[i] = (byte) ('A' + r.nextInt(26));
                if (!seen[i]) {
                    oracle[i] = all[i];
                }
            }
            x.seg().seq(R).ack(L).win(65535).data(all).send(); // fills every hole, in order
            ByteBuffer b = ByteBuffer.allocate(size + 10);
            x.c.receiveBuffer().read(b);
            assertThat(new String(b.array(), 0, b.position(), StandardCharsets.ISO_8859_1))
                    .as("round %d", round).isEqualTo(new String(oracle, StandardCharsets.ISO_8859_1));
        }
    }
}
