package org.jioth.nio;

import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.Selector;
import java.nio.channels.spi.AbstractSelectionKey;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The key of one {@link ReadinessSource} channel in one {@link ReadinessSelector}. As in the JDK,
 * interest changes are queued and take effect at the start of the selector's next selection
 * operation ({@link #watchOps} is the interest that selection works with).
 */
final class ReadinessKey extends AbstractSelectionKey {
    private final SelectableChannel channel;
    private final ReadinessSelector selector;
    private final Readiness readiness;
    private final AtomicInteger interestOps = new AtomicInteger();
    private volatile int readyOps;
    /** The interest the selector applied last; written by the selecting thread only. */
    volatile int watchOps;
    /** Whether the key is in the selector's queue of keys to check. */
    final AtomicBoolean queued = new AtomicBoolean();
    /** Whether the key is in the selector's queue of interest updates. */
    final AtomicBoolean updateQueued = new AtomicBoolean();
    /** The ready ops found by the current selection operation (selecting thread only). */
    int scannedOps;
    /** Whether the current selection operation already found this key (selecting thread only). */
    boolean collected;

    ReadinessKey(SelectableChannel channel, ReadinessSelector selector, Readiness readiness) {
        this.channel = channel;
        this.selector = selector;
        this.readiness = readiness;
    }

    @Override
    public SelectableChannel channel() {
        return channel;
    }

    @Override
    public Selector selector() {
        return selector;
    }

    Readiness readiness() {
        return readiness;
    }

    @Override
    public int interestOps() {
        ensureValid();
        return interestOps.get();
    }

    @Override
    public java.nio.channels.SelectionKey interestOps(int ops) {
        ensureValid();
        checkOps(ops);
        if (interestOps.getAndSet(ops) != ops) {
            selector.interestChanged(this);
        }
        return this;
    }

    @Override
    public int interestOpsOr(int ops) {
        ensureValid();
        checkOps(ops);
        int old = interestOps.getAndUpdate(v -> v | ops);
        if ((old | ops) != old) {
            selector.interestChanged(this);
        }
        return old;
    }

    @Override
    public int interestOpsAnd(int ops) {
        ensureValid();
        int old = interestOps.getAndUpdate(v -> v & ops);
        if ((old & ops) != old) {
            selector.interestChanged(this);
        }
        return old;
    }

    @Override
    public int readyOps() {
        ensureValid();
        return readyOps;
    }

    /** The current interest, without the validity check (for the selecting thread). */
    int currentInterest() {
        return interestOps.get();
    }

    /** Sets the ready set; true when it has ops of interest. */
    boolean setReadyOps(int ready) {
        readyOps = ready;
        return (ready & interestOps.get()) != 0;
    }

    /** ORs into the ready set; true when it gained ops. */
    boolean addReadyOps(int ready) {
        int old = readyOps;
        readyOps = old | ready;
        return (ready & ~old) != 0;
    }

    /** Called by {@link Readiness#changed()} with the channel's ready ops. */
    void readinessChanged(int ready) {
        if ((ready & watchOps) != 0 && isValid()) {
            selector.check(this);
        }
    }

    private void checkOps(int ops) {
        if ((ops & ~channel.validOps()) != 0) {
            throw new IllegalArgumentException("Invalid interest ops 0x" + Integer.toHexString(ops)
                    + " for " + channel + " (valid: 0x" + Integer.toHexString(channel.validOps()) + ")");
        }
    }

    private void ensureValid() {
        if (!isValid()) {
            throw new CancelledKeyException();
        }
    }

    @Override
    public String toString() {
        return "ReadinessKey[channel=" + channel + ", valid=" + isValid() + "]";
    }
}
