package org.jioth.jnet.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The scoreboard's ascending pass ({@link SackScoreboard#walkCovers}, {@link SackScoreboard#walkUnsacked},
 * what RACK's per-ACK passes use) answers exactly as {@link SackScoreboard#covers} and
 * {@link SackScoreboard#unsacked}, on seeded random scoreboards and ascending, touching and
 * overlapping query ranges (as RACK's entries: ascending, disjoint, some split at SACK edges).
 */
class SackScoreboardWalkTest {
    @Test
    void anAscendingPassAnswersAsTheDirectQueries() {
        SplittableRandom random = new SplittableRandom(20261205);
        for (int round = 0; round < 2000; round++) {
            SackScoreboard board = new SackScoreboard(256);
            int blocks = random.nextInt(40);
            for (int b = 0; b < blocks; b++) {
                long from = random.nextLong(100_000);
                board.add(from, from + 1 + random.nextLong(3_000));
            }
            board.walkFrom();
            long pos = random.nextLong(2_000);
            while (pos < 110_000) {
                long end = pos + 1 + random.nextLong(random.nextBoolean() ? 1_500 : 6_000);
                long from = random.nextInt(4) == 0 ? pos + random.nextLong(end - pos) : pos; // as max(una, start)
                assertThat(board.walkCovers(pos, end)).as("covers [%d, %d)", pos, end).isEqualTo(board.covers(pos, end));
                assertThat(board.walkUnsacked(from, end)).as("unsacked [%d, %d)", from, end)
                        .isEqualTo(board.unsacked(from, end));
                pos = end + (random.nextBoolean() ? 0 : random.nextLong(2_000));
            }
        }
    }
}
