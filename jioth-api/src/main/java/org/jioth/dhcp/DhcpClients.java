package org.jioth.dhcp;

import java.io.IOException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.Map;
import java.util.WeakHashMap;
import org.jioth.IothStack;

/** The running DHCPv4 clients of each stack, one per interface (iothconf's {@code dhcp} and {@code -dhcp}). */
public final class DhcpClients {
    private static final System.Logger LOG = System.getLogger(DhcpClients.class.getName());
    private static final Map<IothStack, Map<Integer, DhcpClient>> CLIENTS = new WeakHashMap<>();

    private DhcpClients() {
    }

    /**
     * Gets a lease for {@code ifindex} (replacing a client already running there), applies it and
     * keeps it renewed. Null when no server answered (iothconf leaves its DHCP bit clear).
     */
    public static DhcpLease start(IothStack stack, int ifindex, String hostName) {
        stop(stack, ifindex);
        DhcpClient c = new DhcpClient(stack, ifindex, hostName, InstantSource.system(), Duration.ofSeconds(2), 3);
        try {
            DhcpLease l = c.acquire();
            c.startTimers();
            synchronized (CLIENTS) {
                CLIENTS.computeIfAbsent(stack, s -> new HashMap<>()).put(ifindex, c);
            }
            return l;
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.INFO, "DHCP on interface " + ifindex + ": " + e.getMessage());
            c.close();
            return null;
        }
    }

    /** The lease on {@code ifindex}, or null. */
    public static DhcpLease lease(IothStack stack, int ifindex) {
        synchronized (CLIENTS) {
            DhcpClient c = CLIENTS.getOrDefault(stack, Map.of()).get(ifindex);
            return c == null ? null : c.lease();
        }
    }

    /** Releases the lease on {@code ifindex} (iothconf {@code -dhcp}). */
    public static void stop(IothStack stack, int ifindex) {
        DhcpClient c;
        synchronized (CLIENTS) {
            Map<Integer, DhcpClient> m = CLIENTS.get(stack);
            c = m == null ? null : m.remove(ifindex);
        }
        if (c != null) {
            c.close();
        }
    }

    /** Releases every lease of {@code stack} (the stack is being closed). */
    public static void stopAll(IothStack stack) {
        Map<Integer, DhcpClient> m;
        synchronized (CLIENTS) {
            m = CLIENTS.remove(stack);
        }
        if (m != null) {
            m.values().forEach(DhcpClient::close);
        }
    }
}
