package org.jioth.nio;

import java.io.IOException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectableChannel;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
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
 */
public final class Readiness {
    private final SelectableChannel channel;
    private final IntSupplier readyOps;
    /** Keys of {@link ReadinessSelector}s this channel is registered with. */
    private final CopyOnWriteArrayList<ReadinessKey> keys = new CopyOnWriteArrayList<>();
    /** Threads parked in {@link #await}. */
    private final Set<Thread> waiters = ConcurrentHashMap.newKeySet();

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
        for (Thread t : waiters) {
            LockSupport.unpark(t);
        }
        if (!keys.isEmpty()) {
            int ready = readyOps();
            for (ReadinessKey k : keys) {
                k.readinessChanged(ready);
            }
        }
    }

    /**
     * Blocks until one of {@code ops} is ready; for a channel's blocking-mode operations.
     *
     * @throws ClosedChannelException if the channel is closed on entry
     * @throws AsynchronousCloseException if another thread closes the channel while this one waits
     * @throws ClosedByInterruptException if the thread is (or gets) interrupted: the channel is
     *     closed first and the interrupt status stays set, as for JDK blocking I/O
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

    /*
     * Works with or without the channel's own begin()/end() around it: with them, an interrupt
     * closes the channel in the interrupting thread and end() reports it; without them this
     * method closes the channel itself once the interrupted thread wakes. Parking uses LockSupport,
     * so virtual threads unmount while they wait.
     */
    private boolean awaitUntil(int ops, boolean timed, long deadline) throws IOException {
        if (!channel.isOpen()) {
            throw new ClosedChannelException();
        }
        Thread me = Thread.currentThread();
        waiters.add(me);
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
            waiters.remove(me);
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

    void register(ReadinessKey key) {
        keys.add(key);
    }

    void deregister(ReadinessKey key) {
        keys.remove(key);
    }
}
