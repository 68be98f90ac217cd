package org.jioth.jnet;

import java.net.SocketOption;

/** Socket options of jnet channels beyond the JDK's standard ones. */
public final class JnetSocketOptions {
    /**
     * Linux's {@code IPV6_V6ONLY} for {@code INET6} TCP channels: when true (set before binding),
     * the socket takes IPv6 only and leaves IPv4 to {@code INET} sockets; when false (the
     * default), a socket bound to {@code ::} also takes IPv4 peers, seen as v4-mapped addresses.
     */
    public static final SocketOption<Boolean> IPV6_V6ONLY = new Option<>("IPV6_V6ONLY", Boolean.class);

    /**
     * Pacing of a TCP channel's data segments (jnet paces by default, spreading a window over the
     * round trip, except on a short path behind a port that pushes back without loss, such as
     * {@code vde://} across one switch: {@code org.jioth.jnet.tcp.PacingPolicy}). False sends each
     * burst back to back, as Linux without {@code fq}: for a peer on a local tap or in-JVM link,
     * where a burst becomes one TSO super-frame instead of a queue to overflow. Set to true, it
     * paces on every path.
     */
    public static final SocketOption<Boolean> TCP_PACING = new Option<>("TCP_PACING", Boolean.class);

    /** An option known by its name; channels compare options by identity, one instance each. */
    private record Option<T>(String name, Class<T> type) implements SocketOption<T> {
        @Override
        public String toString() {
            return name;
        }
    }

    private JnetSocketOptions() {
    }
}
