package org.jioth.slirp;

import java.io.IOException;
import org.jioth.linux.ping.PingSocket;

/** Opens the host's unprivileged ICMP echo sockets; a test opens them in a network namespace of its own. */
@FunctionalInterface
interface PingOpener {
    PingOpener HOST = PingSocket::open;

    PingSocket open(boolean ipv6) throws IOException;

    /** Whether the JDK's {@link java.net.InetAddress#isReachable} would echo from a raw socket (root). */
    default boolean rawAllowed(boolean ipv6) {
        return PingSocket.rawAllowed(ipv6);
    }
}
