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
        assertThat(r.ownerWouldWakeNow()).isTrue();
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
    void aWakeUpLeftWhenTheBorrowerGivesTheWaitBackEndsTheOwnersSleep() throws Exception {
        LinkReceive r = lendable();
        r.takeWait();
        r.wakeUp(); // for the borrower, which gives the wait back before it looks
        assertThat(r.ownerWouldWakeNow()).as("unhooked: the owner's sleep does not see it").isFalse();
        r.giveBackWait();
        assertThat(r.ownerWouldWakeNow()).as("hooked back: the port is ready, the owner's sleep ends").isTrue();
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
