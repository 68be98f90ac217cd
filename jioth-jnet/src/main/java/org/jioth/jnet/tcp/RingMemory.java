package org.jioth.jnet.tcp;

import org.jioth.jnet.mem.MemoryBudget;

/**
 * What one ring of a connection is charged against the stack's {@link MemoryBudget}. The
 * connection's admission prepaid {@link Rings#MIN} bytes per ring (its reserve), so the first ring
 * never waits for memory and an established connection can always move data; only the bytes beyond
 * the reserve are charged, when the ring grows, and given back when it shrinks or is dropped.
 * Used under the owning buffer's lock.
 */
final class RingMemory {
    private MemoryBudget budget;
    private int reserve;
    /** Bytes beyond the reserve charged now. */
    private long charged;

    /** Charges this ring to {@code budget} with a prepaid {@code reserve} (before it holds anything). */
    void attach(MemoryBudget budget, int reserve) {
        this.budget = budget;
        this.reserve = reserve;
    }

    boolean attached() {
        return budget != null;
    }

    /** Under memory pressure now (false when not charged anywhere). */
    boolean underPressure() {
        return budget != null && budget.underPressure();
    }

    /**
     * A ring of {@code current} bytes is about to become {@code wanted} bytes: charges the growth
     * beyond the reserve; false (nothing charged) when the budget refuses it.
     */
    boolean grow(int current, int wanted) {
        if (budget == null) {
            return true;
        }
        long need = Math.max(0, wanted - reserve) - charged;
        if (need <= 0) {
            return true;
        }
        if (!budget.grow(need, Math.max(current, reserve))) {
            return false;
        }
        charged += need;
        return true;
    }

    /** The ring is now {@code length} bytes (smaller, or dropped at 0): gives back what it no longer needs. */
    void shrunk(int length) {
        if (budget == null) {
            return;
        }
        long keep = Math.max(0, length - reserve);
        if (charged > keep) {
            budget.release(charged - keep);
            charged = keep;
        }
    }

    /** The connection is gone: gives back what the ring was charged and charges nothing more. */
    void detach() {
        if (budget != null) {
            budget.release(charged);
            charged = 0;
            budget = null;
        }
    }

    MemoryBudget budget() {
        return budget;
    }
}
