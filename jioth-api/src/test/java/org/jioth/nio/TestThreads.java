package org.jioth.nio;

import static org.assertj.core.api.Assertions.fail;

import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Runs a task on its own thread and waits, with deadlines, for it to block or finish. */
final class TestThreads {
    static final long DEADLINE_SECONDS = 60;

    enum Kind {
        PLATFORM, VIRTUAL;

        Thread.Builder builder() {
            return this == PLATFORM ? Thread.ofPlatform().daemon() : Thread.ofVirtual();
        }
    }

    /** A task running on its own thread. */
    static final class Running<T> implements AutoCloseable {
        private final FutureTask<T> task;
        final Thread thread;

        private Running(FutureTask<T> task, Thread thread) {
            this.task = task;
            this.thread = thread;
        }

        /** The task's result; its exception is rethrown as the ExecutionException's cause. */
        T join() throws Exception {
            try {
                return task.get(DEADLINE_SECONDS, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof Exception ex ? ex : e;
            } catch (TimeoutException e) {
                throw new AssertionError("Task did not finish within " + DEADLINE_SECONDS + " s; stack: "
                        + Arrays.toString(thread.getStackTrace()));
            }
        }

        /** The exception the task ends with (fails if it returns normally). */
        Throwable joinFailure() {
            try {
                T result = join();
                return fail("Expected the task to fail, it returned " + result);
            } catch (Exception e) {
                return e;
            }
        }

        /** Stops a task left running by a failed test. */
        @Override
        public void close() {
            if (thread.isAlive()) {
                thread.interrupt();
                try {
                    thread.join(TimeUnit.SECONDS.toMillis(DEADLINE_SECONDS));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    static <T> Running<T> start(Kind kind, Callable<T> callable) {
        FutureTask<T> task = new FutureTask<>(callable);
        return new Running<>(task, kind.builder().start(task));
    }

    static <T> Running<T> start(Callable<T> callable) {
        return start(Kind.PLATFORM, callable);
    }

    /**
     * Waits until {@code thread} is blocked inside a method named {@code method}: parked
     * (WAITING/TIMED_WAITING) or in a native call, with that method on its stack.
     */
    static void awaitBlockedIn(Thread thread, String method) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DEADLINE_SECONDS);
        while (System.nanoTime() < deadline) {
            if (!thread.isAlive()) {
                fail("Thread ended before blocking in " + method);
            }
            StackTraceElement[] stack = thread.getStackTrace();
            Thread.State state = thread.getState();
            boolean parked = state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING;
            boolean inNative = stack.length > 0 && stack[0].isNativeMethod();
            if ((parked || inNative) && Arrays.stream(stack).anyMatch(f -> f.getMethodName().equals(method))) {
                return;
            }
            Thread.sleep(1); // polling, not synchronisation: the condition is re-checked
        }
        fail("Thread did not block in " + method + " within " + DEADLINE_SECONDS + " s; state "
                + thread.getState() + ", stack " + Arrays.toString(thread.getStackTrace()));
    }

    private TestThreads() {
    }
}
