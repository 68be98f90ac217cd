package org.jioth.slirp;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * One thread and one selector for every host UDP socket of a gateway: the sockets are
 * non-blocking, so the gateway's loop can write to them without ever blocking (a full send
 * buffer drops the datagram, as a network would), and this thread reads whatever arrives. It also
 * runs a periodic task (flow expiry) about once a second.
 */
final class UdpReactor implements Closeable {
    private static final System.Logger LOG = System.getLogger(UdpReactor.class.getName());

    /** Called on the reactor thread when a channel is readable: read until it returns null/0. */
    @FunctionalInterface
    interface Reader {
        void readable(DatagramChannel channel);
    }

    private record Registration(DatagramChannel channel, Reader reader) { }

    private final Selector selector;
    /** Channels to register: at most one per flow, and flows are bounded by the budget. */
    private final Queue<Registration> pending = new ConcurrentLinkedQueue<>();
    private final Runnable periodic;
    private final Thread thread;
    private volatile boolean closed;

    UdpReactor(Runnable periodic) throws IOException {
        this.selector = Selector.open();
        this.periodic = periodic;
        this.thread = Thread.ofPlatform().daemon().name("slirp udp").start(this::run);
    }

    /** Watches {@code channel} (non-blocking) for datagrams; any thread. */
    void register(DatagramChannel channel, Reader reader) throws IOException {
        channel.configureBlocking(false);
        pending.add(new Registration(channel, reader));
        selector.wakeup();
    }

    private void run() {
        long nextPeriodic = System.nanoTime() + 1_000_000_000L;
        while (!closed) {
            try {
                Registration r;
                while ((r = pending.poll()) != null) {
                    try {
                        r.channel.register(selector, SelectionKey.OP_READ, r.reader);
                    } catch (ClosedChannelException e) {
                        // expired or closed before it was registered
                    }
                }
                selector.select(1000);
                for (SelectionKey k : selector.selectedKeys()) {
                    if (k.isValid() && k.isReadable()) {
                        ((Reader) k.attachment()).readable((DatagramChannel) k.channel());
                    }
                }
                selector.selectedKeys().clear();
                if (System.nanoTime() - nextPeriodic >= 0) {
                    nextPeriodic = System.nanoTime() + 1_000_000_000L;
                    periodic.run();
                }
            } catch (IOException | RuntimeException e) {
                if (!closed) {
                    LOG.log(System.Logger.Level.WARNING, "slirp: UDP reactor turn failed; it goes on", e);
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        selector.wakeup();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            selector.close();
        } catch (IOException e) {
            // nothing more to do
        }
    }
}
