package org.jioth.jnet.loop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.jioth.jnet.time.SystemClock;
import org.jioth.jnet.time.Timer;
import org.jioth.testkit.Eventually;
import org.jioth.vde.DirectReceive;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A blocked reader waits on the port in the sleeping loop's place ({@link StackLoop#waitAsLoop}):
 * the frame it waits for is read and handled on the reader's thread while the loop sleeps on (no
 * wake-up of the loop); work that arrives meanwhile (a task, a stop) reaches the reader (no lost
 * wake-up); a reader that gives up hands the port back, so the loop reads what comes next (no
 * stuck port); a timer it arms moves the loop's wake-up instead of waking it; virtual readers pin
 * at most parallelism − 1 carriers. The port is a fake with the level-triggered semantics of
 * {@code LinkReceive}'s two epolls; nothing here depends on timing.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LentWaitTest {
    private final List<StackLoop> loops = new ArrayList<>();

    @AfterEach
    void stop() {
        for (StackLoop l : loops) {
            l.stop();
        }
    }

    private StackLoop started(LendablePort port, Counters counters) throws InterruptedException {
        return started(port, counters, TimeUnit.MINUTES.toNanos(10)); // outlasts any look of the test's
    }

    private StackLoop started(LendablePort port, Counters counters, long readerWaitNanos) throws InterruptedException {
        StackLoop loop = new StackLoop(SystemClock.INSTANCE, new RxRing(4), counters);
        loop.readerWaitBound(readerWaitNanos);
        loops.add(loop);
        loop.start("lent-wait-test", slot -> { }, port);
        port.onFrame = loop::wake; // as a stack's frame sink does after it queued a frame
        port.awaitOwnerAsleep();
        return loop;
    }

    @Test
    void theFrameAReaderWaitsForIsHandledOnTheReaderWhileTheLoopSleepsOn() throws Exception {
        LendablePort port = new LendablePort();
        Counters counters = new Counters();
        StackLoop loop = started(port, counters);
        CompletableFuture<Boolean> waited = new CompletableFuture<>();
        Thread reader = Thread.ofPlatform().start(() -> waited.complete(loop.waitAsLoop(() -> port.handled.get() > 0)));
        assertThat(Eventually.holds(port::borrowerWaiting)).as("the reader waits on the port").isTrue();
        port.arrive(1);
        assertThat(waited.get(60, TimeUnit.SECONDS)).as("the wait ended with its frame").isTrue();
        reader.join();
        assertThat(port.handledOn.get()).as("read and handled on the reader's thread").isSameAs(reader);
        assertThat(port.ownerWakes()).as("the loop never woke").isZero();
        assertThat(port.wakeUpPending()).as("nor will it: no wake-up was left for it").isFalse();
        assertThat(port.takes()).isEqualTo(1);
        assertThat(port.givesBack()).as("the port was hooked back into the loop's sleep").isEqualTo(1);
        assertThat(loop.lentWaits()).isEqualTo(1);
        assertThat(counters.get(Counter.LOOP_LENT_WAITS)).as("Loop.LentWaits").isEqualTo(1);
        assertThat(counters.get(Counter.LOOP_LENT_WAITS_EXPIRED)).as("ended by its frame, not the bound").isZero();
    }

    @Test
    void aTaskPostedWhileAReaderWaitsReachesTheReader() throws Exception {
        LendablePort port = new LendablePort();
        StackLoop loop = started(port, new Counters());
        AtomicReference<Thread> ranOn = new AtomicReference<>();
        CompletableFuture<Boolean> waited = new CompletableFuture<>();
        Thread reader = Thread.ofPlatform().start(() -> waited.complete(loop.waitAsLoop(() -> ranOn.get() != null)));
        assertThat(Eventually.holds(port::borrowerWaiting)).isTrue();
        loop.post(() -> ranOn.set(Thread.currentThread())); // no frame comes: only the wake-up ends the wait
        assertThat(waited.get(60, TimeUnit.SECONDS)).isTrue();
        reader.join();
        assertThat(ranOn.get()).as("run by the reader, the owner of the turn").isSameAs(reader);
        assertThat(port.ownerWakes()).as("the wake-up went to the reader, not the loop").isZero();
        assertThat(port.wakeUpPending()).isFalse();
    }

    @Test
    void aStopWhileAReaderWaitsEndsTheWaitAndTheLoop() throws Exception {
        LendablePort port = new LendablePort();
        StackLoop loop = started(port, new Counters());
        CompletableFuture<Boolean> waited = new CompletableFuture<>();
        Thread reader = Thread.ofPlatform().start(() -> waited.complete(loop.waitAsLoop(() -> false)));
        assertThat(Eventually.holds(port::borrowerWaiting)).isTrue();
        loop.stop(); // returns once the loop thread ended: the reader must have let it
        assertThat(waited.get(60, TimeUnit.SECONDS)).as("not what it waited for").isFalse();
        reader.join();
        assertThat(port.closedOn.get(60, TimeUnit.SECONDS)).as("the loop thread closed its port").isNotSameAs(reader);
        assertThat(loop.waitAsLoop(() -> true)).as("a stopped loop lends nothing").isFalse();
    }

    @Test
    void aReaderThatGivesUpHandsThePortBackToTheLoop() throws Exception {
        LendablePort port = new LendablePort();
        Counters counters = new Counters();
        StackLoop loop = started(port, counters, TimeUnit.MILLISECONDS.toNanos(1));
        // waits for something that never comes: the time bound ends it
        assertThat(loop.waitAsLoop(() -> false)).isFalse();
        assertThat(port.givesBack()).isEqualTo(port.takes()).isEqualTo(1);
        assertThat(counters.get(Counter.LOOP_LENT_WAITS_EXPIRED)).as("Loop.LentWaitsExpired").isEqualTo(1);
        port.arrive(1);
        assertThat(Eventually.holds(() -> port.handled.get() == 1)).as("the loop read the next frame").isTrue();
        assertThat(port.handledOn.get()).isNotSameAs(Thread.currentThread());
    }

    @Test
    void aTimerArmedInAReadersWaitMovesTheLoopsWakeUpInsteadOfWakingIt() throws Exception {
        LendablePort port = new LendablePort();
        StackLoop loop = started(port, new Counters()); // nothing armed: the loop sleeps without a deadline
        CountDownLatch fired = new CountDownLatch(1);
        AtomicReference<Thread> firedOn = new AtomicReference<>();
        Timer t = new Timer(() -> {
            firedOn.set(Thread.currentThread());
            fired.countDown();
        });
        AtomicBoolean armed = new AtomicBoolean();
        CompletableFuture<Boolean> waited = new CompletableFuture<>();
        Thread reader = Thread.ofPlatform().start(() -> waited.complete(loop.waitAsLoop(armed::get)));
        assertThat(Eventually.holds(port::borrowerWaiting)).isTrue();
        loop.post(() -> {
            loop.timers().schedule(t, loop.now() + TimeUnit.SECONDS.toNanos(3600)); // due long after the test
            armed.set(true);
        });
        assertThat(waited.get(60, TimeUnit.SECONDS)).isTrue();
        reader.join();
        assertThat(port.ownerTimerNanos()).as("the loop's sleep now ends by the timer").isPositive()
                .isLessThanOrEqualTo(TimeUnit.SECONDS.toNanos(3600));
        assertThat(port.ownerWakes()).as("without waking it now").isZero();
        assertThat(fired.getCount()).isEqualTo(1);
    }

    @Test
    void virtualReadersPinAtMostParallelismMinusOneCarriers() throws Exception {
        int permits = CarrierPins.parallelism() - 1;
        assumeTrue(permits >= 1, "one carrier: no virtual reader may wait on a port");
        List<LendablePort> ports = new ArrayList<>();
        List<CompletableFuture<Boolean>> waits = new ArrayList<>();
        List<StackLoop> waiting = new ArrayList<>();
        for (int i = 0; i < permits; i++) {
            LendablePort p = new LendablePort();
            StackLoop l = started(p, new Counters());
            CompletableFuture<Boolean> w = new CompletableFuture<>();
            Thread.ofVirtual().start(() -> { // retried: a pin another test's reader holds for a moment is given back
                while (!l.waitAsLoop(() -> p.handled.get() > 0)) {
                    Thread.yield();
                }
                w.complete(true);
            });
            assertThat(Eventually.holds(p::borrowerWaiting)).as("virtual reader %d waits on its port", i).isTrue();
            ports.add(p);
            waits.add(w);
            waiting.add(l);
        }
        LendablePort last = new LendablePort();
        StackLoop full = started(last, new Counters());
        CompletableFuture<Boolean> refused = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> refused.complete(full.waitAsLoop(() -> true)));
        assertThat(refused.get(60, TimeUnit.SECONDS)).as("no carrier left to pin: it parks as before").isFalse();
        assertThat(last.takes()).isZero();
        CompletableFuture<Boolean> platform = new CompletableFuture<>();
        Thread.ofPlatform().start(() -> platform.complete(full.waitAsLoop(() -> last.handled.get() > 0)));
        assertThat(Eventually.holds(last::borrowerWaiting)).as("a platform reader pins no carrier").isTrue();
        last.arrive(1);
        assertThat(platform.get(60, TimeUnit.SECONDS)).isTrue();
        for (int i = 0; i < permits; i++) {
            ports.get(i).arrive(1);
            assertThat(waits.get(i).get(60, TimeUnit.SECONDS)).isTrue();
        }
    }

    /**
     * A port with {@code LinkReceive}'s lendable waits, level-triggered like epoll: frames wait until
     * polled, a wake-up until consumed; the owner's sleep sees both only while the port is hooked
     * into it, the borrower's wait always; a timer the borrower arms ends the owner's sleep.
     */
    private static final class LendablePort implements DirectReceive {
        final AtomicInteger handled = new AtomicInteger();
        final AtomicReference<Thread> handledOn = new AtomicReference<>();
        final CompletableFuture<Thread> closedOn = new CompletableFuture<>();
        private final java.util.concurrent.Semaphore ownerAsleep = new java.util.concurrent.Semaphore(0);
        /** Runs for each frame polled, on the polling thread. */
        volatile Runnable onFrame = () -> { };
        private int pending;
        private boolean signalled;
        private boolean hooked = true;
        private boolean borrowerWaiting;
        private long timerAt = Long.MAX_VALUE;
        private long timerNanos;
        private int ownerWakes;
        private int takes;
        private int givesBack;

        void awaitOwnerAsleep() throws InterruptedException {
            assertThat(ownerAsleep.tryAcquire(30, TimeUnit.SECONDS)).as("the loop went to sleep").isTrue();
        }

        synchronized void arrive(int n) {
            pending += n;
            notifyAll();
        }

        synchronized boolean borrowerWaiting() {
            return borrowerWaiting;
        }

        synchronized int ownerWakes() {
            return ownerWakes;
        }

        synchronized int takes() {
            return takes;
        }

        synchronized int givesBack() {
            return givesBack;
        }

        synchronized boolean wakeUpPending() {
            return signalled;
        }

        synchronized long ownerTimerNanos() {
            return timerNanos;
        }

        private boolean ready() {
            return pending > 0 || signalled;
        }

        @Override
        public boolean lendWaits() {
            return true;
        }

        @Override
        public synchronized void await(long timeoutNanos) {
            ownerAsleep.release();
            long end = timeoutNanos == Long.MAX_VALUE ? Long.MAX_VALUE : System.nanoTime() + timeoutNanos;
            while (!(hooked && ready()) && System.nanoTime() - timerAt < 0) {
                long left = Math.min(end == Long.MAX_VALUE ? Long.MAX_VALUE : end - System.nanoTime(),
                        timerAt == Long.MAX_VALUE ? Long.MAX_VALUE : timerAt - System.nanoTime());
                if (left <= 0) {
                    break;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(this, Math.min(left, TimeUnit.SECONDS.toNanos(1)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            ownerWakes++;
        }

        @Override
        public synchronized void afterWait() {
            signalled = false;
            timerAt = Long.MAX_VALUE;
        }

        @Override
        public synchronized void takeWait() {
            hooked = false;
            takes++;
        }

        @Override
        public synchronized void awaitTaken(long timeoutNanos) {
            borrowerWaiting = true;
            long end = System.nanoTime() + timeoutNanos;
            try {
                while (!ready() && end - System.nanoTime() > 0) {
                    try {
                        TimeUnit.NANOSECONDS.timedWait(this, Math.min(end - System.nanoTime(), TimeUnit.SECONDS.toNanos(1)));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                signalled = false;
            } finally {
                borrowerWaiting = false;
            }
        }

        @Override
        public synchronized void giveBackWait() {
            hooked = true;
            givesBack++;
            notifyAll();
        }

        @Override
        public synchronized void wakeOwnerIn(long nanos) {
            timerNanos = nanos;
            timerAt = System.nanoTime() + nanos;
            notifyAll();
        }

        @Override
        public int poll() {
            int n;
            synchronized (this) {
                n = pending;
                pending = 0;
            }
            for (int i = 0; i < n; i++) {
                handledOn.set(Thread.currentThread());
                handled.incrementAndGet();
                onFrame.run();
            }
            return n;
        }

        @Override
        public synchronized void wakeUp() {
            signalled = true;
            notifyAll();
        }

        @Override
        public void close() {
            closedOn.complete(Thread.currentThread());
        }
    }
}
