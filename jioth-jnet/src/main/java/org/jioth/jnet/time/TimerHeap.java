package org.jioth.jnet.time;

import java.util.Arrays;

/**
 * The timers of one stack loop: a binary min-heap on deadline with each {@link Timer} knowing its
 * slot. Not thread-safe: only the loop touches it.
 */
public final class TimerHeap {
    private Timer[] heap = new Timer[8]; // grows by doubling; an idle stack arms none
    private int size;

    /** Arms (or re-arms) {@code t} to fire at {@code deadline}. */
    public void schedule(Timer t, long deadline) {
        if (t.index >= 0) {
            long old = t.deadline;
            t.deadline = deadline;
            if (deadline - old < 0) {
                up(t.index);
            } else {
                down(t.index);
            }
            return;
        }
        if (size == heap.length) {
            heap = Arrays.copyOf(heap, size * 2);
        }
        t.deadline = deadline;
        t.index = size;
        heap[size++] = t;
        up(t.index);
    }

    /** Disarms {@code t}; nothing when it is not armed. */
    public void cancel(Timer t) {
        int i = t.index;
        if (i < 0) {
            return;
        }
        t.index = -1;
        Timer last = heap[--size];
        heap[size] = null;
        if (i < size) {
            heap[i] = last;
            last.index = i;
            up(i);
            down(last.index);
        }
    }

    /** The earliest deadline, or {@link Long#MAX_VALUE} when nothing is armed. */
    public long nextDeadline() {
        return size == 0 ? Long.MAX_VALUE : heap[0].deadline;
    }

    public int size() {
        return size;
    }

    /**
     * Runs every timer due at {@code now}, earliest first; a timer armed again by its own action
     * for a time not after {@code now} runs again in the same call. Returns how many ran.
     */
    public int runDue(long now) {
        int ran = 0;
        while (size > 0 && heap[0].deadline - now <= 0) {
            Timer t = heap[0];
            cancel(t);
            ran++;
            t.action.run();
        }
        return ran;
    }

    private void up(int i) {
        Timer t = heap[i];
        while (i > 0) {
            int p = (i - 1) >>> 1;
            Timer parent = heap[p];
            if (parent.deadline - t.deadline <= 0) {
                break;
            }
            heap[i] = parent;
            parent.index = i;
            i = p;
        }
        heap[i] = t;
        t.index = i;
    }

    private void down(int i) {
        Timer t = heap[i];
        while (true) {
            int c = 2 * i + 1;
            if (c >= size) {
                break;
            }
            if (c + 1 < size && heap[c + 1].deadline - heap[c].deadline < 0) {
                c++;
            }
            if (t.deadline - heap[c].deadline <= 0) {
                break;
            }
            heap[i] = heap[c];
            heap[i].index = i;
            i = c;
        }
        heap[i] = t;
        t.index = i;
    }
}
