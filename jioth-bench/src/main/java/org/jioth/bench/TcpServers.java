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
 * The server side of {@link TcpMeasurements} on one stack: a bulk sink, a 1-byte echo and an
 * accept-and-close listener, each on its own port of {@code address}, served by virtual threads
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

    /** The three listeners' ports. */
    public record Ports(int sink, int echo, int churn) {
        /** {@code "SINK ECHO CHURN"}, as a {@link StackPeer} reports them. */
        String format() {
            return sink + " " + echo + " " + churn;
        }

        static Ports parse(String s) {
            String[] p = s.strip().split("\\s+");
            if (p.length != 3) {
                throw new IllegalArgumentException("expected three ports, got '" + s + "'");
            }
            return new Ports(Integer.parseInt(p[0]), Integer.parseInt(p[1]), Integer.parseInt(p[2]));
        }
    }

    private final ServerSocketChannel sink;
    private final ServerSocketChannel echo;
    private final ServerSocketChannel churn;
    private final Set<Closeable> open = ConcurrentHashMap.newKeySet();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean closed;

    private TcpServers(ServerSocketChannel sink, ServerSocketChannel echo, ServerSocketChannel churn) {
        this.sink = sink;
        this.echo = echo;
        this.churn = churn;
    }

    /** Opens the three listeners on {@code address} (ports chosen by the stack) and starts serving. */
    public static TcpServers start(SelectorProvider stack, InetAddress address) throws IOException {
        ServerSocketChannel a = null;
        ServerSocketChannel b = null;
        try {
            a = listen(stack, address, 4);
            b = listen(stack, address, 4);
            ServerSocketChannel c = listen(stack, address, 1024);
            TcpServers s = new TcpServers(a, b, c);
            s.serve("bench-sink", a, s::sinkOne);
            s.serve("bench-echo", b, s::echoOne);
            Thread.ofVirtual().name("bench-acceptor").start(s::acceptAndClose);
            return s;
        } catch (IOException | RuntimeException e) {
            for (ServerSocketChannel x : new ServerSocketChannel[] {a, b}) {
                if (x != null) {
                    x.close();
                }
            }
            throw e;
        }
    }

    public Ports ports() throws IOException {
        return new Ports(port(sink), port(echo), port(churn));
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

    private void acceptAndClose() {
        try {
            while (true) {
                churn.accept().close();
            }
        } catch (Throwable t) {
            failed(t);
        }
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
        for (Closeable c : List.<Closeable>of(sink, echo, churn)) {
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
