package org.jioth.vde;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.jioth.linux.ErrnoException;
import org.jioth.linux.unix.Epoll;
import org.jioth.linux.unix.PeerCredentials;
import org.jioth.linux.unix.PinnedFile;
import org.jioth.linux.unix.Reactor;
import org.jioth.linux.unix.UnixAddress;
import org.jioth.linux.unix.UnixFiles;
import org.jioth.linux.unix.UnixSocket;

/**
 * Serves an {@link EthernetNode} at a directory with the vde protocol (vde-protocols.md §3.1):
 * {@code DIR/ctl} accepts control connections, each valid request gets a datagram socket
 * {@code DIR/fd<N>} connected to the client's and becomes a {@link NodePort}. Everything runs on a
 * shared {@link Reactor}. Directories served by this JVM are registered, so {@code vde://DIR} opened
 * here joins the node in memory.
 */
final class NodeDirectory implements Closeable {
    private static final System.Logger LOG = System.getLogger(NodeDirectory.class.getName());
    private static final Map<Path, NodeDirectory> HOSTED = new ConcurrentHashMap<>();

    private final Path dir;
    private final EthernetNode node;
    private final int mode;
    private final int maxClients;
    private final LongAdder refusedClients = new LongAdder();
    private final LongAdder refusedRequests = new LongAdder();
    private final LongAdder acceptErrors = new LongAdder();
    private final Reactor reactor = Reactor.shared();
    private final UnixSocket listener;
    private final Map<Integer, Client> clients = new ConcurrentHashMap<>();
    private Reactor.Registration listening;
    private volatile boolean closed;
    /** Why the reactor stopped accepting clients for us (the accept handler threw), or null. */
    private volatile Throwable failure;

    private NodeDirectory(Path dir, EthernetNode node, int mode, int maxClients, UnixSocket listener) {
        this.dir = dir;
        this.node = node;
        this.mode = mode;
        this.maxClients = maxClients;
        this.listener = listener;
    }

    /** The node served at {@code realDir} by this JVM, or null. */
    static NodeDirectory lookup(Path realDir) {
        NodeDirectory d = HOSTED.get(realDir);
        return d == null || d.closed ? null : d;
    }

    /**
     * Creates {@code dir} (which must not exist) with {@code dirMode}, binds {@code dir/ctl} with
     * {@code mode} and starts serving {@code node} to at most {@code maxClients} control connections.
     *
     * <p>Other users may write to the directory (group members with {@code mode=0660}: their clients
     * bind their sockets there), so nothing here is changed by path after it has a name: a socket gets
     * owner-only permissions before bind ({@code fchmod}), then its real mode and group through a
     * {@link PinnedFile} that must still be our socket; and a directory others may write to gets the
     * sticky bit, so they cannot rename or remove the switch's files. The parent of {@code dir} must
     * not be writable by other users (as {@code /tmp}, sticky, is not for our entries).
     */
    static NodeDirectory serve(Path dir, EthernetNode node, int mode, int dirMode, String group, int maxClients)
            throws IOException {
        Files.createDirectory(dir); // fails if it exists, as switch:// does
        UnixSocket listener = null;
        boolean ok = false;
        Path staging = dir.resolve(".ctl-" + ProcessHandle.current().pid());
        try {
            int gid = group == null ? -1 : UnixFiles.groupId(group);
            try (PinnedFile d = PinnedFile.open(dir.toString())) {
                if (!d.isDirectory() || d.uid() != UnixFiles.effectiveUid()) {
                    throw new IOException(dir + " was replaced right after it was made: check who may write to "
                            + dir.getParent());
                }
                if (gid >= 0) {
                    d.chgrp(gid);
                }
                d.chmod((dirMode & 022) != 0 ? dirMode | 01000 : dirMode);
            }
            Path ctl = dir.resolve("ctl");
            // Bound and listening under a private name first, then renamed: a client that sees
            // "ctl" can always connect, and never with the wrong mode or group.
            listener = UnixSocket.open(UnixSocket.Type.STREAM);
            listener.setFileMode(0600);
            listener.bind(staging.toString());
            BindSeam.afterBind(staging);
            setModeOfOwnSocket(staging, gid, mode);
            listener.listen(15);
            Files.move(staging, ctl, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            NodeDirectory d = new NodeDirectory(dir, node, mode, maxClients, listener);
            if (HOSTED.putIfAbsent(dir, d) != null) {
                throw new IOException("a node of this JVM already serves " + dir);
            }
            d.listening = d.reactor.register(listener.fd(), Epoll.IN, ev -> d.accept(), cause -> d.failure = cause);
            ok = true;
            return d;
        } finally {
            if (!ok) {
                if (listener != null) {
                    listener.close();
                }
                Files.deleteIfExists(staging);
                Files.deleteIfExists(dir.resolve("ctl"));
                Files.deleteIfExists(dir);
            }
        }
    }

    /**
     * Sets the group (unless negative) and mode of the socket this process just bound at {@code path},
     * through a pin: if the name no longer means a socket of ours (another user swapped it), nothing
     * is changed and the caller gives up.
     */
    static void setModeOfOwnSocket(Path path, int gid, int mode) throws IOException {
        try (PinnedFile f = PinnedFile.open(path.toString())) {
            if (!f.isSocket() || f.uid() != UnixFiles.effectiveUid()) {
                throw new IOException(path + " is no longer the socket this process bound (replaced by "
                        + (f.isSocket() ? "uid " + f.uid() + "'s socket" : "a file that is not a socket")
                        + "): another user can write to " + path.getParent());
            }
            if (gid >= 0) {
                f.chgrp(gid);
            }
            f.chmod(mode);
        }
    }

    /** Why this switch no longer accepts clients, or null. */
    Throwable failure() {
        return failure;
    }

    EthernetNode node() {
        return node;
    }

    Path directory() {
        return dir;
    }

    /** Control connections refused because the switch had {@code maxclients} already. */
    long refusedClients() {
        return refusedClients.sum();
    }

    /** Requests refused: malformed, or naming a socket path that is not the client's own socket. */
    long refusedRequests() {
        return refusedRequests.sum();
    }

    /** Clients connected over the socket protocol. */
    int socketClients() {
        return (int) clients.values().stream().filter(c -> c.port != null).count();
    }

    /** The counters of the datagram socket serving {@code port} (sent to / received from its client), or null. */
    PortStatistics linkStatistics(NodePort port) {
        for (Client c : clients.values()) {
            if (c.port == port && c.link != null) {
                return c.link.statistics();
            }
        }
        return null;
    }

    private void accept() {
        while (!closed) {
            UnixSocket c;
            try {
                c = listener.accept();
            } catch (ErrnoException e) { // EMFILE and the like: the client waits in the backlog
                acceptFailed(e);
                return;
            }
            if (c == null) {
                return;
            }
            if (clients.size() >= maxClients) {
                refusedClients.increment();
                long n = refusedClients.sum();
                if (Long.bitCount(n) == 1) { // 1, 2, 4, 8...: a flood of refusals does not flood the log
                    LOG.log(System.Logger.Level.WARNING, dir + ": refused a client: " + maxClients
                            + " clients already (the switch's maxclients=); " + n + " refused so far");
                }
                c.close();
                continue;
            }
            PeerCredentials peer;
            try {
                peer = PeerCredentials.of(c.fd());
            } catch (ErrnoException e) {
                c.close();
                continue;
            }
            Client client = new Client(c, peer);
            clients.put(c.fd(), client);
            try {
                client.watch = reactor.register(c.fd(), Epoll.IN | Epoll.RDHUP, client::readable,
                        cause -> client.close()); // its port goes, logged by the reactor; the switch goes on
            } catch (ErrnoException e) {
                clients.remove(c.fd());
                c.close();
                acceptFailed(e);
            }
        }
    }

    /** A resource shortage while accepting: counted and logged sparingly; the switch goes on. */
    private void acceptFailed(ErrnoException e) {
        acceptErrors.increment();
        long n = acceptErrors.sum();
        if (Long.bitCount(n) == 1) {
            LOG.log(System.Logger.Level.WARNING, dir + ": cannot accept a client (" + n + " times so far): "
                    + e.getMessage());
        }
    }

    /** One control connection and, after its request, its port. */
    private final class Client {
        private final UnixSocket control;
        private final PeerCredentials peer;
        private final ByteBuffer buffer = ByteBuffer.allocate(VdeRequest.MAX_REQUEST);
        private Reactor.Registration watch;
        private volatile NodePort port;
        private DatagramLink link;
        private Path socketPath;
        private boolean gone;

        Client(UnixSocket control, PeerCredentials peer) {
            this.control = control;
            this.peer = peer;
        }

        void readable(int events) throws IOException {
            buffer.clear();
            int n;
            try {
                n = control.receive(buffer);
            } catch (ErrnoException e) { // ECONNRESET and the like: the client is gone
                close();
                return;
            }
            if (n < 0) {
                return;
            }
            if (n == 0 || port != null) {
                if (n == 0) {
                    close(); // the client hung up: free its port
                }
                return; // the control stream is silent after the handshake; extra bytes are ignored
            }
            VdeRequest request = VdeRequest.decode(buffer.flip());
            if (request == null) {
                refusedRequests.increment();
                LOG.log(System.Logger.Level.DEBUG, () -> dir + ": malformed request of " + n + " bytes, no reply");
                close();
                return;
            }
            try {
                open(request);
            } catch (RefusedRequest e) {
                refusedRequests.increment();
                LOG.log(System.Logger.Level.WARNING, dir + ": refused " + request.description() + " (uid " + peer.uid()
                        + ", pid " + peer.pid() + "): " + e.getMessage());
                close();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, dir + ": cannot serve " + request.description() + ": "
                        + e.getMessage());
                close();
            }
        }

        private void open(VdeRequest request) throws IOException {
            UnixSocket data = UnixSocket.open(UnixSocket.Type.DATAGRAM);
            socketPath = dir.resolve("fd" + control.fd());
            try {
                Files.deleteIfExists(socketPath);
                data.setFileMode(0600);
                data.bind(socketPath.toString());
                BindSeam.afterBind(socketPath);
                connectToClient(data, request.socketPath());
                setModeOfOwnSocket(socketPath, -1, mode);
            } catch (IOException e) {
                data.close();
                Files.deleteIfExists(socketPath);
                throw e;
            }
            NodePort p = node.attach(request.description() + " via " + socketPath + " (uid " + peer.uid() + " pid "
                    + peer.pid() + ")");
            link = new DatagramLink(data, reactor, new PortStatistics(), p.description());
            link.onFailure(this::close);
            DatagramLink out = link;
            p.setSink(new FrameSink() { // node to client: batched, one sendmmsg per drain batch
                @Override
                public void frame(ByteBuffer frame) {
                    out.queue(frame);
                }

                @Override
                public void endOfBatch() {
                    out.flush();
                }
            });
            link.setSink(new FrameSink() { // client to node: a received batch is forwarded at its end
                @Override
                public void frame(ByteBuffer frame) {
                    p.enqueue(frame);
                }

                @Override
                public void endOfBatch() {
                    p.flush();
                }
            });
            link.start();
            port = p;
            byte[] reply = UnixAddress.encode(socketPath.toString());
            if (control.send(ByteBuffer.wrap(reply)) != reply.length) {
                throw new IOException("could not write the 110-byte reply");
            }
        }

        /**
         * Connects to the socket the request names only if it is the client's: an absolute path to a
         * socket owned by the uid the kernel reports for the control connection. Otherwise a client
         * could make the switch send frames, with the switch owner's rights, to any datagram socket
         * it names (a logging or service-manager socket of another user). The check and the connect
         * use one pinned inode, so the name cannot be swapped in between.
         */
        private void connectToClient(UnixSocket data, String path) throws IOException {
            if (!path.startsWith("/")) {
                throw new RefusedRequest("its socket path '" + path + "' is not absolute");
            }
            PinnedFile f;
            try {
                f = PinnedFile.open(path);
            } catch (ErrnoException e) {
                throw new RefusedRequest("its socket " + path + " cannot be opened: " + e.getMessage());
            }
            try (f) {
                if (!f.isSocket()) {
                    throw new RefusedRequest(path + " is not a socket");
                }
                if (f.uid() != peer.uid()) {
                    throw new RefusedRequest(path + " belongs to uid " + f.uid() + ", not to the client");
                }
                data.connect(f.procPath());
            }
        }

        void close() {
            if (gone) {
                return;
            }
            gone = true;
            clients.remove(control.fd());
            if (port != null) {
                port.close();
            }
            Path sp = socketPath;
            Runnable unlink = () -> {
                try {
                    if (sp != null) {
                        Files.deleteIfExists(sp);
                    }
                } catch (IOException e) {
                    LOG.log(System.Logger.Level.DEBUG, () -> "unlink " + sp + ": " + e.getMessage());
                }
            };
            if (link != null) {
                link.close(unlink);
            } else {
                unlink.run();
            }
            Runnable closeControl = control::close;
            if (watch != null) {
                watch.cancel(closeControl);
            } else {
                closeControl.run();
            }
        }
    }

    /** A request the switch does not serve, for a reason that is the client's doing. */
    private static final class RefusedRequest extends IOException {
        RefusedRequest(String message) {
            super(message);
        }
    }

    /** Closes every port socket, the control socket, and removes the files and the directory. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        HOSTED.remove(dir, this);
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        Runnable shutdown = () -> {
            for (Client c : clients.values().toArray(Client[]::new)) {
                c.close();
            }
            listener.close();
            done.countDown();
        };
        listening.cancel(shutdown);
        node.close();
        if (!reactor.isReactorThread()) {
            try {
                done.await(); // the reactor runs it promptly; files go after the sockets
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        // per-port unlinks were queued behind shutdown on the same reactor: run a barrier
        awaitReactor();
        Files.deleteIfExists(dir.resolve("ctl"));
        try (var s = Files.list(dir)) {
            for (Path p : s.toList()) {
                if (p.getFileName().toString().startsWith("fd")) {
                    Files.deleteIfExists(p);
                }
            }
        }
        Files.deleteIfExists(dir);
    }

    private void awaitReactor() {
        if (reactor.isReactorThread()) {
            return;
        }
        java.util.concurrent.CountDownLatch barrier = new java.util.concurrent.CountDownLatch(1);
        reactor.execute(barrier::countDown);
        try {
            barrier.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
