package org.jioth.slirp;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import org.jioth.vde.EthernetPort;
import org.jioth.vde.FrameSink;
import org.jioth.vde.PortStatistics;

/**
 * A {@code slirp://} port: plugging it into a network puts a NAT gateway there (libslirp's
 * addresses by default: gateway 10.0.2.2, DNS 10.0.2.3, DHCP from 10.0.2.15). Frames sent to it
 * reach a private jnet stack, the {@link SlirpGateway}, through a {@link PortPair}; closing the
 * port closes the gateway, its flows and its stack.
 */
public final class SlirpPort implements EthernetPort {
    private final String description;
    private final PortPair.End outer;
    private final SlirpGateway gateway;
    private final SlirpCounters counters = new SlirpCounters();
    private volatile boolean closed;

    private SlirpPort(String description, SlirpOptions options, DnsServer.Resolver resolver, PingOpener pings)
            throws IOException {
        this.description = description;
        PortPair pair = new PortPair(description, "slirp gateway");
        this.outer = pair.a;
        this.gateway = new SlirpGateway(options, pair.b, resolver, pings, counters);
    }

    /** Opens a gateway with {@code options}. */
    public static SlirpPort open(SlirpOptions options) throws IOException {
        return new SlirpPort("slirp://", options, DnsServer.hostResolver(), PingOpener.HOST);
    }

    /** For tests: a gateway whose DNS server asks {@code resolver}. */
    static SlirpPort open(SlirpOptions options, DnsServer.Resolver resolver) throws IOException {
        return new SlirpPort("slirp://", options, resolver, PingOpener.HOST);
    }

    /** For tests: a gateway whose DNS server asks {@code resolver} and whose ICMP echo sockets {@code pings} opens. */
    static SlirpPort open(SlirpOptions options, DnsServer.Resolver resolver, PingOpener pings) throws IOException {
        return new SlirpPort("slirp://", options, resolver, pings);
    }

    @Override
    public boolean send(ByteBuffer frame) {
        return outer.send(frame);
    }

    /** Ends a burst into the gateway: its stack hears the end of a batch. */
    @Override
    public void flush() {
        outer.flush();
    }

    @Override
    public void setSink(FrameSink sink) {
        outer.setSink(sink);
    }

    @Override
    public PortStatistics statistics() {
        return outer.statistics();
    }

    /** The gateway's own counters (flows, bytes, DHCP, DNS). */
    public SlirpCounters counters() {
        return counters;
    }

    /** Flows open now (TCP connections and UDP associations). */
    public int openFlows() {
        return gateway.openFlows();
    }

    /** The host addresses the {@code hostfwd} rules listen on, in rule order. */
    public List<InetSocketAddress> hostForwardAddresses() {
        return gateway.forwards().boundAddresses();
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            gateway.close();
        } finally {
            outer.close();
        }
    }
}
