package org.jioth.slirp;

import java.util.concurrent.atomic.AtomicInteger;

/** How many flows (TCP connections and UDP associations) may be open at once. Thread-safe. */
final class FlowBudget {
    private final int max;
    private final AtomicInteger open = new AtomicInteger();

    FlowBudget(int max) {
        this.max = max;
    }

    /** Takes a slot; false when all are taken. */
    boolean tryAcquire() {
        while (true) {
            int n = open.get();
            if (n >= max) {
                return false;
            }
            if (open.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    void release() {
        open.decrementAndGet();
    }

    int open() {
        return open.get();
    }
}
