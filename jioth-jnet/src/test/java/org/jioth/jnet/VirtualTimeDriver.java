package org.jioth.jnet;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import org.jioth.jnet.time.ManualClock;

/**
 * Moves a {@link ManualClock} from event to event, as a discrete-event simulator does: virtual time
 * stands still while anything can still move in real time (a frame in a stack's queue or in the
 * switch, a task for a loop), and when everything is idle it jumps straight to the next thing
 * that is due: the earliest timer of any stack or the next frame the {@link LossyLink} releases.
 * So a retransmission timeout costs the real time of one idle check instead of its virtual length,
 * and delays and back-offs keep their virtual values exactly. Application threads the test
 * {@linkplain #watch watches} count as activity while runnable: a reader still checking the data it
 * took must not see the clock race through persist and close timers meanwhile. Watch virtual
 * threads: they turn runnable the moment they are unparked, while a platform thread still shows
 * WAITING until the OS runs it.
 */
final class VirtualTimeDriver implements AutoCloseable {
    /**
     * A switch that swallowed a frame without a trace (no sink, a frame back to its sender's port)
     * must not stall the run forever. The in-JVM switch has no thread of its own: the driver's
     * releaseDue delivers each frame before it returns, so a frame still counted in the switch
     * after it is one the switch dropped, and this bound only decides how soon it is forgotten.
     * (The 10 ms ping once measured 18 or 23 ms at load 14-17: not a frame given up on, as first
     * thought, but {@link LossyLink} announcing a frame as activity before it was held, so the
     * driver could miss it in nextRelease and jump past its release; fixed there.)
     */
    private static final long STUCK_NANOS = 2_000_000_000L;

    private final ManualClock clock;
    private final LossyLink link;
    private final List<JnetStack> stacks;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile Throwable failure;
    /** Clock jumps made, and times the switch's count of frames in flight had to be forgotten. */
    volatile long jumps;
    volatile long forgotten;
    private final Set<Thread> applications = ConcurrentHashMap.newKeySet();

    VirtualTimeDriver(ManualClock clock, LossyLink link, List<JnetStack> stacks) {
        this.clock = clock;
        this.link = link;
        this.stacks = List.copyOf(stacks);
        this.thread = Thread.ofPlatform().daemon().name("virtual time driver").start(this::run);
    }

    /** Holds the clock while {@code t} is runnable (until it ends or {@link #unwatch}). */
    void watch(Thread t) {
        applications.add(t);
    }

    void unwatch(Thread t) {
        applications.remove(t);
    }

    private boolean applicationsBlocked() {
        for (Thread t : applications) {
            Thread.State s = t.getState();
            if (s == Thread.State.TERMINATED) {
                applications.remove(t);
            } else if (s == Thread.State.RUNNABLE || s == Thread.State.BLOCKED) {
                // BLOCKED: waiting for a monitor a loop holds (a buffer's lock), so about to run
                return false;
            }
        }
        return true;
    }

    private void run() {
        long seen = -1;
        long stillSince = System.nanoTime();
        try {
            while (running) {
                if (link.releaseDue() > 0) {
                    continue;
                }
                long before = link.activity();
                if (before != seen) {
                    seen = before;
                    stillSince = System.nanoTime();
                }
                // an application thread woken by a loop is runnable by the time the loop is idle
                boolean blocked = applicationsBlocked();
                long next = nextEventWhenIdle();
                if (link.activity() != before) {
                    continue;
                }
                if (next == Long.MIN_VALUE || !blocked || !applicationsBlocked()) {
                    LockSupport.parkNanos(20_000); // busy: let the loops and applications work
                    continue;
                }
                if (link.inSwitch() > 0) {
                    if (System.nanoTime() - stillSince < STUCK_NANOS) {
                        LockSupport.parkNanos(20_000);
                        continue;
                    }
                    link.forgetInSwitch();
                    forgotten++;
                }
                if (next == Long.MAX_VALUE) {
                    LockSupport.parkNanos(200_000); // nothing pending: an application thread has the next move
                    continue;
                }
                long now = clock.nanos();
                if (next - now > 0) {
                    clock.advance(Duration.ofNanos(next - now));
                    jumps++;
                }
            }
        } catch (IOException | RuntimeException e) {
            if (running) {
                failure = e;
            }
        }
    }

    /** The earliest pending deadline when every loop is idle; Long.MIN_VALUE when any is busy. */
    private long nextEventWhenIdle() throws IOException {
        long next = link.nextRelease();
        for (JnetStack s : stacks) {
            if (s.isClosed()) {
                continue;
            }
            OptionalLong d = s.nextDeadlineWhenIdle();
            if (d.isEmpty()) {
                return Long.MIN_VALUE;
            }
            next = Math.min(next, d.getAsLong());
        }
        return next;
    }

    /** Virtual time now, from the driver's clock. */
    Duration now() {
        return Duration.ofNanos(clock.nanos());
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(10_000);
        if (failure != null) {
            throw new AssertionError("the virtual time driver failed", failure);
        }
    }
}
