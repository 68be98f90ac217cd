package org.jioth.slirp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RetryBackoffTest {
    @Test
    void pauseDoublesFromOneMillisecondUpToOneSecondAndResetsOnSuccess() {
        RetryBackoff b = new RetryBackoff();
        List<Long> pauses = new ArrayList<>();
        for (int i = 0; i < 14; i++) {
            pauses.add(b.failed());
        }
        assertThat(pauses.subList(0, 4)).containsExactly(1_000_000L, 2_000_000L, 4_000_000L, 8_000_000L);
        assertThat(pauses.get(9)).isEqualTo(512_000_000L);
        assertThat(pauses.subList(10, 14)).allMatch(p -> p == RetryBackoff.MAX_NANOS);
        b.succeeded();
        assertThat(b.failures()).isZero();
        assertThat(b.failed()).isEqualTo(RetryBackoff.FIRST_NANOS);
    }

    @Test
    void onlyThePowerOfTwoRepeatsAreLogged() {
        RetryBackoff b = new RetryBackoff();
        List<Long> logged = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            b.failed();
            if (b.shouldLog()) {
                logged.add(b.failures());
            }
        }
        assertThat(logged).containsExactly(1L, 2L, 4L, 8L, 16L, 32L, 64L);
    }
}
