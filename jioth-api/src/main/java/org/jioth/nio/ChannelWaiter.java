package org.jioth.nio;

import java.io.IOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;

/**
 * Waits, with a timeout, until a non-blocking channel is ready for one operation. Each adapter keeps
 * one waiter per direction, so a reader and a writer can wait at the same time. The selector comes
 * from the channel's own provider, so this works for any plug-in's channels.
 */
final class ChannelWaiter implements AutoCloseable {
    private final SelectableChannel channel;
    private final int op;
    private volatile Selector selector;
    private volatile boolean closed;

    ChannelWaiter(SelectableChannel channel, int op) {
        this.channel = channel;
        this.op = op;
    }

    /**
     * Blocks until the channel is ready, {@code timeoutMillis} pass (0 = no limit), the channel is
     * closed, or the thread is interrupted.
     *
     * @throws SocketTimeoutException when the time runs out; {@code what} names what timed out
     */
    synchronized void await(long timeoutMillis, String what) throws IOException {
        if (closed || !channel.isOpen()) {
            throw new SocketException("Socket closed");
        }
        if (selector == null) {
            selector = channel.provider().openSelector();
            try {
                channel.register(selector, op);
            } catch (ClosedChannelException e) {
                throw new SocketException("Socket closed");
            }
        }
        long deadline = timeoutMillis > 0 ? System.nanoTime() + timeoutMillis * 1_000_000L : 0;
        while (true) {
            long wait = 0;
            if (deadline != 0) {
                wait = (deadline - System.nanoTime()) / 1_000_000L;
                if (wait <= 0) {
                    throw new SocketTimeoutException(what + " timed out");
                }
            }
            int n = selector.select(wait);
            if (closed || !channel.isOpen()) {
                throw new SocketException("Socket closed");
            }
            if (Thread.currentThread().isInterrupted()) {
                throw new SocketException("Closed by interrupt");
            }
            if (n > 0) {
                selector.selectedKeys().clear();
                return;
            }
        }
    }

    /** Wakes a waiting thread and releases the selector; the waiter cannot be used again. */
    @Override
    public void close() throws IOException {
        wakeup();
        synchronized (this) {
            if (selector != null) {
                selector.close();
            }
        }
    }

    /** Wakes a waiting thread (used before the channel is closed from another thread). */
    void wakeup() {
        closed = true;
        Selector s = selector;
        if (s != null) {
            s.wakeup();
        }
    }
}
