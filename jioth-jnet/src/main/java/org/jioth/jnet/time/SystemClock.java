package org.jioth.jnet.time;

/** Real time: {@link System#nanoTime()}. */
public final class SystemClock implements Clock {
    public static final SystemClock INSTANCE = new SystemClock();

    private SystemClock() {
    }

    @Override
    public long nanos() {
        return System.nanoTime();
    }

    @Override
    public long realNanosUntil(long deadline) {
        if (deadline == Long.MAX_VALUE) {
            return Long.MAX_VALUE; // nothing armed: sleep until woken
        }
        return Math.max(0, deadline - System.nanoTime());
    }

    @Override
    public String toString() {
        return "system clock";
    }
}
