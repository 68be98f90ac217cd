package org.jioth.jnet.ip;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.jioth.jnet.loop.Counter;
import org.jioth.jnet.loop.Counters;
import org.jioth.jnet.loop.StackLoop;
import org.jioth.jnet.loop.RxRing;
import org.jioth.jnet.time.ManualClock;
import org.jioth.jnet.wire.Ethernet;
import org.jioth.jnet.wire.Ipv4;
import org.junit.jupiter.api.Test;

/**
 * Issue 11: reassembly is bounded by bytes (Linux's 4 MB ipfrag_high_thresh) and a new datagram
 * evicts the oldest incomplete ones instead of being refused: 64 stray first fragments must not
 * block reassembly for 30 s. FAILED before the fix (the 65th datagram was refused).
 */
class ReassemblerBudgetTest {
    final Counters counters = new Counters();
    final Reassembler r = new Reassembler(new StackLoop(new ManualClock(), new RxRing(4), counters), counters,
            (h, l) -> { });
    final Ipv4 view = new Ipv4();

    @Test
    void manyIncompleteDatagramsDoNotBlockANewOne() {
        for (int id = 0; id < 5000; id++) {
            assertThat(add(id, 0, true, 1400)).isEqualTo(-1); // first fragments that never complete
            assertThat(r.memory()).isLessThanOrEqualTo(Reassembler.MEMORY_LIMIT);
        }
        assertThat(counters.get(Counter.IP_REASM_EVICTED)).isPositive();
        assertThat(add(9999, 0, true, 1400)).isEqualTo(-1);
        assertThat(add(9999, 1400, false, 600)).isNotEqualTo(-1); // completed: not refused
        assertThat(r.memory()).isLessThanOrEqualTo(Reassembler.MEMORY_LIMIT);
    }

    @Test
    void aGrowingDatagramEvictsOthersRatherThanItself() {
        for (int id = 0; id < 4000; id++) {
            add(id, 0, true, 1024);
        }
        for (int off = 0; off < 60_000; off += 1480) {
            add(77777, off, true, 1480);
        }
        assertThat(add(77777, 60_680, false, 100)).isNotEqualTo(-1);
        assertThat(r.memory()).isLessThanOrEqualTo(Reassembler.MEMORY_LIMIT);
    }

    private int add(int id, int offset, boolean more, int len) {
        ByteBuffer b = ByteBuffer.allocate(Ethernet.HEADER + Ipv4.HEADER + len);
        int at = Ethernet.HEADER;
        b.put(at, (byte) 0x45);
        b.putShort(at + 2, (short) (Ipv4.HEADER + len));
        b.putShort(at + 4, (short) id);
        b.putShort(at + 6, (short) ((more ? Ipv4.FLAG_MF : 0) | offset / 8));
        b.put(at + 8, (byte) 64);
        b.put(at + 9, (byte) Ipv4.PROTO_UDP);
        b.putInt(at + 12, 0x0a000001 + (id >> 16));
        b.putInt(at + 16, 0x0a000002);
        b.putShort(at + 10, (short) org.jioth.jnet.wire.Checksum.of(b, at, Ipv4.HEADER));
        assertThat(view.wrap(b, at, Ipv4.HEADER + len)).isEqualTo(Ipv4.Check.OK);
        return r.add(view, b);
    }
}
