package org.jioth.vde;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jioth.linux.ErrnoException;
import org.jioth.linux.unix.Epoll;
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
    private final Reactor reactor = Reactor.shared();
    private final UnixSocket listener;
    private final Map<Integer, Client> clients = new ConcurrentHashMap<>();
    private Reactor.Registration listening;
    private volatile boolean closed;

    private NodeDirectory(Path dir, EthernetNode node, int mode, UnixSocket listener) {
        this.dir = dir;
        this.node = node;
        this.mode = mode;
        this.listener = listener;
    }

    /** The node served at {@code realDir} by this JVM, or null. */
    static NodeDirectory lookup(Path realDir) {
        NodeDirectory d = HOSTED.get(realDir);
        return d == null || d.closed ? null : d;
    }

    /**
     * Creates {@code dir} (which must not exist) with {@code dirMode}, binds {@code dir/ctl} with
     * {@code mode} and starts serving {@code node}.
     */
    static NodeDirectory serve(Path dir, EthernetNode node, int mode, int dirMode, String group) throws IOException {
        Files.createDirectory(dir); // fails if it exists, as switch:// does
        UnixSocket listener = null;
        boolean ok = false;
        try {
            if (group != null) {
                setGroup(dir, group);
            }
            UnixFiles.chmod(dir.toString(), dirMode);
            Path ctl = dir.resolve("ctl");
            Files.deleteIfExists(ctl);
            // Bound and listening under a private name first, then renamed: a client that sees
            // "ctl" can always connect, and never with the wrong mode or group.
            Path staging = dir.resolve(".ctl-" + ProcessHandle.current().pid());
            Files.deleteIfExists(staging);
            listener = UnixSocket.open(UnixSocket.Type.STREAM);
            listener.bind(staging.toString());
            if (group != null) {
                setGroup(staging, group);
            }
            UnixFiles.chmod(staging.toString(), mode);
            listener.listen(15);
            Files.move(staging, ctl, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            NodeDirectory d = new NodeDirectory(dir, node, mode, listener);
            if (HOSTED.putIfAbsent(dir, d) != null) {
                throw new IOException("a node of this JVM already serves " + dir);
            }
            d.listening = d.reactor.register(listener.fd(), Epoll.IN, ev -> d.accept());
            ok = true;
            return d;
        } finally {
            if (!ok) {
                if (listener != null) {
                    listener.close();
                }
                Files.deleteIfExists(dir.resolve(".ctl-" + ProcessHandle.current().pid()));
                Files.deleteIfExists(dir.resolve("ctl"));
                Files.deleteIfExists(dir);
            }
        }
    }

    private static void setGroup(Path p, String group) throws IOException {
        if (group.chars().allMatch(Character::isDigit)) {
            Files.setAttribute(p, "unix:gid", Integer.parseInt(group));
        } else {
            Files.setAttribute(p, "posix:group",
                    p.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName(group));
        }
    }

    EthernetNode node() {
        return node;
    }

    Path directory() {
        return dir;
    }

    /** Control connections refused because the switch had its maximum of clients (stub: not counted yet). */
    long refusedClients() {
        return 0;
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

    private void accept() throws ErrnoException {
        UnixSocket c;
        while (!closed && (c = listener.accept()) != null) {
            Client client = new Client(c);
            clients.put(c.fd(), client);
            try {
                client.watch = reactor.register(c.fd(), Epoll.IN | Epoll.RDHUP, client::readable);
            } catch (ErrnoException e) {
                clients.remove(c.fd());
                c.close();
                throw e;
            }
        }
    }

    /** One control connection and, after its request, its port. */
    private final class Client {
        private final UnixSocket control;
        private final ByteBuffer buffer = ByteBuffer.allocate(VdeRequest.MAX_REQUEST);
        private Reactor.Registration watch;
        private volatile NodePort port;
        private DatagramLink link;
        private Path socketPath;
        private boolean gone;

        Client(UnixSocket control) {
            this.control = control;
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
                LOG.log(System.Logger.Level.DEBUG, () -> dir + ": malformed request of " + n + " bytes, no reply");
                close();
                return;
            }
            try {
                open(request);
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
                data.bind(socketPath.toString());
                BindSeam.afterBind(socketPath);
                UnixFiles.chmod(socketPath.toString(), mode);
                data.connect(request.socketPath());
            } catch (IOException e) {
                data.close();
                Files.deleteIfExists(socketPath);
                throw e;
            }
            NodePort p = node.attach(request.description() + " via " + socketPath);
            link = new DatagramLink(data, reactor, new PortStatistics(), p.description());
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
