package org.jioth.slirp;

/**
 * The pause before retrying an operation whose error keeps coming back: 1 ms, doubling up to 1 s,
 * back to the start after a success; and which repeats of the error deserve a log line (the 1st,
 * 2nd, 4th, 8th...), so a persistent error neither spins a thread nor floods the log.
 */
final class RetryBackoff {
    static final long FIRST_NANOS = 1_000_000L;
    static final long MAX_NANOS = 1_000_000_000L;

    private long pauseNanos;
    private long failures;

    /** Records one more failure in a row; returns how long to wait before retrying. */
    long failed() {
        failures++;
        pauseNanos = pauseNanos == 0 ? FIRST_NANOS : Math.min(pauseNanos * 2, MAX_NANOS);
        return pauseNanos;
    }

    /** Whether the latest failure should be logged: the failure count is a power of two. */
    boolean shouldLog() {
        return failures > 0 && Long.bitCount(failures) == 1;
    }

    /** Failures in a row so far. */
    long failures() {
        return failures;
    }

    /** The operation worked: the next failure starts again from the shortest pause. */
    void succeeded() {
        pauseNanos = 0;
        failures = 0;
    }
}
