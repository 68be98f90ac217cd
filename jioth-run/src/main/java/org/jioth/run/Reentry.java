package org.jioth.run;

/**
 * Marks the threads that are already inside the JVM-wide provider or building the stack. A channel
 * asked for on such a thread is one the stack itself needs (the kernel plug-in wraps
 * {@code SelectorProvider.provider()}, a {@code udp://} VNL opens a host socket): it must come from
 * the JDK, not from the stack again.
 */
final class Reentry {
    private static final ThreadLocal<int[]> DEPTH = ThreadLocal.withInitial(() -> new int[1]);

    private Reentry() {
    }

    static boolean inside() {
        return DEPTH.get()[0] > 0;
    }

    static void enter() {
        DEPTH.get()[0]++;
    }

    static void exit() {
        DEPTH.get()[0]--;
    }
}
