package org.jioth.dns;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;

/** How a resolver reaches its servers: one exchange of a query for a response. */
public interface DnsTransport {

    /**
     * Sends {@code query} over UDP and returns the first datagram from {@code server} whose ID
     * matches the query's; null when none came within {@code timeout}.
     */
    byte[] udp(InetSocketAddress server, byte[] query, Duration timeout) throws IOException;

    /** The same over TCP (two-byte length prefix, RFC 1035 4.2.2); null on timeout. */
    byte[] tcp(InetSocketAddress server, byte[] query, Duration timeout) throws IOException;
}
