package org.jioth.jnet.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jioth.jnet.tcp.TcpHarness.LOCAL_ISS;
import static org.jioth.jnet.tcp.TcpHarness.REMOTE_ISS;

import java.util.ArrayList;
import java.util.List;
import org.jioth.jnet.tcp.TcpHarness.Seg;
import org.junit.jupiter.api.Test;

/**
 * The order of the SACK blocks we report (RFC 2018 4): the block holding the newest segment
 * first, then the most recently reported ones, as Linux's {@code selective_acks}. Before, the
 * blocks after the first were the lowest ranges, so a range whose only ACK was lost went
 * unreported until it became one of the lowest, and its late SACK looked like reordering to a
 * Linux sender (reordering:113 in its ss -ti through wirefilter at 5 % loss), which then held
 * back its fast retransmits. FAILED before.
 */
class TcpSackOrderTest {
    static final int L = LOCAL_ISS + 1;
    static final int R = REMOTE_ISS + 1;

    private static List<String> blocks(Seg ack) {
        List<String> l = new ArrayList<>();
        for (int i = 0; i < ack.options().sackCount; i++) {
            l.add((ack.options().sackLeft(i) - R) / 4 + "-" + ((ack.options().sackRight(i) - R) / 4 - 1));
        }
        return l;
    }

    @Test
    void theNewestRangesAreReportedNewestFirst() {
        TcpHarness h = new TcpHarness();
        h.established(h.synFromPeer().sackPermitted()); // no timestamps: four blocks fit
        Seg last = null;
        for (int k = 1; k <= 9; k += 2) { // segments 1, 3, 5, 7, 9 of 4 bytes; 0, 2, 4, 6, 8 lost
            h.seg().seq(R + 4 * k).ack(L).win(65535).data("abcd").send();
            last = h.recv();
        }
        assertThat(blocks(last)).containsExactly("9-9", "7-7", "5-5", "3-3");
        // a retransmission fills segment 4: the merged range comes first, the recent ones follow
        h.seg().seq(R + 16).ack(L).win(65535).data("abcd").send();
        assertThat(blocks(h.recv())).containsExactly("3-5", "9-9", "7-7", "1-1");
    }

    @Test
    void everyRangeIsReportedInSeveralAcksSoOneLostAckLosesNothing() {
        TcpHarness h = new TcpHarness();
        h.established(h.synFromPeer().sackPermitted());
        List<Seg> acks = new ArrayList<>();
        for (int k = 1; k <= 15; k += 2) {
            h.seg().seq(R + 4 * k).ack(L).win(65535).data("abcd").send();
            acks.add(h.recv());
        }
        // range k first appears in the ACK for k, and again in the next ones while it is recent
        for (int n = 0; n + 2 < acks.size(); n++) {
            String range = (2 * n + 1) + "-" + (2 * n + 1);
            assertThat(blocks(acks.get(n))).contains(range);
            assertThat(blocks(acks.get(n + 1))).contains(range);
            assertThat(blocks(acks.get(n + 2))).contains(range);
        }
    }
}
