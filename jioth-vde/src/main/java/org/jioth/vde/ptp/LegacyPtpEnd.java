package org.jioth.vde.ptp;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jioth.Errno;
import org.jioth.linux.ErrnoException;
import org.jioth.linux.unix.Reactor;
import org.jioth.linux.unix.UnixSocket;
import org.jioth.vde.PortStatistics;
import org.jioth.vde.portsupport.FrameDelivery;
import org.jioth.vde.portsupport.MessageLink;

/**
 * The legacy ptp protocol of vdeplug ≤ 4.0.1 (vde-protocols.md §5.2): the first end binds a datagram
 * socket at PATH and sends to {@code PATH+}; the second binds {@code PATH+} and sends to PATH. A stale
 * file (connect refused) is unlinked and taken over. Both ends address each datagram to the other's
 * path (no connect), so either end may restart while the other stays; one datagram is one frame;
 * each end unlinks its own path on close.
 */
final class LegacyPtpEnd implements PtpPort.End {
    private static final System.Logger LOG = System.getLogger(LegacyPtpEnd.class.getName());

    private final PtpSettings settings;
    private final UnixSocket socket;
    private final String ownPath;
    private final UnixSocket.Destination peer;
    private final PortStatistics statistics;
    private final MessageLink receiver;
    private final Object sendLock = new Object();
    private volatile boolean closed;

    private LegacyPtpEnd(PtpSettings settings, UnixSocket socket, String ownPath, String peerPath, Reactor reactor,
            PortStatistics statistics, MessageLink.SinkSource sinks) {
        this.settings = settings;
        this.socket = socket;
        this.ownPath = ownPath;
        this.peer = UnixSocket.destination(peerPath);
        this.statistics = statistics;
        // datagrams never "hang up": the link only reads (a peer restart shows as a refused send)
        this.receiver = new MessageLink(socket, reactor, statistics, settings.toString(), sinks, null, false);
    }

    static LegacyPtpEnd open(PtpSettings settings, Reactor reactor, PortStatistics statistics,
            MessageLink.SinkSource sinks) throws IOException {
        String path = settings.path().toString();
        UnixSocket socket = UnixSocket.open(UnixSocket.Type.DATAGRAM);
        LegacyPtpEnd end;
        try {
            if (bindOrTakeOver(socket, path)) {
                end = new LegacyPtpEnd(settings, socket, path, path + "+", reactor, statistics, sinks);
            } else if (bindOrTakeOver(socket, path + "+")) {
                end = new LegacyPtpEnd(settings, socket, path + "+", path, reactor, statistics, sinks);
            } else {
                throw new IOException("both ends of this link are in use (" + path + " and " + path + "+)");
            }
        } catch (IOException e) {
            socket.close();
            throw new IOException(settings + ": cannot open: " + e.getMessage(), e);
        }
        try {
            end.receiver.start();
        } catch (IOException e) {
            end.close();
            throw e;
        }
        return end;
    }

    /** Binds at {@code path}; false when a live socket holds it; a stale file is unlinked and taken over. */
    private static boolean bindOrTakeOver(UnixSocket socket, String path) throws IOException {
        try {
            socket.bind(path);
            return true;
        } catch (ErrnoException e) {
            if (e.errno() != Errno.EADDRINUSE.value()) {
                throw e;
            }
        }
        try (UnixSocket probe = UnixSocket.open(UnixSocket.Type.DATAGRAM)) {
            probe.connect(path);
            return false; // somebody is there
        } catch (ErrnoException e) {
            if (e.errno() != Errno.ECONNREFUSED.value()) {
                return false; // alive but refusing us (EPERM: it is connected to its peer)
            }
        }
        Files.deleteIfExists(Path.of(path)); // the stale file of a dead end
        socket.bind(path);
        return true;
    }

    @Override
    public boolean send(ByteBuffer frame) {
        if (!FrameDelivery.checkSendLength(frame, statistics)) {
            return false;
        }
        int length = frame.remaining();
        int position = frame.position();
        synchronized (sendLock) {
            if (closed) {
                statistics.droppedQueueFull.increment();
                return false;
            }
            try {
                if (socket.sendTo(frame, peer) < 0) {
                    statistics.droppedQueueFull.increment(); // the peer's queue is full
                    return false;
                }
            } catch (ErrnoException e) {
                // ENOENT/ECONNREFUSED: no other end (yet, or any more)
                LOG.log(System.Logger.Level.DEBUG, () -> settings + ": " + e.getMessage());
                statistics.droppedQueueFull.increment();
                return false;
            } finally {
                frame.position(position);
            }
        }
        statistics.framesOut.increment();
        statistics.bytesOut.add(length);
        return true;
    }

    @Override
    public String boundPath() {
        return ownPath;
    }

    @Override
    public boolean hasEnded() {
        return receiver.failure() != null;
    }

    @Override
    public java.util.Optional<Throwable> failure() {
        return java.util.Optional.ofNullable(receiver.failure());
    }

    @Override
    public void close() {
        synchronized (sendLock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        receiver.close(null); // closes the socket once the reactor let go of it
        try {
            Files.deleteIfExists(Path.of(ownPath));
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> settings + ": cannot unlink " + ownPath + ": " + e.getMessage());
        }
    }
}
