package org.jioth.vde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/**
 * The in-JVM data path allocates nothing per frame in steady state. Measured in bytes allocated by
 * this thread (not time), with a bound far below one small object per frame.
 */
class NodeAllocationTest {
    @Test
    void switchingFramesInMemoryDoesNotAllocatePerFrame() {
        assumeTrue(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean,
                "needs com.sun.management.ThreadMXBean");
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assumeTrue(mx.isThreadAllocatedMemorySupported(), "thread allocation counting not supported");
        mx.setThreadAllocatedMemoryEnabled(true);

        EthernetNode sw = EthernetNode.newSwitch();
        NodePort a = sw.attach("a"), b = sw.attach("b");
        long[] seen = new long[1];
        a.setSink(f -> seen[0] += f.remaining());
        b.setSink(f -> seen[0] += f.remaining());
        ByteBuffer ab = Frames.frame("02:00:00:00:00:0b", "02:00:00:00:00:0a", "x".repeat(1000));
        ByteBuffer ba = Frames.frame("02:00:00:00:00:0a", "02:00:00:00:00:0b", "y".repeat(1000));
        for (int i = 0; i < 20_000; i++) { // warm up: slots grow, code gets compiled
            a.send(ab);
            b.send(ba);
        }
        long tid = Thread.currentThread().threadId();
        long before = mx.getThreadAllocatedBytes(tid);
        int frames = 100_000;
        for (int i = 0; i < frames / 2; i++) {
            a.send(ab);
            b.send(ba);
        }
        long allocated = mx.getThreadAllocatedBytes(tid) - before;
        assertThat(seen[0]).isGreaterThan(0);
        assertThat(allocated).as("bytes allocated for %d frames", frames).isLessThan(frames / 10);
    }
}
