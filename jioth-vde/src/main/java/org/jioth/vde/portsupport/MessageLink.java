package org.jioth.vde.portsupport;

import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import org.jioth.linux.ErrnoException;
import org.jioth.linux.unix.Epoll;
import org.jioth.linux.unix.Reactor;
import org.jioth.linux.unix.UnixSocket;
import org.jioth.vde.EthernetPort;
import org.jioth.vde.FrameSink;
import org.jioth.vde.PortStatistics;

/**
 * An AF_UNIX SOCK_SEQPACKET or SOCK_DGRAM socket carrying one frame per message (ptp://, seqpacket://),
 * watched by a shared {@link Reactor}: received frames go to the sink on the reactor thread, sends
 * never block (a full socket drops and counts). For a connection-oriented socket ({@code endsOnEof}),
 * end of file from the peer (a read of zero bytes with a hang-up event) or a receive error closes the
 * link and runs the hang-up action once; for datagrams those are counted and reading goes on.
 */
public final class MessageLink {
    private static final System.Logger LOG = System.getLogger(MessageLink.class.getName());
    /** Messages read per readiness event, so one busy link cannot starve the reactor. */
    private static final int BATCH = 32;

    /** Where received frames go: asked at each delivery, so a port can swap its sink. */
    @FunctionalInterface
    public interface SinkSource {
        FrameSink sink();
    }

    private final UnixSocket socket;
    private final Reactor reactor;
    private final PortStatistics statistics;
    private final String name;
    private final SinkSource sinks;
    private final Runnable onHangup;
    private final boolean endsOnEof;
    private final ByteBuffer receiveBuffer = ByteBuffer.allocate(EthernetPort.MAX_FRAME + 1);
    private Reactor.Registration registration;
    private volatile boolean closed;
    private volatile Throwable failure;

    public MessageLink(UnixSocket socket, Reactor reactor, PortStatistics statistics, String name, SinkSource sinks,
            Runnable onHangup, boolean endsOnEof) {
        this.socket = socket;
        this.reactor = reactor;
        this.statistics = statistics;
        this.name = name;
        this.sinks = sinks;
        this.onHangup = onHangup;
        this.endsOnEof = endsOnEof;
    }

    /** Starts delivering received frames. */
    public synchronized void start() throws ErrnoException {
        registration = reactor.register(socket.fd(), Epoll.IN | Epoll.RDHUP, this::readable, cause -> {
            failure = cause;
            close(null); // the peer is no longer heard: the link ends (no hang-up action: nothing to redo)
        });
    }

    /** Why the reactor stopped serving this link (its handler threw), or null. */
    public Throwable failure() {
        return failure;
    }

    private void readable(int events) {
        boolean peerGone = endsOnEof && (events & (Epoll.HUP | Epoll.RDHUP | Epoll.ERR)) != 0;
        FrameSink sink = sinks.sink();
        int delivered = 0;
        for (int i = 0; i < BATCH && !closed; i++) {
            int n;
            try {
                n = socket.receive(receiveBuffer.clear());
            } catch (ErrnoException e) {
                LOG.log(Level.DEBUG, () -> name + ": " + e.getMessage());
                if (endsOnEof) {
                    hangUp();
                } else {
                    statistics.droppedMalformed.increment(); // e.g. a pending ECONNREFUSED, cleared by this read
                }
                return;
            }
            if (n < 0) {
                break; // nothing more waiting
            }
            if (n == 0) {
                if (peerGone) {
                    hangUp();
                    return;
                }
                statistics.droppedBadLength.increment(); // an empty message or datagram
                continue;
            }
            if (FrameDelivery.deliver(sink, receiveBuffer.flip(), statistics, name)) {
                delivered++;
            }
        }
        if (delivered > 0) {
            FrameDelivery.endOfBatch(sink, name);
        }
    }

    private void hangUp() {
        if (closed) {
            return;
        }
        LOG.log(Level.DEBUG, () -> name + ": the peer hung up");
        close(onHangup);
    }

    /** True once the peer hung up or the link was closed. */
    public boolean isClosed() {
        return closed;
    }

    /** Sends one frame (position unchanged); false, counted, when it could not go out now. */
    public boolean send(ByteBuffer frame) {
        if (!FrameDelivery.checkSendLength(frame, statistics)) {
            return false;
        }
        int length = frame.remaining();
        if (closed) {
            statistics.droppedQueueFull.increment();
            return false;
        }
        int position = frame.position();
        try {
            if (socket.send(frame) < 0) {
                statistics.droppedQueueFull.increment();
                return false;
            }
        } catch (ErrnoException e) {
            statistics.droppedQueueFull.increment(); // EPIPE/ECONNRESET: the peer is gone; the reader notices
            return false;
        } finally {
            frame.position(position);
        }
        statistics.framesOut.increment();
        statistics.bytesOut.add(length);
        return true;
    }

    /** Stops reading, closes the socket once the reactor has let go of it, then runs {@code then}. */
    public synchronized void close(Runnable then) {
        if (closed) {
            return;
        }
        closed = true;
        Runnable finish = () -> {
            socket.close();
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
