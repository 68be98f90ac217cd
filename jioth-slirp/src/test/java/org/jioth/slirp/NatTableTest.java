package org.jioth.slirp;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.jioth.jnet.time.ManualClock;
import org.junit.jupiter.api.Test;

class NatTableTest {
    @Test
    void boundedAndIdleFlowsExpireWhileUsedOnesStay() {
        ManualClock clock = new ManualClock(1_000_000_000L);
        NatTable<Integer, String> t = new NatTable<>(3, Duration.ofSeconds(60).toNanos());
        assertThat(t.put(1, "a", clock.nanos())).isTrue();
        assertThat(t.put(2, "b", clock.nanos())).isTrue();
        assertThat(t.put(3, "c", clock.nanos())).isTrue();
        assertThat(t.put(4, "d", clock.nanos())).as("full").isFalse();
        assertThat(t.put(1, "again", clock.nanos())).as("taken").isFalse();

        clock.advance(Duration.ofSeconds(40));
        assertThat(t.get(1, clock.nanos())).isEqualTo("a");
        t.touch(2, clock.nanos());
        clock.advance(Duration.ofSeconds(30));
        assertThat(t.expire(clock.nanos())).containsExactly("c");
        assertThat(t.size()).isEqualTo(2);
        assertThat(t.put(4, "d", clock.nanos())).isTrue();

        clock.advance(Duration.ofSeconds(60));
        assertThat(t.expire(clock.nanos())).containsExactlyInAnyOrder("a", "b", "d");
        assertThat(t.size()).isZero();
    }

    @Test
    void theFlowBudgetIsShared() {
        FlowBudget b = new FlowBudget(2);
        assertThat(b.tryAcquire()).isTrue();
        assertThat(b.tryAcquire()).isTrue();
        assertThat(b.tryAcquire()).isFalse();
        b.release();
        assertThat(b.tryAcquire()).isTrue();
        assertThat(b.open()).isEqualTo(2);
    }
}
