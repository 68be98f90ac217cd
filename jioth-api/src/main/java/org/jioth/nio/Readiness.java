package org.jioth.nio;

import java.io.IOException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectableChannel;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntSupplier;

/**
 * The readiness of one channel whose state lives in Java (a user-space stack's socket, an in-memory
 * pipe). The channel creates one in its constructor and hands it out through
 * {@link ReadinessSource#readiness()}; the stack calls {@link #changed()} whenever the channel may
 * have become ready (or unready), and the channel's blocking operations wait in {@link #await}.
 *
 * <p>The {@code readyOps} callback returns the operations that would not block right now, as
 * {@link java.nio.channels.SelectionKey} bits; it is called from any thread (selectors, stack
 * threads, waiters) so it must be thread-safe and cheap. As the JDK does for POLLERR/POLLHUP, a
 * channel in error or at end-of-stream reports the affected operations ready, so that the next
 * operation runs and reports the condition.
 *
 * <p>{@link #changed()} wakes only the waiters whose operations are ready (or all of them once the
 * channel is closed): a thread blocked in a write is not woken by every batch of data that
 * arrives, nor a reader by every acknowledgement, which on a full-duplex stream cost a park and
 * an unpark per batch each way. Nothing is allocated per change or per wait once a channel has
 * had its first waiter.
 */
public final class Readiness {
    private static final ReadinessKey[] NO_KEYS = {};
    private final SelectableChannel channel;
    private final IntSupplier readyOps;
    /** Keys of {@link ReadinessSelector}s this channel is registered with (copied on write, under this). */
    private volatile ReadinessKey[] keys = NO_KEYS;
    /** Threads parked in {@link #await} and the operations each waits for; guarded by this, made on first use. */
    private Thread[] waiting;
    private int[] waitingOps;
    /** How many entries of {@link #waiting} are in use: read without the lock by {@link #changed}. */
    private volatile int waitingCount;

    /**
     * @param channel the channel this readiness belongs to (it implements {@link ReadinessSource})
     * @param readyOps the channel's ready operations right now, as {@code SelectionKey.OP_*} bits
     */
    public Readiness(SelectableChannel channel, IntSupplier readyOps) {
        this.channel = Objects.requireNonNull(channel, "channel");
        this.readyOps = Objects.requireNonNull(readyOps, "readyOps");
    }

    /** The channel this readiness belongs to. */
    public SelectableChannel channel() {
        return channel;
    }

    /** The operations that are ready right now (the callback's answer). */
    public int readyOps() {
        return readyOps.getAsInt();
    }

    /**
     * Tells waiters the channel's readiness may have changed. Callable from any thread, at any
     * time, as often as wanted (spurious calls only cost a re-check). Must be called after every
     * change that can make an operation ready, and from the channel's
     * {@code implCloseSelectableChannel()} so threads blocked in {@link #await} see the close.
     * Wakes selectors that have the channel registered with an interest that is now ready, and
     * every thread parked in {@link #await}.
     */
    public void changed() {
        // The change happened before this volatile read; a waiter registers (volatile write)
        // before it checks readyOps: either it is seen here, or it sees the change itself.
        int ready = 0;
        boolean known = false;
        if (waitingCount > 0) {
            ready = channel.isOpen() ? readyOps() : -1; // a close wakes every waiter
            known = true;
            wake(ready);
        }
        ReadinessKey[] ks = keys;
        if (ks.length > 0) {
            if (!known || ready == -1) {
                ready = readyOps();
            }
            for (ReadinessKey k : ks) {
                k.readinessChanged(ready);
            }
        }
    }

    private synchronized void wake(int ready) {
        for (int i = 0; i < waitingCount; i++) {
            if ((waitingOps[i] & ready) != 0) {
                LockSupport.unpark(waiting[i]);
            }
        }
    }

    private synchronized void addWaiter(Thread t, int ops) {
        int n = waitingCount;
        if (waiting == null) {
            waiting = new Thread[2];
            waitingOps = new int[2];
        } else if (n == waiting.length) {
            waiting = Arrays.copyOf(waiting, 2 * n);
            waitingOps = Arrays.copyOf(waitingOps, 2 * n);
        }
        waiting[n] = t;
        waitingOps[n] = ops;
        waitingCount = n + 1;
    }

    private synchronized void removeWaiter(Thread t) {
        int n = waitingCount;
        for (int i = 0; i < n; i++) {
            if (waiting[i] == t) {
                waiting[i] = waiting[n - 1];
                waitingOps[i] = waitingOps[n - 1];
                waiting[n - 1] = null;
                waitingCount = n - 1;
                return;
            }
        }
    }

    /**
     * Blocks until one of {@code ops} is ready; for a channel's blocking-mode operations.
     *
     * @throws ClosedChannelException if the channel is closed on entry
     * @throws AsynchronousCloseException if another thread closes the channel while this one waits
     * @throws ClosedByInterruptException if the thread is (or gets) interrupted: the channel is
     *     closed first and the interrupt status stays set, as for JDK blocking I/O. Do not call
     *     the channel's {@code begin()}/{@code end()} around this method: it does their job.
     */
    public void await(int ops) throws IOException {
        awaitUntil(ops, false, 0);
    }

    /**
     * Like {@link #await(int)} but gives up after {@code timeoutNanos}; returns false then. A
     * timeout of zero or less only checks once, without parking.
     */
    public boolean await(int ops, long timeoutNanos) throws IOException {
        return awaitUntil(ops, true, System.nanoTime() + Math.max(0, timeoutNanos));
    }

    /**
     * For the start of a blocking-mode operation that may complete without waiting: if the thread
     * is interrupted, closes the channel and throws {@link ClosedByInterruptException} (interrupt
     * status left set), as the JDK's channels do when an operation begins on an interrupted thread.
     */
    public void checkInterrupted() throws ClosedByInterruptException {
        if (Thread.currentThread().isInterrupted()) {
            throw closedByInterrupt();
        }
    }

    /*
     * This replaces AbstractInterruptibleChannel.begin()/end() for the waiting part of a blocking
     * operation, and must not be wrapped in them: Thread.interrupt() sets the status and unparks
     * before it runs the channel's interruptor, so this thread could close the channel first and
     * end() would then report an AsynchronousCloseException instead. The difference to the JDK is
     * only that the interrupted thread closes the channel, not the interrupting one. Parking uses
     * LockSupport, so virtual threads unmount while they wait.
     */
    private boolean awaitUntil(int ops, boolean timed, long deadline) throws IOException {
        if (!channel.isOpen()) {
            throw new ClosedChannelException();
        }
        Thread me = Thread.currentThread();
        addWaiter(me, ops);
        try {
            while (true) {
                if (me.isInterrupted()) {
                    throw closedByInterrupt();
                }
                if (!channel.isOpen()) {
                    throw new AsynchronousCloseException();
                }
                if ((readyOps() & ops) != 0) {
                    return true;
                }
                if (timed) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return false;
                    }
                    LockSupport.parkNanos(this, left);
                } else {
                    LockSupport.park(this);
                }
            }
        } finally {
            removeWaiter(me);
        }
    }

    private ClosedByInterruptException closedByInterrupt() {
        ClosedByInterruptException e = new ClosedByInterruptException();
        try {
            channel.close();
        } catch (IOException closeFailed) {
            e.addSuppressed(closeFailed);
        }
        return e;
    }

    synchronized void register(ReadinessKey key) {
        ReadinessKey[] ks = Arrays.copyOf(keys, keys.length + 1);
        ks[ks.length - 1] = key;
        keys = ks;
    }

    synchronized void deregister(ReadinessKey key) {
        ReadinessKey[] ks = keys;
        for (int i = 0; i < ks.length; i++) {
            if (ks[i] == key) {
                ReadinessKey[] rest = new ReadinessKey[ks.length - 1];
                System.arraycopy(ks, 0, rest, 0, i);
                System.arraycopy(ks, i + 1, rest, i, ks.length - i - 1);
                keys = ks.length == 1 ? NO_KEYS : rest;
                return;
            }
        }
    }
}
