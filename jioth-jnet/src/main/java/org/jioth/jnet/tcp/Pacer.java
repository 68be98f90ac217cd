package org.jioth.jnet.tcp;

/**
 * Earliest-departure-time pacing: each segment may leave at {@link #departure()}, which every
 * send moves on by its length at the pacing rate. A short burst (about a millisecond's worth,
 * 2 to 8 segments) may leave at once after a pause or a late wake-up, so the loop's timer
 * latency does not lower the rate, while a window's worth never leaves back to back (a VDE
 * switch port queues ~10 datagrams and drops the rest). State only; the connection arms a
 * loop timer for the departure time. Nothing is allocated per segment.
 */
final class Pacer {
    static final long NANOS = 1_000_000_000L;
    /** The burst allowance: a millisecond at the pacing rate (as Linux's pacing shift 10). */
    static final long BURST_NANOS = 1_000_000L;
    static final int MIN_BURST_SEGMENTS = 2;
    static final int MAX_BURST_SEGMENTS = 8;

    /** Bytes per second; 0 = unpaced. */
    private long rate;
    private long next;
    private boolean started;

    void setRate(long bytesPerSecond) {
        rate = Math.max(0, bytesPerSecond);
    }

    long rate() {
        return rate;
    }

    /** Whether a segment may leave at {@code now}. */
    boolean mayDepart(long now) {
        return rate == 0 || !started || next - now <= 0;
    }

    /** When the next segment may leave (meaningful when {@link #mayDepart} said no). */
    long departure() {
        return next;
    }

    /** {@code bytes} left at {@code now}: the next departure moves on by their time at the rate. */
    void sent(int bytes, int smss, long now) {
        if (rate == 0 || bytes <= 0) {
            return;
        }
        long burstBytes = Math.clamp(rate * BURST_NANOS / NANOS, (long) MIN_BURST_SEGMENTS * smss,
                (long) MAX_BURST_SEGMENTS * smss);
        long burst = burstBytes * NANOS / rate;
        // a departure time lagging behind now by more than a burst is not credit to spend
        long base = started && next - (now - burst) > 0 ? next : now - burst;
        started = true;
        next = base + bytes * NANOS / rate;
    }
}
