package org.jioth.jnet.icmp;

/** A token bucket on the stack clock: {@code perSecond} tokens a second, at most {@code burst} saved. */
public final class RateLimiter {
    private final long nanosPerToken;
    private final int burst;
    private long tokens;
    private long last;
    private boolean started;

    public RateLimiter(int perSecond, int burst) {
        this.nanosPerToken = 1_000_000_000L / perSecond;
        this.burst = burst;
        this.tokens = burst;
    }

    /** Takes a token if one is there. */
    public boolean tryAcquire(long now) {
        if (!started) {
            started = true;
            last = now;
        }
        long earned = (now - last) / nanosPerToken;
        if (earned > 0) {
            tokens = Math.min(burst, tokens + earned);
            last += earned * nanosPerToken;
        }
        if (tokens > 0) {
            tokens--;
            return true;
        }
        return false;
    }
}
