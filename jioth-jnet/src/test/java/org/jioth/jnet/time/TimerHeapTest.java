package org.jioth.jnet.time;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TimerHeapTest {

    @Test
    void firesInDeadlineOrderAndOnlyWhenDue() {
        TimerHeap h = new TimerHeap();
        List<Integer> fired = new ArrayList<>();
        Timer[] ts = new Timer[5];
        for (int i = 0; i < 5; i++) {
            int n = i;
            ts[i] = new Timer(() -> fired.add(n));
        }
        h.schedule(ts[0], 50);
        h.schedule(ts[1], 10);
        h.schedule(ts[2], 30);
        h.schedule(ts[3], 20);
        h.schedule(ts[4], 40);
        h.cancel(ts[2]);
        h.schedule(ts[0], 5); // re-armed earlier
        assertThat(h.nextDeadline()).isEqualTo(5);
        assertThat(h.runDue(25)).isEqualTo(3);
        assertThat(fired).containsExactly(0, 1, 3);
        assertThat(ts[2].isArmed()).isFalse();
        h.runDue(1000);
        assertThat(fired).containsExactly(0, 1, 3, 4);
        assertThat(h.size()).isZero();
        assertThat(h.nextDeadline()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void randomOperationsKeepTheHeapOrdered() {
        SplittableRandom r = new SplittableRandom(42);
        TimerHeap h = new TimerHeap();
        List<Long> firedAt = new ArrayList<>();
        Timer[] ts = new Timer[300];
        for (int i = 0; i < ts.length; i++) {
            Timer[] self = new Timer[1];
            ts[i] = self[0] = new Timer(() -> firedAt.add(self[0].deadline()));
        }
        for (int step = 0; step < 5000; step++) {
            Timer t = ts[r.nextInt(ts.length)];
            if (r.nextInt(4) == 0) {
                h.cancel(t);
            } else {
                h.schedule(t, r.nextLong(1_000_000));
            }
        }
        int armed = h.size();
        h.runDue(Long.MAX_VALUE / 2);
        assertThat(firedAt).hasSize(armed).isSorted();
    }

    @Test
    void manualClockWakesListeners() {
        ManualClock c = new ManualClock();
        int[] woken = {0};
        Runnable w = () -> woken[0]++;
        c.onAdvance(w);
        c.advance(Duration.ofSeconds(2));
        assertThat(c.nanos()).isEqualTo(2_000_000_000L);
        assertThat(woken[0]).isEqualTo(1);
        assertThat(c.realNanosUntil(1)).isZero();
        assertThat(c.realNanosUntil(3_000_000_000L)).isEqualTo(Long.MAX_VALUE);
        c.removeOnAdvance(w);
        c.advance(Duration.ofSeconds(1));
        assertThat(woken[0]).isEqualTo(1);
    }
}
