package org.jioth.nio;

import java.io.IOException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.IllegalSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.spi.AbstractSelectableChannel;
import java.nio.channels.spi.AbstractSelector;
import java.nio.channels.spi.SelectorProvider;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * A {@link Selector} over {@link ReadinessSource} channels of one provider, with the JDK's
 * semantics (JDK 11+ selector implementations are the reference):
 * <ul>
 *   <li>selection is level-triggered: a channel that stays ready is selected again by every
 *       selection operation while its key's interest set includes the ready operation;</li>
 *   <li>{@code select()} returns the number of keys whose ready set was updated: a key already in
 *       the selected-key set has the new ready operations OR-ed in and counts only if it gained
 *       one; a selection operation still returns at once when an already-selected key is ready;</li>
 *   <li>interest changes and registrations made while another thread is blocked in a selection
 *       operation are seen by the next selection operation (as with {@code epoll});</li>
 *   <li>{@link #wakeup()} is sticky (the next selection returns at once if none is in progress)
 *       and coalesces; any selection operation consumes it, {@code selectNow()} included;</li>
 *   <li>cancelled keys are deregistered at the start (and end) of the next selection operation;</li>
 *   <li>registering runs concurrently with a blocked selection; an interrupt makes a blocked
 *       selection return with the interrupt status left set;</li>
 *   <li>channels of another provider, or that are not {@link ReadinessSource}s, are refused with
 *       {@link IllegalSelectorException}.</li>
 * </ul>
 * Selecting locks the selector and then its selected-key set, in that order, as the JDK does.
 */
public final class ReadinessSelector extends AbstractSelector {
    private final Set<SelectionKey> keys = ConcurrentHashMap.newKeySet();
    private final Set<SelectionKey> selected = new HashSet<>();
    private final Set<SelectionKey> publicKeys = Collections.unmodifiableSet(keys);
    private final Set<SelectionKey> publicSelected = new UngrowableSet<>(selected);
    /** Keys that may be ready: signalled by their channel, newly interested, or ready last time. */
    private final ConcurrentLinkedQueue<ReadinessKey> toCheck = new ConcurrentLinkedQueue<>();
    /** Keys whose interest set changed since the last selection operation started. */
    private final ConcurrentLinkedQueue<ReadinessKey> updates = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean wakeupPending = new AtomicBoolean();
    private final ReentrantLock selectLock = new ReentrantLock();
    private volatile Thread selecting;
    /** Ready keys found by the current selection operation; used under {@link #selectLock}. */
    private final List<ReadinessKey> found = new ArrayList<>();

    /** A selector for the channels {@code provider} creates. */
    public ReadinessSelector(SelectorProvider provider) {
        super(Objects.requireNonNull(provider, "provider"));
    }

    @Override
    protected SelectionKey register(AbstractSelectableChannel ch, int ops, Object att) {
        if (!(ch instanceof ReadinessSource source) || ch.provider() != provider()) {
            throw new IllegalSelectorException();
        }
        ensureOpen();
        Readiness readiness = source.readiness();
        ReadinessKey key = new ReadinessKey(ch, this, readiness);
        key.attach(att);
        readiness.register(key);
        keys.add(key);
        if (!isOpen()) { // closed concurrently: the close may not have seen this key
            keys.remove(key);
            readiness.deregister(key);
            throw new ClosedSelectorException();
        }
        key.interestOps(ops);
        return key;
    }

    @Override
    public Set<SelectionKey> keys() {
        ensureOpen();
        return publicKeys;
    }

    @Override
    public Set<SelectionKey> selectedKeys() {
        ensureOpen();
        return publicSelected;
    }

    @Override
    public int selectNow() throws IOException {
        return lockAndSelect(null, 0);
    }

    @Override
    public int select(long timeout) throws IOException {
        return lockAndSelect(null, blockingTimeout(timeout));
    }

    @Override
    public int select() throws IOException {
        return lockAndSelect(null, -1);
    }

    @Override
    public int select(Consumer<SelectionKey> action, long timeout) throws IOException {
        return lockAndSelect(Objects.requireNonNull(action, "action"), blockingTimeout(timeout));
    }

    @Override
    public int select(Consumer<SelectionKey> action) throws IOException {
        return lockAndSelect(Objects.requireNonNull(action, "action"), -1);
    }

    @Override
    public int selectNow(Consumer<SelectionKey> action) throws IOException {
        return lockAndSelect(Objects.requireNonNull(action, "action"), 0);
    }

    @Override
    public Selector wakeup() {
        if (wakeupPending.compareAndSet(false, true)) {
            Thread t = selecting;
            if (t != null) {
                LockSupport.unpark(t);
            }
        }
        return this;
    }

    @Override
    protected void implCloseSelector() throws IOException {
        wakeup();
        selectLock.lock();
        try {
            synchronized (publicSelected) {
                for (SelectionKey k : keys) {
                    ReadinessKey key = (ReadinessKey) k;
                    key.readiness().deregister(key);
                    deregister(key);
                }
                selected.clear();
                keys.clear();
            }
            Set<SelectionKey> cancelled = cancelledKeys();
            synchronized (cancelled) {
                cancelled.clear();
            }
            toCheck.clear();
            updates.clear();
        } finally {
            selectLock.unlock();
        }
    }

    /** Queues {@code key} for checking and wakes the selecting thread. */
    void check(ReadinessKey key) {
        if (key.queued.compareAndSet(false, true)) {
            toCheck.add(key);
            Thread t = selecting;
            if (t != null) {
                LockSupport.unpark(t);
            }
        }
    }

    /** Records an interest change for the next selection operation (does not wake a blocked one). */
    void interestChanged(ReadinessKey key) {
        ensureOpen();
        if (key.updateQueued.compareAndSet(false, true)) {
            updates.add(key);
        }
    }

    /** Millisecond timeout of select(long): 0 means no limit (-1 here), else nanoseconds. */
    private static long blockingTimeout(long millis) {
        if (millis < 0) {
            throw new IllegalArgumentException("Negative timeout: " + millis);
        }
        if (millis == 0 || millis >= Long.MAX_VALUE / 1_000_000L) {
            return -1;
        }
        return TimeUnit.MILLISECONDS.toNanos(millis);
    }

    /** @param timeoutNanos 0 = do not block, negative = no limit, else the limit */
    private int lockAndSelect(Consumer<SelectionKey> action, long timeoutNanos) throws IOException {
        if (selectLock.isHeldByCurrentThread()) {
            throw new IllegalStateException("A selection operation is already in progress");
        }
        selectLock.lock();
        try {
            ensureOpen();
            synchronized (publicSelected) {
                return doSelect(action, timeoutNanos);
            }
        } finally {
            selectLock.unlock();
        }
    }

    private int doSelect(Consumer<SelectionKey> action, long timeoutNanos) throws IOException {
        processCancelled();
        processUpdates();
        boolean blocking = timeoutNanos != 0;
        try {
            if (blocking) {
                waitForReadyKeys(timeoutNanos);
            } else {
                collectReady();
            }
            processCancelled();
            int updated = 0;
            for (ReadinessKey key : found) {
                if (key.isValid()) {
                    updated += action == null ? updateSelected(key) : consume(key, action);
                }
            }
            return updated;
        } finally {
            for (ReadinessKey key : found) {
                key.collected = false;
                if (key.isValid()) {
                    check(key); // level-triggered: a key ready now is checked again next time
                }
            }
            found.clear();
            wakeupPending.set(false);
        }
    }

    private void waitForReadyKeys(long timeoutNanos) {
        Thread me = Thread.currentThread();
        long deadline = timeoutNanos > 0 ? System.nanoTime() + timeoutNanos : 0;
        selecting = me;
        begin(); // an interrupt calls wakeup()
        try {
            while (true) {
                collectReady();
                if (!found.isEmpty() || wakeupPending.get() || me.isInterrupted() || !isOpen()) {
                    return;
                }
                if (!toCheck.isEmpty()) {
                    continue; // a channel signalled while we were checking
                }
                if (timeoutNanos > 0) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return;
                    }
                    LockSupport.parkNanos(this, left);
                } else {
                    LockSupport.park(this);
                }
            }
        } finally {
            end();
            selecting = null;
        }
    }

    /** Checks every queued key; ready ones go to {@link #found}, the others leave the queue. */
    private void collectReady() {
        ReadinessKey key;
        while ((key = toCheck.poll()) != null) {
            key.queued.set(false); // before reading readiness, so a later change re-queues it
            if (!key.isValid() || key.collected) {
                continue;
            }
            int ready = key.readiness().readyOps();
            if ((ready & key.watchOps) != 0) {
                key.scannedOps = ready;
                key.collected = true;
                found.add(key);
            }
        }
    }

    private void processUpdates() {
        ReadinessKey key;
        while ((key = updates.poll()) != null) {
            key.updateQueued.set(false); // before reading the interest, so no change is lost
            if (key.isValid()) {
                key.watchOps = key.currentInterest();
                if (key.watchOps != 0) {
                    check(key);
                }
            }
        }
    }

    private void processCancelled() {
        Set<SelectionKey> cancelled = cancelledKeys();
        SelectionKey[] toRemove;
        synchronized (cancelled) {
            if (cancelled.isEmpty()) {
                return;
            }
            toRemove = cancelled.toArray(new SelectionKey[0]);
            cancelled.clear();
        }
        // Deregistering takes the channel's key lock, which a closing channel holds while it
        // cancels keys into the cancelled set: so never hold the cancelled set's lock here.
        for (SelectionKey k : toRemove) {
            ReadinessKey key = (ReadinessKey) k;
            key.readiness().deregister(key);
            keys.remove(key);
            selected.remove(key);
            deregister(key);
        }
    }

    private int updateSelected(ReadinessKey key) {
        int ready = key.scannedOps & key.currentInterest();
        if (selected.contains(key)) {
            return key.addReadyOps(ready) ? 1 : 0;
        }
        if (key.setReadyOps(ready)) {
            selected.add(key);
            return 1;
        }
        return 0;
    }

    private int consume(ReadinessKey key, Consumer<SelectionKey> action) {
        if (key.setReadyOps(key.scannedOps & key.currentInterest())) {
            action.accept(key);
            ensureOpen();
            return 1;
        }
        return 0;
    }

    private void ensureOpen() {
        if (!isOpen()) {
            throw new ClosedSelectorException();
        }
    }
}
