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

    record Tuple6(long lhi, long llo, int lp, long rhi, long rlo, int rp) { }

    @Test
    void mixedFamiliesBehaveLikeAMap() {
        SplittableRandom r = new SplittableRandom(6);
        ConnectionTable t = new ConnectionTable();
        Map<Tuple6, TcpSocket> oracle = new HashMap<>();
        List<Tuple6> keys = new ArrayList<>();
        FourTuple probe = new FourTuple();
        for (int i = 0; i < 30_000; i++) {
            int op = r.nextInt(3);
            if (op == 0 || keys.isEmpty()) {
                Tuple6 k;
                int lp = r.nextInt(1, 100);
                int rp = r.nextInt(65536);
                if (r.nextBoolean()) {
                    // IPv4 (v4-mapped) whose low bits equal some IPv6 tuples' low halves
                    k = new Tuple6(0, org.jioth.jnet.wire.Ip128.lo4(r.nextInt(3)), lp, 0,
                            org.jioth.jnet.wire.Ip128.lo4(r.nextInt(3)), rp);
                } else {
                    long prefix = 0xfd00L << 48;
                    k = new Tuple6(prefix | r.nextInt(2), org.jioth.jnet.wire.Ip128.lo4(r.nextInt(3)), lp,
                            prefix | r.nextInt(2), r.nextInt(3), rp);
                }
                TcpSocket s = new TcpSocket(new TcpConfig());
                assertThat(t.put(probe.set(k.lhi, k.llo, k.lp, k.rhi, k.rlo, k.rp), s)).isSameAs(oracle.put(k, s));
                keys.add(k);
            } else if (op == 1) {
                Tuple6 k = keys.get(r.nextInt(keys.size()));
                assertThat(t.get(probe.set(k.lhi, k.llo, k.lp, k.rhi, k.rlo, k.rp))).isSameAs(oracle.get(k));
            } else {
                Tuple6 k = keys.remove(r.nextInt(keys.size()));
                assertThat(t.remove(probe.set(k.lhi, k.llo, k.lp, k.rhi, k.rlo, k.rp))).isSameAs(oracle.remove(k));
            }
            assertThat(t.size()).isEqualTo(oracle.size());
        }
    }

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

    /** The unkeyed hash jnet used before issue 12 item 6: anyone could compute it offline. */
    static int publicHash(long a, int p) {
        long h = a * 0x9E3779B97F4A7C15L ^ (p * 0xC2B2AE3D27D4EB4FL);
        h ^= h >>> 29;
        return (int) (h ^ h >>> 32);
    }

    /**
     * Issue 12 item 6: an attacker who picks source addresses and ports colliding under a known
     * hash makes every lookup walk one long probe chain. With a keyed hash the chosen tuples
     * scatter like any others.
     */
    @Test
    void tuplesChosenToCollideDoNotMakeLongProbeChains() {
        int us = 0x0a020002;
        List<Tuple> chosen = new ArrayList<>();
        int want = -1;
        for (int ra = 0x0a020100; chosen.size() < 1000; ra++) {
            for (int rp = 1024; rp < 65536 && chosen.size() < 1000; rp++) {
                int h = publicHash(ConnectionTable.addrKey(us, ra), ConnectionTable.portKey(80, rp)) & 0xfff;
                if (want < 0) {
                    want = h;
                }
                if (h == want) {
                    chosen.add(new Tuple(us, 80, ra, rp));
                }
            }
        }
        ConnectionTable t = new ConnectionTable();
        for (Tuple k : chosen) {
            t.put(k.la, k.lp, k.ra, k.rp, new TcpSocket(new TcpConfig()));
        }
        int longest = 0;
        long total = 0;
        for (Tuple k : chosen) {
            int n = t.probes(k.la, k.lp, k.ra, k.rp);
            longest = Math.max(longest, n);
            total += n;
        }
        // 1,000 entries in 4,096 slots: a random hash gives a mean near 1.2 and chains of tens at most
        assertThat(total / (double) chosen.size()).as("mean probes").isLessThan(3);
        assertThat(longest).as("longest probe chain").isLessThan(64);
    }
}
