package org.jioth.jnet.ip;

import org.jioth.jnet.loop.Counter;
import org.jioth.jnet.loop.Counters;
import org.jioth.jnet.mem.MemoryBudget;

/**
 * The bytes a reassembler holds (IPv4's and IPv6's), counted against its own limit and charged to
 * the stack's memory budget too once it has one: a charge the budget refuses takes nothing and is
 * counted ({@code Mem.ReasmDrops} and the family's reassembly failures). Loop-only.
 */
final class ReassemblyMemory {
    private final Counters counters;
    private final Counter fails;
    private final int limit;
    /** The stack's budget (null: nothing charged). */
    private MemoryBudget budget;
    private int used;

    ReassemblyMemory(Counters counters, Counter fails, int limit) {
        this.counters = counters;
        this.fails = fails;
        this.limit = limit;
    }

    void setBudget(MemoryBudget budget) {
        this.budget = budget;
    }

    int used() {
        return used;
    }

    /** Whether {@code bytes} more stay within the reassembler's own limit. */
    boolean fits(int bytes) {
        return used + bytes <= limit;
    }

    /** Takes {@code bytes}; false (counted, nothing taken) when the budget refuses them. */
    boolean take(int bytes) {
        if (budget != null && !budget.charge(bytes)) {
            budget.count(MemoryBudget.Event.REASM_DROPS);
            counters.inc(fails);
            return false;
        }
        used += bytes;
        return true;
    }

    void give(int bytes) {
        used -= bytes;
        if (budget != null) {
            budget.release(bytes);
        }
    }
}
