package org.jioth.vde.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits until a condition holds (no fixed sleeps as synchronisation). */
public final class Await {
    private Await() {
    }

    public static boolean until(BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(10);
        }
        return condition.getAsBoolean();
    }
}
