package org.jioth.jnet.time;

import java.time.Duration;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Virtual time for tests: stands still until {@link #advance}d. Loops using it sleep until a task or
 * an advance wakes them, so timers fire exactly when the test moves the clock.
 */
public final class ManualClock implements Clock {
    private volatile long now;
    private final CopyOnWriteArrayList<Runnable> listeners = new CopyOnWriteArrayList<>();

    public ManualClock() {
        this(0);
    }

    public ManualClock(long startNanos) {
        this.now = startNanos;
    }

    @Override
    public long nanos() {
        return now;
    }

    @Override
    public long realNanosUntil(long deadline) {
        return deadline <= now ? 0 : Long.MAX_VALUE;
    }

    /** Moves time forward and wakes every loop on this clock. */
    public void advance(Duration d) {
        if (d.isNegative()) {
            throw new IllegalArgumentException("time only moves forward: " + d);
        }
        synchronized (this) {
            now += d.toNanos();
        }
        for (Runnable r : listeners) {
            r.run();
        }
    }

    @Override
    public void onAdvance(Runnable wakeup) {
        listeners.add(wakeup);
    }

    @Override
    public void removeOnAdvance(Runnable wakeup) {
        listeners.remove(wakeup);
    }

    @Override
    public String toString() {
        return "manual clock at " + Duration.ofNanos(now);
    }
}
