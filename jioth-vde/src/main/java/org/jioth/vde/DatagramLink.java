package org.jioth.vde;

import java.nio.ByteBuffer;
import org.jioth.linux.ErrnoException;
import org.jioth.linux.unix.DatagramBatch;
import org.jioth.linux.unix.Epoll;
import org.jioth.linux.unix.Reactor;
import org.jioth.linux.unix.SendRing;
import org.jioth.linux.unix.UnixSocket;
import org.jioth.vde.portsupport.FrameDelivery;

/**
 * A connected AF_UNIX datagram socket carrying one frame per datagram (the vde data plane), watched
 * by a shared {@link Reactor}: received frames are read in batches with {@code recvmmsg} on the
 * reactor thread and handed to a {@link FrameSink}, or, while a {@link LinkReceive} has the link
 * (a stack loop reading its one port), on that reader's thread, the reactor then watching only for
 * EPOLLOUT and errors.
 *
 * <p>Sending goes through a bounded transmit ring, like a NIC's tx ring: frames are copied into it
 * and pushed with {@code sendmmsg} from the oldest on. When the peer's socket queue is full (EAGAIN:
 * a vde_switch that is not scheduled right now, with its {@code max_dgram_qlen} of often only 10
 * datagrams), the frames left wait in the ring, in order, and the link arms EPOLLOUT on its reactor
 * registration; the reactor pushes them when the socket is writable again and disarms. Only a
 * frame that finds the ring full is dropped and counted ({@code droppedQueueFull}), as vde_switch
 * does with its own per-port queues; so a TCP burst that meets a briefly descheduled switch is
 * delayed, not lost. Closing drops and counts what is still waiting. Counts into the given
 * {@link PortStatistics}.
 */
final class DatagramLink {
    private static final System.Logger LOG = System.getLogger(DatagramLink.class.getName());
    private static final int BATCH = 16;
    /** Batches read per readiness event, so one busy link cannot starve the reactor. */
    private static final int ROUNDS = 4;
    /**
     * Frames the transmit ring holds: the usual size of a NIC's tx ring. At 1 Gbit/s, 256
     * full-size frames are 3 ms of traffic, about one scheduler time slice of a receiver that is
     * not running on a loaded machine; a longer queue would only add delay that TCP cannot see.
     */
    static final int RING_FRAMES = 256;
    /** Room for {@link #RING_FRAMES} full-size frames (about 380 KiB of native memory per link), or 42 jumbo ones. */
    static final int RING_BYTES = RING_FRAMES * 1518;

    private final UnixSocket socket;
    private final Reactor reactor;
    private final PortStatistics statistics;
    private final String name;
    private volatile FrameSink sink;
    private DatagramBatch batch;
    /** Frames waiting to go out; guarded by this (senders, the reactor's writable handler and close). */
    private final SendRing outgoing;
    private Reactor.Registration registration;
    /** EPOLLOUT is armed: the socket refused, the reactor pushes the ring when it is writable; guarded by this. */
    private boolean waitingForRoom;
    private volatile boolean closed;
    /** Set when the reactor gave up on our handler (it threw): the link receives no more. */
    private volatile Throwable failure;
    private volatile Runnable onFailure;
    /**
     * Set while a {@link LinkReceive} reads this link on its owner's thread: the reactor then no
     * longer watches for input and only wakes that owner on an error event.
     */
    private volatile Runnable directWake;
    /** Held while frames are read and while the socket closes, so no read meets a closed or reused fd. */
    private final Object receiveLock = new Object();
    /** See {@link #drained()}; guarded by {@link #receiveLock}. */
    private boolean drained;

    DatagramLink(UnixSocket socket, Reactor reactor, PortStatistics statistics, String name) {
        this(socket, reactor, statistics, name, RING_FRAMES, RING_BYTES);
    }

    /** With a transmit ring of {@code ringFrames} frames and {@code ringBytes} bytes (tests use small ones). */
    DatagramLink(UnixSocket socket, Reactor reactor, PortStatistics statistics, String name, int ringFrames, int ringBytes) {
        this.outgoing = new SendRing(ringFrames, ringBytes);
        this.socket = socket;
        this.reactor = reactor;
        this.statistics = statistics;
        this.name = name;
    }

    PortStatistics statistics() {
        return statistics;
    }

    void setSink(FrameSink sink) {
        this.sink = sink;
    }

    synchronized void start() throws ErrnoException {
        batch = new DatagramBatch(BATCH, EthernetPort.MAX_FRAME);
        registration = reactor.register(socket.fd(), Epoll.IN, this::ready, cause -> {
            failure = cause;
            Runnable then = onFailure;
            if (then != null) {
                then.run();
            }
        });
    }

    /** What to run (on the reactor thread) after the reactor gave up on this link. */
    void onFailure(Runnable then) {
        this.onFailure = then;
    }

    /** Why the reactor stopped serving this link, or null while it works. */
    Throwable failure() {
        return failure;
    }

    private void ready(int events) {
        if ((events & Epoll.OUT) != 0) {
            writable();
        }
        if ((events & ~Epoll.OUT) != 0) {
            Runnable direct = directWake;
            if (direct != null) {
                direct.run(); // an error event: its owner reads (and so clears) it
            } else {
                receive();
            }
        }
    }

    /** The socket's descriptor (for a {@link LinkReceive}'s own epoll). */
    int fd() {
        return socket.fd();
    }

    boolean isClosed() {
        return closed;
    }

    /**
     * Hands input to a direct reader ({@code wake} non-null: the reactor stops watching for it and
     * runs {@code wake} on error events) or back to the reactor ({@code null}).
     */
    synchronized void directReceiver(Runnable wake) {
        if (closed) {
            return;
        }
        directWake = wake;
        setInterest();
    }

    /** The input interest: none while a direct reader has it. */
    private int inInterest() {
        return directWake != null ? 0 : Epoll.IN;
    }

    private void setInterest() {
        if (registration == null) {
            return;
        }
        try {
            registration.setInterest(inInterest() | (waitingForRoom ? Epoll.OUT : 0));
        } catch (ErrnoException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> name + ": epoll_ctl: " + e.getMessage());
        }
    }

    /**
     * Reads what waits (a few batches at most, so one busy link cannot starve its thread) and hands
     * it to the sink on the calling thread; the number of frames delivered.
     */
    int receive() {
        synchronized (receiveLock) {
            return receiveLocked();
        }
    }

    /**
     * True when the last {@link #receive} found the socket empty before it stopped (its last
     * {@code recvmmsg} returned less than a full batch): a reader that waits in epoll before it
     * reads again need not call it once more to see EAGAIN.
     */
    boolean drained() {
        return drained;
    }

    private int receiveLocked() {
        int delivered = 0;
        drained = true;
        for (int round = 0; round < ROUNDS && !closed; round++) {
            int n;
            statistics.receiveCalls.increment();
            try {
                n = batch.receive(socket);
            } catch (ErrnoException e) {
                // ECONNREFUSED: the peer's socket went away; the control channel tells the rest
                statistics.droppedMalformed.increment();
                LOG.log(System.Logger.Level.DEBUG, () -> name + ": " + e.getMessage());
                return delivered;
            }
            FrameSink s = sink;
            for (int i = 0; i < n; i++) {
                if (!FrameDelivery.validLength(batch.length(i))) {
                    statistics.droppedBadLength.increment(); // a truncated datagram shows its full length
                } else if (FrameDelivery.deliver(s, batch.frame(i), statistics, name)) {
                    delivered++;
                }
            }
            if (n > 0) {
                FrameDelivery.endOfBatch(s, name);
            }
            if (n < BATCH) {
                return delivered;
            }
        }
        drained = closed; // stopped after full batches: more may wait
        return delivered;
    }

    /**
     * Queues one frame (position unchanged) behind those waiting and pushes the ring now; true when
     * the frame was taken (sent or waiting in the ring), false, counted, when it was dropped (bad
     * length, ring full, link closed, peer gone).
     */
    boolean send(ByteBuffer frame) {
        return send(frame, true);
    }

    /**
     * As {@link #send(ByteBuffer)}, but with {@code push} false the frame only joins the ring (a
     * full ring is pushed first to make room); {@link #flush} sends it. Order is kept either way.
     */
    boolean send(ByteBuffer frame, boolean push) {
        if (!acceptable(frame)) {
            return false;
        }
        synchronized (this) {
            if (!closed && enqueueLocked(frame)) {
                if (push) {
                    pushLocked();
                }
                return true;
            }
        }
        statistics.droppedQueueFull.increment();
        return false;
    }

    /**
     * Adds one frame to the ring (position unchanged) without sending it; {@link #flush} sends.
     * A frame that finds the ring full is dropped and counted.
     */
    void queue(ByteBuffer frame) {
        send(frame, false);
    }

    /** Pushes the ring with {@code sendmmsg} (unless it waits for EPOLLOUT, which pushes it then). */
    synchronized void flush() {
        pushLocked();
    }

    /** Frames waiting in the transmit ring (for tests and tools). */
    synchronized int waiting() {
        return outgoing.size();
    }

    private boolean acceptable(ByteBuffer frame) {
        int len = frame.remaining();
        if (len < EthernetPort.MIN_FRAME || len > EthernetPort.MAX_FRAME) {
            statistics.droppedBadLength.increment();
            return false;
        }
        return true;
    }

    /** Into the ring; when it is full and the socket was not known to be full, pushes first to make room. */
    private boolean enqueueLocked(ByteBuffer frame) {
        if (outgoing.offer(frame)) {
            return true;
        }
        if (waitingForRoom) {
            return false; // the socket is full: the ring is the tx ring, and it is full too
        }
        pushLocked();
        return outgoing.offer(frame);
    }

    /**
     * Sends from the ring until it is empty or the socket refuses; on refusal arms EPOLLOUT. While
     * armed it does nothing: the reactor's writable handler pushes.
     */
    private void pushLocked() {
        if (closed || waitingForRoom || outgoing.isEmpty()) {
            return;
        }
        sendLocked();
        if (!outgoing.isEmpty()) {
            watchWritable(true);
        }
    }

    /** The reactor saw the socket writable: push what waits, disarm when the ring emptied. */
    private synchronized void writable() {
        if (closed || !waitingForRoom) {
            return;
        }
        sendLocked();
        if (outgoing.isEmpty()) {
            watchWritable(false);
        }
    }

    private void sendLocked() {
        int sent;
        statistics.sendCalls.increment();
        try {
            sent = outgoing.send(socket);
        } catch (ErrnoException e) {
            // ECONNREFUSED: the peer's socket went away (the control channel tells the rest)
            int lost = outgoing.clear();
            statistics.droppedQueueFull.add(lost);
            LOG.log(System.Logger.Level.DEBUG, () -> name + ": " + lost + " frames dropped: " + e.getMessage());
            return;
        }
        if (sent > 0) {
            statistics.framesOut.add(sent);
            statistics.bytesOut.add(outgoing.lastSentBytes());
        }
    }

    /** Arms or disarms EPOLLOUT (epoll_ctl calls no Java code back, so holding the lock is fine). */
    private void watchWritable(boolean on) {
        if (waitingForRoom == on || registration == null) {
            return;
        }
        try {
            registration.setInterest(inInterest() | (on ? Epoll.OUT : 0));
            waitingForRoom = on;
            if (on) {
                statistics.sendRefused.increment();
            }
        } catch (ErrnoException e) {
            // the fd is being closed: nothing will be writable again
            LOG.log(System.Logger.Level.DEBUG, () -> name + ": epoll_ctl: " + e.getMessage());
        }
    }

    /** Stops reading, closes the socket once the reactor has let go, then runs {@code then}. */
    synchronized void close(Runnable then) {
        if (closed) {
            return;
        }
        closed = true;
        statistics.droppedQueueFull.add(outgoing.size()); // a closed link sends nothing more
        outgoing.close(); // under this lock: no send is using it
        Runnable finish = () -> {
            synchronized (receiveLock) { // a direct reader may be reading right now
                socket.close();
                if (batch != null) {
                    batch.close();
                }
            }
            if (then != null) {
                then.run();
            }
        };
        if (registration != null) {
            registration.cancel(finish);
        } else {
            finish.run();
        }
    }
}
