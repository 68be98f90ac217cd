package org.jioth.vde;

import java.nio.ByteBuffer;
import org.jioth.linux.ErrnoException;
import org.jioth.linux.unix.DatagramBatch;
import org.jioth.linux.unix.Epoll;
import org.jioth.linux.unix.Reactor;
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

    private final UnixSocket socket;
    private final Reactor reactor;
    private final PortStatistics statistics;
    private final String name;
    private volatile FrameSink sink;
    private DatagramBatch batch;
    private Reactor.Registration registration;
    private volatile boolean closed;

    DatagramLink(UnixSocket socket, Reactor reactor, PortStatistics statistics, String name) {
        this.socket = socket;
        this.reactor = reactor;
        this.statistics = statistics;
        this.name = name;
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

    /** Sends one frame (position unchanged); false, counted, when it could not go out now. */
    boolean send(ByteBuffer frame) {
        int len = frame.remaining();
        if (len < EthernetPort.MIN_FRAME || len > EthernetPort.MAX_FRAME) {
            statistics.droppedBadLength.increment();
            return false;
        }
        if (closed) {
            statistics.droppedQueueFull.increment();
            return false;
        }
        int pos = frame.position();
        try {
            int n = socket.send(frame);
            if (n < 0) {
                statistics.droppedQueueFull.increment();
                return false;
            }
        } catch (ErrnoException e) {
            statistics.droppedQueueFull.increment(); // peer gone (ECONNREFUSED) or socket closed
            return false;
        } finally {
            frame.position(pos);
        }
        statistics.framesOut.increment();
        statistics.bytesOut.add(len);
        return true;
    }

    /** Stops reading, closes the socket once the reactor has let go, then runs {@code then}. */
    synchronized void close(Runnable then) {
        if (closed) {
            return;
        }
        closed = true;
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
