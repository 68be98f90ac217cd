package org.jioth.vde;

import java.util.function.Supplier;
import org.jioth.linux.ErrnoException;
import org.jioth.linux.unix.Epoll;
import org.jioth.linux.unix.EventFd;
import org.jioth.linux.unix.TimerFd;

/**
 * A {@link DirectReceive} over the data link of a {@code vde://} port: the owner waits in its own
 * epoll on the link's socket and an eventfd that {@link #wakeUp} signals. The link to read is asked
 * for at every call, so a port that reconnects to its switch (a new link each time) is followed;
 * while there is none the owner waits on the eventfd alone.
 *
 * <p>With {@linkplain #lendWaits lendable waits} the owner sleeps in an outer epoll that watches
 * only the inner one (link + eventfd): a borrower of the owner's turn unhooks the inner epoll from
 * it (disables it in place: an {@code EPOLL_CTL_MOD} to no events and back costs about half of a
 * remove and an add of a nested epoll) and waits on the inner one itself, so a frame wakes the
 * borrower and not the sleeping owner.
 * The inner epoll's events (and the eventfd's drain) are then only read by the holder of the turn.
 */
final class LinkReceive implements DirectReceive {
    private static final System.Logger LOG = System.getLogger(LinkReceive.class.getName());
    private static final long LINK = 0;
    private static final long WAKE = 1;

    private final Supplier<DatagramLink> links;
    private final String name;
    private final Epoll epoll;
    private final EventFd wakeup;
    private final Runnable wake = this::wakeUp;
    /** The owner's sleep when waits are lendable (see the class comment), else null. */
    private Epoll outer;
    /** In {@link #outer}: ends the owner's sleep earlier than it planned ({@link #wakeOwnerIn}). */
    private TimerFd ownerTimer;
    /** {@link #ownerTimer} is armed (holder of the turn only). */
    private boolean ownerTimerArmed;
    /** The link read now (owner thread only). */
    private DatagramLink attached;
    /** Guarded by {@code wakeup}: no signal on a closed (and perhaps reused) descriptor. */
    private boolean closed;
    /**
     * Guarded by {@code wakeup}: the eventfd was signalled and not drained since. Signal and flag, drain
     * and flag change together under the lock, so the eventfd is readable only while this is set:
     * {@link #afterWait} drains it only then, and a sleep ended by a frame or the timer costs no look.
     */
    private boolean signalled;
    /** Waits and looks on the inner epoll (holder of the turn only; for tests). */
    private long innerLooks;

    private LinkReceive(Supplier<DatagramLink> links, String name, Epoll epoll, EventFd wakeup) {
        this.links = links;
        this.name = name;
        this.epoll = epoll;
        this.wakeup = wakeup;
    }

    /** A direct reader of whatever link {@code links} names at each call (null: none now). */
    static LinkReceive open(Supplier<DatagramLink> links, String name) throws ErrnoException {
        Epoll epoll = new Epoll(4);
        EventFd wakeup = null;
        try {
            wakeup = new EventFd();
            epoll.add(wakeup.fd(), Epoll.IN, WAKE);
        } catch (ErrnoException | RuntimeException e) {
            if (wakeup != null) {
                wakeup.close(); // the eventfd was made but could not be watched
            }
            epoll.close();
            throw e;
        }
        LinkReceive r = new LinkReceive(links, name, epoll, wakeup);
        r.follow();
        return r;
    }

    /** Reads the link the port has now, handing the one before back. */
    private void follow() {
        DatagramLink now = links.get();
        if (now != null && now.isClosed()) {
            now = null;
        }
        if (now == attached) {
            return;
        }
        if (attached != null) {
            release(attached);
        }
        attached = null;
        if (now != null) {
            try {
                epoll.add(now.fd(), Epoll.IN, LINK);
                now.directReceiver(wake);
                attached = now;
            } catch (ErrnoException e) {
                LOG.log(System.Logger.Level.DEBUG, () -> name + ": cannot watch the link: " + e.getMessage());
            }
        }
    }

    private void release(DatagramLink link) {
        link.directReceiver(null);
        try {
            epoll.remove(link.fd());
        } catch (ErrnoException e) {
            // closed already: epoll forgot it by itself
        }
    }

    @Override
    public boolean lendWaits() {
        if (outer != null) {
            return true;
        }
        try {
            Epoll o = new Epoll(2);
            TimerFd t = null;
            try {
                t = new TimerFd();
                o.add(epoll.fd(), Epoll.IN, 0);
                o.add(t.fd(), Epoll.IN, 1);
            } catch (ErrnoException e) {
                if (t != null) {
                    t.close();
                }
                o.close();
                throw e;
            }
            outer = o;
            ownerTimer = t;
            return true;
        } catch (ErrnoException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> name + ": no lendable waits: " + e.getMessage());
            return false;
        }
    }

    @Override
    public void takeWait() {
        try {
            outer.modify(epoll.fd(), 0, 0); // disabled in place: cheaper than removing a nested epoll and adding it back
        } catch (ErrnoException e) {
            throw new IllegalStateException(name + ": cannot unhook the port from the sleeping loop", e);
        }
    }

    @Override
    public void awaitTaken(long timeoutNanos) {
        follow();
        waitInner(timeoutNanos);
    }

    @Override
    public void giveBackWait() {
        try {
            outer.modify(epoll.fd(), Epoll.IN, 0); // re-enabled: ends the owner's sleep at once if the port is ready
        } catch (ErrnoException e) {
            throw new IllegalStateException(name + ": cannot hook the port back into the sleeping loop", e);
        }
    }

    @Override
    public void wakeOwnerIn(long nanos) {
        try {
            ownerTimer.armIn(nanos);
            ownerTimerArmed = true;
        } catch (ErrnoException e) {
            throw new IllegalStateException(name + ": cannot arm the sleeping loop's timer", e);
        }
    }

    @Override
    public void afterWait() {
        if (outer != null) {
            follow(); // the frames are the next poll's: only a wake-up left in the eventfd needs consuming
            drainWakeUp();
            if (ownerTimerArmed) {
                ownerTimerArmed = false;
                try {
                    ownerTimer.disarm();
                } catch (ErrnoException e) {
                    LOG.log(System.Logger.Level.WARNING, name + ": cannot disarm the loop's timer", e);
                }
            }
        }
    }

    /** Consumes a wake-up signalled since the last drain, if any (one read; none when there was none). */
    private void drainWakeUp() {
        synchronized (wakeup) {
            if (signalled && !closed) {
                signalled = false;
                wakeup.drain();
            }
        }
    }

    /** Waits on the inner epoll and consumes a wake-up it reports (holder of the turn, or the owner without lending). */
    private void waitInner(long timeoutNanos) {
        innerLooks++;
        int n;
        try {
            n = epoll.awaitNanos(timeoutNanos);
        } catch (ErrnoException e) {
            LOG.log(System.Logger.Level.WARNING, name + ": epoll_wait failed", e);
            return;
        }
        for (int i = 0; i < n; i++) {
            if (epoll.token(i) == WAKE) {
                drainWakeUp();
            }
        }
    }

    @Override
    public void await(long timeoutNanos) {
        Epoll o = outer;
        if (o != null) { // lendable: the inner epoll is the turn holder's (afterWait)
            try {
                o.awaitNanos(timeoutNanos);
            } catch (ErrnoException e) {
                LOG.log(System.Logger.Level.WARNING, name + ": epoll_wait failed", e);
            }
            return;
        }
        follow();
        waitInner(timeoutNanos);
    }

    /** For tests: whether the owner's sleep (the outer epoll) would end now; lendable waits only. */
    boolean ownerWouldWakeNow() throws ErrnoException {
        return outer.awaitNanos(0) > 0;
    }

    /** For tests: how many times the inner epoll was waited on or looked at. */
    long innerLooks() {
        return innerLooks;
    }

    @Override
    public int poll() {
        follow();
        DatagramLink link = attached;
        return link == null ? 0 : link.receive();
    }

    @Override
    public boolean drained() {
        DatagramLink link = attached;
        return link != null && link.drained();
    }

    @Override
    public void wakeUp() {
        synchronized (wakeup) {
            if (!closed) {
                wakeup.signal();
                signalled = true;
            }
        }
    }

    @Override
    public void close() {
        synchronized (wakeup) {
            if (closed) {
                return;
            }
            closed = true;
        }
        if (attached != null) {
            release(attached);
            attached = null;
        }
        if (outer != null) {
            outer.close();
            ownerTimer.close();
        }
        epoll.close();
        wakeup.close();
    }
}
