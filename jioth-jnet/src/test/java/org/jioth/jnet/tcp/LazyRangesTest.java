package org.jioth.jnet.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The range tables of loss recovery and reassembly (SackScoreboard, Rack, Assembler) allocate
 * their arrays on first use, not with the connection: the first use works and growth past it
 * keeps its old steps and bounds.
 */
class LazyRangesTest {
    @Test
    void aScoreboardsFirstSackBlockAndGrowthToItsBound() {
        SackScoreboard b = new SackScoreboard(8);
        assertThat(b.isEmpty()).isTrue();
        assertThat(b.highest()).isEqualTo(-1);
        assertThat(b.add(100, 200)).isTrue();
        assertThat(b.count()).isEqualTo(1);
        assertThat(b.covers(120, 180)).isTrue();
        for (int i = 1; i < 8; i++) {
            assertThat(b.add(100 + 200 * i, 200 + 200 * i)).isTrue();
        }
        assertThat(b.add(5000, 5100)).as("bound 8 reached").isFalse();
        assertThat(b.refused).isEqualTo(1);
        SackScoreboard big = new SackScoreboard(64);
        for (int i = 0; i < 64; i++) {
            assertThat(big.add(200L * i, 200L * i + 100)).isTrue();
        }
        assertThat(big.count()).isEqualTo(64);
        assertThat(big.covered()).isEqualTo(64 * 100);
    }

    @Test
    void anAssemblersFirstOutOfOrderRange() {
        Assembler a = new Assembler();
        assertThat(a.isEmpty()).isTrue();
        assertThat(a.add(1000, 1500)).isTrue();
        assertThat(a.count()).isEqualTo(1);
        assertThat(a.start(0)).isEqualTo(1000);
        assertThat(a.end(0)).isEqualTo(1500);
        for (int i = 1; i < Assembler.MAX_RANGES; i++) {
            assertThat(a.add(1000 + 1000L * i, 1500 + 1000L * i)).isTrue();
        }
        assertThat(a.add(100_000, 100_500)).as("bounded").isFalse();
        assertThat(a.add(0, 0)).as("empty: nothing to keep").isTrue();
    }

    @Test
    void rackRecordsItsFirstSegmentAndGrowsFromSixteen() {
        Rack r = new Rack(64);
        assertThat(r.entries()).isZero();
        r.sent(0, 1000, 5, false);
        assertThat(r.entries()).isEqualTo(1);
        r.sent(1000, 2000, 6, false);
        r.sent(0, 500, 7, true); // a retransmission splits the first entry
        assertThat(r.entries()).isEqualTo(3);
        for (int i = 2; i < 40; i++) {
            r.sent(1000L * i, 1000L * i + 1000, 10 + i, false);
        }
        assertThat(r.entries()).isEqualTo(41);
        Rack small = new Rack(4); // bound below the first allocation: folds at 16, as before
        for (int i = 0; i < 20; i++) {
            small.sent(1000L * i, 1000L * i + 1000, i, false);
        }
        assertThat(small.entries()).isEqualTo(16);
    }
}
