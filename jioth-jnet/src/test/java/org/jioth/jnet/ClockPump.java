package org.jioth.jnet;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import org.jioth.jnet.time.ManualClock;

/**
 * A platform thread that moves a {@link ManualClock} by {@code step} after every {@code pauseNanos}
 * of real time until closed: stack tests whose channels block (timers must run while a thread
 * waits) on a clock that stays virtual, and faster than a real one.
 */
final class ClockPump implements AutoCloseable {
    private final Thread thread;
    private volatile boolean pumping = true;

    ClockPump(ManualClock clock, Duration step, long pauseNanos) {
        thread = Thread.ofPlatform().daemon().name("clock pump").start(() -> {
            while (pumping) {
                clock.advance(step);
                LockSupport.parkNanos(pauseNanos);
            }
        });
    }

    /** Stops the pump and waits for its thread to end. */
    @Override
    public void close() throws InterruptedException {
        pumping = false;
        thread.join();
    }
}
