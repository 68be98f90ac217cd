package org.jioth.vde;

import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;

/**
 * Two ports joined as {@code vde_plug VNL1 VNL2} joins them (vde-protocols.md §13): every frame one
 * receives is sent on the other, both ways. Forwarding runs on the ports' delivery threads and
 * never blocks (ports' sends do not); a frame the other side refuses is counted in that side's
 * statistics and in {@link #dropped()}. The cable does not own the ports: close them yourself.
 */
public final class Cable implements Closeable {
    private final EthernetPort a;
    private final EthernetPort b;
    private final LongAdder dropped = new LongAdder();

    private Cable(EthernetPort a, EthernetPort b) {
        this.a = a;
        this.b = b;
    }

    /** Joins {@code a} and {@code b} (replacing their sinks). */
    public static Cable join(EthernetPort a, EthernetPort b) {
        Cable c = new Cable(a, b);
        a.setSink(c.forwardTo(b));
        b.setSink(c.forwardTo(a));
        return c;
    }

    private FrameSink forwardTo(EthernetPort to) {
        return new FrameSink() {
            @Override
            public void frame(java.nio.ByteBuffer frame) {
                try {
                    if (!to.send(frame)) {
                        dropped.increment();
                    }
                } catch (IOException e) {
                    dropped.increment(); // the other side is closing
                }
            }

            /** A batch in is a burst out: the other port may send what it held back (a TSO tap). */
            @Override
            public void endOfBatch() {
                to.flush();
            }

            @Override
            public boolean acceptsPartialChecksums() {
                return to.acceptsPartialChecksums();
            }

            @Override
            public int maxSegmentedFrame() {
                return to.maxSegmentedFrame();
            }

            @Override
            public void segmentedFrame(java.nio.ByteBuffer frame, int segmentSize) {
                try {
                    if (!to.sendSegmented(frame, segmentSize)) {
                        dropped.increment();
                    }
                } catch (IOException e) {
                    dropped.increment(); // the other side is closing
                }
            }
        };
    }

    /** True once either side ended by itself ({@link EthernetPort#hasEnded()}). */
    public boolean hasEnded() {
        return a.hasEnded() || b.hasEnded();
    }

    /**
     * Waits until either side ends, {@code stop} is counted down, or the thread is interrupted;
     * checks every {@code poll}. Returns true when a side ended.
     */
    public boolean awaitEnd(java.util.concurrent.CountDownLatch stop, Duration poll) throws InterruptedException {
        while (!hasEnded()) {
            if (stop.await(poll.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS)) {
                return hasEnded();
            }
        }
        return true;
    }

    /** Frames one side delivered that the other refused (full queue, bad length, gone). */
    public long dropped() {
        return dropped.sum();
    }

    /** Disconnects the two sinks (frames arriving afterwards are counted as having no sink). */
    @Override
    public void close() {
        a.setSink(null);
        b.setSink(null);
    }
}
