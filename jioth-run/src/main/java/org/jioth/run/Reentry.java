package org.jioth.run;

/**
 * Marks the threads that are already inside the JVM-wide provider or building the stack. A channel
 * asked for on such a thread is one the stack itself needs (the kernel plug-in wraps
 * {@code SelectorProvider.provider()}, a {@code udp://} VNL opens a host socket): it must come from
 * the JDK, not from the stack again.
 *
 * <p>Threads started while the stack is being built are the stack's own (for example the platform
 * thread of {@code vdestack,jdk} that opens every socket inside the stack's namespace, with the
 * provider it captured): they inherit the mark for their whole life, so their requests go to the
 * JDK as well instead of waiting on themselves.
 */
final class Reentry {
    private static final InheritableThreadLocal<int[]> DEPTH = new InheritableThreadLocal<>() {
        @Override
        protected int[] initialValue() {
            return new int[1];
        }

        @Override
        protected int[] childValue(int[] parent) {
            return new int[] {parent[0]}; // a copy: each thread counts its own depth
        }
    };

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
