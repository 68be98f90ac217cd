package org.jioth.vde;

import java.util.function.Supplier;
import org.jioth.linux.ErrnoException;
import org.jioth.linux.unix.Epoll;
import org.jioth.linux.unix.EventFd;

/**
 * A {@link DirectReceive} over the data link of a {@code vde://} port: the owner waits in its own
 * epoll on the link's socket and an eventfd that {@link #wakeUp} signals. The link to read is asked
 * for at every call, so a port that reconnects to its switch (a new link each time) is followed;
 * while there is none the owner waits on the eventfd alone.
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
    /** The link read now (owner thread only). */
    private DatagramLink attached;
    /** Guarded by {@code wakeup}: no signal on a closed (and perhaps reused) descriptor. */
    private boolean closed;

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
    public void await(long timeoutNanos) {
        follow();
        int n;
        try {
            n = epoll.awaitNanos(timeoutNanos);
        } catch (ErrnoException e) {
            LOG.log(System.Logger.Level.WARNING, name + ": epoll_wait failed", e);
            return;
        }
        for (int i = 0; i < n; i++) {
            if (epoll.token(i) == WAKE) {
                wakeup.drain();
            }
        }
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
        epoll.close();
        wakeup.close();
    }
}
