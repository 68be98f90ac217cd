package org.jioth.linux.fdnio;

import java.io.IOException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.IllegalSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.spi.AbstractSelectableChannel;
import java.nio.channels.spi.AbstractSelector;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jioth.linux.ErrnoException;
import org.jioth.linux.unix.Epoll;
import org.jioth.linux.unix.EventFd;

/**
 * A {@link Selector} over epoll for descriptor channels, with the JDK's semantics: a key whose
 * interest set is empty is not in the epoll set and so is never selected; ready operations are
 * always a subset of the interest set; a key already selected gains ready operations instead of
 * being replaced; cancelled keys are deregistered at the start and end of each selection; wakeup
 * is sticky until the next selection and coalesces; the JDK's channels are refused with
 * {@link IllegalSelectorException}.
 *
 * <p>Channels of every {@link FdSelectorProvider} may share one selector (they are all descriptors,
 * so one epoll set watches them), which lets one thread serve sockets of several stacks; the JDK
 * would refuse channels of another provider. A selection blocks in epoll_wait: on a virtual thread
 * it holds its carrier for the duration, as the JDK's own selector does.
 */
public final class EpollSelector extends AbstractSelector {
    private static final long WAKEUP_TOKEN = -1L;
    private static final int MAX_EVENTS = 256;

    private final Epoll epoll;
    private final EventFd wakeupFd;
    private final Set<SelectionKey> keys = ConcurrentHashMap.newKeySet();
    private final Set<SelectionKey> publicKeys = Collections.unmodifiableSet(keys);
    private final Set<SelectionKey> selected = new HashSet<>();
    private final Set<SelectionKey> publicSelected = new org.jioth.nio.UngrowableSet<>(selected);
    private final Map<Integer, FdSelectionKey> byFd = new ConcurrentHashMap<>();
    private final Object registrationLock = new Object();
    private final Object wakeupLock = new Object();
    private boolean wakeupPending;

    EpollSelector(FdSelectorProvider provider) throws IOException {
        super(provider);
        this.epoll = new Epoll(MAX_EVENTS);
        try {
            this.wakeupFd = new EventFd();
            epoll.add(wakeupFd.fd(), Epoll.IN, WAKEUP_TOKEN);
        } catch (ErrnoException | RuntimeException e) {
            epoll.close();
            throw e;
        }
    }

    @Override
    protected SelectionKey register(AbstractSelectableChannel ch, int ops, Object att) {
        if (!(ch instanceof FdSelectable s)) {
            throw new IllegalSelectorException();
        }
        ensureOpen();
        NativeFd fd = s.nativeFd();
        if (!fd.tryBegin()) {
            // closed between the channel's own check and here: an invalid key, as a cancelled one
            FdSelectionKey dead = new FdSelectionKey(ch, this, fd);
            dead.cancel();
            return dead;
        }
        FdSelectionKey k = new FdSelectionKey(ch, this, fd);
        k.attach(att);
        synchronized (registrationLock) {
            keys.add(k);
            byFd.put(fd.fd, k);
        }
        k.interestOps(ops);
        return k;
    }

    /** Brings the epoll set in line with the key's interest set (called under the key's lock). */
    void updateInterest(FdSelectionKey k) {
        synchronized (registrationLock) {
            if (!k.isValid() || !isOpen()) {
                return;
            }
            int events = k.selectable.pollEventsFor(k.rawInterestOps());
            try {
                if (events == 0) {
                    if (k.inEpoll) {
                        epoll.remove(k.fd.fd);
                        k.inEpoll = false;
                    }
                } else if (k.inEpoll) {
                    epoll.modify(k.fd.fd, events, k.fd.fd);
                } else {
                    epoll.add(k.fd.fd, events, k.fd.fd);
                    k.inEpoll = true;
                }
            } catch (ErrnoException e) {
                throw new IllegalStateException("epoll_ctl for " + k.channel() + ": " + e.getMessage(), e);
            }
        }
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
        return doSelect(0);
    }

    @Override
    public int select(long timeout) throws IOException {
        if (timeout < 0) {
            throw new IllegalArgumentException("Negative timeout");
        }
        return doSelect(timeout == 0 ? -1 : timeout);
    }

    @Override
    public int select() throws IOException {
        return doSelect(-1);
    }

    /** timeoutMillis: -1 no limit, 0 do not wait. */
    private int doSelect(long timeoutMillis) throws IOException {
        synchronized (this) {
            ensureOpen();
            synchronized (publicKeys) {
                synchronized (publicSelected) {
                    processDeregisterQueue();
                    synchronized (wakeupLock) {
                        if (wakeupPending) {
                            timeoutMillis = 0;
                        }
                    }
                    int n;
                    boolean blocking = timeoutMillis != 0;
                    if (blocking) {
                        begin(); // an interrupt wakes the selection up
                    }
                    try {
                        n = epoll.await((int) Math.min(Integer.MAX_VALUE, timeoutMillis));
                    } finally {
                        if (blocking) {
                            end();
                        }
                    }
                    processDeregisterQueue();
                    int updated = processEvents(n);
                    clearWakeup();
                    return updated;
                }
            }
        }
    }

    private int processEvents(int n) {
        int updated = 0;
        for (int i = 0; i < n; i++) {
            long token = epoll.token(i);
            if (token == WAKEUP_TOKEN) {
                continue;
            }
            FdSelectionKey k = byFd.get((int) token);
            if (k == null || !k.isValid()) {
                continue;
            }
            int ops = k.selectable.readyOpsFor(epoll.events(i), k.rawInterestOps());
            if (ops == 0) {
                continue;
            }
            if (selected.contains(k)) {
                int old = k.readyOps;
                if ((ops & ~old) != 0) {
                    k.readyOps = old | ops;
                    updated++;
                }
            } else {
                k.readyOps = ops;
                selected.add(k);
                updated++;
            }
        }
        return updated;
    }

    private void clearWakeup() {
        synchronized (wakeupLock) {
            if (wakeupPending) {
                wakeupFd.drain();
                wakeupPending = false;
            }
        }
    }

    private void processDeregisterQueue() {
        Set<SelectionKey> cancelled = cancelledKeys();
        synchronized (cancelled) {
            if (cancelled.isEmpty()) {
                return;
            }
            for (Iterator<SelectionKey> it = cancelled.iterator(); it.hasNext(); ) {
                FdSelectionKey k = (FdSelectionKey) it.next();
                it.remove();
                forget(k);
            }
        }
    }

    private void forget(FdSelectionKey k) {
        synchronized (registrationLock) {
            if (!keys.remove(k)) {
                return;
            }
            byFd.remove(k.fd.fd, k);
            if (k.inEpoll) {
                try {
                    epoll.remove(k.fd.fd);
                } catch (ErrnoException e) {
                    // the descriptor was already gone from the set
                }
                k.inEpoll = false;
            }
        }
        selected.remove(k);
        deregister(k);
        k.fd.end();
    }

    @Override
    public Selector wakeup() {
        synchronized (wakeupLock) {
            if (!wakeupPending && isOpen()) {
                wakeupPending = true;
                wakeupFd.signal();
            }
        }
        return this;
    }

    @Override
    protected void implCloseSelector() throws IOException {
        synchronized (wakeupLock) {
            wakeupFd.signal(); // isOpen() is already false: wake a selection in progress directly
        }
        synchronized (this) {
            synchronized (publicKeys) {
                synchronized (publicSelected) {
                    processDeregisterQueue();
                    for (SelectionKey k : keys.toArray(new SelectionKey[0])) {
                        k.cancel();
                    }
                    processDeregisterQueue();
                    synchronized (wakeupLock) {
                        wakeupPending = true; // no signal to a closed eventfd from now on
                    }
                    epoll.close();
                    wakeupFd.close();
                }
            }
        }
    }

    private void ensureOpen() {
        if (!isOpen()) {
            throw new ClosedSelectorException();
        }
    }
}
