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

    /**
     * Makes the owner's sleep lendable: from now on {@link #await} waits on the port through a wait
     * that a borrower can unhook the port from ({@link #takeWait}) without waking the owner, and the
     * owner calls {@link #afterWait} once it holds its turn again. False when this port cannot (then
     * nothing changes). Owner thread, before its first {@link #await}.
     */
    default boolean lendWaits() {
        return false;
    }

    /**
     * A borrower holding the owner's turn while the owner sleeps: unhooks the port (frames and
     * {@link #wakeUp}) from the owner's sleep, which goes on until its timeout or {@link #giveBackWait};
     * the borrower then reads with {@link #poll} and waits with {@link #awaitTaken}.
     */
    default void takeWait() {
        throw new UnsupportedOperationException("no lendable waits");
    }

    /**
     * The borrower's wait: until frames wait, {@link #wakeUp} was called (since the last return, a
     * wake-up this call then consumes) or {@code timeoutNanos} passed. Holder of the turn only.
     */
    default void awaitTaken(long timeoutNanos) {
        throw new UnsupportedOperationException("no lendable waits");
    }

    /** Hooks the port back into the owner's sleep, which ends at once if frames or a wake-up wait. */
    default void giveBackWait() {
        throw new UnsupportedOperationException("no lendable waits");
    }

    /**
     * With lendable waits, holder of the owner's turn while the owner sleeps: the owner's sleep ends
     * in {@code nanos} at the latest (a borrower armed a timer before the sleep's own deadline), without
     * waking it now.
     */
    default void wakeOwnerIn(long nanos) {
        throw new UnsupportedOperationException("no lendable waits");
    }

    /**
     * With lendable waits: the owner, holding its turn again after {@link #await}, consumes a wake-up
     * the await saw (only the holder of the turn may, or a borrower's wake-up could be lost) and a
     * deadline {@link #wakeOwnerIn} set.
     */
    default void afterWait() {
    }

    /** Ends a wait in progress, or the next one; any thread, cheap, safe after close. */
    void wakeUp();

    /** Hands receiving back to the port's own delivery thread; idempotent. */
    @Override
    void close();
}
