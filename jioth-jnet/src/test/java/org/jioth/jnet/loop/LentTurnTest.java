package org.jioth.jnet.loop;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
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
 * A loop that reads its port lends its turn to a thread that posts while it sleeps: the task and the
 * end of turn (the port's flush) run on the posting thread, which owns the state meanwhile
 * ({@code inLoop()}); the loop wakes for what is left (a timer armed earlier than its sleep, a stop);
 * a busy loop lends nothing. The port is a fake whose {@code await} says when the loop sleeps.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LentTurnTest {
    private final FakePort port = new FakePort();
    private final List<Thread> flushedOn = new ArrayList<>(); // written by the owner only
    private final Counters counters = new Counters();
    private final StackLoop loop = new StackLoop(SystemClock.INSTANCE, new RxRing(4), counters);

    @AfterEach
    void stop() {
        loop.stop();
    }

    private void start() throws InterruptedException {
        loop.start("lent-turn-test", new StackLoop.FrameHandler() {
            @Override
            public void handle(RxRing.Slot slot) {
            }

            @Override
            public void endOfTurn() {
                flushedOn.add(Thread.currentThread());
            }
        }, port);
        port.awaitSleeping();
    }

    @Test
    void aTaskPostedWhileTheLoopSleepsRunsOnThePosterWhichOwnsTheStateMeanwhile() throws Exception {
        start();
        AtomicReference<Thread> ranOn = new AtomicReference<>();
        AtomicReference<Boolean> owned = new AtomicReference<>();
        loop.postMayRun(() -> {
            ranOn.set(Thread.currentThread());
            owned.set(loop.inLoop());
        });
        assertThat(ranOn.get()).as("ran at once on the posting thread").isSameAs(Thread.currentThread());
        assertThat(owned.get()).as("the poster owns the state while it runs the turn").isTrue();
        assertThat(loop.inLoop()).as("and gives it back").isFalse();
        assertThat(loop.lentTurns()).isEqualTo(1);
        // the end of turn (the ports' flush) ran on the poster too, after the task
        assertThat(loop.call(() -> flushedOn.get(0))).isSameAs(Thread.currentThread());
    }

    @Test
    void theLoopCountsItsSleepsAndTheTurnsItLent() throws Exception {
        start(); // returns once the loop is in the port's await: it counted that sleep before
        assertThat(counters.get(Counter.LOOP_SLEEPS)).as("Loop.Sleeps").isPositive();
        assertThat(counters.get(Counter.LOOP_LENT_TURNS)).isZero();
        loop.postMayRun(() -> { });
        assertThat(loop.lentTurns()).isEqualTo(1);
        assertThat(counters.get(Counter.LOOP_LENT_TURNS)).as("Loop.LentTurns, counted in the lent turn").isEqualTo(1);
        assertThat(counters.snapshot()).containsKeys("Loop.Sleeps", "Loop.LentTurns");
    }

    @Test
    void tasksPostedFromALentTurnRunBeforeItEndsInOrder() throws Exception {
        start();
        List<Integer> order = new ArrayList<>();
        loop.postMayRun(() -> {
            order.add(1);
            loop.post(() -> order.add(3)); // posted by the owner: queued, not run inside
            order.add(2);
        });
        assertThat(order).containsExactly(1, 2, 3);
    }

    @Test
    void aTimerArmedInALentTurnEarlierThanTheLoopsSleepWakesTheLoop() throws Exception {
        start(); // nothing armed: the loop sleeps without a deadline
        CountDownLatch fired = new CountDownLatch(1);
        AtomicReference<Thread> firedOn = new AtomicReference<>();
        Timer t = new Timer(() -> {
            firedOn.set(Thread.currentThread());
            fired.countDown();
        });
        loop.postMayRun(() -> loop.timers().schedule(t, loop.now() + TimeUnit.MILLISECONDS.toNanos(1)));
        assertThat(loop.lentTurns()).isEqualTo(1);
        assertThat(fired.await(30, TimeUnit.SECONDS)).as("the loop woke for the timer").isTrue();
        assertThat(firedOn.get()).isNotSameAs(Thread.currentThread());
    }

    @Test
    void aBusyLoopLendsNothing() throws Exception {
        start();
        CountDownLatch inTask = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Thread> blocker = new CompletableFuture<>();
        Thread other = Thread.ofPlatform().start(() -> loop.postMayRun(() -> { // lent to `other`, which holds the turn
            inTask.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            blocker.complete(Thread.currentThread());
        }));
        assertThat(inTask.await(30, TimeUnit.SECONDS)).isTrue();
        AtomicReference<Thread> ranOn = new AtomicReference<>();
        loop.postMayRun(() -> ranOn.set(Thread.currentThread())); // the turn is taken: queued, loop woken
        assertThat(ranOn.get()).as("not run while another thread owns the state").isNull();
        release.countDown();
        other.join();
        assertThat(Eventually.holds(() -> ranOn.get() != null)).isTrue();
        assertThat(ranOn.get()).as("run by the owner, never beside it").isNotSameAs(Thread.currentThread());
        assertThat(blocker.get()).isSameAs(other);
    }

    @Test
    void aStopPostedIntoALentTurnEndsTheLoop() throws Exception {
        start();
        loop.postMayRun(loop::stop); // runs in a lent turn: the loop must still wake and end
        assertThat(loop.inLoop()).isFalse();
        AtomicInteger ran = new AtomicInteger();
        loop.postMayRun(ran::incrementAndGet); // after the stop: never run here
        assertThat(ran.get()).isZero();
    }

    /**
     * A second port joining in a lent turn stops the direct receive: the loop thread, which may be
     * waiting in the port at that moment, closes it, never the borrower (closing an epoll another
     * thread waits in fails). Failed first: the borrower closed it under the sleeping loop.
     */
    @Test
    void aDirectReceiveStoppedInALentTurnIsClosedByTheLoopThread() throws Exception {
        start();
        loop.postMayRun(loop::stopDirectReceive);
        assertThat(loop.lentTurns()).isEqualTo(1);
        assertThat(loop.readsPort()).isFalse();
        assertThat(port.closedOn.get(30, TimeUnit.SECONDS)).isNotSameAs(Thread.currentThread());
        AtomicReference<Thread> ranOn = new AtomicReference<>();
        loop.call(() -> { // no port read directly now: the loop parks, and posts are queued for it
            ranOn.set(Thread.currentThread());
            return null;
        });
        assertThat(ranOn.get()).isSameAs(port.closedOn.get());
    }

    /** A port with no frames whose {@code await} tells the test the loop went to sleep. */
    private static final class FakePort implements DirectReceive {
        private final Semaphore wakeups = new Semaphore(0);
        private final Semaphore sleeping = new Semaphore(0);
        final CompletableFuture<Thread> closedOn = new CompletableFuture<>();

        void awaitSleeping() throws InterruptedException {
            assertThat(sleeping.tryAcquire(30, TimeUnit.SECONDS)).as("the loop went to sleep").isTrue();
        }

        @Override
        public void await(long timeoutNanos) {
            sleeping.release();
            try {
                if (timeoutNanos == Long.MAX_VALUE) {
                    wakeups.acquire();
                } else {
                    wakeups.tryAcquire(timeoutNanos, TimeUnit.NANOSECONDS);
                }
                wakeups.drainPermits();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public int poll() {
            return 0;
        }

        @Override
        public void wakeUp() {
            wakeups.release();
        }

        @Override
        public void close() {
            closedOn.complete(Thread.currentThread());
        }
    }
}
