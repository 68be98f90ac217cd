package org.jioth.jnet.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The 4-tuple table against a HashMap oracle under random puts, gets and removals. */
class ConnectionTableTest {
    record Tuple(int la, int lp, int ra, int rp) { }

    @Test
    void behavesLikeAMap() {
        SplittableRandom r = new SplittableRandom(4);
        ConnectionTable t = new ConnectionTable();
        Map<Tuple, TcpSocket> oracle = new HashMap<>();
        List<Tuple> keys = new ArrayList<>();
        for (int i = 0; i < 50_000; i++) {
            int op = r.nextInt(3);
            if (op == 0 || keys.isEmpty()) {
                // few distinct values, so collisions and clusters are common
                Tuple k = new Tuple(r.nextInt(4), r.nextInt(1, 200), r.nextInt(4), r.nextInt(65536));
                TcpSocket s = new TcpSocket(new TcpConfig());
                assertThat(t.put(k.la, k.lp, k.ra, k.rp, s)).isSameAs(oracle.put(k, s));
                keys.add(k);
            } else if (op == 1) {
                Tuple k = keys.get(r.nextInt(keys.size()));
                assertThat(t.get(k.la, k.lp, k.ra, k.rp)).isSameAs(oracle.get(k));
            } else {
                Tuple k = keys.remove(r.nextInt(keys.size()));
                assertThat(t.remove(k.la, k.lp, k.ra, k.rp)).isSameAs(oracle.remove(k));
            }
            assertThat(t.size()).isEqualTo(oracle.size());
        }
        for (Tuple k : oracle.keySet()) {
            assertThat(t.get(k.la, k.lp, k.ra, k.rp)).isSameAs(oracle.get(k));
        }
        assertThat(t.values()).containsExactlyInAnyOrderElementsOf(oracle.values());
        assertThat(t.get(-1, 65535, -1, 65535)).isNull();
    }
}
