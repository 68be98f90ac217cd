package org.jioth.vde.ptp;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.locks.ReentrantLock;
import org.jioth.linux.ErrnoException;
import org.jioth.linux.NativeSupport;
import org.jioth.linux.ptp.UnixSocket;
import org.jioth.vde.EthernetPort;
import org.jioth.vde.FrameSink;
import org.jioth.vde.PortStatistics;
import org.jioth.vde.portsupport.FrameDelivery;

/**
 * {@code ptp://PATH} in the legacy datagram protocol of vdeplug ≤ 4.0.1 (Debian's vde_plug): the
 * first end binds a SOCK_DGRAM socket at PATH and sends to {@code PATH+}; the second binds
 * {@code PATH+} and connects to PATH. A stale file (connect refused) is unlinked and taken over.
 * One datagram = one frame; each end unlinks its own path on close.
 *
 * <p>The receiver is a platform thread (blocking native calls would pin a virtual thread's
 * carrier) polling with a short timeout so close needs no signal; buffers are native segments
 * allocated once.
 */
public final class PtpPort implements EthernetPort {
    private static final Logger LOG = System.getLogger(PtpPort.class.getName());
    private static final int POLL_MILLIS = 250;

    private final PtpSettings settings;
    private final Arena arena = Arena.ofShared();
    private final PortStatistics stats = new PortStatistics();
    private final ReentrantLock sendLock = new ReentrantLock();
    private final MemorySegment sendState;
    private final MemorySegment sendSegment;
    private final ByteBuffer sendView;
    private final MemorySegment peerAddress;
    private final String ownPath;
    private final int fd;
    private final Thread receiver;
    private volatile FrameSink sink;
    private volatile boolean closed;

    public PtpPort(PtpSettings settings) throws IOException {
        if (settings.mode() != PtpSettings.Mode.LEGACY) {
            arena.close();
            throw new UnsupportedOperationException(settings + ": the seqpacket protocol is not implemented yet; "
                    + "use mode=legacy (what Debian's vde_plug 4.0.1 speaks)");
        }
        this.settings = settings;
        String path = settings.path().toString();
        this.sendState = NativeSupport.newCallState(arena);
        this.sendSegment = arena.allocate(MAX_FRAME);
        this.sendView = sendSegment.asByteBuffer();
        int socket = -1;
        try {
            socket = UnixSocket.socket(sendState, UnixSocket.SOCK_DGRAM);
            if (bindOrTakeOver(socket, path)) {
                this.ownPath = path;
                this.peerAddress = UnixSocket.address(arena, path + "+");
            } else {
                if (!bindOrTakeOver(socket, path + "+")) {
                    throw new IOException(settings + ": both ends of this link are in use (" + path + " and " + path + "+)");
                }
                this.ownPath = path + "+";
                this.peerAddress = UnixSocket.address(arena, path);
                UnixSocket.connect(sendState, socket, peerAddress);
            }
        } catch (IOException e) {
            UnixSocket.close(socket);
            arena.close();
            throw new IOException(settings + ": cannot open: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            UnixSocket.close(socket);
            arena.close();
            throw e;
        }
        this.fd = socket;
        this.receiver = Thread.ofPlatform().daemon().name("jioth-ptp-rx " + path).unstarted(this::receiveLoop);
        receiver.start();
    }

    /**
     * Binds {@code fd} at {@code path}; if the path is in use by a live socket returns false, if it
     * is stale (connect refused) unlinks it and binds.
     */
    private boolean bindOrTakeOver(int fd, String path) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = NativeSupport.newCallState(a);
            MemorySegment addr = UnixSocket.address(a, path);
            try {
                UnixSocket.bind(state, fd, addr);
                return true;
            } catch (ErrnoException e) {
                if (e.errno() != UnixSocket.EADDRINUSE) {
                    throw e;
                }
            }
            int probe = UnixSocket.socket(state, UnixSocket.SOCK_DGRAM);
            try {
                UnixSocket.connect(state, probe, addr);
                return false; // somebody is there
            } catch (ErrnoException e) {
                if (e.errno() != UnixSocket.ECONNREFUSED) {
                    return false; // alive but refusing us (EPERM: it is connected to its peer)
                }
            } finally {
                UnixSocket.close(probe);
            }
            UnixSocket.unlink(path); // stale file of a dead end
            UnixSocket.bind(state, fd, addr);
            return true;
        }
    }

    /** The path this end is bound at (PATH for the first end, PATH+ for the second). */
    public String boundPath() {
        return ownPath;
    }

    @Override
    public boolean send(ByteBuffer frame) throws IOException {
        if (closed) {
            throw new ClosedChannelException();
        }
        if (!FrameDelivery.checkSendLength(frame, stats)) {
            return false;
        }
        int length = frame.remaining();
        sendLock.lock();
        try {
            if (closed) {
                throw new ClosedChannelException();
            }
            sendView.put(0, frame, frame.position(), length);
            long n = UnixSocket.sendTo(sendState, fd, sendSegment, length,
                    UnixSocket.MSG_DONTWAIT | UnixSocket.MSG_NOSIGNAL, peerAddress);
            if (n != length) {
                stats.droppedQueueFull.increment(); // peer absent (ENOENT/ECONNREFUSED) or its queue full (EAGAIN)
                return false;
            }
        } finally {
            sendLock.unlock();
        }
        stats.framesOut.increment();
        stats.bytesOut.add(length);
        return true;
    }

    private void receiveLoop() {
        try (Arena local = Arena.ofConfined()) {
            MemorySegment state = NativeSupport.newCallState(local);
            MemorySegment pollfd = local.allocate(8);
            MemorySegment buf = local.allocate(MAX_FRAME + 1);
            ByteBuffer view = buf.asByteBuffer();
            while (!closed) {
                int ready = UnixSocket.pollIn(state, pollfd, fd, POLL_MILLIS);
                if (ready <= 0) {
                    continue; // timeout or EINTR: re-check closed
                }
                long n = UnixSocket.recv(state, fd, buf, MAX_FRAME + 1, UnixSocket.MSG_DONTWAIT);
                if (n < 0) {
                    if (n != -UnixSocket.EAGAIN && n != -UnixSocket.EINTR && !closed) {
                        LOG.log(Level.DEBUG, () -> settings + ": recv failed, errno " + (-n));
                    }
                    continue;
                }
                view.clear().limit((int) n);
                FrameSink s = sink;
                if (FrameDelivery.deliver(s, view, stats, settings.toString())) {
                    FrameDelivery.endOfBatch(s, settings.toString());
                }
            }
        }
    }

    @Override
    public void setSink(FrameSink sink) {
        this.sink = sink;
    }

    @Override
    public PortStatistics statistics() {
        return stats;
    }

    @Override
    public String description() {
        return settings.toString();
    }

    @Override
    public void close() throws IOException {
        sendLock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
        } finally {
            sendLock.unlock();
        }
        try {
            receiver.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        UnixSocket.close(fd);
        UnixSocket.unlink(ownPath);
        arena.close();
    }
}
