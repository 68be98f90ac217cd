package org.jioth.vde;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The owner's sleep of a {@link LinkReceive} with lendable waits (the outer epoll over the inner one
 * and the owner's timerfd): after a sleep ends, {@link LinkReceive#afterWait} consumes a wake-up
 * left in the eventfd, so the next sleep does not end at once (no spin), and looks at the inner
 * epoll only when a wake-up was signalled: a sleep ended by the timer (or a frame) costs no second
 * epoll call. No wake-up is ever lost, whatever the interleaving with a waking thread. A port with
 * no link (the eventfd alone) is enough: nothing here depends on timing.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LinkReceiveWakeUpTest {
    private LinkReceive r;

    @AfterEach
    void close() {
        if (r != null) {
            r.close();
        }
    }

    private LinkReceive lendable() throws Exception {
        r = LinkReceive.open(() -> null, "wake-up-test");
        assertThat(r.lendWaits()).as("epoll and timerfd available").isTrue();
        return r;
    }

    @Test
    void aWakeUpEndsTheSleepOnceAndIsConsumed() throws Exception {
        LinkReceive r = lendable();
        r.wakeUp();
        r.await(Long.MAX_VALUE); // returns: the wake-up is there
        r.afterWait();
        assertThat(r.ownerWouldWakeNow()).as("consumed: the next sleep would not end at once").isFalse();
    }

    @Test
    void aSleepEndedByTheOwnersTimerDoesNotLookAtTheInnerEpoll() throws Exception {
        LinkReceive r = lendable();
        r.wakeOwnerIn(1); // as a borrower that armed a timer before the loop's planned wake-up
        r.await(Long.MAX_VALUE); // the timer ends it
        long looks = r.innerLooks();
        r.afterWait();
        assertThat(r.innerLooks()).as("no wake-up was signalled: nothing to consume, no epoll call").isEqualTo(looks);
        assertThat(r.ownerWouldWakeNow()).as("the timer disarmed, nothing left").isFalse();
    }

    @Test
    void aBorrowerThatSawTheWakeUpOnTheInnerEpollConsumedIt() throws Exception {
        LinkReceive r = lendable();
        r.takeWait();
        r.wakeUp(); // reaches the borrower waiting on the inner epoll
        r.awaitTaken(Long.MAX_VALUE);
        r.giveBackWait();
        assertThat(r.ownerWouldWakeNow()).as("the borrower drained it: the loop's sleep is not ended by it").isFalse();
        r.wakeUp();
        assertThat(r.ownerWouldWakeNow()).as("a later wake-up still reaches the loop").isTrue();
    }

    @Test
    void aBorrowerThatTookTheOwnersTimerPassesItOn() throws Exception {
        LinkReceive r = lendable();
        r.takeWait();
        r.wakeOwnerIn(1); // the owner's deadline falls in the borrower's wait: the borrower is told of it
        r.awaitTaken(Long.MAX_VALUE);
        r.giveBackWait();
        assertThat(r.ownerWouldWakeNow()).as("the loop's sleep still ends for its deadline").isTrue();
    }

    @Test
    void aBorrowerWaitingBesideTheSleepingOwnerIsWokenInsteadOfIt() throws Exception {
        LinkReceive r = lendable();
        java.util.concurrent.atomic.AtomicInteger ownerWakes = new java.util.concurrent.atomic.AtomicInteger();
        Thread owner = Thread.ofPlatform().name("lrw-owner").start(() -> {
            r.await(Long.MAX_VALUE);
            ownerWakes.incrementAndGet();
        });
        assertThat(org.jioth.testkit.Eventually.holds(() -> sleepsInTheKernel(owner))).as("the owner sleeps").isTrue();
        java.util.concurrent.CompletableFuture<Void> borrowed = new java.util.concurrent.CompletableFuture<>();
        Thread borrower = Thread.ofPlatform().name("lrw-borrower").start(() -> {
            r.takeWait();
            r.awaitTaken(Long.MAX_VALUE);
            borrowed.complete(null);
        });
        assertThat(org.jioth.testkit.Eventually.holds(() -> r.borrowerWaits() == 1 && sleepsInTheKernel(borrower)))
                .as("the borrower waits after the owner").isTrue();
        r.wakeUp(); // one event, two waiters: the later one gets it
        borrowed.get(60, TimeUnit.SECONDS);
        r.giveBackWait();
        assertThat(ownerWakes.get()).as("the sleeping owner was not woken").isZero();
        r.wakeUp(); // the next wake-up, with no borrower waiting, ends the owner's sleep
        owner.join(TimeUnit.SECONDS.toMillis(60));
        assertThat(ownerWakes.get()).isEqualTo(1);
    }

    /** Whether {@code t} is blocked in a system call (its task's state in /proc is S). */
    private static boolean sleepsInTheKernel(Thread t) {
        try (var tasks = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/task"))) {
            for (java.nio.file.Path task : (Iterable<java.nio.file.Path>) tasks::iterator) {
                String comm = java.nio.file.Files.readString(task.resolve("comm")).strip();
                if (comm.equals(t.getName())) {
                    String stat = java.nio.file.Files.readString(task.resolve("stat"));
                    return stat.charAt(stat.lastIndexOf(')') + 2) == 'S';
                }
            }
        } catch (java.io.IOException e) {
            return false;
        }
        return false;
    }

    @Test
    void noWakeUpIsLostAndNoneIsLeftBehindWhateverTheInterleaving() throws Exception {
        LinkReceive r = lendable();
        Random random = new Random(42);
        long[] pauses = new long[5000];
        for (int i = 0; i < pauses.length; i++) {
            pauses[i] = random.nextInt(4) == 0 ? random.nextInt(20_000) : 0;
        }
        Thread waker = Thread.ofPlatform().start(() -> {
            for (long pause : pauses) {
                r.wakeUp();
                if (pause > 0) {
                    LockSupport.parkNanos(pause); // interleavings vary; no outcome depends on them
                }
            }
        });
        Thread owner = Thread.ofPlatform().start(() -> {
            while (true) {
                r.await(Long.MAX_VALUE); // a lost wake-up would block here for good (the test's timeout)
                r.afterWait();
                if (Thread.currentThread().isInterrupted()) {
                    return;
                }
            }
        });
        waker.join();
        owner.interrupt(); // a flag only: the owner's sleep is not interruptible
        r.wakeUp(); // after the flag: the owner wakes, consumes it, sees the flag and ends
        owner.join(TimeUnit.SECONDS.toMillis(100));
        assertThat(owner.isAlive()).as("the last wake-up reached the owner").isFalse();
        r.afterWait(); // as the owner's next wake would: a wake-up it left (signalled after its last drain) is consumed
        assertThat(r.ownerWouldWakeNow()).as("the eventfd is readable only while flagged: no spin").isFalse();
    }
}
