package org.jioth.jnet.loop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RxRingTest {
    private static ByteBuffer frame(int n) {
        ByteBuffer b = ByteBuffer.allocate(64);
        b.putInt(0, n);
        return b;
    }

    private static List<Integer> drain(RxRing ring) {
        List<Integer> seen = new ArrayList<>();
        RxRing.Slot s;
        while ((s = ring.peek()) != null) {
            seen.add(s.buffer.getInt(0));
            ring.pop();
        }
        return seen;
    }

    @Test
    void aFixedRingDropsWhenFull() {
        RxRing ring = new RxRing(4);
        for (int i = 0; i < 4; i++) {
            assertThat(ring.offer(null, frame(i), 0, 64, false)).isTrue();
        }
        assertThat(ring.offer(null, frame(4), 0, 64, false)).isFalse();
        assertThat(drain(ring)).containsExactly(0, 1, 2, 3);
    }

    @Test
    void growsUnderABurstKeepingOrderUpToItsMaximum() {
        RxRing ring = new RxRing(4, 16);
        // wrap the ring first, so the doubling has to unroll it
        ring.offer(null, frame(-1), 0, 64, false);
        ring.offer(null, frame(-2), 0, 64, false);
        assertThat(drain(ring)).containsExactly(-1, -2);
        ring.offer(null, frame(-3), 0, 64, false);
        ring.peek();
        ring.pop();
        for (int i = 0; i < 16; i++) {
            assertThat(ring.offer(null, frame(i), 0, 64, false)).as("frame %d", i).isTrue();
        }
        assertThat(ring.offer(null, frame(16), 0, 64, false)).isFalse();
        assertThat(ring.capacity()).isEqualTo(16);
        assertThat(ring.growths()).isEqualTo(2);
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            expected.add(i);
        }
        assertThat(drain(ring)).isEqualTo(expected);
    }

    @Test
    void growthIsChargedAndGivenBackByTheTrimThatShrinksIt() {
        long[] used = {0};
        RxRing ring = new RxRing(2, 8);
        ring.setBudget(bytes -> {
            used[0] += bytes;
            return true;
        }, bytes -> used[0] -= bytes);
        for (int i = 0; i < 8; i++) {
            ring.offer(null, frame(i), 0, 64, false);
        }
        assertThat(used[0]).isEqualTo(6L * RxRing.SLOT_BUFFER);
        drain(ring);
        assertThat(ring.trim()).isFalse(); // used since the last trim: kept one more round
        assertThat(ring.trim()).isTrue();
        assertThat(used[0]).isZero();
        assertThat(ring.capacity()).isEqualTo(2);
        assertThat(ring.heldBytes()).isZero();
    }

    @Test
    void aBudgetThatRefusesKeepsTheRingAtItsSize() {
        RxRing ring = new RxRing(2, 64);
        ring.setBudget(bytes -> false, bytes -> { });
        assertThat(ring.offer(null, frame(0), 0, 64, false)).isTrue();
        assertThat(ring.offer(null, frame(1), 0, 64, false)).isTrue();
        assertThat(ring.offer(null, frame(2), 0, 64, false)).isFalse();
        assertThat(ring.capacity()).isEqualTo(2);
        assertThat(drain(ring)).containsExactly(0, 1);
    }
}
