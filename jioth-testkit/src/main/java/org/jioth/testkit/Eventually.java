package org.jioth.testkit;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Waits for a condition that another thread or process makes true: a peer that logs "ready", a
 * lease file rewritten, a kernel table updated. The deadline is generous on purpose (CI machines
 * run loaded): it bounds a test that would otherwise hang, it is not a measure of speed, and a
 * condition that holds early returns at once.
 */
public final class Eventually {
    /** How long a peer may take on a loaded machine before the test gives up. */
    public static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final long POLL_MILLIS = 50;

    private Eventually() {
    }

    /** A condition to poll; it may throw (a file not written yet counts as not holding). */
    @FunctionalInterface
    public interface Condition {
        boolean holds() throws Exception;
    }

    /** True once {@code c} holds, false if it still does not after {@link #DEADLINE}. */
    public static boolean holds(Condition c) throws InterruptedException {
        return holds(c, DEADLINE);
    }

    /** True once {@code c} holds, false if it still does not after {@code deadline}. */
    public static boolean holds(Condition c, Duration deadline) throws InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        while (true) {
            if (check(c)) {
                return true;
            }
            if (System.nanoTime() - end > 0) {
                return false;
            }
            TimeUnit.MILLISECONDS.sleep(POLL_MILLIS);
        }
    }

    private static boolean check(Condition c) throws InterruptedException {
        try {
            return c.holds();
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            return false;
        }
    }
}
