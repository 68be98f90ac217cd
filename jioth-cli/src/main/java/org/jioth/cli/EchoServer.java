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
 * lines like the seed. A connection's buffer grows with what it carries (a short exchange keeps
 * 1 KiB, a stream reads 64 KiB at a time).
 */
final class EchoServer implements AutoCloseable {
    /**
     * A connection's read buffer starts at this size (a request/response connection needs no
     * more) and doubles each time a read fills it, up to {@link #MAX_BUFFER}: the seed's BUFSIZ
     * for every connection cost 8 KiB of heap per connection accepted, and 8 KiB reads cost a
     * stream twice the read/write calls (and wake-ups) of 64 KiB ones.
     */
    static final int FIRST_BUFFER = 1024;
    static final int MAX_BUFFER = 64 * 1024;
    /** The longest pause between accept attempts while accept keeps failing. */
    private static final long MAX_ACCEPT_PAUSE_MILLIS = 1000;
    private final ServerSocketChannel listener;
    private final PrintStream log;
    private final boolean verbose;
    private final AtomicInteger connections = new AtomicInteger();
    private volatile long dataLogLimit = Long.MAX_VALUE;
    private Thread acceptor;

    /** Binds {@code bind} on {@code stack} with the seed's backlog of 5; {@code verbose} prints the seed's log lines. */
    EchoServer(IothStack stack, InetSocketAddress bind, PrintStream log, boolean verbose) throws IOException {
        this(bound(stack.provider().openServerSocketChannel(), bind), log, verbose);
    }

    /** Serves on {@code listener}, already bound (tests give one whose accept fails). */
    EchoServer(ServerSocketChannel listener, PrintStream log, boolean verbose) {
        this.log = log;
        this.verbose = verbose;
        this.listener = listener;
    }

    private static ServerSocketChannel bound(ServerSocketChannel listener, InetSocketAddress bind) throws IOException {
        try {
            return listener.bind(bind, 5);
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

    /**
     * Accepts until the listener closes; returns then (for the command's main thread). An accept
     * error with the listener still open (a connection aborted in the queue, out of descriptors,
     * out of buffers...) is logged and the loop goes on, after a pause that doubles while the
     * errors repeat (so running out of descriptors does not spin), as a real server does: one
     * client must not end the service for the others.
     */
    void acceptLoop() {
        long pauseMillis = 0;
        while (listener.isOpen()) {
            SocketChannel conn;
            try {
                conn = listener.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (!listener.isOpen()) {
                    return;
                }
                pauseMillis = Math.min(MAX_ACCEPT_PAUSE_MILLIS, Math.max(1, pauseMillis * 2));
                log.println("accept: " + e.getMessage() + " (going on in " + pauseMillis + " ms)");
                try {
                    Thread.sleep(pauseMillis);
                } catch (InterruptedException ie) {
                    return;
                }
                continue;
            }
            pauseMillis = 0;
            int id = connections.incrementAndGet();
            Thread.ofVirtual().name("ioth-conn-" + id).start(() -> serve(conn, id));
        }
    }

    private void serve(SocketChannel conn, int id) {
        long tid = Thread.currentThread().threadId();
        if (verbose) {
            log.println("new conn " + id + " tid " + tid);
        }
        ByteBuffer buf = ByteBuffer.allocate(FIRST_BUFFER);
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
                if (n == buf.capacity() && n < MAX_BUFFER) {
                    buf = ByteBuffer.allocate(n * 2); // the peer streams: fewer, larger reads
                }
            }
        } catch (IOException e) {
            // A reset or a closed listener ends the connection like EOF does in the seed.
        }
        if (verbose) {
            log.println("close conn " + id + " tid " + tid);
            log.flush(); // seen at once in a redirected log, as the GOT: lines are
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
