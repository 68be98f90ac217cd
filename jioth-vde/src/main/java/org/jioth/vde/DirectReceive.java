package org.jioth.vde;

/**
 * A port's receiving, run by one thread of its owner instead of the port's shared reactor thread
 * (see {@link EthernetPort#directReceive()}): a stack loop with one port waits on the port's socket
 * itself, so a frame reaches it without a hand-off between threads. The owner calls {@link #await}
 * when it has nothing to do and {@link #poll} on every turn: received frames go to the port's sink
 * on the owner's thread. Other threads call {@link #wakeUp} to end a wait. {@link #close} hands
 * receiving back to the reactor. Only the owner thread calls {@code await}, {@code poll} and
 * {@code close}; it must be a platform thread, as {@code await} blocks in a system call.
 */
public interface DirectReceive extends AutoCloseable {
    /**
     * Blocks until frames wait on the port, {@link #wakeUp} was called (since the last return), or
     * {@code timeoutNanos} passed ({@link Long#MAX_VALUE}: no limit). Delivers nothing itself.
     */
    void await(long timeoutNanos);

    /** Reads the frames waiting now and hands them to the port's sink on this thread; how many. Never blocks. */
    int poll();

    /**
     * True when the last {@link #poll} left the socket empty, as far as it saw: the owner may then go
     * to {@link #await} (which returns at once if frames came since) without polling again first,
     * saving a read that would find nothing. False (the default) when unknown.
     */
    default boolean drained() {
        return false;
    }

    /** Ends a wait in progress, or the next one; any thread, cheap, safe after close. */
    void wakeUp();

    /** Hands receiving back to the port's own delivery thread; idempotent. */
    @Override
    void close();
}
