package org.jioth.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.jioth.IothStack;

/**
 * libioth's iothtest_server as a reusable object: accepts on a stack, and for each connection a
 * virtual thread echoes what it reads, logging {@code new conn}, {@code GOT:} and {@code close conn}
 * lines like the seed.
 */
final class EchoServer implements AutoCloseable {
    /** The seed reads with BUFSIZ. */
    private static final int BUFFER = 8192;
    private final ServerSocketChannel listener;
    private final PrintStream log;
    private final boolean verbose;
    private final AtomicInteger connections = new AtomicInteger();
    private volatile long dataLogLimit = Long.MAX_VALUE;
    private Thread acceptor;

    /** Binds {@code bind} on {@code stack} with the seed's backlog of 5; {@code verbose} prints the seed's log lines. */
    EchoServer(IothStack stack, InetSocketAddress bind, PrintStream log, boolean verbose) throws IOException {
        this.log = log;
        this.verbose = verbose;
        this.listener = stack.provider().openServerSocketChannel();
        try {
            listener.bind(bind, 5);
        } catch (IOException | RuntimeException e) {
            listener.close();
            throw e;
        }
    }

    /**
     * Logs GOT: lines only for the first {@code bytes} of each connection (0: never), so a long
     * transfer does not fill the log; one line says when the rest goes unlogged.
     */
    EchoServer dataLogLimit(long bytes) {
        this.dataLogLimit = bytes;
        return this;
    }

    InetSocketAddress localAddress() throws IOException {
        return (InetSocketAddress) listener.getLocalAddress();
    }

    /** Starts accepting on a virtual thread. */
    EchoServer start() {
        acceptor = Thread.ofVirtual().name("ioth-accept").start(this::acceptLoop);
        return this;
    }

    /** Accepts until the listener closes or fails; returns then (for the command's main thread). */
    void acceptLoop() {
        while (listener.isOpen()) {
            SocketChannel conn;
            try {
                conn = listener.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                log.println("accept: " + e.getMessage());
                return;
            }
            int id = connections.incrementAndGet();
            Thread.ofVirtual().name("ioth-conn-" + id).start(() -> serve(conn, id));
        }
    }

    private void serve(SocketChannel conn, int id) {
        long tid = Thread.currentThread().threadId();
        if (verbose) {
            log.println("new conn " + id + " tid " + tid);
        }
        ByteBuffer buf = ByteBuffer.allocate(BUFFER);
        long logged = 0;
        long limit = dataLogLimit;
        try (conn) {
            while (true) {
                buf.clear();
                int n = conn.read(buf);
                if (n <= 0) {
                    break;
                }
                buf.flip();
                if (verbose && logged < limit) {
                    int shown = (int) Math.min(n, limit - logged);
                    log.print("tid " + tid + " GOT: " + new String(buf.array(), 0, shown, StandardCharsets.UTF_8));
                    logged += shown;
                    if (logged >= limit) {
                        log.print("\ntid " + tid + " (after " + limit + " bytes the rest is echoed, not logged)\n");
                    }
                    log.flush();
                }
                while (buf.hasRemaining()) {
                    conn.write(buf);
                }
            }
        } catch (IOException e) {
            // A reset or a closed listener ends the connection like EOF does in the seed.
        }
        if (verbose) {
            log.println("close conn " + id + " tid " + tid);
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        if (acceptor != null) {
            try {
                acceptor.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
