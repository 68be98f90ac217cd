package org.jioth.vde.testing;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.jioth.vde.FrameSink;

/** A sink that copies every frame into a queue, for tests to wait on. */
public final class CollectingSink implements FrameSink {
    private final LinkedBlockingQueue<byte[]> frames = new LinkedBlockingQueue<>();
    public volatile int batches;

    @Override
    public void frame(ByteBuffer frame) {
        byte[] copy = new byte[frame.remaining()];
        frame.get(frame.position(), copy);
        frames.add(copy);
    }

    @Override
    public void endOfBatch() {
        batches++;
    }

    /** The next frame, or null after {@code timeout}. */
    public byte[] poll(Duration timeout) throws InterruptedException {
        return frames.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The next frame matching {@code wanted} (others are discarded), or null after {@code timeout}. */
    public byte[] pollMatching(Predicate<byte[]> wanted, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            byte[] f = frames.poll(left, TimeUnit.NANOSECONDS);
            if (f != null && wanted.test(f)) {
                return f;
            }
        }
    }

    public int pending() {
        return frames.size();
    }
}
