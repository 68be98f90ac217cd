package org.jioth.jnet.time;

/**
 * A one-shot timer of a {@link TimerHeap}: armed with a deadline, it runs its action on the loop
 * when the clock reaches it. Re-arming or cancelling is O(log n) and allocates nothing, so
 * protocol objects keep one Timer each and reuse it.
 */
public final class Timer {
    final Runnable action;
    long deadline;
    /** Position in the heap, or -1 when not armed. */
    int index = -1;

    public Timer(Runnable action) {
        this.action = action;
    }

    public boolean isArmed() {
        return index >= 0;
    }

    /** The deadline this timer was last armed with. */
    public long deadline() {
        return deadline;
    }
}
