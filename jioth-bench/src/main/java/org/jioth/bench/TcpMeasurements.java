package org.jioth.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.time.Duration;

/**
 * The three TCP measurements from a client stack to the {@link TcpServers} of a server stack (in
 * this JVM or another process). Each is bounded by a time and a count; a {@link Watchdog} closes
 * the client's channels if a stack hangs well past the time. Everything here runs on the calling
 * thread, so a thread moved into a network namespace measures from there.
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
    private final InetAddress serverAddress;
    private final TcpServers.Ports ports;
    private final Duration time;

    /** Measures from {@code client} against {@link TcpServers} listening on {@code serverAddress}. */
    TcpMeasurements(SelectorProvider client, InetAddress serverAddress, TcpServers.Ports ports, Duration time) {
        this.client = client;
        this.serverAddress = serverAddress;
        this.ports = ports;
        this.time = time;
    }

    /** The same measurements bounded by another time (for a warm-up). */
    TcpMeasurements withTime(Duration other) {
        return new TcpMeasurements(client, serverAddress, ports, other);
    }

    /**
     * One connection, client to server, {@value #CHUNK}-byte writes until {@code maxBytes} or the
     * time. Counted at the receiver, which starts the clock after an eighth of the time or of the
     * bytes, so connection set-up and slow start are not in the figure.
     */
    Bulk bulk(long maxBytes) throws IOException {
        try (Watchdog dog = new Watchdog("bulk", time.plus(GRACE));
                SocketChannel c = dog.watch(client.openSocketChannel())) {
            try {
                c.connect(new InetSocketAddress(serverAddress, ports.sink()));
                ByteBuffer header = ByteBuffer.allocate(TcpServers.HEADER);
                TcpProbes.writeFully(c, header.putLong(time.toNanos() / 8).putLong(maxBytes / 8).flip());
                ByteBuffer chunk = ByteBuffer.allocateDirect(CHUNK);
                long deadline = System.nanoTime() + time.toNanos();
                for (long sent = 0; sent < maxBytes && System.nanoTime() - deadline < 0; sent += CHUNK) {
                    TcpProbes.writeFully(c, chunk.clear());
                }
                c.shutdownOutput();
                TcpProbes.readFully(c, header.clear()); // the receiver's count, sent once it saw the end
                return new Bulk(header.getLong(0), header.getLong(8) / 1e9);
            } catch (IOException e) {
                throw dog.fired() ? timedOut("bulk") : e;
            }
        }
    }

    /** 1-byte round trips with TCP_NODELAY: a tenth unreported warm-up, then up to {@code max} timed ones. */
    RoundTrips roundTrips(int max) throws IOException {
        long[] samples;
        try (Watchdog dog = new Watchdog("round trips", time.plus(GRACE));
                SocketChannel c = dog.watch(client.openSocketChannel())) {
            try {
                c.connect(new InetSocketAddress(serverAddress, ports.echo()));
                TcpServers.noDelay(c);
                long start = System.nanoTime();
                TcpProbes.roundTripNanos(c, Math.max(1, max / 10), start + time.toNanos() / 10);
                samples = TcpProbes.roundTripNanos(c, max, start + time.toNanos());
            } catch (IOException e) {
                throw dog.fired() ? timedOut("round trips") : e;
            }
        }
        return new RoundTrips(samples.length, TcpProbes.percentileMicros(samples, 50), TcpProbes.percentileMicros(samples, 99));
    }

    /**
     * Connection churn, one after the other: open, connect, one 1-byte request and its 1-byte
     * response, wait for the server's close, close. A tenth unreported warm-up, then up to {@code max} for the time.
     */
    Churn connections(int max) throws IOException {
        try (Watchdog dog = new Watchdog("connections", time.plus(GRACE))) {
            InetSocketAddress to = new InetSocketAddress(serverAddress, ports.churn());
            long start = System.nanoTime();
            try {
                churn(to, Math.max(1, max / 10), start + time.toNanos() / 10, dog);
                long t0 = System.nanoTime();
                int n = churn(to, max, t0 + time.toNanos(), dog);
                return new Churn(n, (System.nanoTime() - t0) / 1e9);
            } catch (IOException e) {
                throw dog.fired() ? timedOut("connections") : e;
            }
        }
    }

    private int churn(InetSocketAddress to, int max, long deadline, Watchdog dog) throws IOException {
        int n = 0;
        ByteBuffer one = ByteBuffer.allocate(1);
        while (n < max) {
            SocketChannel c = dog.watch(client.openSocketChannel());
            try (c) {
                c.connect(to);
                TcpProbes.writeFully(c, one.clear().put((byte) n).flip()); // one request
                TcpProbes.readFully(c, one.clear()); // one response
                // wait for the server's close: TIME_WAIT stays on the server's side instead of
                // holding one of the client's ephemeral ports
                if (c.read(one.clear()) >= 0) {
                    throw new IOException("the server sent more than its response instead of closing");
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

    /**
     * One connection, server to client: the server writes until the time or {@code maxBytes}, then
     * closes. Counted here, at the receiver, from an eighth of the time on (set-up and slow start
     * are not in the figure).
     */
    Bulk bulkFromServer(long maxBytes) throws IOException {
        try (Watchdog dog = new Watchdog("bulk from the server", time.plus(GRACE));
                SocketChannel c = dog.watch(client.openSocketChannel())) {
            try {
                c.connect(new InetSocketAddress(serverAddress, ports.source()));
                ByteBuffer header = ByteBuffer.allocate(TcpServers.HEADER);
                TcpProbes.writeFully(c, header.putLong(time.toNanos()).putLong(maxBytes).flip());
                return countUntilEof(c, time.toNanos() / 8);
            } catch (IOException e) {
                throw dog.fired() ? timedOut("bulk from the server") : e;
            }
        }
    }

    /**
     * Full-duplex echo streaming: one thread writes {@value #CHUNK}-byte chunks for the time (or
     * {@code maxBytes}) and half-closes while this one reads the echo back to EOF; the figure is
     * the bytes echoed per second from an eighth of the time on (one direction; the same bytes
     * also went the other way).
     */
    Bulk echoStream(long maxBytes) throws IOException {
        try (Watchdog dog = new Watchdog("echo streaming", time.plus(GRACE));
                SocketChannel c = dog.watch(client.openSocketChannel())) {
            try {
                c.connect(new InetSocketAddress(serverAddress, ports.stream()));
                long deadline = System.nanoTime() + time.toNanos();
                java.util.concurrent.atomic.AtomicReference<IOException> failed = new java.util.concurrent.atomic.AtomicReference<>();
                Thread writer = Thread.ofVirtual().name("echo-stream-writer").start(() -> {
                    ByteBuffer chunk = ByteBuffer.allocateDirect(CHUNK);
                    try {
                        for (long sent = 0; sent < maxBytes && System.nanoTime() - deadline < 0; sent += CHUNK) {
                            TcpProbes.writeFully(c, chunk.clear());
                        }
                        c.shutdownOutput();
                    } catch (IOException e) {
                        failed.set(e);
                    }
                });
                Bulk b = countUntilEof(c, time.toNanos() / 8);
                writer.join(GRACE.toMillis());
                if (failed.get() != null) {
                    throw failed.get();
                }
                return b;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            } catch (IOException e) {
                throw dog.fired() ? timedOut("echo streaming") : e;
            }
        }
    }

    /** Reads to EOF; the bytes after {@code warmNanos} from the first byte, and the time they took. */
    private static Bulk countUntilEof(SocketChannel c, long warmNanos) throws IOException {
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
            if (markCount < 0 && count > 0 && now - first >= warmNanos) {
                markTime = now;
                markCount = count;
            }
        }
        long end = System.nanoTime();
        if (markCount < 0 || end == markTime) {
            markTime = first;
            markCount = 0;
        }
        return new Bulk(count - markCount, (end - markTime) / 1e9);
    }

    private IOException timedOut(String what) {
        return new IOException(what + " did not finish within " + time.plus(GRACE).toSeconds() + " s");
    }
}
