package org.jioth.testkit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The echo server of the stack tests: accepts on any stack's listener (a virtual thread), echoes
 * each connection on its own virtual thread until end of stream, then closes it. {@link #close()}
 * closes the listener and every open connection, which ends the threads.
 */
public final class ChannelEchoServer implements AutoCloseable {
    private final ServerSocketChannel listener;
    private final int bufferBytes;
    private final Set<SocketChannel> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger accepted = new AtomicInteger();
    private final Thread acceptor;

    private ChannelEchoServer(ServerSocketChannel listener, int bufferBytes) {
        this.listener = listener;
        this.bufferBytes = bufferBytes;
        this.acceptor = Thread.ofVirtual().name("echo-accept").start(this::acceptLoop);
    }

    /** Starts echoing on a bound, blocking listener, reading 32 KiB at a time. */
    public static ChannelEchoServer start(ServerSocketChannel listener) {
        return start(listener, 32 * 1024);
    }

    /** Starts echoing on a bound, blocking listener, reading up to {@code bufferBytes} at a time. */
    public static ChannelEchoServer start(ServerSocketChannel listener, int bufferBytes) {
        return new ChannelEchoServer(listener, bufferBytes);
    }

    /** How many connections were accepted so far. */
    public int accepted() {
        return accepted.get();
    }

    private void acceptLoop() {
        while (listener.isOpen()) {
            SocketChannel c;
            try {
                c = listener.accept();
            } catch (IOException closed) {
                return; // the listener was closed (or its stack): the test is over
            }
            accepted.incrementAndGet();
            open.add(c);
            Thread.ofVirtual().name("echo-" + accepted.get()).start(() -> echo(c));
        }
    }

    private void echo(SocketChannel c) {
        try (c) {
            ByteBuffer buf = ByteBuffer.allocate(bufferBytes);
            while (c.read(buf) >= 0) {
                buf.flip();
                while (buf.hasRemaining()) {
                    c.write(buf);
                }
                buf.clear();
            }
        } catch (IOException reset) {
            // a reset or a closed stack ends this connection like end of stream
        } finally {
            open.remove(c);
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        for (SocketChannel c : open) {
            c.close();
        }
        try {
            acceptor.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
