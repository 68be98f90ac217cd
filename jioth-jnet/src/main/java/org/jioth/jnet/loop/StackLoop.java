package org.jioth.jnet.loop;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.jioth.jnet.mem.IdleTrim;
import org.jioth.jnet.mem.Scratch;
import org.jioth.jnet.time.Clock;
import org.jioth.jnet.time.TimerHeap;

/**
 * The one thread that owns a stack's protocol state. Application threads {@link #post} tasks or
 * {@link #call} into it; ports hand it frames through the {@link RxRing}; timers fire from the
 * {@link TimerHeap} on the injected {@link Clock}. It runs on a virtual thread, so a JVM can hold
 * many stacks. No exception from a frame or a task leaves the loop: each is counted and logged.
 * An {@link Error} (out of memory, stack overflow) is a state the loop cannot vouch for: it is kept
 * in a field (nothing allocated on that path), the loop ends, and then {@link #failure()} names
 * it, waiting callers get an IOException saying so and the owner's failure callback runs.
 * A loop with no work and no armed timer parks until woken: an idle stack costs no CPU, and its
 * working buffers are given back ({@link IdleTrim}).
 *
 * <p>A stack with one port that can be read directly ({@code vde://}: see
 * {@link org.jioth.vde.DirectReceive}) runs its loop on a platform thread that reads that port's
 * socket itself and, when idle, waits in the port's epoll instead of parking: a received frame then
 * reaches the loop without the reactor thread's hand-off, and a wake-up is an eventfd write.
 *
 * <p><b>Who owns the state.</b> The protocol state belongs to whichever thread holds the loop's
 * {@linkplain #inLoop() turn}: the loop thread holds it while it works and lets go of it only
 * while it sleeps. A loop that reads its port lends the turn to an application thread that posts
 * a task with {@link #postMayRun} while the loop sleeps (a small write): that thread runs the queued tasks and the end of
 * turn (the port's flush: one {@code sendmmsg}) itself, so an application's write leaves as a frame
 * without waking the loop; it hands the turn back by unlocking, and wakes the loop only when work
 * remains, a timer came due earlier than the loop's sleep, or the loop must stop. The lock orders
 * every access: at any instant one thread owns the state. A loop that takes its turn back after a
 * lent one flushes first, so the ports batch its sends again (they batch the last flusher's).
 * {@code -Djioth.jnet.lendTurn=false} turns the lending off.
 *
 * <p><b>A reader waits in the loop's place.</b> A thread that would block reading while such a loop
 * sleeps may take the turn and wait on the port itself ({@link #waitAsLoop}): it unhooks the port
 * from the sleeping loop's epoll, runs the loop's work (frames, tasks, timers) as they come, and
 * gives the port back once what it waits for is there, so the frame it waits for wakes it directly,
 * not the loop which would then unpark it. A waiting borrower announces itself
 * ({@code borrowerWaits}) as the sleeping loop does, so {@link #wake} reaches it. Its wait is
 * bounded in time ({@code -Djioth.jnet.readerWaitsMicros}, 0: never) and, on virtual threads, in
 * number ({@link CarrierPins}: a wait in a system call pins the carrier).
 */
public final class StackLoop {
    private static final System.Logger LOG = System.getLogger(StackLoop.class.getName());
    /** Frames handled before tasks and timers get another look. */
    private static final int FRAME_BATCH = 64;
    /** Frames handled between two reads of a port the loop reads itself (a power of two). */
    private static final int PORT_POLL_EVERY = 16;
    /**
     * How long a loop that reads its port spins on it before it sleeps ({@code -Djioth.jnet.loopSpinMicros},
     * default 0: off). A frame that arrives within it costs no wake-up; on a busy machine the spin takes
     * the CPU the peer needs (see docs/benchmarks.md), hence off by default.
     */
    private static final long SPIN_NANOS = Long.getLong("jioth.jnet.loopSpinMicros", 0) * 1000;
    /** Whether a sleeping loop that reads its port lends its turn to a posting thread (see the class comment). */
    private static final boolean LEND_TURN = !"false".equals(System.getProperty("jioth.jnet.lendTurn"));
    /**
     * How long a blocked reader may wait on the port in the sleeping loop's place, at most, before it
     * hands the wait back and parks ({@code -Djioth.jnet.readerWaitsMicros}, 0: never; see the class comment).
     */
    private static final long READER_WAIT_NANOS = Long.getLong("jioth.jnet.readerWaitsMicros", 1000) * 1000;

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
    private final IdleTrim trim;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final RxRing rx;
    private final Counters counters;
    private final Runnable wakeup = this::wake;
    private volatile Thread thread;
    /** Held by the thread that owns the protocol state now: the loop thread, or a borrower of its turn. */
    private final ReentrantLock turn = new ReentrantLock();
    /** The thread holding {@link #turn}, null between owners. */
    private volatile Thread owner;
    /** The timer deadline (clock nanos) the sleeping loop wakes for by itself; written under {@link #turn}. */
    private long sleepsUntil = Long.MAX_VALUE;
    /** Turns lent to posting threads, ever (diagnostics). */
    private volatile long lentTurns;
    /** Waits taken over by blocked readers ({@link #waitAsLoop}), ever. */
    private volatile long lentWaits;
    /** The port read directly lets a borrower take the loop's wait over (set before the loop starts). */
    private boolean lendsWaits;
    /** This loop's {@link #READER_WAIT_NANOS} (tests set it: a wait they watch must outlast their look). */
    private long readerWaitNanos = READER_WAIT_NANOS;
    /** A borrower of the turn waits on the port (or is about to): {@link #wake} must reach it. */
    private volatile boolean borrowerWaits;
    private volatile boolean stopping;
    /** Set while the loop is parking or about to: only then does {@link #wake} unpark it. */
    private volatile boolean sleeping = true;
    private FrameHandler handler;
    /** Why the loop ended by itself; null while it runs (written once, by the loop thread). */
    private volatile Throwable failure;
    /** Set once the loop thread is past its last turn. */
    private volatile boolean ended;
    private volatile Runnable onFailure = () -> { };
    /** The port this loop reads and waits on itself, or null (it parks, and ports deliver to it). */
    private volatile org.jioth.vde.DirectReceive direct;
    /**
     * The port read directly was found empty by the loop's last read and the loop has not slept
     * since: the next turn waits in epoll (which sees any frame since) instead of reading again.
     */
    private boolean portDrained;
    /** A direct receive stopped in a lent turn, for the loop thread to close (under the turn). */
    private org.jioth.vde.DirectReceive closeLater;
    /** Frames handled plus timers fired, ever (loop thread only): lets tests see when a net is quiet. */
    private long progress;

    public StackLoop(Clock clock, RxRing rx, Counters counters) {
        this.clock = clock;
        this.rx = rx;
        this.counters = counters;
        this.trim = new IdleTrim(timers, clock);
        trim.add(rx::trim);
    }

    /** A transmit buffer of this loop, allocated on first use and given back when idle. */
    public Scratch scratch() {
        return trim.scratch();
    }

    /**
     * Adds a holder of buffers given back when the stack idles: {@code trim} (on the loop) drops
     * what was not used since its last call and answers true when it holds nothing now.
     */
    public void addTrim(java.util.function.BooleanSupplier trim) {
        this.trim.add(trim);
    }

    /** Something was allocated that a trim hook gives back: have it looked at later. Loop only. */
    public void trimHeld() {
        trim.held();
    }

    /** Bytes of working buffers (scratch and receive ring) the loop holds now. */
    public long heldBytes() {
        return trim.scratchBytes() + rx.heldBytes();
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

    /** Why the loop stopped by itself (an Error it could not go on from), or null while it works. */
    public Throwable failure() {
        return failure;
    }

    /** The IOException a caller of a failed loop gets: it names the failure. */
    public IOException failureException() {
        Throwable f = failure;
        return new IOException("jnet stack failed: " + f, f);
    }

    /**
     * Runs on the loop thread once it failed (after waiting {@link #call}s were failed). Memory may
     * still be short then: it is retried a few times when it runs out.
     */
    public void onFailure(Runnable r) {
        onFailure = r;
    }

    /** Starts the loop on a virtual thread; frames go to {@code handler}. */
    public void start(String name, FrameHandler handler) {
        start(name, handler, null);
    }

    /**
     * Starts the loop; frames go to {@code handler}. With a {@code port} (null: none) the loop runs on
     * a platform thread that reads the port itself and waits on it when idle (the loop owns and
     * closes it); without, on a virtual thread that parks.
     */
    public void start(String name, FrameHandler handler, org.jioth.vde.DirectReceive port) {
        this.handler = handler;
        this.direct = port;
        this.lendsWaits = port != null && LEND_TURN && READER_WAIT_NANOS > 0 && port.lendWaits();
        clock.onAdvance(wakeup);
        Thread.Builder builder = port != null ? Thread.ofPlatform().daemon() : Thread.ofVirtual();
        thread = builder.name(name).start(this::run);
    }

    /** True while the loop reads a port itself (see {@link #start(String, FrameHandler, org.jioth.vde.DirectReceive)}). */
    public boolean readsPort() {
        return direct != null;
    }

    /**
     * Hands the port read directly back to its own delivery thread (a second port joined the stack);
     * the loop parks from then on. On the loop, or before it starts.
     */
    public void stopDirectReceive() {
        org.jioth.vde.DirectReceive d = direct;
        if (d != null) {
            direct = null;
            if (thread == null || Thread.currentThread() == thread) {
                d.close();
            } else {
                // A borrower of the turn: the loop thread may be waiting in the port's epoll, and only
                // it may close the port's receiving; it does so once this wake-up ends its wait.
                closeLater = d;
                d.wakeUp();
            }
        }
    }

    /** Closes a direct receive a borrower stopped (loop thread, holding the turn). */
    private void closeStoppedReceive() {
        org.jioth.vde.DirectReceive d = closeLater;
        if (d != null) {
            closeLater = null;
            d.close();
        }
    }

    /** True on the thread that owns the protocol state now (the loop thread, or a borrower of its turn). */
    public boolean inLoop() {
        return Thread.currentThread() == owner;
    }

    /** For tests: how long a reader may wait in this loop's place at most (see {@link #READER_WAIT_NANOS}). Before start. */
    void readerWaitBound(long nanos) {
        readerWaitNanos = nanos;
    }

    /** How many waits blocked readers took over from the sleeping loop ({@link #waitAsLoop}; diagnostics). */
    public long lentWaits() {
        return lentWaits;
    }

    /** How many turns posting threads ran themselves while the loop slept (diagnostics). */
    public long lentTurns() {
        return lentTurns;
    }

    /**
     * Wakes the loop (new task, frame or clock jump). Cheap; any thread. Only a loop that is
     * parking (or about to) needs the unpark: a busy one looks at its queues again before it
     * parks, so a frame stream costs no wake-up per frame while the loop keeps up.
     */
    public void wake() {
        if (!sleeping && !borrowerWaits || owner == Thread.currentThread()) {
            return; // awake, or the holder of the turn (a borrower reading the port): it looks before it lets go
        }
        org.jioth.vde.DirectReceive d = direct; // read after sleeping: the loop set it before
        if (d != null) {
            d.wakeUp();
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
        if (owner != Thread.currentThread()) { // the owner runs the queue before it lets go of the turn
            wake();
        }
    }

    /**
     * As {@link #post}, or at once on this thread when the loop reads its port and sleeps (it lends
     * its turn: see the class comment), after the tasks queued before it. For small writes, whose
     * frame should leave now: a bulk writer's bursts stay on the loop, clocked by the ACKs it reads
     * (lent, they left in bursts the peer's 10-datagram socket queue dropped; docs/benchmarks.md).
     */
    public void postMayRun(Runnable task) {
        tasks.add(task);
        if (owner == Thread.currentThread()) {
            return; // the owner runs the queue before it lets go of the turn
        }
        if (!LEND_TURN || !sleeping || direct == null || stopping || !turn.tryLock()) {
            wake();
            return;
        }
        runLentTurn();
    }

    /**
     * On a posting thread that got the sleeping loop's turn: runs the queued tasks and the end of
     * turn, then hands the turn back, waking the loop if it must look again (work left, a timer due
     * before its sleep ends, a stop, a failure).
     */
    private void runLentTurn() {
        if (stopping) { // stopped (or failed) since the look before the lock: not ours to run
            turn.unlock();
            wake();
            return;
        }
        try {
            owner = Thread.currentThread();
            lentTurns++;
            counters.inc(Counter.LOOP_LENT_TURNS); // under the turn: the lock orders it with the loop's own
            if (runTasks()) {
                endOfTurn();
            }
        } catch (Throwable e) {
            failure = e; // as on the loop thread: the loop ends and names it
            stopping = true;
        } finally {
            giveBackTurn(direct);
        }
    }

    /**
     * A borrower (a lent turn or a lent wait) lets go of the turn it holds, then wakes the sleeping
     * loop if it must look again ({@link #mustWakeAfterLending}).
     */
    private void giveBackTurn(org.jioth.vde.DirectReceive d) {
        boolean wakeLoop = mustWakeAfterLending(d);
        owner = null;
        turn.unlock();
        if (wakeLoop) {
            wake();
        }
    }

    /**
     * For a thread about to block until {@code done} holds (a reader waiting for data): when the loop
     * reads its port and sleeps, takes its turn and waits on the port itself, running the loop's
     * work as it comes, until {@code done}, a stop, an interrupt, or the time bound; then hands the
     * turn and the port back. True when it ended with {@code done} true; false when it could not
     * borrow or gave up: the caller then parks as usual (which re-checks first), never borrows again
     * at once. Waiting here wakes no other thread: the frame the reader waits for wakes it directly.
     */
    public boolean waitAsLoop(java.util.function.BooleanSupplier done) {
        org.jioth.vde.DirectReceive d = direct;
        if (!lendsWaits || d == null || !sleeping || stopping || owner == Thread.currentThread()) {
            return false;
        }
        boolean pins = Thread.currentThread().isVirtual();
        if (pins && !CarrierPins.tryPin()) {
            return false;
        }
        try {
            if (!turn.tryLock()) {
                return false;
            }
            if (!sleeping || stopping || direct != d) { // the loop woke (it waits for the turn) or ends
                turn.unlock();
                return false;
            }
            return runLentWait(d, done);
        } finally {
            if (pins) {
                CarrierPins.unpin();
            }
        }
    }

    /**
     * A borrower about to give the turn back (holding it): whether the sleeping loop must be woken
     * (work left, a stop). A timer armed before the loop's planned wake-up moves that wake-up
     * instead when the port lets the borrower do so ({@code d}'s owner timer), else wakes it too.
     */
    private boolean mustWakeAfterLending(org.jioth.vde.DirectReceive d) {
        if (stopping || !tasks.isEmpty() || !rx.isEmpty()) {
            return true;
        }
        long next = timers.nextDeadline();
        if (next >= sleepsUntil) {
            return false;
        }
        if (!lendsWaits || d == null) {
            return true;
        }
        try {
            d.wakeOwnerIn(clock.realNanosUntil(next));
            sleepsUntil = next;
            return false;
        } catch (RuntimeException e) {
            return true; // the loop's sleep cannot be shortened: wake it
        }
    }

    /** {@link #waitAsLoop} holding the turn: unhooks the port from the loop's sleep, runs, gives both back. */
    private boolean runLentWait(org.jioth.vde.DirectReceive d, java.util.function.BooleanSupplier done) {
        try {
            d.takeWait();
        } catch (RuntimeException e) { // the port stays in the loop's sleep: the reader parks instead
            failed("lending the port's wait", e);
            turn.unlock();
            return false;
        }
        boolean ready = false;
        try {
            owner = Thread.currentThread();
            lentWaits++;
            counters.inc(Counter.LOOP_LENT_WAITS);
            try {
                ready = runAsLoop(d, done);
            } finally {
                borrowerWaits = false;
                d.giveBackWait(); // the loop's sleep sees the port again: frames or a wake-up left end it
            }
        } catch (Throwable e) {
            failure = e; // as on the loop thread: the loop ends and names it
            stopping = true;
        } finally {
            giveBackTurn(d);
        }
        return ready;
    }

    /** The loop's turns, run by a borrower waiting for {@code done} (see {@link #waitAsLoop}). */
    private boolean runAsLoop(org.jioth.vde.DirectReceive d, java.util.function.BooleanSupplier done) {
        long end = System.nanoTime() + readerWaitNanos;
        Thread me = Thread.currentThread();
        while (true) {
            boolean worked = runTasks();
            if (!portDrained) {
                worked |= pollPort();
            }
            worked |= runFrames();
            worked |= runDueTimers();
            if (worked) {
                endOfTurn();
            }
            if (done.getAsBoolean()) {
                return true;
            }
            if (stopping || direct != d || me.isInterrupted()) {
                return false;
            }
            if (worked) {
                continue;
            }
            // As the loop's sleep: announce the wait before the last look at the queues.
            borrowerWaits = true;
            if (!tasks.isEmpty() || !rx.isEmpty() || stopping) {
                borrowerWaits = false;
                continue;
            }
            long left = end - System.nanoTime();
            if (left <= 0) {
                counters.inc(Counter.LOOP_LENT_WAITS_EXPIRED);
                return false; // the bound: the caller parks, the loop takes its wait back
            }
            long wait = Math.min(left, clock.realNanosUntil(timers.nextDeadline()));
            if (wait > 0) {
                d.awaitTaken(wait);
                portDrained = false; // woken (by the port, perhaps): read it
            }
            borrowerWaits = false;
        }
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
        if (failure != null) {
            throw failureException();
        }
        if (stopping) {
            throw new IOException("the stack is closed");
        }
        CompletableFuture<T> f = new CompletableFuture<>();
        post(new Call<>(task, f));
        if (ended) {
            failWaiting(); // the loop is gone: nobody else will answer
        }
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

    /** A {@link #call} waiting in the queue: failed with the loop's failure if it never runs. */
    private record Call<T>(Callable<T> task, CompletableFuture<T> result) implements Runnable {
        @Override
        public void run() {
            try {
                result.complete(task.call());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        }
    }

    private void run() {
        turn.lock();
        owner = Thread.currentThread();
        try {
            turns();
        } catch (Throwable e) {
            failure = e; // no allocation: what follows may need the memory this error lacked
            stopping = true;
        }
        try {
            closeStoppedReceive();
            stopDirectReceive();
        } catch (Throwable e) {
            // the port closes with the stack anyway
        }
        owner = null;
        turn.unlock();
        ended = true;
        if (failure != null) {
            afterFailure();
        } else {
            failWaiting(); // calls posted while it stopped
        }
    }

    /** Fails what waits on a loop that ended, then tells the owner; retried while memory is short. */
    private void afterFailure() {
        for (int attempt = 0; attempt < 50; attempt++) {
            try {
                failWaiting();
                onFailure.run();
                return;
            } catch (OutOfMemoryError e) {
                LockSupport.parkNanos(20_000_000L); // give the collector a chance, then try again
            } catch (Throwable e) {
                counters.inc(Counter.LOOP_ERRORS);
                return;
            }
        }
    }

    /** Completes every queued call of a loop that ended with its failure (or closing); any thread. */
    private void failWaiting() {
        Runnable r;
        while ((r = tasks.poll()) != null) {
            if (r instanceof Call<?> c) {
                c.result().completeExceptionally(failure != null ? failureException()
                        : new IOException("the stack is closed"));
            }
        }
    }

    private void turns() {
        while (!stopping) {
            boolean worked = runTasks();
            if (!portDrained) {
                worked |= pollPort();
            }
            worked |= runFrames();
            worked |= runDueTimers();
            if (worked) {
                endOfTurn();
            } else if (!spinOnPort()) {
                // Announce the sleep before the last look at the queues (and the clock): a producer
                // adds its work, then reads the flag, so one of the two always sees the other.
                sleeping = true;
                if (tasks.isEmpty() && rx.isEmpty() && !stopping) {
                    sleepsUntil = timers.nextDeadline();
                    long wait = clock.realNanosUntil(sleepsUntil);
                    org.jioth.vde.DirectReceive d = direct;
                    if (wait > 0) {
                        counters.inc(Counter.LOOP_SLEEPS); // still under the turn, as every count
                        // Let go of the turn while asleep: a posting thread may borrow it (post).
                        owner = null;
                        turn.unlock();
                        long lentBefore = lentTurns + lentWaits;
                        try {
                            sleep(d, wait);
                        } finally {
                            // Awake: lend no more turns (posters queue) while waiting for a borrower to end
                            // its own; else a writer could keep the turn and starve received ACKs.
                            sleeping = false;
                            turn.lock();
                            owner = Thread.currentThread();
                        }
                        if (lendsWaits && d != null) {
                            afterWait(d); // the turn's holder consumes the wake-up the sleep saw
                        }
                        closeStoppedReceive();
                        if (lentTurns + lentWaits != lentBefore) {
                            // A borrower flushed the ports last, so they batch its sends: flushing
                            // (nothing is held) makes them batch the loop's again.
                            endOfTurn();
                        }
                    }
                }
                sleeping = false;
                portDrained = false; // woken (by the port, perhaps): read it
            }
        }
    }

    /**
     * For tests that drive a {@link org.jioth.jnet.time.ManualClock} from event to event: on the loop
     * thread, fires the timers due now, then gives the earliest armed deadline ({@link Long#MAX_VALUE}
     * when none) if the loop is idle (no timer fired, no frame or other task waiting), else empty.
     */
    public OptionalLong idleUntil() {
        if (runDueTimers() || !tasks.isEmpty() || !rx.isEmpty()) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(timers.nextDeadline());
    }

    /**
     * For tests on a {@link org.jioth.jnet.time.ManualClock}: on the loop thread, fires the timers due
     * now, then gives the count of frames handled and timers fired so far if no frame or task waits,
     * else empty. A net of loops that all answer the same counts over two rounds has nothing in
     * flight.
     */
    public OptionalLong progressWhenIdle() {
        runDueTimers();
        return tasks.isEmpty() && rx.isEmpty() ? OptionalLong.of(progress) : OptionalLong.empty();
    }

    /** Fires the timers due now; on the loop thread only. True when any fired. */
    public boolean runDueTimers() {
        try {
            int fired = timers.runDue(clock.nanos());
            progress += fired;
            return fired > 0;
        } catch (RuntimeException e) {
            failed("a timer", e);
            return false;
        }
    }

    /** Reads the directly read port's waiting frames into the ring; true when there were any. */
    private boolean pollPort() {
        org.jioth.vde.DirectReceive d = direct;
        if (d == null) {
            return false;
        }
        try {
            boolean any = d.poll() > 0;
            portDrained = d.drained();
            return any;
        } catch (RuntimeException e) {
            failed("reading the port", e);
            return false;
        }
    }

    /**
     * Polls the port it reads itself for up to {@link #SPIN_NANOS} (bounded by the next timer)
     * before the loop sleeps; true when frames came or other work appeared (the loop turns again).
     */
    private boolean spinOnPort() {
        if (SPIN_NANOS == 0 || direct == null) {
            return false;
        }
        long wait = clock.realNanosUntil(timers.nextDeadline());
        long end = System.nanoTime() + Math.min(SPIN_NANOS, wait);
        while (System.nanoTime() - end < 0) { // not marked sleeping: producers need not wake us
            if (pollPort() || !tasks.isEmpty() || !rx.isEmpty()) {
                return true;
            }
            Thread.onSpinWait();
        }
        return false;
    }

    /** Waits on the port read directly ({@code d}), or parks; up to {@code wait} real nanoseconds. */
    private void sleep(org.jioth.vde.DirectReceive d, long wait) {
        if (d != null) {
            awaitPort(d, wait); // frames waiting on the port end it at once
        } else if (wait == Long.MAX_VALUE) {
            LockSupport.park(this); // nothing due: only a frame, a task or a clock jump wakes us
        } else {
            LockSupport.parkNanos(this, wait);
        }
    }

    private void afterWait(org.jioth.vde.DirectReceive d) {
        try {
            d.afterWait();
        } catch (RuntimeException e) {
            failed("waking on the port", e);
        }
    }

    private void awaitPort(org.jioth.vde.DirectReceive d, long nanos) {
        try {
            d.await(nanos);
        } catch (RuntimeException e) {
            failed("waiting on the port", e);
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
            if ((n & (PORT_POLL_EVERY - 1)) == 0) {
                pollPort(); // keep the port's socket drained: an AF_UNIX datagram queue holds ~10
            }
        }
        if (n > 0) {
            progress += n;
            trim.held();
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
        try {
            LOG.log(System.Logger.Level.WARNING, "jnet loop: " + what + " failed; dropped and counted", e);
        } catch (Throwable logging) {
            // out of memory while logging: the counter has it, and the loop must go on
        }
    }
}
