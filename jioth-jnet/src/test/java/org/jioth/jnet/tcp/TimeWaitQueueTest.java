package org.jioth.jnet.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.SequencedSet;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The TIME_WAIT list: insertion order, removal anywhere, re-adding, against an ordered-set oracle. */
class TimeWaitQueueTest {
    static TimeWaitRecord socket() {
        return new TimeWaitRecord();
    }

    @Test
    void oldestFirstWithRemovalAnywhere() {
        TimeWaitQueue q = new TimeWaitQueue();
        TimeWaitRecord a = socket();
        TimeWaitRecord b = socket();
        TimeWaitRecord c = socket();
        assertThat(q.oldest()).isNull();
        assertThat(q.add(a)).isTrue();
        assertThat(q.add(b)).isTrue();
        assertThat(q.add(c)).isTrue();
        assertThat(q.add(b)).as("already queued").isFalse();
        assertThat(q.size()).isEqualTo(3);
        assertThat(q.remove(b)).isTrue(); // the middle
        assertThat(q.remove(b)).isFalse();
        assertThat(q.oldest()).isSameAs(a);
        assertThat(q.remove(a)).isTrue(); // the head
        assertThat(q.oldest()).isSameAs(c);
        assertThat(q.add(a)).isTrue(); // back in, now the newest
        assertThat(q.remove(c)).isTrue();
        assertThat(q.oldest()).isSameAs(a);
        assertThat(q.remove(a)).isTrue(); // the last one
        assertThat(q.size()).isZero();
        assertThat(q.oldest()).isNull();
        assertThat(q.contains(a)).isFalse();
    }

    /**
     * A bounded table as the layer keeps it (evict the oldest past the bound) under many random
     * additions, expiries from anywhere and re-additions: always the oracle's order and size.
     */
    @Test
    void boundedEvictionFollowsInsertionOrderUnderChurn() {
        int bound = 1000;
        SplittableRandom r = new SplittableRandom(11);
        TimeWaitQueue q = new TimeWaitQueue();
        SequencedSet<TimeWaitRecord> oracle = new LinkedHashSet<>();
        List<TimeWaitRecord> pool = new ArrayList<>();
        List<TimeWaitRecord> evicted = new ArrayList<>();
        List<TimeWaitRecord> oracleEvicted = new ArrayList<>();
        for (int i = 0; i < 100_000; i++) {
            int op = r.nextInt(10);
            if (op < 6 || pool.isEmpty()) {
                TimeWaitRecord s;
                if (op == 0 && !pool.isEmpty()) {
                    s = pool.get(r.nextInt(pool.size())); // again, maybe still queued
                } else {
                    s = socket();
                    pool.add(s);
                }
                boolean added = q.add(s);
                assertThat(added).isEqualTo(oracle.add(s));
                while (q.size() > bound) {
                    TimeWaitRecord old = q.oldest();
                    q.remove(old);
                    evicted.add(old);
                    oracleEvicted.add(oracle.removeFirst());
                }
            } else {
                TimeWaitRecord s = pool.get(r.nextInt(pool.size()));
                assertThat(q.remove(s)).isEqualTo(oracle.remove(s));
            }
            if (pool.size() > 4 * bound) {
                pool.subList(0, bound).clear();
            }
            assertThat(q.size()).isEqualTo(oracle.size()).isLessThanOrEqualTo(bound);
            assertThat(q.oldest()).isSameAs(oracle.isEmpty() ? null : oracle.getFirst());
        }
        assertThat(evicted).hasSizeGreaterThan(10_000).isEqualTo(oracleEvicted);
        List<TimeWaitRecord> drained = new ArrayList<>();
        while (q.oldest() != null) {
            TimeWaitRecord s = q.oldest();
            q.remove(s);
            drained.add(s);
        }
        assertThat(drained).containsExactlyElementsOf(oracle);
    }

    /** A record expiring before the newest ones (after an MSL change, or a restarted 2MSL) goes in its place. */
    @Test
    void recordsStayOrderedByExpiry() {
        TimeWaitQueue q = new TimeWaitQueue();
        SplittableRandom r = new SplittableRandom(5);
        List<TimeWaitRecord> all = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            TimeWaitRecord t = socket();
            t.expiry = 1_000 + r.nextInt(100); // same-time ones keep their arrival order
            all.add(t);
            q.add(t);
        }
        List<TimeWaitRecord> expected = new ArrayList<>(all);
        expected.sort(java.util.Comparator.comparingLong(t -> t.expiry)); // stable
        List<TimeWaitRecord> drained = new ArrayList<>();
        while (q.oldest() != null) {
            TimeWaitRecord t = q.oldest();
            q.remove(t);
            drained.add(t);
        }
        assertThat(drained).containsExactlyElementsOf(expected);
    }
}
