package org.jioth.nio;

import static java.nio.channels.SelectionKey.OP_READ;
import static java.nio.channels.SelectionKey.OP_WRITE;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.spi.AbstractSelectableChannel;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@link Readiness#changed()} wakes only the waiters whose operations are ready: a thread blocked
 * in a write is not woken by data arriving, and no wake-up is lost when it matters.
 */
class ReadinessWakeupTest {
    /** A channel whose ready operations the test sets, counting how often each waiter looked at them. */
    static final class CountingChannel extends AbstractSelectableChannel implements ReadinessSource {
        final Readiness readiness = new Readiness(this, this::ready);
        final AtomicInteger looksByWaiter = new AtomicInteger();
        volatile Thread waiter;
        volatile int ready;

        CountingChannel() {
            super(new TestReadinessProvider());
        }

        private int ready() {
            if (Thread.currentThread() == waiter) {
                looksByWaiter.incrementAndGet();
            }
            return ready;
        }

        void setReady(int ops) {
            ready = ops;
            readiness.changed();
        }

        @Override
        public Readiness readiness() {
            return readiness;
        }

        @Override
        public int validOps() {
            return OP_READ | OP_WRITE;
        }

        @Override
        protected void implCloseSelectableChannel() {
            readiness.changed();
        }

        @Override
        protected void implConfigureBlocking(boolean block) {
        }
    }

    /**
     * Waits (generous deadline: a lost wake-up fails here instead of hanging) until {@code n} reaches
     * {@code want}. Parked, not spinning: the counting thread unparks this one, and a spin would take
     * the CPU the reader and writer need on a loaded machine (each park is bounded, so an unpark that
     * comes before the park costs at most a millisecond).
     */
    private static void awaitCount(AtomicInteger n, int want, String who, Thread t) {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(TestThreads.DEADLINE_SECONDS);
        while (n.get() < want) {
            if (System.nanoTime() > deadline || !t.isAlive() && n.get() < want) {
                throw new AssertionError("the " + who + " was not woken for round " + want + "; stack "
                        + java.util.Arrays.toString(t.getStackTrace()));
            }
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
    }

    @Test
    void aWriterIsNotWokenByReadReadinessAndIsWokenByWriteReadiness() throws Exception {
        for (TestThreads.Kind kind : TestThreads.Kind.values()) {
            CountingChannel ch = new CountingChannel();
            try (TestThreads.Running<Boolean> w = TestThreads.start(kind, () -> {
                ch.waiter = Thread.currentThread();
                ch.readiness.await(OP_WRITE);
                return true;
            })) {
                TestThreads.awaitBlockedIn(w.thread, "awaitUntil");
                int before = ch.looksByWaiter.get();
                for (int i = 0; i < 50; i++) {
                    ch.setReady(i % 2 == 0 ? OP_READ : 0); // data comes and is read by someone else
                    TestThreads.awaitBlockedIn(w.thread, "awaitUntil");
                }
                // once per change before; a spurious return from park (allowed, very rare) may add one or two
                assertThat(ch.looksByWaiter.get() - before).as("%s waiter's wake-ups", kind).isLessThanOrEqualTo(2);
                ch.setReady(OP_READ | OP_WRITE);
                assertThat(w.join()).isTrue();
            }
        }
    }

    @Test
    void closingWakesAWaiterWhoseOperationsAreNotReady() throws Exception {
        CountingChannel ch = new CountingChannel();
        try (TestThreads.Running<Boolean> w = TestThreads.start(() -> {
            ch.readiness.await(OP_READ);
            return true;
        })) {
            TestThreads.awaitBlockedIn(w.thread, "awaitUntil");
            ch.close();
            assertThat(w.joinFailure()).isInstanceOf(AsynchronousCloseException.class);
        }
    }

    /** A reader and a writer blocked at once each get their own wake-up, many times over. */
    @Test
    void noWakeUpIsLostWithAReaderAndAWriterWaiting() throws Exception {
        CountingChannel ch = new CountingChannel();
        AtomicInteger reads = new AtomicInteger();
        AtomicInteger writes = new AtomicInteger();
        // the round a readiness belongs to: a waiter takes each round once, even when it comes
        // back before the readiness of the round it took is cleared
        AtomicInteger readRound = new AtomicInteger(-1);
        AtomicInteger writeRound = new AtomicInteger(-1);
        int rounds = 2000;
        Thread main = Thread.currentThread();
        try (TestThreads.Running<Boolean> r = TestThreads.start(() -> {
            for (int i = 0; i < rounds; i++) {
                while (reads.get() == i) {
                    ch.readiness.await(OP_READ);
                    if ((ch.ready & OP_READ) != 0 && readRound.get() == i) {
                        reads.incrementAndGet();
                        java.util.concurrent.locks.LockSupport.unpark(main);
                    }
                }
            }
            return true;
        }); TestThreads.Running<Boolean> w = TestThreads.start(TestThreads.Kind.VIRTUAL, () -> {
            for (int i = 0; i < rounds; i++) {
                while (writes.get() == i) {
                    ch.readiness.await(OP_WRITE);
                    if ((ch.ready & OP_WRITE) != 0 && writeRound.get() == i) {
                        writes.incrementAndGet();
                        java.util.concurrent.locks.LockSupport.unpark(main);
                    }
                }
            }
            return true;
        })) {
            for (int i = 0; i < rounds; i++) {
                readRound.set(i);
                ch.setReady(OP_READ);
                awaitCount(reads, i + 1, "reader", r.thread);
                writeRound.set(i);
                ch.setReady(OP_WRITE);
                awaitCount(writes, i + 1, "writer", w.thread);
                ch.setReady(0);
            }
            assertThat(reads.get()).as("rounds read").isEqualTo(rounds);
            assertThat(writes.get()).as("rounds written").isEqualTo(rounds);
            assertThat(r.join()).isTrue();
            assertThat(w.join()).isTrue();
        }
    }
}
