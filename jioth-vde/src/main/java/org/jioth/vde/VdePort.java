package org.jioth.vde;

import java.nio.ByteBuffer;
import org.jioth.linux.ErrnoException;
import org.jioth.linux.unix.Epoll;
import org.jioth.linux.unix.Reactor;
import org.jioth.linux.unix.UnixSocket;

/**
 * A port on a switch reached over the vde protocol (§2): frames on a connected datagram pair, a
 * silent control stream whose end means the switch let go of us. Received frames are delivered on a
 * shared reactor thread, or on the thread of a {@link #directReceive() direct reader}. Sent frames go through the data link's bounded transmit ring: a switch
 * that is slow to read delays them instead of losing them. The thread that calls {@link #flush}
 * (a stack loop, once per burst) has its sends held in the ring until then, so a burst goes out
 * with one {@code sendmmsg}; other threads' sends are pushed at once.
 */
final class VdePort implements EthernetPort {
    private static final System.Logger LOG = System.getLogger(VdePort.class.getName());

    private final String description;
    private final UnixSocket control;
    private final DatagramLink data;
    private final Reactor reactor;
    private final PortStatistics statistics;
    private final String switchSocket;
    private Reactor.Registration controlWatch;
    /** The thread that called {@link #flush}: its sends wait for its next flush. */
    private volatile Thread batchingThread;
    private volatile boolean hungUp;
    private volatile Throwable controlFailure;
    private volatile boolean closed;
    /** Told once when the switch hangs up or the port fails (a reconnecting owner). */
    private Runnable onHangUp;
    private boolean hangUpTold;

    /** {@code statistics}: the counters this connection adds to (a reconnecting port's, shared by its connections). */
    VdePort(String description, UnixSocket control, UnixSocket dataSocket, String switchSocket, Reactor reactor,
            PortStatistics statistics) {
        this.description = description;
        this.control = control;
        this.reactor = reactor;
        this.switchSocket = switchSocket;
        this.statistics = statistics;
        this.data = new DatagramLink(dataSocket, reactor, statistics, description);
    }

    void start() throws ErrnoException {
        data.start();
        data.onFailure(this::tellHangUp);
        controlWatch = reactor.register(control.fd(), Epoll.IN | Epoll.RDHUP, this::controlReadable,
                cause -> {
                    controlFailure = cause;
                    tellHangUp();
                });
    }

    /** Runs {@code r} once when the switch hangs up or the port fails (at once if it already did). */
    void onHangUp(Runnable r) {
        synchronized (this) {
            onHangUp = r;
        }
        if (hasEnded()) {
            tellHangUp();
        }
    }

    private void tellHangUp() {
        Runnable r;
        synchronized (this) {
            if (hangUpTold || onHangUp == null || closed) {
                return;
            }
            hangUpTold = true;
            r = onHangUp;
        }
        r.run();
    }

    private void controlReadable(int events) {
        ByteBuffer junk = ByteBuffer.allocate(64);
        int n;
        try {
            n = control.receive(junk);
        } catch (ErrnoException e) {
            n = 0; // reset by the switch: gone all the same
        }
        if (n == 0 || (events & (Epoll.HUP | Epoll.ERR)) != 0) {
            hungUp = true;
            controlWatch.cancel(null);
            LOG.log(System.Logger.Level.INFO, () -> description + ": the switch closed the control connection");
            tellHangUp();
        }
    }

    /** True once the switch closed our control connection (the port is gone). */
    boolean isHungUp() {
        return hungUp;
    }

    /** The switch's data socket path (for example {@code /tmp/sw/005.6}). */
    String switchSocket() {
        return switchSocket;
    }

    @Override
    public boolean hasEnded() {
        return hungUp || failure().isPresent();
    }

    @Override
    public java.util.Optional<Throwable> failure() {
        Throwable f = data.failure();
        return java.util.Optional.ofNullable(f != null ? f : controlFailure);
    }

    @Override
    public boolean send(ByteBuffer frame) {
        if (data.failure() != null || controlFailure != null) {
            statistics.droppedQueueFull.increment(); // the port failed: see failure()
            return false;
        }
        return data.send(frame, Thread.currentThread() != batchingThread);
    }

    /** The switch's data socket refuses when full (EAGAIN); the frames wait in the transmit ring. */
    @Override
    public boolean pushesBackLosslessly() {
        return true;
    }

    @Override
    public void flush() {
        batchingThread = Thread.currentThread();
        data.flush();
    }

    /** The data link (for a reconnecting owner's direct reader); null once closed. */
    DatagramLink dataLink() {
        return closed ? null : data;
    }

    @Override
    public java.util.Optional<DirectReceive> directReceive() {
        try {
            return java.util.Optional.of(LinkReceive.open(this::dataLink, description));
        } catch (ErrnoException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> description + ": no direct receive: " + e.getMessage());
            return java.util.Optional.empty();
        }
    }

    /** What the switch's socket toward our data socket holds ({@link SwitchQueue}). */
    @Override
    public int ingressQueueFrames() {
        return SwitchQueue.FRAMES;
    }

    @Override
    public void setSink(FrameSink sink) {
        data.setSink(sink);
    }

    @Override
    public PortStatistics statistics() {
        return statistics;
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        data.close(null);
        Runnable closeControl = control::close; // the switch frees the port
        if (controlWatch != null) {
            controlWatch.cancel(closeControl);
        } else {
            closeControl.run();
        }
    }

    @Override
    public String toString() {
        return description;
    }
}
