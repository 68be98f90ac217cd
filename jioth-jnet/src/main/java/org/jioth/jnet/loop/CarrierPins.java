package org.jioth.jnet.loop;

import java.util.concurrent.Semaphore;

/**
 * How many virtual threads, JVM-wide, may block in a system call in a sleeping loop's place
 * ({@link StackLoop#waitAsLoop}): such a thread pins its carrier, so at most the scheduler's
 * parallelism minus one may, and one carrier always runs every other virtual thread. With one
 * carrier (parallelism 1) none may: they park as before.
 */
final class CarrierPins {
    private static final Semaphore PINS = new Semaphore(Math.max(0, parallelism() - 1));

    private CarrierPins() {
    }

    static boolean tryPin() {
        return PINS.tryAcquire();
    }

    static void unpin() {
        PINS.release();
    }

    /** The virtual thread scheduler's parallelism as the JDK sets it (its property, else the CPU count). */
    static int parallelism() {
        Integer p = Integer.getInteger("jdk.virtualThreadScheduler.parallelism");
        return p != null && p > 0 ? p : Runtime.getRuntime().availableProcessors();
    }
}
