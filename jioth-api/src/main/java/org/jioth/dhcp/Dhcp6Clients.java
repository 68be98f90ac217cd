package org.jioth.dhcp;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.random.RandomGenerator;
import org.jioth.IothStack;
import org.jioth.dns.NameSources;

/** The running DHCPv6 clients of each stack, one per interface (iothconf's {@code dhcp6} and {@code -dhcp6}). */
public final class Dhcp6Clients {
    private static final System.Logger LOG = System.getLogger(Dhcp6Clients.class.getName());
    private static final Map<IothStack, Map<Integer, Dhcp6Client>> CLIENTS = new WeakHashMap<>();

    private Dhcp6Clients() {
    }

    /**
     * Gets a lease (or the stateless configuration) for {@code ifindex}, replacing a client already
     * running there, applies it, feeds its DNS data to the stack's resolver and keeps it fresh.
     * Null when no server answered (iothconf leaves its DHCPV6 bit clear).
     */
    public static Dhcp6Lease start(IothStack stack, int ifindex, String fqdn) {
        return start(stack, ifindex, fqdn, false);
    }

    /**
     * The same; with {@code stateless} (a router advertisement said O without M: other
     * configuration only) INFORMATION-REQUEST at once instead of SOLICIT.
     */
    public static Dhcp6Lease start(IothStack stack, int ifindex, String fqdn, boolean stateless) {
        stop(stack, ifindex);
        Dhcp6Client c;
        try {
            // the retransmission jitter comes from the stack's random source when it offers one (jnet's seed)
            RandomGenerator jitter = stack.capability(RandomGenerator.class).orElse(null);
            c = Dhcp6Client.on(stack, ifindex, fqdn, jitter, Dhcp6Client.Settings.defaults(),
                    (servers, domains) -> NameSources.of(stack).set(NameSources.Source.DHCP6, List.copyOf(servers), domains));
        } catch (IOException e) {
            LOG.log(System.Logger.Level.INFO, "DHCPv6 on interface " + ifindex + ": " + e.getMessage());
            return null;
        }
        try {
            Dhcp6Lease l = stateless ? c.inform() : c.acquire();
            c.startTimers();
            synchronized (CLIENTS) {
                CLIENTS.computeIfAbsent(stack, s -> new HashMap<>()).put(ifindex, c);
            }
            return l;
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.INFO, "DHCPv6 on interface " + ifindex + ": " + e.getMessage());
            c.close();
            return null;
        }
    }

    /** The client running on {@code ifindex}, or null. */
    public static Dhcp6Client client(IothStack stack, int ifindex) {
        synchronized (CLIENTS) {
            return CLIENTS.getOrDefault(stack, Map.of()).get(ifindex);
        }
    }

    /** The lease on {@code ifindex}, or null. */
    public static Dhcp6Lease lease(IothStack stack, int ifindex) {
        Dhcp6Client c = client(stack, ifindex);
        return c == null ? null : c.lease();
    }

    /** Releases the lease on {@code ifindex} (iothconf {@code -dhcp6}). */
    public static void stop(IothStack stack, int ifindex) {
        Dhcp6Client c;
        synchronized (CLIENTS) {
            Map<Integer, Dhcp6Client> m = CLIENTS.get(stack);
            c = m == null ? null : m.remove(ifindex);
        }
        if (c != null) {
            c.close();
        }
    }

    /** Releases every lease of {@code stack} (the stack is being closed). */
    public static void stopAll(IothStack stack) {
        Map<Integer, Dhcp6Client> m;
        synchronized (CLIENTS) {
            m = CLIENTS.remove(stack);
        }
        if (m != null) {
            m.values().forEach(Dhcp6Client::close);
        }
    }
}
