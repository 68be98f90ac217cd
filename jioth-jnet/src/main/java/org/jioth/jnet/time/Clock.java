package org.jioth.jnet.time;

/**
 * The time every protocol timer of a stack reads. Nanoseconds from an arbitrary origin, never
 * decreasing. A stack never reads {@link System#nanoTime()} itself, so a {@link ManualClock} makes
 * runs reproducible and long back-offs instant.
 */
public interface Clock {

    /** Now, in nanoseconds from this clock's origin. */
    long nanos();

    /**
     * How long (real nanoseconds) a loop with nothing to do may sleep before the clock reaches
     * {@code deadline}; {@link Long#MAX_VALUE} when only an explicit wake-up can bring it there.
     */
    long realNanosUntil(long deadline);

    /** Registers {@code wakeup} to run whenever the clock jumps forward by other means than real time. */
    default void onAdvance(Runnable wakeup) {
    }

    /** Undoes {@link #onAdvance}. */
    default void removeOnAdvance(Runnable wakeup) {
    }
}
