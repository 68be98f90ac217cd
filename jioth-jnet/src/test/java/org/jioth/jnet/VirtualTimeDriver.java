package org.jioth.jnet;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
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
 *
 * <p>The clock stands still until the first application thread is {@linkplain #start started} (or
 * {@linkplain #watch watched}), and {@link #start} watches its thread before it runs: a driver that
 * moved the clock while the test was still setting up would run the stacks' start-up timers (DAD,
 * MLD, ARP aging) for as long as the set-up took in real time, and the same seeded test would then
 * begin its transfer at a different virtual instant each run.
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
    private final List<Step> steps = new CopyOnWriteArrayList<>();

    VirtualTimeDriver(ManualClock clock, LossyLink link, List<JnetStack> stacks) {
        this.clock = clock;
        this.link = link;
        this.stacks = List.copyOf(stacks);
        this.thread = Thread.ofPlatform().daemon().name("virtual time driver").unstarted(this::run);
    }

    /**
     * Runs {@code task} on a new virtual thread watched from before it starts (so the clock never
     * moves between its start and its first blocking call); the first one starts the clock.
     */
    <T> Future<T> start(Callable<T> task) {
        FutureTask<T> f = new FutureTask<>(task);
        Thread t = Thread.ofVirtual().name("driven application").unstarted(f);
        applications.add(t); // NEW counts as runnable: the clock holds until it blocks
        t.start();
        startClock();
        return f;
    }

    /**
     * An application driven on the driver's thread with non-blocking channels: it moves only when
     * every loop is idle and nothing is due at the instant, so where it reads and writes in the
     * stacks' sequence of events is the same every run (a thread of its own would race the loops).
     */
    interface Step {
        /** One read, write, connect or accept, without blocking; true when it did anything. */
        boolean step() throws IOException;
    }

    /** Drives {@code s} from now on (see {@link Step}); starts the clock. */
    void drive(Step s) {
        steps.add(s);
        startClock();
    }

    /** What the driver failed with (a step's exception), or null. */
    Throwable failure() {
        return failure;
    }

    /** Holds the clock while {@code t} is runnable (until it ends or {@link #unwatch}); starts the clock. */
    void watch(Thread t) {
        applications.add(t);
        startClock();
    }

    private synchronized void startClock() {
        if (thread.getState() == Thread.State.NEW) {
            thread.start();
        }
    }

    void unwatch(Thread t) {
        applications.remove(t);
    }

    private boolean applicationsBlocked() {
        for (Thread t : applications) {
            Thread.State s = t.getState();
            if (s == Thread.State.TERMINATED) {
                applications.remove(t);
            } else if (s == Thread.State.NEW || s == Thread.State.RUNNABLE || s == Thread.State.BLOCKED) {
                // BLOCKED: waiting for a monitor a loop holds (a buffer's lock), so about to run
                return false;
            }
        }
        return true;
    }

    private void run() {
        long seen = -1;
        long stillSince = System.nanoTime();
        boolean stepsQuiet = false; // the steps had no move at this idle point (and may have posted work)
        try {
            while (running) {
                long before = link.activity();
                if (before != seen) {
                    seen = before;
                    stillSince = System.nanoTime();
                }
                // an application thread woken by a loop is runnable by the time the loop is idle
                boolean blocked = applicationsBlocked();
                long next = nextEventWhenIdle();
                if (link.activity() != before) {
                    stepsQuiet = false;
                    continue;
                }
                if (next == Long.MIN_VALUE || !blocked || !applicationsBlocked()) {
                    stepsQuiet = false;
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
                long now = clock.nanos();
                if (link.nextRelease() - now <= 0) {
                    releaseHoldingLoops(0);
                    stepsQuiet = false;
                    continue;
                }
                if (!stepsQuiet) {
                    // look at the loops again either way: a step that did not move may still have posted work
                    stepsQuiet = !runSteps();
                    continue;
                }
                if (next == Long.MAX_VALUE) {
                    LockSupport.parkNanos(200_000); // nothing pending: an application thread has the next move
                    continue;
                }
                if (next - now > 0) {
                    clock.advance(Duration.ofNanos(next - now));
                    jumps++;
                    stepsQuiet = false;
                }
            }
        } catch (IOException | RuntimeException | Error e) {
            if (running) {
                failure = e;
            }
        }
    }

    /**
     * Hands the frames due now to the switch from inside a turn of every loop, so each loop finds
     * all of them in its queue when its turn ends and takes them in the same batches every run (a
     * loop that woke at the first frame would split them by the real time the driver took).
     */
    private int releaseHoldingLoops(int i) throws IOException {
        if (i == stacks.size()) {
            return link.releaseDue();
        }
        JnetStack s = stacks.get(i);
        return s.isClosed() ? releaseHoldingLoops(i + 1) : s.onLoop(() -> releaseHoldingLoops(i + 1));
    }

    /**
     * Gives the first driven application that can move its one move; true when one did. One move
     * at a time, each followed by a wait for idle loops: a loop runs the task a read or write
     * posts while the step goes on, so a second write in the same step could race it.
     */
    private boolean runSteps() throws IOException {
        for (Step s : steps) {
            if (s.step()) {
                return true;
            }
        }
        return false;
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
        for (Thread t : applications) {
            t.interrupt(); // a test that failed may leave a writer blocked on a window that never opens
        }
        synchronized (this) {
            if (thread.getState() == Thread.State.NEW) {
                return; // never started: the clock never moved
            }
        }
        thread.join(10_000);
        if (failure != null) {
            throw new AssertionError("the virtual time driver failed", failure);
        }
    }
}
