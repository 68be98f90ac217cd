package org.jioth.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jioth.IothStack;

/**
 * The few counters of a stack that tell whether a measurement lost frames: TCP retransmissions,
 * frames the port refused on send, frames dropped on receive for a full queue. Read from {@link
 * IothStack#statistics()} by name; a stack that does not have a counter (the kernel's) simply
 * shows none.
 */
final class LossCounters {
    /** Key in statistics() and the short label printed for it. */
    private static final String[][] WATCHED = {
        {"Tcp.RetransSegs", "retransmits"},
        {"Eth.OutDropPort", "port send drops"},
        {"Eth.InDropQueueFull", "receive-queue drops"},
    };

    private final long[] values;

    private LossCounters(long[] values) {
        this.values = values;
    }

    /** The watched counters of {@code stack} now (absent ones read as -1). */
    static LossCounters of(IothStack stack) {
        Map<String, Long> s;
        try {
            s = stack.statistics();
        } catch (RuntimeException e) {
            s = Map.of();
        }
        long[] v = new long[WATCHED.length];
        for (int i = 0; i < WATCHED.length; i++) {
            Long x = s.get(WATCHED[i][0]);
            v[i] = x == null ? -1 : x;
        }
        return new LossCounters(v);
    }

    /** What grew since {@code before}, e.g. "12 retransmits, 0 port send drops"; empty when the stack has none of them. */
    String since(LossCounters before) {
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < WATCHED.length; i++) {
            if (values[i] >= 0 && before.values[i] >= 0) {
                parts.add((values[i] - before.values[i]) + " " + WATCHED[i][1]);
            }
        }
        return String.join(", ", parts);
    }

    /** The absolute values, for a peer that reports once at its end. */
    String total() {
        return since(new LossCounters(new long[values.length]));
    }
}
