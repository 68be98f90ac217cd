package org.jioth.jnet.tcp;

/**
 * Earliest-departure-time pacing: each segment may leave at {@link #departure()}, which every
 * send moves on by its length at the pacing rate. A short burst (about a millisecond's worth,
 * 2 to 8 segments) may leave at once after a pause or a late wake-up, while a window's worth
 * never leaves back to back (a VDE switch port queues ~10 datagrams and drops the rest).
 *
 * <p>A sender the pacer held back that comes back late (the loop's timer fired late: on a busy
 * machine a thread's wake-up is often a millisecond or more behind) keeps the time it missed, up
 * to {@link #CATCH_UP_NANOS}, and sends at once what the rate allowed since its departure time
 * and the allowance, at most {@link #LATE_BURST_BYTES}. Forfeiting it cost 20-30 % of the rate
 * through wirefilter at load 9-12 (7,000-10,000 waits per 32 MiB, 150 µs late on average); a
 * catch-up only in bursts of the allowance (8 segments) still held a sender whose every wake-up
 * was a millisecond late (load 10-15) to 42 % of its rate. Linux paces from kernel timers, sends
 * about a millisecond's worth per departure and also shortens the next gap after
 * a late send (its "OS jitter" credit). A sender that was held by anything else (cwnd, the
 * application) earns no catch-up: that time was not the pacer's. State only; the connection arms
 * a loop timer for the departure time. Nothing is allocated per segment. Whether a connection
 * paces at all on its path: {@link PacingPolicy}.
 */
final class Pacer {
    static final long NANOS = 1_000_000_000L;
    /** The burst allowance: a millisecond at the pacing rate (as Linux's pacing shift 10). */
    static final long BURST_NANOS = 1_000_000L;
    static final int MIN_BURST_SEGMENTS = 2;
    static final int MAX_BURST_SEGMENTS = 8;
    /** How much departure time a late wake-up may make up for (a few scheduler slices). */
    static final long CATCH_UP_NANOS = 4_000_000L;
    /**
     * The most a late sender sends at once: 32 KB, half of the largest departure Linux makes (a
     * GSO segment of 64 KB; its pacing sends about a millisecond's worth at a time). Less, and a
     * sender whose every wake-up is a millisecond late (a loaded machine) is held to a fraction of
     * its rate: 8 segments a wake-up kept 42 % of 30 MB/s. With 64 KB, at 1 % loss through
     * wirefilter (where the rate is highest, 40-70 MB/s) a transfer retransmitted 2.4x what the base
     * did under load, with 32 KB 1.7x in the one round measured: bursts meeting the switch's queue
     * toward wirefilter, and a sender that now keeps a rate the model sets too high at times
     * (docs/benchmarks.md, lane loss's sixth round).
     */
    static final long LATE_BURST_BYTES = 32_768L;

    /** Bytes per second; 0 = unpaced. */
    private long rate;
    /** The rate's departure time: may lag behind now by what a late sender has yet to catch up. */
    private long next;
    /** The earliest departure whatever the lag: bounds bursts to the allowance, catching up at twice the rate. */
    private long floor;
    private boolean started;
    /** The pacer said no since the last departure: the next one comes after waiting for it. */
    private boolean held;
    /**
     * The lag is the pacer's debt: the sender came back from a wait on it. Forgiven when the
     * sender comes back at a later time without having been held (something else stopped it).
     */
    private boolean owed;
    private long lastSent;
    /** Departure time forfeited because a sender came later than the catch-up allows (diagnosis). */
    private long forfeitedNanos;
    private long waits;
    private long wakeLateNanos;

    void setRate(long bytesPerSecond) {
        rate = Math.max(0, bytesPerSecond);
    }

    long rate() {
        return rate;
    }

    /** Whether a segment may leave at {@code now}. */
    boolean mayDepart(long now) {
        boolean may = rate == 0 || !started || next - now <= 0 && floor - now <= 0;
        if (may) {
            if (held) {
                owed = true;
            } else if (now != lastSent) {
                owed = false;
            }
            held = false;
        } else {
            held = true;
        }
        return may;
    }

    /** When the next segment may leave (meaningful when {@link #mayDepart} said no). */
    long departure() {
        return next - floor >= 0 ? next : floor;
    }

    /** {@code bytes} left at {@code now}: the next departure moves on by their time at the rate. */
    void sent(int bytes, int smss, long now) {
        if (rate == 0 || bytes <= 0) {
            return;
        }
        long burstBytes = Math.clamp(rate * BURST_NANOS / NANOS, (long) MIN_BURST_SEGMENTS * smss,
                (long) MAX_BURST_SEGMENTS * smss);
        long burst = burstBytes * NANOS / rate;
        long gap = bytes * NANOS / rate;
        boolean late = owed && started;
        // a departure time lagging behind now by more than this is not credit to spend
        long credit = late ? Math.max(burst, CATCH_UP_NANOS) : burst;
        long base = started && next - (now - credit) > 0 ? next : now - credit;
        if (late && now != lastSent) {
            waits++;
            wakeLateNanos += Math.max(0, now - next);
            forfeitedNanos += Math.max(0, base - next);
        }
        lastSent = now;
        // a late sender may send at once what the rate allowed since its departure time and the
        // allowance beyond it, up to LATE_BURST_BYTES; others just the allowance
        long lag = late ? Math.max(0, now - base) : 0;
        long allowance = Math.max(burst, Math.min(burst + lag, LATE_BURST_BYTES * NANOS / rate));
        long floorBase = started && floor - (now - allowance / 2) > 0 ? floor : now - allowance / 2;
        started = true;
        next = base + gap;
        floor = floorBase + gap / 2;
    }

    /** Pacer waits, their mean lateness and the departure time forfeited, e.g. {@code 7409waits/150us/0ms}. */
    String waitsDescribed() {
        return waits + "waits/" + (waits == 0 ? 0 : wakeLateNanos / waits / 1000) + "us/" + forfeitedNanos / 1_000_000 + "ms";
    }
}
