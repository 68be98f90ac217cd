package org.jioth.bench;

import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Bounds a measurement in time even when a stack hangs: after {@code limit} it closes what it
 * watches, which wakes any thread blocked on those channels. Closing the watchdog cancels it.
 */
final class Watchdog implements AutoCloseable {
    private final List<Closeable> watched = new CopyOnWriteArrayList<>();
    private final Thread timer;
    private volatile boolean fired;

    Watchdog(String what, Duration limit) {
        timer = Thread.ofVirtual().name("bench-watchdog " + what).start(() -> {
            try {
                Thread.sleep(limit);
            } catch (InterruptedException e) {
                return; // cancelled
            }
            fired = true;
            for (Closeable c : watched) {
                try {
                    c.close();
                } catch (IOException e) {
                    // closing only to wake the blocked thread
                }
            }
        });
    }

    /** Adds {@code c} to what is closed when the limit passes; returns it. */
    <C extends Closeable> C watch(C c) {
        watched.add(c);
        return c;
    }

    /** Stops watching {@code c} (it is closed by its owner). */
    void forget(Closeable c) {
        watched.remove(c);
    }

    boolean fired() {
        return fired;
    }

    @Override
    public void close() {
        timer.interrupt();
    }
}
