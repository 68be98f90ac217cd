package org.jioth.linux.fdnio;

import java.io.IOException;
import org.jioth.linux.ErrnoException;
import org.jioth.linux.unix.Reactor;

/**
 * Waits of virtual threads on one socket: the socket is registered once (lazily) with a shared
 * {@link Reactor}, one-shot, armed for the union of what the waiting threads want; a report wakes
 * them all and each re-arms for what it still needs. Monitors do not pin virtual threads (JDK 24+).
 */
final class ReactorWaits implements Reactor.Handler {
    private static final int EPOLLONESHOT = 1 << 30;
    private static final int ALWAYS = FdNative.POLLERR | FdNative.POLLHUP;

    private final NativeFd owner;
    private Reactor.Registration registration;
    private int armed;
    private int fired;
    private boolean closed;

    ReactorWaits(NativeFd owner) {
        this.owner = owner;
    }

    synchronized void await(int events, long timeoutMillis) throws IOException {
        long deadline = timeoutMillis < 0 ? Long.MAX_VALUE : System.nanoTime() + timeoutMillis * 1_000_000;
        while (!closed) {
            if ((fired & (events | ALWAYS)) != 0) {
                fired &= ~events;
                return;
            }
            if ((armed & events) != events) {
                arm(armed | events);
            }
            long left = deadline == Long.MAX_VALUE ? 0 : (deadline - System.nanoTime()) / 1_000_000;
            if (deadline != Long.MAX_VALUE && left <= 0) {
                return;
            }
            try {
                wait(left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // the channel's interrupt handling closes it
                return;
            }
        }
    }

    private void arm(int events) throws ErrnoException {
        if (registration == null) {
            if (!owner.tryBegin()) {
                closed = true;
                return;
            }
            try {
                registration = Reactor.shared().register(owner.fd, events | EPOLLONESHOT, this);
            } catch (ErrnoException | RuntimeException e) {
                owner.end();
                throw e;
            }
        } else {
            registration.setInterest(events | EPOLLONESHOT);
        }
        armed = events;
    }

    @Override
    public synchronized void ready(int events) {
        fired |= events;
        armed = 0; // one-shot: disarmed until a waiter arms again
        notifyAll();
    }

    /** Wakes all waiters for good and gives the registration's use of the descriptor back. */
    synchronized void close() {
        closed = true;
        notifyAll();
        if (registration != null) {
            registration.cancel(owner::end);
            registration = null;
        }
    }
}
