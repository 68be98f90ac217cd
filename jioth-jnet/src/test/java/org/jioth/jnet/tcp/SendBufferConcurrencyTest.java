package org.jioth.jnet.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A writer thread appends while another thread, as the stack loop does, copies segments out,
 * acknowledges, follows a growing window and trims: every byte read back is the byte written at
 * that stream offset, whatever the interleaving (the writer copies outside the buffer's monitor).
 * Bounded by byte count, no timing: each side only waits for the other's progress.
 */
class SendBufferConcurrencyTest {
    private static final int TOTAL = 1 << 20;

    private static byte at(long offset) {
        return (byte) (offset * 31 % 251);
    }

    @Test
    void bytesReadBackAreTheBytesWrittenWhileAWriterAndTheLoopRace() throws Exception {
        for (long seed : new long[] {1, 2, 3}) {
            race(seed, ByteBuffer::allocate);
            race(seed + 10, ByteBuffer::allocateDirect);
        }
    }

    private static void race(long seed, java.util.function.IntFunction<ByteBuffer> buffers) throws Exception {
        SendBuffer b = new SendBuffer(16 * 1024);
        AtomicReference<Throwable> failed = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            SplittableRandom r = new SplittableRandom(seed);
            ByteBuffer chunk = buffers.apply(70_000);
            long written = 0;
            try {
                while (written < TOTAL && failed.get() == null) {
                    int n = (int) Math.min(TOTAL - written, 1 + r.nextInt(70_000));
                    chunk.clear().limit(n);
                    for (int i = 0; i < n; i++) {
                        chunk.put(i, at(written + i));
                    }
                    while (chunk.hasRemaining() && failed.get() == null) {
                        if (b.write(chunk) == 0) {
                            Thread.onSpinWait();
                        }
                    }
                    written += n;
                }
            } catch (Throwable t) {
                failed.compareAndSet(null, t);
            }
        }, "send-buffer-writer");
        writer.start();
        SplittableRandom r = new SplittableRandom(~seed);
        ByteBuffer segment = ByteBuffer.allocate(1448);
        long sent = 0;
        try {
            while (b.head() < TOTAL && failed.get() == null) {
                long tail = b.tail();
                if (sent < tail) {
                    int len = (int) Math.min(tail - sent, 1 + r.nextInt(1448));
                    b.copy(sent, segment, 0, len);
                    for (int i = 0; i < len; i++) {
                        if (segment.get(i) != at(sent + i)) {
                            throw new AssertionError("byte " + (sent + i) + " read back wrong (seed " + seed + ")");
                        }
                    }
                    sent += len;
                }
                switch (r.nextInt(8)) {
                    case 0 -> b.ackTo(sent);
                    case 1 -> b.ackTo(b.head() + (sent - b.head()) / 2);
                    case 2 -> b.follow(b.capacity() + 1448, 1 << 20);
                    case 3 -> b.release();
                    case 4 -> b.trim();
                    default -> Thread.onSpinWait();
                }
            }
        } catch (Throwable t) {
            failed.compareAndSet(null, t); // also stops the writer
        }
        writer.join();
        if (failed.get() != null) {
            throw new AssertionError("seed " + seed, failed.get());
        }
        assertThat(b.tail()).isEqualTo(TOTAL);
        assertThat(b.head()).isEqualTo(TOTAL);
    }
}
