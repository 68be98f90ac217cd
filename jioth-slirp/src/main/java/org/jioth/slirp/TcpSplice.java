package org.jioth.slirp;

import java.io.Closeable;
import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * One TCP flow: the gateway stack's connection with the guest spliced to a host socket. Each
 * direction is a thread with one buffer of {@code bufferSize} bytes, so a slow reader on one side
 * closes the window on the other (flow control end to end, nothing queued beyond the buffers). End
 * of stream on one side becomes a shutdown of output on the other (half-close carried); an error on
 * either side resets both. The flow ends, and {@code onEnd} runs once, when both directions are done.
 */
final class TcpSplice implements Closeable {
    private static final System.Logger LOG = System.getLogger(TcpSplice.class.getName());
    private final SocketChannel guest;
    private final SocketChannel host;
    private final int bufferSize;
    private final SlirpCounters counters;
    private final Runnable onEnd;
    private final AtomicInteger running = new AtomicInteger(2);
    private final java.util.concurrent.CountDownLatch ended = new java.util.concurrent.CountDownLatch(1);

    TcpSplice(SocketChannel guest, SocketChannel host, int bufferSize, SlirpCounters counters, Runnable onEnd) {
        this.guest = guest;
        this.host = host;
        this.bufferSize = bufferSize;
        this.counters = counters;
        this.onEnd = onEnd;
    }

    /** Starts both directions. */
    void start(String name) {
        // platform threads: a blocking read wakes straight from the kernel (or jnet's unpark), where a
        // virtual thread's read of a host socket goes through the JDK's poller thread first (measured:
        // the round trip through the gateway was several times longer). Their number is bounded by maxflows.
        Thread.Builder b = Thread.ofPlatform().daemon().stackSize(256 * 1024);
        b.name(name + " out").start(() -> pump(guest, host, counters.bytesOut));
        b.name(name + " in").start(() -> pump(host, guest, counters.bytesIn));
    }

    private void pump(SocketChannel from, SocketChannel to, LongAdder bytes) {
        // direct for the host socket's sake (a heap buffer costs the JDK a copy through a temporary one)
        ByteBuffer buf = ByteBuffer.allocateDirect(bufferSize);
        try {
            while (true) {
                int n = from.read(buf);
                if (n < 0) {
                    break;
                }
                buf.flip();
                while (buf.hasRemaining()) {
                    to.write(buf);
                }
                bytes.add(n);
                buf.clear();
            }
            to.shutdownOutput();
        } catch (IOException e) {
            abort(); // reset both sides: the flow is broken
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "slirp: TCP flow failed", e);
            abort();
        } finally {
            if (running.decrementAndGet() == 0) {
                closeQuietly();
                onEnd.run();
                ended.countDown();
            }
        }
    }

    private void abort() {
        try {
            guest.setOption(StandardSocketOptions.SO_LINGER, 0);
        } catch (IOException | RuntimeException e) {
            // already closed
        }
        closeQuietly();
    }

    private void closeQuietly() {
        for (Closeable c : new Closeable[] {guest, host}) {
            try {
                c.close();
            } catch (IOException e) {
                // nothing more to do
            }
        }
    }

    /** Waits until both directions have ended (after {@link #close}), at most until {@code deadline} (nanoTime). */
    boolean awaitEnd(long deadline) throws InterruptedException {
        return ended.await(deadline - System.nanoTime(), java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    /** Resets both sides (gateway teardown); the threads then end. */
    @Override
    public void close() {
        abort();
    }
}
