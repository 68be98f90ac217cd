package org.jioth.jnet;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.LockSupport;
import org.jioth.jnet.link.RxRing;
import org.jioth.jnet.time.Clock;
import org.jioth.jnet.time.TimerHeap;

/**
 * The one thread that owns a stack's protocol state. Application threads {@link #post} tasks or
 * {@link #call} into it; ports hand it frames through the {@link RxRing}; timers fire from the
 * {@link TimerHeap} on the injected {@link Clock}. It runs on a virtual thread, so a JVM can hold
 * many stacks. No exception from a frame or a task leaves the loop: each is counted and logged.
 */
public final class StackLoop {
    private static final System.Logger LOG = System.getLogger(StackLoop.class.getName());
    /** Frames handled before tasks and timers get another look. */
    private static final int FRAME_BATCH = 64;

    /** Handles one received frame (or loopback datagram) on the loop. */
    public interface FrameHandler {
        void handle(RxRing.Slot slot);

        /** After a batch of frames. */
        default void endOfBatch() {
        }

        /**
         * After a turn of the loop that did work, before it looks for more or sleeps: ports that
         * hold the loop's sends (one {@code sendmmsg} per burst) push them now.
         */
        default void endOfTurn() {
        }
    }

    private final Clock clock;
    private final TimerHeap timers = new TimerHeap();
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final RxRing rx;
    private final Counters counters;
    private final Runnable wakeup = this::wake;
    private volatile Thread thread;
    private volatile boolean stopping;
    /** Set while the loop is parking or about to: only then does {@link #wake} unpark it. */
    private volatile boolean sleeping = true;
    private FrameHandler handler;

    public StackLoop(Clock clock, RxRing rx, Counters counters) {
        this.clock = clock;
        this.rx = rx;
        this.counters = counters;
    }

    public Clock clock() {
        return clock;
    }

    public long now() {
        return clock.nanos();
    }

    public TimerHeap timers() {
        return timers;
    }

    public RxRing rx() {
        return rx;
    }

    /** Starts the loop thread; frames go to {@code handler}. */
    public void start(String name, FrameHandler handler) {
        this.handler = handler;
        clock.onAdvance(wakeup);
        thread = Thread.ofVirtual().name(name).start(this::run);
    }

    public boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    /**
     * Wakes the loop (new task, frame or clock jump). Cheap; any thread. Only a loop that is
     * parking (or about to) needs the unpark: a busy one looks at its queues again before it
     * parks, so a frame stream costs no wake-up per frame while the loop keeps up.
     */
    public void wake() {
        if (!sleeping) {
            return;
        }
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    /** Runs {@code task} on the loop, later. */
    public void post(Runnable task) {
        tasks.add(task);
        wake();
    }

    /**
     * Runs {@code task} on the loop and waits for its result; runs it at once when called on the
     * loop. Exceptions of the task are rethrown as they are (checked ones as IOException).
     */
    public <T> T call(Callable<T> task) throws IOException {
        if (inLoop()) {
            try {
                return task.call();
            } catch (IOException | RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IOException(e);
            }
        }
        if (stopping) {
            throw new IOException("the stack is closed");
        }
        CompletableFuture<T> f = new CompletableFuture<>();
        post(() -> {
            try {
                f.complete(task.call());
            } catch (Throwable e) {
                f.completeExceptionally(e);
            }
        });
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the stack loop");
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof IOException io) {
                throw io;
            }
            if (c instanceof RuntimeException r) {
                throw r;
            }
            if (c instanceof Error err) {
                throw err;
            }
            throw new IOException(c);
        }
    }

    /** Stops the loop after the tasks already posted; waits for it to end. */
    public void stop() {
        clock.removeOnAdvance(wakeup);
        Thread t = thread;
        if (t == null) {
            return;
        }
        post(() -> stopping = true);
        if (!inLoop()) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void endOfTurn() {
        try {
            handler.endOfTurn();
        } catch (RuntimeException e) {
            failed("end of turn", e);
        }
    }

    private void run() {
        while (!stopping) {
            boolean worked = runTasks();
            worked |= runFrames();
            worked |= runDueTimers();
            if (worked) {
                endOfTurn();
            } else {
                // Announce the sleep before the last look at the queues (and the clock): a producer
                // adds its work, then reads the flag, so one of the two always sees the other.
                sleeping = true;
                if (tasks.isEmpty() && rx.isEmpty()) {
                    long wait = clock.realNanosUntil(timers.nextDeadline());
                    if (wait > 0) {
                        // Manual clocks wake us on advance; cap the sleep anyway so a missed wake-up costs little.
                        LockSupport.parkNanos(Math.min(wait, 1_000_000_000L));
                    }
                }
                sleeping = false;
            }
        }
    }

    /**
     * For tests that drive a {@link org.jioth.jnet.time.ManualClock} from event to event: on the loop
     * thread, fires the timers due now, then gives the earliest armed deadline ({@link Long#MAX_VALUE}
     * when none) if the loop is idle (no timer fired, no frame or other task waiting), else empty.
     */
    OptionalLong idleUntil() {
        if (runDueTimers() || !tasks.isEmpty() || !rx.isEmpty()) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(timers.nextDeadline());
    }

    /** Fires the timers due now; on the loop thread only. True when any fired. */
    boolean runDueTimers() {
        try {
            return timers.runDue(clock.nanos()) > 0;
        } catch (RuntimeException e) {
            failed("a timer", e);
            return false;
        }
    }

    private boolean runTasks() {
        boolean any = false;
        Runnable r;
        while ((r = tasks.poll()) != null) {
            any = true;
            try {
                r.run();
            } catch (RuntimeException e) {
                failed("a task", e);
            }
        }
        return any;
    }

    private boolean runFrames() {
        int n = 0;
        RxRing.Slot s;
        while (n < FRAME_BATCH && (s = rx.peek()) != null) {
            n++;
            try {
                handler.handle(s);
            } catch (RuntimeException e) {
                failed("a frame", e);
            } finally {
                rx.pop();
            }
        }
        if (n > 0) {
            try {
                handler.endOfBatch();
            } catch (RuntimeException e) {
                failed("end of batch", e);
            }
        }
        return n > 0;
    }

    private void failed(String what, RuntimeException e) {
        counters.inc(Counter.LOOP_ERRORS);
        LOG.log(System.Logger.Level.WARNING, "jnet loop: " + what + " failed; dropped and counted", e);
    }
}
