package org.jioth.jnet.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import org.jioth.jnet.mem.MemoryBudget;
import org.junit.jupiter.api.Test;

/**
 * Issue 11: connection rings charged to a memory budget. Growth beyond the prepaid first ring is
 * charged and refused at the limit (a write takes only what fits, a segment is dropped), pressure
 * stops the window opening and drops or prunes out-of-order data, and every byte charged comes
 * back.
 */
class BudgetedBuffersTest {
    private static final int LIMIT = 256 * 1024;

    private static MemoryBudget budgetWithOneConnection() {
        MemoryBudget b = new MemoryBudget("t", LIMIT, null);
        assertThat(b.admitConnection(TcpLayer.CONNECTION_COST, false)).isTrue();
        return b;
    }

    @Test
    void aSendBufferGrowsOnlyWithinTheBudgetAndAWriterThenWaitsForAcks() {
        MemoryBudget budget = budgetWithOneConnection();
        assertThat(budget.charge(LIMIT - TcpLayer.CONNECTION_COST - Rings.MIN)).isTrue(); // others hold the rest
        SendBuffer s = new SendBuffer(1 << 20);
        s.attach(budget, Rings.MIN);
        int took = s.write(ByteBuffer.allocate(100_000));
        assertThat(took).isEqualTo(2 * Rings.MIN); // the prepaid ring, doubled with what was left
        assertThat(budget.used()).isEqualTo(LIMIT);
        assertThat(s.write(ByteBuffer.allocate(10))).isZero();
        assertThat(s.free()).isZero(); // under pressure: a blocking writer waits
        assertThat(budget.get(MemoryBudget.Event.TCP_SEND_REFUSED)).isPositive();
        s.ackTo(s.head() + 500);
        assertThat(s.free()).isEqualTo(500); // acknowledgements make room in the ring held
        assertThat(s.write(ByteBuffer.allocate(500))).isEqualTo(500);
        s.ackTo(s.tail());
        s.release();
        assertThat(budget.used()).isEqualTo(LIMIT - Rings.MIN); // the growth came back; the reserve stays with the connection
    }

    @Test
    void aSegmentNeedingMemoryTheBudgetRefusesIsDroppedAndTheWindowStopsOpening() {
        MemoryBudget budget = budgetWithOneConnection();
        ReceiveBuffer r = new ReceiveBuffer(256 * 1024);
        r.attach(budget, Rings.MIN);
        int q = Rings.MIN / 4;
        ByteBuffer seg = ByteBuffer.allocate(q);
        assertThat(r.put(0, seg, 0, q)).isEqualTo(q); // in the prepaid ring
        assertThat(budget.charge(LIMIT - budget.used())).isTrue(); // the budget is full now
        assertThat(budget.underPressure()).isTrue();
        assertThat(r.window()).isEqualTo(Rings.MIN - q); // only the ring held
        assertThat(r.put(q, seg, 0, q)).isEqualTo(q);
        assertThat(r.put(4L * q, seg, 0, q)).isEqualTo(ReceiveBuffer.NO_MEMORY); // would grow the ring
        assertThat(r.inOrder()).isEqualTo(2L * q);
        assertThat(budget.get(MemoryBudget.Event.TCP_RCV_DROPS)).isZero();
        assertThat(budget.get(MemoryBudget.Event.TCP_OFO_DROPS)).isEqualTo(1); // beyond a hole, under pressure
        assertThat(r.put(2L * q, seg, 0, q)).isEqualTo(q);
        assertThat(r.put(3L * q, seg, 0, q)).isEqualTo(q); // the ring is full now
        assertThat(r.put(4L * q, seg, 0, q)).isEqualTo(ReceiveBuffer.NO_MEMORY); // in order, but the ring cannot grow
        assertThat(budget.get(MemoryBudget.Event.TCP_RCV_DROPS)).isEqualTo(1);
    }

    @Test
    void pressurePrunesParkedOutOfOrderDataAndGivesItsMemoryBack() {
        MemoryBudget budget = budgetWithOneConnection();
        long base = budget.used();
        ReceiveBuffer r = new ReceiveBuffer(256 * 1024);
        r.attach(budget, Rings.MIN);
        ByteBuffer seg = ByteBuffer.allocate(1460);
        for (int i = 1; i <= 40; i += 2) { // every other segment: holes
            assertThat(r.put(i * 1460L, seg, 0, 1460)).isZero();
        }
        assertThat(budget.used()).isGreaterThan(base);
        assertThat(r.pruneOutOfOrder()).isTrue();
        assertThat(r.heldBytes()).isZero();
        assertThat(budget.used()).isEqualTo(base);
        assertThat(r.outOfOrder().isEmpty()).isTrue();
        assertThat(budget.get(MemoryBudget.Event.TCP_OFO_PRUNED)).isEqualTo(1);
        // in-order bytes survive a prune
        assertThat(r.put(0, ByteBuffer.wrap(new byte[] {1, 2, 3}), 0, 3)).isEqualTo(3);
        assertThat(r.put(5000, seg, 0, 1460)).isZero();
        r.pruneOutOfOrder();
        ByteBuffer dst = ByteBuffer.allocate(10);
        assertThat(r.read(dst)).isEqualTo(3);
        assertThat(dst.get(2)).isEqualTo((byte) 3);
    }

    @Test
    void randomTrafficNeverTakesTheBudgetPastItsLimitAndDetachGivesEverythingBack() {
        MemoryBudget budget = new MemoryBudget("t", 512 * 1024, null);
        SplittableRandom rnd = new SplittableRandom(7);
        int n = 8;
        SendBuffer[] sends = new SendBuffer[n];
        ReceiveBuffer[] recvs = new ReceiveBuffer[n];
        for (int i = 0; i < n; i++) {
            assertThat(budget.admitConnection(TcpLayer.CONNECTION_COST, false)).isTrue();
            sends[i] = new SendBuffer(256 * 1024);
            recvs[i] = new ReceiveBuffer(256 * 1024);
            sends[i].attach(budget, Rings.MIN);
            recvs[i].attach(budget, Rings.MIN);
        }
        ByteBuffer data = ByteBuffer.allocate(64 * 1024);
        ByteBuffer segments = ByteBuffer.allocate(2048);
        for (int step = 0; step < 20_000; step++) {
            int i = rnd.nextInt(n);
            switch (rnd.nextInt(5)) {
                case 0 -> sends[i].write(data.clear().limit(rnd.nextInt(1, 64 * 1024)));
                case 1 -> sends[i].ackTo(sends[i].head() + rnd.nextInt(sends[i].size() + 1));
                case 2 -> {
                    ReceiveBuffer r = recvs[i];
                    int w = r.window();
                    if (w > 0) {
                        int gap = rnd.nextInt(3) == 0 ? rnd.nextInt(Math.max(1, w / 2)) : 0;
                        int len = Math.min(w - gap, rnd.nextInt(1, 1461));
                        if (len > 0) {
                            r.put(r.inOrder() + gap, segments, 0, len);
                        }
                    }
                }
                case 3 -> recvs[i].read(ByteBuffer.allocate(rnd.nextInt(1, 40_000)));
                default -> {
                    if (rnd.nextInt(50) == 0) {
                        recvs[i].pruneOutOfOrder();
                    }
                    sends[i].trim();
                    recvs[i].trim();
                }
            }
            assertThat(budget.used()).isLessThanOrEqualTo(budget.limit());
        }
        assertThat(budget.peak()).isLessThanOrEqualTo(budget.limit());
        for (int i = 0; i < n; i++) {
            sends[i].detach();
            recvs[i].detach();
            budget.releaseConnection(TcpLayer.CONNECTION_COST);
        }
        assertThat(budget.used()).isZero();
    }
}
