package org.jioth.jnet;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * A bulk transfer of {@link Pattern} bytes whose two ends are {@link VirtualTimeDriver.Step}s on
 * non-blocking channels (one read or write per step): the writer connects, writes everything and shuts its output; the reader
 * accepts, checks every byte and completes {@link #received} with the virtual time it took, at EOF.
 * Driven this way the run is a function of the seeds (the same frames, losses and virtual end).
 */
final class DrivenTransfer implements AutoCloseable {
    final CompletableFuture<Duration> received = new CompletableFuture<>();
    final CompletableFuture<Void> sent = new CompletableFuture<>();
    private final VirtualTimeDriver driver;
    private final long total;
    private final Duration start;
    private final ServerSocketChannel listener;
    private final SocketChannel writer;
    private SocketChannel reader;

    /** What {@link #describe} said at the instant the reader saw EOF, between two events. */
    volatile String atEnd;
    private final Supplier<String> describe;

    DrivenTransfer(VirtualTimeDriver driver, JnetStack from, JnetStack to, InetSocketAddress at, long total)
            throws IOException {
        this(driver, from, to, at, total, () -> "");
    }

    /** As above; {@code describe} is asked for {@link #atEnd} (the clock still stands then). */
    DrivenTransfer(VirtualTimeDriver driver, JnetStack from, JnetStack to, InetSocketAddress at, long total,
            Supplier<String> describe) throws IOException {
        this.driver = driver;
        this.describe = describe;
        this.total = total;
        this.start = driver.now();
        listener = to.provider().openServerSocketChannel();
        listener.bind(new InetSocketAddress(at.getPort()));
        listener.configureBlocking(false);
        writer = from.provider().openSocketChannel();
        writer.configureBlocking(false);
        driver.drive(new Reader());
        driver.drive(new Writer(at));
    }

    private final class Reader implements VirtualTimeDriver.Step {
        private final byte[] in = new byte[Pattern.CHUNK];
        private final byte[] expected = new byte[Pattern.CHUNK];
        private final ByteBuffer buf = ByteBuffer.wrap(in);
        private long got;

        @Override
        public boolean step() throws IOException {
            if (received.isDone()) {
                return false;
            }
            if (reader == null) {
                reader = listener.accept();
                if (reader == null) {
                    return false;
                }
                reader.configureBlocking(false);
            }
            int n = reader.read(buf.clear());
            if (n > 0) {
                Pattern.fill(expected, n, got);
                int bad = Arrays.mismatch(in, 0, n, expected, 0, n);
                if (bad >= 0) {
                    throw new AssertionError("byte " + (got + bad) + " differs: got " + in[bad] + ", want " + expected[bad]);
                }
                got += n;
                return true;
            }
            if (n < 0) {
                if (got != total) {
                    throw new AssertionError("EOF after " + got + " of " + total + " bytes");
                }
                atEnd = describe.get();
                received.complete(driver.now().minus(start));
                return true;
            }
            return false;
        }
    }

    private final class Writer implements VirtualTimeDriver.Step {
        private final InetSocketAddress to;
        private final byte[] chunk = new byte[Pattern.CHUNK];
        private final ByteBuffer out = ByteBuffer.wrap(chunk).limit(0);
        private long filled;
        private boolean connecting;

        Writer(InetSocketAddress to) {
            this.to = to;
        }

        @Override
        public boolean step() throws IOException {
            if (sent.isDone()) {
                return false;
            }
            if (!connecting) {
                connecting = true;
                writer.connect(to);
                return true;
            }
            if (!writer.isConnected()) {
                return writer.finishConnect();
            }
            if (!out.hasRemaining()) {
                if (filled == total) {
                    writer.shutdownOutput();
                    sent.complete(null);
                    return true;
                }
                int n = (int) Math.min(chunk.length, total - filled);
                Pattern.fill(chunk, n, filled);
                filled += n;
                out.clear().limit(n);
            }
            return writer.write(out) > 0;
        }
    }

    @Override
    public void close() throws IOException {
        try (listener; writer) {
            if (reader != null) {
                reader.close();
            }
        }
    }
}
