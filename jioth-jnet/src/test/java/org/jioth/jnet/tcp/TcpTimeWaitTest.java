package org.jioth.jnet.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jioth.jnet.tcp.TcpHarness.LOCAL_ISS;
import static org.jioth.jnet.tcp.TcpHarness.REMOTE_ISS;

import org.jioth.jnet.wire.Tcp;
import org.junit.jupiter.api.Test;

/**
 * RFC 6191: which SYNs may reopen a tuple whose previous incarnation is in TIME_WAIT, with and
 * without timestamps on either incarnation. (The layer then replaces the guard; TcpLayerTest
 * checks that end to end.)
 */
class TcpTimeWaitTest {
    static final int R = REMOTE_ISS + 1;
    static final int L = LOCAL_ISS + 1;
    /** The peer's last TSval in the old incarnation. */
    static final int PEER_TS = 5000;

    /** A connection we closed first, now in TIME_WAIT; the peer used timestamps when {@code ts}. */
    static TcpHarness inTimeWait(TcpConfig cfg, boolean ts) {
        TcpHarness h = new TcpHarness(cfg);
        TcpHarness.SegBuilder syn = h.synFromPeer();
        if (ts) {
            syn.ts(PEER_TS - 10, 0);
        }
        h.established(syn);
        h.c.close(h.now);
        TcpHarness.Seg fin = h.recv();
        assertThat(fin.has(Tcp.FIN)).isTrue();
        TcpHarness.SegBuilder finAck = h.seg().flags(Tcp.FIN).seq(R).ack(L + 1).win(65535);
        if (ts) {
            finAck.ts(PEER_TS, fin.options().tsVal);
        }
        finAck.send();
        h.recv();
        assertThat(h.c.state()).isEqualTo(TcpState.TIME_WAIT);
        assertThat(h.c.receiveNext()).isEqualTo(R + 1);
        return h;
    }

    static boolean accepts(TcpHarness h, int seq, Integer tsVal, boolean listenerTimestamps) {
        TcpHarness.SegBuilder syn = h.seg().flags(Tcp.SYN).seq(seq).win(65535).mss(1460);
        if (tsVal != null) {
            syn.ts(tsVal, 0);
        }
        return h.c.acceptsNewSyn(syn.build(), listenerTimestamps);
    }

    @Test
    void withTimestampsOnBothANewerTimestampDecidesWhateverTheSequenceNumber() {
        TcpHarness h = inTimeWait(new TcpConfig(), true);
        assertThat(h.c.timestampsEnabled()).isTrue();
        assertThat(accepts(h, R - 1000, PEER_TS + 1, true)).isTrue();
        assertThat(accepts(h, R + 1000, PEER_TS + 1, true)).isTrue();
        assertThat(accepts(h, R + 1000, PEER_TS - 1, true)).as("older timestamp: PAWS would reject it").isFalse();
        assertThat(accepts(h, R - 1000, PEER_TS - 1, true)).isFalse();
    }

    @Test
    void withAnEqualTimestampTheSequenceNumberDecides() {
        TcpHarness h = inTimeWait(new TcpConfig(), true);
        assertThat(accepts(h, R + 1000, PEER_TS, true)).isTrue();
        assertThat(accepts(h, R + 2, PEER_TS, true)).isTrue(); // beyond RCV.NXT, R + 1 (after the FIN), as Linux
        assertThat(accepts(h, R + 1, PEER_TS, true)).isFalse();
        assertThat(accepts(h, R - 1000, PEER_TS, true)).isFalse();
    }

    @Test
    void aSynWithoutTimestampsAfterAnIncarnationWithThemIsJudgedBySequenceNumber() {
        TcpHarness h = inTimeWait(new TcpConfig(), true);
        assertThat(accepts(h, R + 1000, null, true)).isTrue();
        assertThat(accepts(h, R + 2, null, true)).isTrue();
        assertThat(accepts(h, R + 1, null, true)).isFalse();
        assertThat(accepts(h, R - 1000, null, true)).isFalse();
    }

    @Test
    void aListenerWithoutTimestampsJudgesBySequenceNumberEvenWhenTheSynHasThem() {
        TcpHarness h = inTimeWait(new TcpConfig(), true);
        // the new incarnation would not use timestamps: an old TSval must not get it dropped
        assertThat(accepts(h, R + 1000, PEER_TS - 1000, false)).isTrue();
        assertThat(accepts(h, R - 1000, PEER_TS + 1000, false)).isFalse();
    }

    @Test
    void afterAnIncarnationWithoutTimestampsOnlyTheSequenceNumberCounts() {
        TcpHarness h = inTimeWait(new TcpConfig(), false);
        assertThat(h.c.timestampsEnabled()).isFalse();
        assertThat(accepts(h, R + 1000, 1, true)).isTrue(); // any TSval: nothing to compare it with
        assertThat(accepts(h, R + 1000, null, true)).isTrue();
        assertThat(accepts(h, R - 1000, Integer.MAX_VALUE, true)).isFalse();
        assertThat(accepts(h, R, null, true)).isFalse();
    }

    @Test
    void sequenceNumbersCompareAcrossTheWrap() {
        TcpHarness h = inTimeWait(TcpHarness.plain(), false);
        // REMOTE_ISS is just below 2^32: R + 1 wrapped, so "greater" is modular
        assertThat(accepts(h, R + 200, null, true)).isTrue();
        assertThat(accepts(h, R - 200, null, true)).isFalse();
    }

    @Test
    void onlyABareSynInTimeWaitQualifies() {
        TcpHarness h = inTimeWait(new TcpConfig(), false);
        assertThat(h.c.acceptsNewSyn(h.seg().flags(Tcp.SYN | Tcp.ACK).seq(R + 1000).ack(L).build(), true)).isFalse();
        assertThat(h.c.acceptsNewSyn(h.seg().flags(Tcp.SYN | Tcp.RST).seq(R + 1000).build(), true)).isFalse();
        TcpHarness open = new TcpHarness().established();
        assertThat(open.c.acceptsNewSyn(open.seg().flags(Tcp.SYN).seq(R + 1000).build(), true)).isFalse();
    }

    @Test
    void aRejectedSynIsAnsweredByTheGuardWhichStays() {
        TcpHarness h = inTimeWait(new TcpConfig(), true);
        h.seg().flags(Tcp.SYN).seq(R - 1000).win(65535).ts(PEER_TS - 1, 0).send();
        assertThat(h.c.state()).isEqualTo(TcpState.TIME_WAIT);
        TcpHarness.Seg ack = h.recv(); // PAWS: the old incarnation's ACK
        assertThat(ack.flags()).isEqualTo(Tcp.ACK);
        assertThat(ack.ack()).isEqualTo(R + 1);
    }
}
