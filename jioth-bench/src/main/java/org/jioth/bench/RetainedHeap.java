package org.jioth.bench;

import java.lang.management.MemoryMXBean;

/** The heap in use once garbage is gone, for "retained heap per stack/connection" figures. */
final class RetainedHeap {
    private RetainedHeap() {
    }

    /** The least heap in use seen after each of four full GCs, 100 ms apart (a GC may leave some floating garbage). */
    static long settled(MemoryMXBean mem) throws InterruptedException {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(100);
            used = Math.min(used, mem.getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
