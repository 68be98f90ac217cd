package org.jioth.slirp;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.Semaphore;
import org.jioth.jnet.TransparentGateway;

/**
 * ICMP echo to outside addresses, through the host: each request a guest sends to a foreign
 * address is asked of the host with {@link java.net.InetAddress#isReachable}, and a reply with the
 * request's identifier, sequence and data goes back to the guest from that address when the host
 * got one. The JDK probes with an ICMP echo from a raw socket (root) or an unprivileged ICMP socket
 * (where {@code net.ipv4.ping_group_range} allows), else with a TCP connection to port 7 (then a
 * host that answers TCP at all counts as reachable); it reports only yes or no, so the reply's TTL
 * and timing are the gateway's. At most {@link #MAX_IN_FLIGHT} probes run at once; more requests
 * are dropped, as a rate limit would.
 */
final class EchoProxy {
    private static final System.Logger LOG = System.getLogger(EchoProxy.class.getName());
    static final int MAX_IN_FLIGHT = 32;
    static final int TIMEOUT_MS = 3000;

    private final TransparentGateway gateway;
    private final SlirpCounters counters;
    private final Semaphore slots = new Semaphore(MAX_IN_FLIGHT);

    EchoProxy(TransparentGateway gateway, SlirpCounters counters) {
        this.gateway = gateway;
        this.counters = counters;
    }

    /** A guest's echo request to a foreign address (the gateway's loop: must not block). */
    void echo(int source, int destination, int identifier, int sequence, ByteBuffer data) {
        counters.icmpEchoes.increment();
        if (!slots.tryAcquire()) {
            counters.icmpUnanswered.increment();
            return;
        }
        ByteBuffer copy = ByteBuffer.allocate(data.remaining()).put(data.duplicate()).flip();
        Thread.ofVirtual().name("slirp icmp echo").start(() -> {
            try {
                if (Ipv4Text.toInet(destination).isReachable(TIMEOUT_MS)
                        && gateway.sendEchoReply(destination, source, identifier, sequence, copy)) {
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
}
