package org.jioth.slirp;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jioth.jnet.TransparentGateway;
import org.jioth.linux.ErrnoException;
import org.jioth.linux.ping.PingSocket;

/**
 * ICMP echo to outside addresses, through the host: each request a guest sends to a foreign
 * address is sent again by the host, and a reply with the request's identifier, sequence and data
 * goes back to the guest from that address when the host got one. The host sends it from an
 * unprivileged ICMP echo socket ({@link PingSocket}), which Linux allows where
 * {@code net.ipv4.ping_group_range} includes our group. Where it does not, but the process may
 * open raw ICMP sockets (root), the echo is asked of {@link InetAddress#isReachable}, which then
 * sends one from a raw socket (it reports only yes or no: the reply carries the request's data).
 * With neither, an echo to an outside address is not answered (counted in {@code icmpUnavailable};
 * the JDK's other probe, a TCP connection to port 7, would count any host answering TCP as
 * reachable), and the gateway's own addresses are still answered by its stack. The reply's TTL is the gateway's. Each
 * probe has its own socket on a platform thread (a blocking native wait would pin a virtual
 * thread's carrier); at most {@link #MAX_IN_FLIGHT} run at once, more requests are dropped, as a
 * rate limit would.
 */
final class EchoProxy {
    private static final System.Logger LOG = System.getLogger(EchoProxy.class.getName());
    static final int MAX_IN_FLIGHT = 32;
    static final int TIMEOUT_MS = 3000;

    private final TransparentGateway gateway;
    private final SlirpCounters counters;
    private final PingOpener pings;
    private final Semaphore slots = new Semaphore(MAX_IN_FLIGHT);
    private final AtomicBoolean toldUnavailable = new AtomicBoolean();

    EchoProxy(TransparentGateway gateway, SlirpCounters counters, PingOpener pings) {
        this.gateway = gateway;
        this.counters = counters;
        this.pings = pings;
    }

    /** A guest's echo request to a foreign IPv4 address (the gateway's loop: must not block). */
    void echo(int source, int destination, int identifier, int sequence, byte[] data) {
        probe(data, "slirp icmp echo", bytes -> ask(false, Ipv4Text.toInet(destination), sequence, bytes)
                && gateway.sendEchoReply(destination, source, identifier, sequence, ByteBuffer.wrap(bytes)));
    }

    /** A guest's echo request to a foreign IPv6 address (the gateway's loop: must not block). */
    void echo6(byte[] source, byte[] destination, int identifier, int sequence, byte[] data) {
        probe(data, "slirp icmpv6 echo", bytes -> ask(true, InetAddress.getByAddress(destination), sequence, bytes)
                && gateway.sendEchoReply6(destination, source, identifier, sequence, ByteBuffer.wrap(bytes)));
    }

    private interface Probe {
        boolean replied(byte[] data) throws IOException;
    }

    private void probe(byte[] bytes, String name, Probe probe) {
        counters.icmpEchoes.increment();
        if (bytes.length > PingSocket.MAX_DATA || !slots.tryAcquire()) {
            counters.icmpUnanswered.increment();
            return;
        }
        Thread.ofPlatform().daemon().name(name).start(() -> {
            try {
                if (probe.replied(bytes)) {
                    counters.icmpEchoReplies.increment();
                } else {
                    counters.icmpUnanswered.increment();
                }
            } catch (IOException e) {
                counters.icmpUnanswered.increment();
            } catch (RuntimeException e) {
                counters.icmpUnanswered.increment();
                LOG.log(System.Logger.Level.WARNING, "slirp: ICMP echo probe failed", e);
            } finally {
                slots.release();
            }
        });
    }

    /** The host's echo: through a ping socket, else a raw one (the JDK's), else none (false, counted). */
    private boolean ask(boolean ipv6, InetAddress to, int sequence, byte[] data) throws IOException {
        PingSocket socket;
        try {
            socket = pings.open(ipv6);
        } catch (ErrnoException e) {
            if (e.errno() != PingSocket.EACCES) {
                throw e;
            }
            if (pings.rawAllowed(ipv6)) {
                return to.isReachable(TIMEOUT_MS);
            }
            counters.icmpUnavailable.increment();
            if (toldUnavailable.compareAndSet(false, true)) {
                LOG.log(System.Logger.Level.INFO, "slirp: no ICMP echo socket (" + e.getMessage() + ", and no raw"
                        + " socket without root); pings to outside addresses are not answered");
            }
            return false;
        }
        try (socket) {
            return socket.echo(to, sequence, data, TIMEOUT_MS);
        }
    }
}
