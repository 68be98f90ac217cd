package org.jioth.vde.ptp;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.jioth.Errno;
import org.jioth.linux.ErrnoException;
import org.jioth.linux.unix.Epoll;
import org.jioth.linux.unix.Reactor;
import org.jioth.linux.unix.UnixSocket;
import org.jioth.vde.PortStatistics;
import org.jioth.vde.portsupport.FrameDelivery;
import org.jioth.vde.portsupport.MessageLink;

/**
 * The current ptp protocol (vde-protocols.md §5.1) over AF_UNIX SOCK_SEQPACKET. Opening connects to
 * PATH and waits up to 2 s for a one-byte status (0 accepted, else an errno such as EISCONN); when
 * nothing listens there (ENOENT) this end binds PATH and listens instead. The listener accepts one
 * peer at a time: it answers 0 to the first and EISCONN (then closes) to any other while it has one.
 * A stale socket file (connection refused) is unlinked and the open retried. When the peer hangs up
 * the connecting end runs the open logic again at once (reconnecting, or becoming the listener); the
 * listener waits for a new peer. With no peer, sent frames are dropped and counted. The listener
 * unlinks PATH on close.
 */
final class SeqpacketPtpEnd implements PtpPort.End {
    private static final System.Logger LOG = System.getLogger(SeqpacketPtpEnd.class.getName());
    private static final Duration STATUS_TIMEOUT = Duration.ofMillis(2000);
    private static final int OPEN_ATTEMPTS = 50;
    /** Whole open sequences tried after the peer left before the port gives up. */
    private static final int REOPEN_ROUNDS = 5;
    private static final byte ACCEPTED = 0;

    private final PtpSettings settings;
    private final String path;
    private final Reactor reactor;
    private final PortStatistics statistics;
    private final MessageLink.SinkSource sinks;
    private volatile MessageLink link;
    private UnixSocket listener;
    private Reactor.Registration listenWatch;
    private volatile boolean ended;
    private volatile boolean closed;

    private SeqpacketPtpEnd(PtpSettings settings, Reactor reactor, PortStatistics statistics, MessageLink.SinkSource sinks) {
        this.settings = settings;
        this.path = settings.path().toString();
        this.reactor = reactor;
        this.statistics = statistics;
        this.sinks = sinks;
    }

    static SeqpacketPtpEnd open(PtpSettings settings, Reactor reactor, PortStatistics statistics,
            MessageLink.SinkSource sinks) throws IOException {
        SeqpacketPtpEnd end = new SeqpacketPtpEnd(settings, reactor, statistics, sinks);
        try {
            end.establish();
        } catch (IOException e) {
            end.close();
            throw new IOException(settings + ": cannot open: " + e.getMessage(), e);
        }
        return end;
    }

    /** The open logic of §5.1: connect and read the status, or become the listener. */
    private void establish() throws IOException {
        for (int attempt = 1; ; attempt++) {
            if (closed) {
                throw new ClosedChannelException();
            }
            UnixSocket s = UnixSocket.open(UnixSocket.Type.SEQPACKET);
            try {
                s.connect(path);
            } catch (ErrnoException e) {
                s.close();
                int errno = e.errno();
                if (errno == Errno.ENOENT.value()) {
                    if (listen() || attempt >= OPEN_ATTEMPTS) {
                        if (listener == null) {
                            throw e;
                        }
                        return;
                    }
                    continue; // somebody bound PATH first (EADDRINUSE): connect to it
                }
                if (errno == Errno.ECONNREFUSED.value() && attempt < OPEN_ATTEMPTS) {
                    Files.deleteIfExists(Path.of(path)); // the stale file of a dead listener
                    continue;
                }
                if (errno == Errno.EAGAIN.value() && attempt < OPEN_ATTEMPTS) {
                    pause(); // the listener's backlog is full for a moment
                    continue;
                }
                throw e;
            }
            try {
                awaitAccepted(s);
            } catch (ErrnoException e) {
                s.close();
                if (isListenerGoingAway(e) && attempt < OPEN_ATTEMPTS) {
                    LOG.log(System.Logger.Level.DEBUG, () -> settings + ": listener went away during open ("
                            + e.getMessage() + "), trying again");
                    // A listener that is closing accepted our connect but will never answer:
                    // try again, and find its path gone (then listen) or a new listener.
                    pause();
                    continue;
                }
                throw e;
            } catch (IOException e) {
                s.close();
                throw e;
            }
            startLink(s);
            return;
        }
    }

    /**
     * A status that never came, a hang-up or a reset instead of a status: the listener was closing
     * while we connected.
     */
    private static boolean isListenerGoingAway(ErrnoException e) {
        int errno = e.errno();
        return errno == Errno.ETIMEDOUT.value() || errno == Errno.EFAULT.value()
                || errno == Errno.ECONNRESET.value() || errno == Errno.ECONNREFUSED.value()
                || errno == Errno.EPIPE.value();
    }

    /** Binds and listens at PATH; false when another end took PATH first. */
    private boolean listen() throws IOException {
        UnixSocket s = UnixSocket.open(UnixSocket.Type.SEQPACKET);
        try {
            s.bind(path);
        } catch (ErrnoException e) {
            s.close();
            if (e.errno() == Errno.EADDRINUSE.value()) {
                return false;
            }
            throw e;
        }
        try {
            s.listen(1);
            synchronized (this) {
                listener = s;
                listenWatch = reactor.register(s.fd(), Epoll.IN, events -> accept());
            }
        } catch (IOException e) {
            s.close();
            listener = null;
            Files.deleteIfExists(Path.of(path));
            throw e;
        }
        LOG.log(System.Logger.Level.DEBUG, () -> settings + ": listening");
        return true;
    }

    private void awaitAccepted(UnixSocket s) throws IOException {
        boolean readable;
        try {
            readable = reactor.awaitReadable(s.fd(), STATUS_TIMEOUT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ErrnoException("ptp status", Errno.EINTR.value());
        }
        if (!readable) {
            throw new ErrnoException("ptp status", Errno.ETIMEDOUT.value(), "no answer from the listener at " + path);
        }
        ByteBuffer status = ByteBuffer.allocate(1);
        int n = s.receive(status);
        if (n <= 0) {
            throw new ErrnoException("ptp status", Errno.EFAULT.value(), "the listener at " + path + " hung up");
        }
        int code = status.get(0) & 0xff;
        if (code != ACCEPTED) {
            throw new ErrnoException("ptp status", code,
                    code == Errno.EISCONN.value() ? "the link at " + path + " already has two ends" : "refused by " + path);
        }
    }

    /** Reactor thread: answers every waiting connection. */
    private void accept() throws ErrnoException {
        UnixSocket c;
        while ((c = listener.accept()) != null) {
            MessageLink current = link;
            if (current != null && !current.isClosed()) {
                try {
                    c.send(ByteBuffer.wrap(new byte[] {(byte) Errno.EISCONN.value()}));
                } catch (ErrnoException e) {
                    // it left already
                } finally {
                    c.close();
                }
                LOG.log(System.Logger.Level.DEBUG, () -> settings + ": refused a third end (EISCONN)");
                continue;
            }
            try {
                c.send(ByteBuffer.wrap(new byte[] {ACCEPTED}));
                startLink(c);
            } catch (ErrnoException e) {
                c.close();
            }
        }
    }

    private void startLink(UnixSocket s) throws ErrnoException {
        MessageLink l = new MessageLink(s, reactor, statistics, settings.toString(), sinks, this::peerHungUp, true);
        link = l;
        l.start();
        if (closed) {
            l.close(null);
        }
    }

    /** Reactor thread, once per peer: the listener waits; the connecting end opens again on its own thread. */
    private void peerHungUp() {
        if (closed || listener != null) {
            return;
        }
        LOG.log(System.Logger.Level.DEBUG, () -> settings + ": peer left; opening again");
        Thread.ofVirtual().name("jioth-ptp-reopen " + path).start(() -> {
            IOException last = null;
            for (int round = 0; round < REOPEN_ROUNDS && !closed; round++) {
                try {
                    establish();
                    return;
                } catch (IOException e) {
                    last = e; // the old peer's files may still be going away: try again shortly
                    pause();
                }
            }
            if (!closed) {
                ended = true;
                LOG.log(System.Logger.Level.WARNING, settings + ": cannot reopen after the peer left: "
                        + (last == null ? "closed" : last.getMessage()));
            }
        });
    }

    private static void pause() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public boolean send(ByteBuffer frame) {
        MessageLink l = link;
        if (l == null || l.isClosed()) {
            if (FrameDelivery.checkSendLength(frame, statistics)) {
                statistics.droppedQueueFull.increment(); // no peer now
            }
            return false;
        }
        return l.send(frame);
    }

    @Override
    public synchronized String boundPath() {
        return listener != null ? path : null;
    }

    @Override
    public boolean hasEnded() {
        return ended || failure().isPresent();
    }

    @Override
    public java.util.Optional<Throwable> failure() {
        MessageLink l = link;
        return java.util.Optional.ofNullable(l == null ? null : l.failure());
    }

    @Override
    public void close() {
        UnixSocket l;
        Reactor.Registration watch;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            l = listener;
            watch = listenWatch;
        }
        MessageLink current = link;
        if (current != null) {
            current.close(null);
        }
        if (l != null) {
            Runnable finish = () -> {
                l.close();
                try {
                    Files.deleteIfExists(Path.of(path));
                } catch (IOException e) {
                    LOG.log(System.Logger.Level.DEBUG, () -> settings + ": cannot unlink " + path);
                }
            };
            if (watch != null) {
                watch.cancel(finish);
            } else {
                finish.run();
            }
        }
    }
}
