package org.jioth.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.Arrays;

/**
 * The figures {@code ioth demo} prints, measured on a connected blocking channel to an echo server:
 * timed 1-byte round trips and the echo's throughput. (The benchmarks have their own, bounded in
 * time, in jioth-bench.)
 */
final class DemoProbes {
    private static final int CHUNK = 64 * 1024;

    private DemoProbes() {
    }

    static void writeFully(SocketChannel c, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            c.write(b);
        }
    }

    static void readFully(SocketChannel c, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            if (c.read(b) < 0) {
                throw new IOException("connection closed early");
            }
        }
    }

    /** {@code n} 1-byte round trips; the durations in nanoseconds, sorted. */
    static long[] roundTripNanos(SocketChannel c, int n) throws IOException {
        ByteBuffer one = ByteBuffer.allocateDirect(1);
        long[] ns = new long[n];
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            one.clear().put((byte) i).flip();
            writeFully(c, one);
            one.clear();
            readFully(c, one);
            ns[i] = System.nanoTime() - t0;
        }
        Arrays.sort(ns);
        return ns;
    }

    /** The {@code percent} percentile of sorted nanoseconds, in microseconds (50: the median). */
    static double percentileMicros(long[] sortedNanos, int percent) {
        if (sortedNanos.length == 0) {
            return Double.NaN;
        }
        int i = Math.min(sortedNanos.length - 1, (int) ((long) sortedNanos.length * percent / 100));
        return sortedNanos[i] / 1000.0;
    }

    /** Pushes {@code bytes} through the echo and reads them back; Gbit/s in one direction. */
    static double echoGigabitsPerSecond(SocketChannel c, long bytes) throws IOException, InterruptedException {
        Thread writer = Thread.ofVirtual().name("echo-writer").start(() -> {
            ByteBuffer chunk = ByteBuffer.allocateDirect(CHUNK);
            long left = bytes;
            try {
                while (left > 0) {
                    chunk.clear().limit((int) Math.min(chunk.capacity(), left));
                    left -= chunk.remaining();
                    writeFully(c, chunk);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        long t0 = System.nanoTime();
        ByteBuffer in = ByteBuffer.allocateDirect(CHUNK);
        long got = 0;
        while (got < bytes) {
            int n = c.read(in.clear());
            if (n < 0) {
                throw new IOException("echo closed after " + got + " of " + bytes + " bytes");
            }
            got += n;
        }
        long elapsed = System.nanoTime() - t0;
        writer.join();
        return bytes * 8.0 / elapsed;
    }
}
