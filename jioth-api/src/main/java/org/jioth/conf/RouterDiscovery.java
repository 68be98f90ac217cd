package org.jioth.conf;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;

/**
 * iothconf's {@code rd} and {@code slaac} for one stack: a plug-in whose stack does router
 * discovery, SLAAC and RDNSS/DNSSL itself (jnet) offers this through
 * {@link org.jioth.IothStack#capability(Class)}; without it, {@link IothConf} falls back to
 * {@link KernelRouterDiscovery}, which waits for what a Linux kernel (kernel, vdestack) does on its
 * own.
 */
public interface RouterDiscovery {

    /**
     * What discovery found: the routers (link-local addresses; empty when the stack cannot tell),
     * the addresses configured from prefixes (SLAAC), the RDNSS servers and DNSSL domains (RFC
     * 8106), and the M (managed) and O (other configuration) flags of the advertisement.
     */
    record Outcome(List<InetAddress> routers, List<IothConf.Prefix> addresses, List<InetAddress> dnsServers,
                   List<String> domains, boolean managed, boolean otherConfig) {
        public Outcome {
            routers = List.copyOf(routers);
            addresses = List.copyOf(addresses);
            dnsServers = List.copyOf(dnsServers);
            domains = List.copyOf(domains);
        }
    }

    /**
     * Solicits a router on {@code ifindex} and applies what its advertisement says (default route;
     * with {@code slaac}, addresses from /64 prefixes with the A flag), waiting at most {@code wait}.
     *
     * @return what was learned, or null when no advertisement came in time
     */
    Outcome discover(int ifindex, boolean slaac, Duration wait) throws IOException;

    /** Forgets what discovery applied on {@code ifindex} (iothconf {@code -rd}); by default nothing. */
    default void forget(int ifindex) throws IOException {
    }
}
