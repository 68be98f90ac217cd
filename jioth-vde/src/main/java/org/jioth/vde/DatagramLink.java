package org.jioth.vde;

import java.nio.ByteBuffer;
import org.jioth.linux.ErrnoException;
import org.jioth.linux.unix.DatagramBatch;
import org.jioth.linux.unix.Epoll;
import org.jioth.linux.unix.Reactor;
import org.jioth.linux.unix.SendBatch;
import org.jioth.linux.unix.UnixSocket;

/**
 * A connected AF_UNIX datagram socket carrying one frame per datagram (the vde data plane), watched
 * by a shared {@link Reactor}: received frames are read in batches with {@code recvmmsg} on the
 * reactor thread and handed to a {@link FrameSink}; sends are non-blocking and a full socket queue
 * drops the frame. Counts into the given {@link PortStatistics}.
 */
final class DatagramLink {
    private static final System.Logger LOG = System.getLogger(DatagramLink.class.getName());
    private static final int BATCH = 16;
    /** Batches read per readiness event, so one busy link cannot starve the reactor. */
    private static final int ROUNDS = 4;
    /** Frames per {@code sendmmsg}: as many as the node's drainer delivers between two endOfBatch calls. */
    private static final int SEND_BATCH = 64;
    /** Room for 64 full-size frames, or 7 jumbo ones. */
    private static final int SEND_BYTES = 64 * 1518;

    private final UnixSocket socket;
    private final Reactor reactor;
    private final PortStatistics statistics;
    private final String name;
    private volatile FrameSink sink;
    private DatagramBatch batch;
    /** Frames waiting to go out; guarded by this (the drainer, senders and close). */
    private final SendBatch outgoing = new SendBatch(SEND_BATCH, SEND_BYTES);
    private Reactor.Registration registration;
    private volatile boolean closed;

    DatagramLink(UnixSocket socket, Reactor reactor, PortStatistics statistics, String name) {
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
        registration = reactor.register(socket.fd(), Epoll.IN, this::readable);
    }

    private void readable(int events) {
        for (int round = 0; round < ROUNDS && !closed; round++) {
            int n;
            try {
                n = batch.receive(socket);
            } catch (ErrnoException e) {
                // ECONNREFUSED: the peer's socket went away; the control channel tells the rest
                statistics.droppedMalformed.increment();
                LOG.log(System.Logger.Level.DEBUG, () -> name + ": " + e.getMessage());
                return;
            }
            FrameSink s = sink;
            for (int i = 0; i < n; i++) {
                int len = batch.length(i);
                if (len < EthernetPort.MIN_FRAME || len > EthernetPort.MAX_FRAME) {
                    statistics.droppedBadLength.increment();
                } else if (s == null) {
                    statistics.droppedNoSink.increment();
                } else {
                    statistics.framesIn.increment();
                    statistics.bytesIn.add(len);
                    try {
                        s.frame(batch.frame(i));
                    } catch (RuntimeException e) {
                        LOG.log(System.Logger.Level.WARNING, name + ": sink threw; frame dropped", e);
                    }
                }
            }
            if (n > 0 && s != null) {
                try {
                    s.endOfBatch();
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, name + ": sink threw in endOfBatch", e);
                }
            }
            if (n < BATCH) {
                return;
            }
        }
    }

    /**
     * Sends one frame now (position unchanged); false, counted, when it could not go out. Copies it
     * into the link's native send buffer first, so no per-frame object is made; frames {@linkplain
     * #queue queued} before it go out first, in the same {@code sendmmsg}.
     */
    boolean send(ByteBuffer frame) {
        if (!acceptable(frame)) {
            return false;
        }
        synchronized (this) {
            if (!closed && (outgoing.fits(frame.remaining()) || flushLocked() >= 0) && outgoing.add(frame)) {
                int queued = outgoing.size();
                return flushLocked() == queued;
            }
        }
        statistics.droppedQueueFull.increment();
        return false;
    }

    /**
     * Adds one frame to the outgoing batch (position unchanged), sending the batch first when it is
     * full; {@link #flush} sends the rest. Keeps the order of queued frames. Frames the socket
     * refuses at the flush are dropped and counted, never waited for.
     */
    void queue(ByteBuffer frame) {
        if (!acceptable(frame)) {
            return;
        }
        synchronized (this) {
            if (!closed && (outgoing.fits(frame.remaining()) || flushLocked() >= 0) && outgoing.add(frame)) {
                return;
            }
        }
        statistics.droppedQueueFull.increment();
    }

    /** Sends the queued frames with one {@code sendmmsg}. */
    synchronized void flush() {
        flushLocked();
    }

    private boolean acceptable(ByteBuffer frame) {
        int len = frame.remaining();
        if (len < EthernetPort.MIN_FRAME || len > EthernetPort.MAX_FRAME) {
            statistics.droppedBadLength.increment();
            return false;
        }
        return true;
    }

    /** Sends the batch; returns how many frames went out (the rest are counted as dropped), -1 when closed. */
    private int flushLocked() {
        if (closed) {
            outgoing.clear();
            return -1;
        }
        int n = outgoing.size();
        if (n == 0) {
            return 0;
        }
        long bytes = outgoing.bytes();
        int sent;
        try {
            sent = outgoing.send(socket);
        } catch (ErrnoException e) {
            sent = 0; // peer gone (ECONNREFUSED) or socket closed
        }
        if (sent > 0) {
            statistics.framesOut.add(sent);
            statistics.bytesOut.add(sent == n ? bytes : outgoing.bytesOfFirst(sent));
        }
        if (sent < n) {
            statistics.droppedQueueFull.add(n - sent);
        }
        return sent;
    }

    /** Stops reading, closes the socket once the reactor has let go, then runs {@code then}. */
    synchronized void close(Runnable then) {
        if (closed) {
            return;
        }
        closed = true;
        outgoing.close(); // under this lock: no send is using it
        Runnable finish = () -> {
            socket.close();
            if (batch != null) {
                batch.close();
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
