package org.jioth.bench;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The server side of {@link TcpMeasurements} on one stack: a bulk sink, a 1-byte echo, a churn
 * listener (one request, one response, close), a bulk source (server to client) and a streaming
 * echo (full duplex), each on its own port of {@code address}, served by virtual threads
 * until closed. It runs in the bench's JVM or, for the cross-process networks, in a
 * {@link StackPeer} child; either way the client reaches it only through TCP.
 *
 * <p>The sink's protocol: the client sends a {@value #HEADER}-byte header (warm-up nanoseconds,
 * warm-up bytes: the receiver starts its clock after whichever comes first), then the data, then
 * half-closes; the sink answers with the bytes it counted after the warm-up and the nanoseconds
 * they took, and closes.
 */
public final class TcpServers implements AutoCloseable {
    static final int HEADER = 16;
    private static final int CHUNK = 256 * 1024;

    /** The listeners' ports. */
    public record Ports(int sink, int echo, int churn, int source, int stream) {
        /** {@code "SINK ECHO CHURN SOURCE STREAM"}, as a {@link StackPeer} reports them. */
        String format() {
            return sink + " " + echo + " " + churn + " " + source + " " + stream;
        }

        static Ports parse(String s) {
            String[] p = s.strip().split("\\s+");
            if (p.length != 5) {
                throw new IllegalArgumentException("expected five ports, got '" + s + "'");
            }
            return new Ports(Integer.parseInt(p[0]), Integer.parseInt(p[1]), Integer.parseInt(p[2]),
                    Integer.parseInt(p[3]), Integer.parseInt(p[4]));
        }
    }

    private final ServerSocketChannel sink;
    private final ServerSocketChannel echo;
    private final ServerSocketChannel churn;
    private final ServerSocketChannel source;
    private final ServerSocketChannel stream;
    private final Set<Closeable> open = ConcurrentHashMap.newKeySet();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean closed;

    private TcpServers(ServerSocketChannel sink, ServerSocketChannel echo, ServerSocketChannel churn,
            ServerSocketChannel source, ServerSocketChannel stream) {
        this.sink = sink;
        this.echo = echo;
        this.churn = churn;
        this.source = source;
        this.stream = stream;
    }

    /** Opens the listeners on {@code address} (ports chosen by the stack) and starts serving. */
    public static TcpServers start(SelectorProvider stack, InetAddress address) throws IOException {
        List<ServerSocketChannel> made = new java.util.ArrayList<>();
        try {
            for (int backlog : new int[] {4, 4, 1024, 4, 4}) {
                made.add(listen(stack, address, backlog));
            }
            TcpServers s = new TcpServers(made.get(0), made.get(1), made.get(2), made.get(3), made.get(4));
            s.serve("bench-sink", s.sink, s::sinkOne);
            s.serve("bench-echo", s.echo, s::echoOne);
            s.serve("bench-source", s.source, s::sourceOne);
            s.serve("bench-stream", s.stream, TcpServers::streamEchoOne);
            Thread.ofVirtual().name("bench-acceptor").start(s::acceptAndServeOne);
            return s;
        } catch (IOException | RuntimeException e) {
            for (ServerSocketChannel x : made) {
                x.close();
            }
            throw e;
        }
    }

    public Ports ports() throws IOException {
        return new Ports(port(sink), port(echo), port(churn), port(source), port(stream));
    }

    /** The first error a server thread met (other than being closed), or null. */
    public Throwable failure() {
        return failure.get();
    }

    private interface Handler {
        void handle(SocketChannel c) throws IOException;
    }

    /** Accepts on {@code listener} and handles each connection on its own virtual thread. */
    private void serve(String name, ServerSocketChannel listener, Handler handler) {
        Thread.ofVirtual().name(name + "-listener").start(() -> {
            try {
                while (true) {
                    SocketChannel c = listener.accept();
                    open.add(c);
                    if (closed) {
                        c.close();
                        return;
                    }
                    Thread.ofVirtual().name(name).start(() -> {
                        try (c) {
                            handler.handle(c);
                        } catch (Throwable t) {
                            failed(t);
                        } finally {
                            open.remove(c);
                        }
                    });
                }
            } catch (Throwable t) {
                failed(t);
            }
        });
    }

    private void sinkOne(SocketChannel c) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(HEADER);
        TcpProbes.readFully(c, header);
        long warmNanos = header.getLong(0);
        long warmBytes = header.getLong(8);
        ByteBuffer buf = ByteBuffer.allocateDirect(CHUNK);
        long count = 0;
        long first = 0;
        long markTime = 0;
        long markCount = -1;
        int n;
        while ((n = c.read(buf.clear())) >= 0) {
            long now = System.nanoTime();
            if (count == 0 && n > 0) {
                first = now;
            }
            count += n;
            if (markCount < 0 && count > 0 && (now - first >= warmNanos || count >= warmBytes)) {
                markTime = now;
                markCount = count;
            }
        }
        long end = System.nanoTime();
        if (markCount < 0 || end == markTime) {
            markTime = first;
            markCount = 0;
        }
        TcpProbes.writeFully(c, header.clear().putLong(count - markCount).putLong(end - markTime).flip());
    }

    private void echoOne(SocketChannel c) throws IOException {
        noDelay(c);
        ByteBuffer one = ByteBuffer.allocateDirect(1);
        while (c.read(one.clear()) > 0) {
            TcpProbes.writeFully(c, one.flip());
        }
    }

    /**
     * The churn server, one connection at a time on the accepting thread: one request byte, one
     * response byte, close (the client waits for the close, so TIME_WAIT stays on this side).
     */
    private void acceptAndServeOne() {
        ByteBuffer one = ByteBuffer.allocate(1);
        try {
            while (true) {
                try (SocketChannel c = churn.accept()) {
                    if (c.read(one.clear()) == 1) {
                        TcpProbes.writeFully(c, one.flip());
                    }
                } catch (IOException e) {
                    if (churn.isOpen()) {
                        continue; // that connection failed; the client reports it
                    }
                    throw e;
                }
            }
        } catch (Throwable t) {
            failed(t);
        }
    }

    /**
     * Server-to-client bulk: the client sends a {@value #HEADER}-byte header (nanoseconds,
     * bytes), the server writes {@value #CHUNK}-byte chunks until either is reached, then closes.
     */
    private void sourceOne(SocketChannel c) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(HEADER);
        TcpProbes.readFully(c, header);
        long deadline = System.nanoTime() + header.getLong(0);
        long max = header.getLong(8);
        ByteBuffer chunk = ByteBuffer.allocateDirect(CHUNK);
        for (long sent = 0; sent < max && System.nanoTime() - deadline < 0; sent += CHUNK) {
            TcpProbes.writeFully(c, chunk.clear());
        }
        c.shutdownOutput();
        while (c.read(header.clear()) >= 0) {
            // until the client closes
        }
    }

    /**
     * The seed's echo server shape for full-duplex streaming: one thread reads and writes back
     * what it read, until EOF, then half-closes; the client writes and reads at the same time.
     */
    private static void streamEchoOne(SocketChannel c) throws IOException {
        ByteBuffer buf = ByteBuffer.allocateDirect(64 * 1024);
        while (c.read(buf.clear()) >= 0) {
            TcpProbes.writeFully(c, buf.flip());
        }
        c.shutdownOutput();
    }

    private void failed(Throwable t) {
        if (!closed && !(t instanceof ClosedChannelException)) {
            failure.compareAndSet(null, t);
        }
    }

    static void noDelay(SocketChannel c) {
        try {
            c.setOption(StandardSocketOptions.TCP_NODELAY, true);
        } catch (IOException | UnsupportedOperationException e) {
            // a stack without the option measures what it has
        }
    }

    private static ServerSocketChannel listen(SelectorProvider stack, InetAddress address, int backlog) throws IOException {
        ServerSocketChannel s = stack.openServerSocketChannel();
        try {
            s.bind(new InetSocketAddress(address, 0), backlog);
            return s;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    private static int port(ServerSocketChannel s) throws IOException {
        return ((InetSocketAddress) s.getLocalAddress()).getPort();
    }

    @Override
    public void close() throws IOException {
        closed = true;
        IOException first = null;
        for (Closeable c : List.<Closeable>of(sink, echo, churn, source, stream)) {
            try {
                c.close();
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        for (Closeable c : open) {
            try {
                c.close();
            } catch (IOException e) {
                // closing to end the handler only
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
