package org.jioth.slirp;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Outbound TCP: takes every connection the guests open through the gateway's transparent listener
 * and connects a host socket to the same destination (the host's loopback for the gateway's own
 * address). A refused destination, a full flow budget or a failed host connect resets the guest's
 * connection. jnet completes the guest's handshake before the host connect is known, so a guest
 * sees a refused connection as a reset after connecting, not as a refused SYN.
 */
final class TcpNat implements Closeable {
    private static final System.Logger LOG = System.getLogger(TcpNat.class.getName());
    /** How long a host connect may take before the guest's connection is reset. */
    static final int CONNECT_TIMEOUT_MS = 10_000;
    /** How long teardown waits for the flows' threads to end. */
    private static final long CLOSE_WAIT_NANOS = 5_000_000_000L;

    /** Where guest traffic to {@code address} goes on the host, or null when it may not. */
    @FunctionalInterface
    interface Targets {
        InetAddress hostTarget(int protocol, InetAddress address, int port);
    }

    private final ServerSocketChannel listener;
    private final Targets targets;
    private final FlowBudget budget;
    private final SlirpOptions options;
    private final SlirpCounters counters;
    private final Set<TcpSplice> flows = ConcurrentHashMap.newKeySet();
    /** Threads connecting a host socket for a guest: a flow is not in {@link #flows} until they finish. */
    private final Set<Thread> connecting = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;
    private final java.util.function.BooleanSupplier paced;
    private volatile boolean closed;

    TcpNat(ServerSocketChannel listener, Targets targets, FlowBudget budget, SlirpOptions options,
            SlirpCounters counters, java.util.function.BooleanSupplier paced) {
        this.paced = paced;
        this.listener = listener;
        this.targets = targets;
        this.budget = budget;
        this.options = options;
        this.counters = counters;
        this.acceptor = Thread.ofVirtual().name("slirp tcp accept").start(this::acceptLoop);
    }

    private void acceptLoop() {
        RetryBackoff backoff = new RetryBackoff();
        while (!closed) {
            SocketChannel guest;
            try {
                guest = listener.accept();
                backoff.succeeded();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException | RuntimeException e) {
                // an error that keeps coming back must neither spin this thread nor flood the log
                long pause = backoff.failed();
                if (!closed && backoff.shouldLog()) {
                    LOG.log(System.Logger.Level.WARNING, "slirp: accept on the gateway failed "
                            + backoff.failures() + " time(s) in a row; retrying in " + pause / 1_000_000 + " ms", e);
                }
                try {
                    Thread.sleep(java.time.Duration.ofNanos(pause));
                } catch (InterruptedException stop) {
                    // close() interrupts; only a closed listener ends the loop (checked above and by accept)
                }
                continue;
            }
            try {
                InetSocketAddress local = (InetSocketAddress) guest.getLocalAddress();
                InetAddress target = targets.hostTarget(org.jioth.jnet.wire.Ipv4.PROTO_TCP, local.getAddress(),
                        local.getPort());
                if (target == null || !budget.tryAcquire()) {
                    refuse(guest);
                    continue;
                }
                InetSocketAddress to = new InetSocketAddress(target, local.getPort());
                Thread t = Thread.ofVirtual().name("slirp tcp connect " + to).unstarted(() -> {
                    try {
                        connect(guest, to);
                    } finally {
                        connecting.remove(Thread.currentThread());
                    }
                });
                connecting.add(t);
                t.start();
            } catch (IOException | RuntimeException e) {
                refuse(guest);
            }
        }
    }

    private void connect(SocketChannel guest, InetSocketAddress to) {
        SocketChannel host = null;
        try {
            host = SocketChannel.open();
            host.socket().connect(to, CONNECT_TIMEOUT_MS);
        } catch (IOException | RuntimeException e) {
            budget.release();
            closeQuietly(host);
            refuse(guest);
            return;
        }
        start(guest, host, "slirp tcp " + to);
    }

    /** Splices an established pair (also used by hostfwd); the budget slot is already taken. */
    void start(SocketChannel guest, SocketChannel host, String name) {
        try {
            // segments go on as the guest and the host write them; Nagle already ran on their side
            guest.setOption(StandardSocketOptions.TCP_NODELAY, true);
            host.setOption(StandardSocketOptions.TCP_NODELAY, true);
            guest.setOption(org.jioth.jnet.JnetSocketOptions.TCP_PACING, paced.getAsBoolean());
        } catch (IOException | RuntimeException e) {
            // a flow that is already closing: its pumps will see it
        }
        counters.tcpFlowsOpened.increment();
        TcpSplice[] self = new TcpSplice[1];
        self[0] = new TcpSplice(guest, host, options.flowBuffer(), counters, () -> {
            flows.remove(self[0]);
            budget.release();
        });
        flows.add(self[0]);
        if (closed) {
            self[0].close();
        }
        self[0].start(name);
    }

    private void refuse(SocketChannel guest) {
        counters.tcpFlowsRefused.increment();
        try {
            guest.setOption(StandardSocketOptions.SO_LINGER, 0); // close sends RST
        } catch (IOException | RuntimeException e) {
            // closing anyway
        }
        closeQuietly(guest);
    }

    static void closeQuietly(AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception e) {
                // nothing more to do
            }
        }
    }

    int openFlows() {
        return flows.size();
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(listener);
        acceptor.interrupt();
        long deadline = System.nanoTime() + CLOSE_WAIT_NANOS;
        try {
            // a connection accepted just before is still being connected on the host: end those
            // first (an interrupt closes the host socket and resets the guest), so that every flow
            // that will ever start is in flows below, and no budget slot is released after close
            acceptor.join(java.time.Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            for (Thread t : connecting) {
                t.interrupt();
            }
            for (Thread t : connecting) {
                t.join(java.time.Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            }
            for (TcpSplice f : flows) {
                f.close();
            }
            for (TcpSplice f : flows) {
                if (!f.awaitEnd(deadline)) {
                    LOG.log(System.Logger.Level.WARNING, "slirp: a TCP flow did not end at teardown");
                    break;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
