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
    static TcpSocket socket() {
        return new TcpSocket(new TcpConfig());
    }

    @Test
    void oldestFirstWithRemovalAnywhere() {
        TimeWaitQueue q = new TimeWaitQueue();
        TcpSocket a = socket();
        TcpSocket b = socket();
        TcpSocket c = socket();
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
        SequencedSet<TcpSocket> oracle = new LinkedHashSet<>();
        List<TcpSocket> pool = new ArrayList<>();
        List<TcpSocket> evicted = new ArrayList<>();
        List<TcpSocket> oracleEvicted = new ArrayList<>();
        for (int i = 0; i < 100_000; i++) {
            int op = r.nextInt(10);
            if (op < 6 || pool.isEmpty()) {
                TcpSocket s;
                if (op == 0 && !pool.isEmpty()) {
                    s = pool.get(r.nextInt(pool.size())); // again, maybe still queued
                } else {
                    s = socket();
                    pool.add(s);
                }
                boolean added = q.add(s);
                assertThat(added).isEqualTo(oracle.add(s));
                while (q.size() > bound) {
                    TcpSocket old = q.oldest();
                    q.remove(old);
                    evicted.add(old);
                    oracleEvicted.add(oracle.removeFirst());
                }
            } else {
                TcpSocket s = pool.get(r.nextInt(pool.size()));
                assertThat(q.remove(s)).isEqualTo(oracle.remove(s));
            }
            if (pool.size() > 4 * bound) {
                pool.subList(0, bound).clear();
            }
            assertThat(q.size()).isEqualTo(oracle.size()).isLessThanOrEqualTo(bound);
            assertThat(q.oldest()).isSameAs(oracle.isEmpty() ? null : oracle.getFirst());
        }
        assertThat(evicted).hasSizeGreaterThan(10_000).isEqualTo(oracleEvicted);
        List<TcpSocket> drained = new ArrayList<>();
        while (q.oldest() != null) {
            TcpSocket s = q.oldest();
            q.remove(s);
            drained.add(s);
        }
        assertThat(drained).containsExactlyElementsOf(oracle);
    }
}
