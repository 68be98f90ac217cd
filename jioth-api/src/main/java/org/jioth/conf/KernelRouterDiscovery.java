package org.jioth.conf;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jioth.IfAddr;
import org.jioth.IothStack;
import org.jioth.NetConfigException;

/**
 * {@code rd}/{@code slaac} on a stack whose Linux kernel does router discovery and SLAAC itself
 * (kernel, vdestack): nothing is sent, the kernel's result is observed through the public API
 * only. A default route is seen by connecting an IPv6 datagram channel to a documentation address
 * (a UDP connect routes but sends nothing: ENETUNREACH until an advertisement gave a default
 * route); SLAAC addresses are the global, non-/128 IPv6 addresses {@link IothStack#interfaces()}
 * lists on the interface. The kernel keeps its RDNSS to itself (it hands it to a user-space
 * daemon), so no DNS data comes from here, and routers are not named.
 */
final class KernelRouterDiscovery implements RouterDiscovery {
    private static final InetSocketAddress PROBE = new InetSocketAddress(InetAddress.ofLiteral("2001:db8::1"), 9);
    private static final Duration POLL = Duration.ofMillis(100);
    private final IothStack stack;

    KernelRouterDiscovery(IothStack stack) {
        this.stack = stack;
    }

    @Override
    public Outcome discover(int ifindex, boolean slaac, Duration wait) throws IOException {
        long deadline = System.nanoTime() + wait.toNanos();
        boolean route = false;
        List<IothConf.Prefix> addrs = List.of();
        while (true) {
            Boolean r = defaultRoute();
            if (r == null) {
                return null; // the stack has no IPv6 datagram channels: nothing to wait for
            }
            route = r;
            addrs = autoconfigured(ifindex);
            if (route && (!slaac || !addrs.isEmpty())) {
                break;
            }
            if (System.nanoTime() - deadline >= 0) {
                break;
            }
            try {
                Thread.sleep(POLL);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while waiting for router discovery");
            }
        }
        return route || !addrs.isEmpty() ? new Outcome(List.of(), addrs, List.of(), List.of(), false, false) : null;
    }

    /** True when the stack routes to a global IPv6 address; null when it cannot open IPv6 datagram channels. */
    private Boolean defaultRoute() {
        DatagramChannel ch;
        try {
            ch = stack.provider().openDatagramChannel(StandardProtocolFamily.INET6);
        } catch (IOException | RuntimeException e) {
            return null;
        }
        try (ch) {
            ch.connect(PROBE);
            return true;
        } catch (IOException | RuntimeException e) {
            return false; // ENETUNREACH: no route yet
        }
    }

    private List<IothConf.Prefix> autoconfigured(int ifindex) {
        List<IothConf.Prefix> out = new ArrayList<>();
        List<IfAddr> all;
        try {
            all = stack.interfaces();
        } catch (NetConfigException e) {
            return out; // a stack that cannot list its addresses shows none
        }
        for (IfAddr a : all) {
            if (a.index() == ifindex && a.address() instanceof Inet6Address v6 && !v6.isLinkLocalAddress()
                    && !v6.isLoopbackAddress() && a.prefixLength() < 128) {
                out.add(new IothConf.Prefix(v6, a.prefixLength()));
            }
        }
        return out;
    }
}
