package org.jioth.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.Arrays;

/**
 * Small TCP probes on a connected blocking channel, shared by the benchmark's client and server
 * sides: full writes and reads, and timed 1-byte round trips against an echo, bounded in time.
 */
public final class TcpProbes {
    private TcpProbes() {
    }

    public static void writeFully(SocketChannel c, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            c.write(b);
        }
    }

    public static void readFully(SocketChannel c, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            if (c.read(b) < 0) {
                throw new IOException("connection closed early");
            }
        }
    }

    /**
     * Up to {@code n} 1-byte round trips against a peer that echoes, stopping early once
     * {@code deadlineNanos} ({@link System#nanoTime()}) has passed (after at least one); the sorted
     * durations in nanoseconds.
     */
    public static long[] roundTripNanos(SocketChannel c, int n, long deadlineNanos) throws IOException {
        return roundTrips(c, n, deadlineNanos);
    }

    private static long[] roundTrips(SocketChannel c, int n, long deadlineNanos) throws IOException {
        ByteBuffer one = ByteBuffer.allocateDirect(1);
        long[] ns = new long[n];
        int done = 0;
        while (done < n) {
            long t0 = System.nanoTime();
            one.clear().put((byte) done).flip();
            writeFully(c, one);
            one.clear();
            readFully(c, one);
            long t1 = System.nanoTime();
            ns[done++] = t1 - t0;
            if (t1 - deadlineNanos > 0) {
                break;
            }
        }
        long[] taken = Arrays.copyOf(ns, done);
        Arrays.sort(taken);
        return taken;
    }

    /** The {@code percent} percentile of sorted nanoseconds, in microseconds (50: the median). */
    public static double percentileMicros(long[] sortedNanos, int percent) {
        if (sortedNanos.length == 0) {
            return Double.NaN;
        }
        int i = Math.min(sortedNanos.length - 1, (int) ((long) sortedNanos.length * percent / 100));
        return sortedNanos[i] / 1000.0;
    }
}
