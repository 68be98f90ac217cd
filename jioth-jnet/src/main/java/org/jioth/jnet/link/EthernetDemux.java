package org.jioth.jnet.link;

import java.nio.ByteBuffer;
import org.jioth.jnet.loop.Counter;
import org.jioth.jnet.loop.Counters;
import org.jioth.jnet.loop.RxRing;
import org.jioth.jnet.wire.Arp;
import org.jioth.jnet.wire.Ethernet;
import org.jioth.jnet.wire.Mac;

/**
 * Hands each received frame to its network protocol by EtherType: IPv4 and IPv6 to the network
 * layers above (through {@link NetworkInput}, so link does not know them), ARP to the neighbour
 * cache. Frames to another host's MAC, truncated ones, unknown types and frames of an interface
 * that is down or deleted are counted and dropped. Loop-only; one per stack (it reuses its views).
 */
public final class EthernetDemux {
    /** A network layer's receive path: a datagram of at most {@code len} bytes at {@code off}. */
    @FunctionalInterface
    public interface NetworkInput {
        void input(NetInterface in, ByteBuffer buf, int off, int len);
    }

    private final Counters counters;
    private final NeighborCache arpCache;
    private final NetworkInput ipv4;
    private final NetworkInput ipv6;
    private final Ethernet eth = new Ethernet();
    private final Arp arp = new Arp();

    public EthernetDemux(Counters counters, NeighborCache arpCache, NetworkInput ipv4, NetworkInput ipv6) {
        this.counters = counters;
        this.arpCache = arpCache;
        this.ipv4 = ipv4;
        this.ipv6 = ipv6;
    }

    /** A frame (or a looped-back IPv4 datagram, {@code ipOnly}) taken from the receive ring. */
    public void input(RxRing.Slot s) {
        NetInterface in = (NetInterface) s.iface;
        if (in == null || in.isDeleted() || !in.isUp()) {
            counters.inc(Counter.ETH_IN_LINK_DOWN);
            return;
        }
        ByteBuffer buf = s.buffer;
        if (s.ipOnly) {
            ipv4.input(in, buf, 0, s.length);
            return;
        }
        counters.inc(Counter.ETH_IN_FRAMES);
        counters.add(Counter.ETH_IN_BYTES, s.length);
        if (!eth.wrap(buf, 0, s.length)) {
            counters.inc(Counter.ETH_IN_TRUNCATED);
            return;
        }
        long dst = eth.destination();
        if (dst != in.mac() && !Mac.isMulticast(dst)) {
            counters.inc(Counter.ETH_IN_OTHER_HOST);
            return;
        }
        switch (eth.etherType()) {
            case Ethernet.TYPE_IPV4 -> ipv4.input(in, buf, eth.payloadOffset(), eth.payloadLength());
            case Ethernet.TYPE_IPV6 -> ipv6.input(in, buf, eth.payloadOffset(), eth.payloadLength());
            case Ethernet.TYPE_ARP -> {
                if (arp.wrap(buf, eth.payloadOffset(), eth.payloadLength())) {
                    arpCache.input(in, arp);
                } else {
                    counters.inc(Counter.ARP_IN_MALFORMED);
                }
            }
            default -> counters.inc(Counter.ETH_IN_UNKNOWN_TYPE);
        }
    }
}
