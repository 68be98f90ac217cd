package org.jioth.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The three TCP measurements between a client stack and a server stack. Each is bounded by a
 * time and a count; the server side runs on virtual threads; a {@link Watchdog} closes the
 * channels if a stack hangs well past the time.
 */
public final class TcpMeasurements {
    /** How long past its time a measurement may hang before its channels are closed. */
    static final Duration GRACE = Duration.ofSeconds(30);
    private static final int CHUNK = 256 * 1024;

    /** {@code bytes} received in {@code seconds} after the warm-up. */
    public record Bulk(long bytes, double seconds) {
        public double gigabitsPerSecond() {
            return bytes * 8 / seconds / 1e9;
        }
    }

    /** {@code count} timed 1-byte round trips. */
    public record RoundTrips(int count, double medianMicros, double p99Micros) {
    }

    /** {@code count} connections opened and closed in {@code seconds} after the warm-up. */
    public record Churn(int count, double seconds) {
        public double perSecond() {
            return count / seconds;
        }
    }

    private final SelectorProvider client;
    private final SelectorProvider server;
    private final InetAddress serverAddress;
    private final Duration time;

    TcpMeasurements(SelectorProvider client, SelectorProvider server, InetAddress serverAddress, Duration time) {
        this.client = client;
        this.server = server;
        this.serverAddress = serverAddress;
        this.time = time;
    }

    /**
     * One connection, client to server, {@value #CHUNK}-byte writes until {@code maxBytes} or the
     * time. Counted at the receiver, which starts the clock after an eighth of the time or of the
     * bytes, so connection set-up and slow start are not in the figure.
     */
    Bulk bulk(long maxBytes) throws IOException, InterruptedException {
        long warmNanos = time.toNanos() / 8;
        long warmBytes = maxBytes / 8;
        try (Watchdog dog = new Watchdog("bulk", time.plus(GRACE));
                ServerSocketChannel listener = dog.watch(listen(1))) {
            CompletableFuture<Bulk> received = new CompletableFuture<>();
            Thread.ofVirtual().name("bench-bulk-sink").start(() -> {
                try (SocketChannel c = dog.watch(listener.accept())) {
                    ByteBuffer buf = ByteBuffer.allocateDirect(CHUNK);
                    long count = 0;
                    long first = 0;
                    long markTime = 0;
                    long markCount = -1;
                    int n;
                    while ((n = c.read(buf.clear())) >= 0) {
                        long now = System.nanoTime();
                        if (count == 0 && n > 0) {
                            first = now;
                        }
                        count += n;
                        if (markCount < 0 && count > 0 && (now - first >= warmNanos || count >= warmBytes)) {
                            markTime = now;
                            markCount = count;
                        }
                    }
                    long end = System.nanoTime();
                    if (markCount < 0 || end == markTime) {
                        markTime = first;
                        markCount = 0;
                    }
                    received.complete(new Bulk(count - markCount, (end - markTime) / 1e9));
                } catch (Throwable t) {
                    received.completeExceptionally(t);
                }
            });
            try (SocketChannel c = dog.watch(client.openSocketChannel())) {
                c.connect(new InetSocketAddress(serverAddress, port(listener)));
                ByteBuffer chunk = ByteBuffer.allocateDirect(CHUNK);
                long deadline = System.nanoTime() + time.toNanos();
                for (long sent = 0; sent < maxBytes && System.nanoTime() - deadline < 0; sent += CHUNK) {
                    TcpProbes.writeFully(c, chunk.clear());
                }
                c.shutdownOutput();
                return await(received, dog, "bulk"); // closed after the receiver saw the end
            } catch (IOException e) {
                throw dog.fired() ? timedOut("bulk") : e;
            }
        }
    }

    /** 1-byte round trips with TCP_NODELAY: a tenth unreported warm-up, then up to {@code max} timed ones. */
    RoundTrips roundTrips(int max) throws IOException, InterruptedException {
        try (Watchdog dog = new Watchdog("round trips", time.plus(GRACE));
                ServerSocketChannel listener = dog.watch(listen(1))) {
            CompletableFuture<Void> echoed = new CompletableFuture<>();
            Thread.ofVirtual().name("bench-echo").start(() -> {
                try (SocketChannel c = dog.watch(listener.accept())) {
                    noDelay(c);
                    ByteBuffer one = ByteBuffer.allocateDirect(1);
                    while (c.read(one.clear()) > 0) {
                        TcpProbes.writeFully(c, one.flip());
                    }
                    echoed.complete(null);
                } catch (Throwable t) {
                    echoed.completeExceptionally(t);
                }
            });
            long[] samples;
            try (SocketChannel c = dog.watch(client.openSocketChannel())) {
                c.connect(new InetSocketAddress(serverAddress, port(listener)));
                noDelay(c);
                long start = System.nanoTime();
                TcpProbes.roundTripNanos(c, Math.max(1, max / 10), start + time.toNanos() / 10);
                samples = TcpProbes.roundTripNanos(c, max, start + time.toNanos());
            } catch (IOException e) {
                throw dog.fired() ? timedOut("round trips") : e;
            }
            await(echoed, dog, "round trips");
            return new RoundTrips(samples.length, TcpProbes.percentileMicros(samples, 50),
                    TcpProbes.percentileMicros(samples, 99));
        }
    }

    /**
     * Connection churn, one after the other: open, connect, wait for the server's close, close; the
     * server accepts and closes on a virtual thread. A tenth unreported warm-up, then up to
     * {@code max} for the time.
     */
    Churn connections(int max) throws IOException, InterruptedException {
        try (Watchdog dog = new Watchdog("connections", time.plus(GRACE));
                ServerSocketChannel listener = dog.watch(listen(1024))) {
            AtomicLong accepted = new AtomicLong();
            CompletableFuture<Void> acceptor = new CompletableFuture<>();
            Thread.ofVirtual().name("bench-acceptor").start(() -> {
                try {
                    while (true) {
                        listener.accept().close();
                        accepted.incrementAndGet();
                    }
                } catch (ClosedChannelException e) {
                    acceptor.complete(null); // closed by us: done
                } catch (Throwable t) {
                    acceptor.completeExceptionally(t);
                }
            });
            InetSocketAddress to = new InetSocketAddress(serverAddress, port(listener));
            long start = System.nanoTime();
            try {
                churn(to, Math.max(1, max / 10), start + time.toNanos() / 10, dog);
                long t0 = System.nanoTime();
                int n = churn(to, max, t0 + time.toNanos(), dog);
                double seconds = (System.nanoTime() - t0) / 1e9;
                if (acceptor.isCompletedExceptionally()) {
                    await(acceptor, dog, "connections");
                }
                return new Churn(n, seconds);
            } catch (IOException e) {
                throw dog.fired() ? timedOut("connections") : e;
            }
        }
    }

    private int churn(InetSocketAddress to, int max, long deadline, Watchdog dog) throws IOException {
        int n = 0;
        ByteBuffer eof = ByteBuffer.allocate(1);
        while (n < max) {
            SocketChannel c = dog.watch(client.openSocketChannel());
            try (c) {
                c.connect(to);
                // wait for the server's close: the connection was accepted, and TIME_WAIT stays on
                // the server's side instead of holding one of the client's ephemeral ports
                if (c.read(eof.clear()) >= 0) {
                    throw new IOException("the server sent data instead of closing");
                }
            } finally {
                dog.forget(c);
            }
            n++;
            if (System.nanoTime() - deadline > 0) {
                break;
            }
        }
        return n;
    }

    private ServerSocketChannel listen(int backlog) throws IOException {
        ServerSocketChannel s = server.openServerSocketChannel();
        try {
            s.bind(new InetSocketAddress(serverAddress, 0), backlog);
            return s;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    private static int port(ServerSocketChannel s) throws IOException {
        return ((InetSocketAddress) s.getLocalAddress()).getPort();
    }

    private static void noDelay(SocketChannel c) {
        try {
            c.setOption(StandardSocketOptions.TCP_NODELAY, true);
        } catch (IOException | UnsupportedOperationException e) {
            // a stack without the option measures what it has
        }
    }

    private <T> T await(CompletableFuture<T> f, Watchdog dog, String what) throws IOException, InterruptedException {
        try {
            return f.get(time.plus(GRACE).toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw timedOut(what);
        } catch (ExecutionException e) {
            if (dog.fired()) {
                throw timedOut(what);
            }
            Throwable cause = e.getCause();
            throw cause instanceof IOException io ? io : new IOException(what + ": the server side failed: " + cause, cause);
        }
    }

    private IOException timedOut(String what) {
        return new IOException(what + " did not finish within " + time.plus(GRACE).toSeconds() + " s");
    }
}
