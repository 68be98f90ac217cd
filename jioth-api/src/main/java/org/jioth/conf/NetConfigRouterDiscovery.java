package org.jioth.conf;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.Inet6Address;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jioth.IfAddr;
import org.jioth.IothStack;
import org.jioth.NetConfig;
import org.jioth.NetConfigException;

/**
 * {@code rd}/{@code slaac} on a stack that does router discovery itself behind
 * {@link NetConfig#ipv6Autoconf} and {@link NetConfig#ipv6RouterInfo} (jnet): starts it, then waits
 * until an advertisement was heard and, with {@code slaac}, an address that passed DAD appeared.
 * The stack applies routers, prefixes and addresses; this reports them with the RDNSS/DNSSL data.
 */
final class NetConfigRouterDiscovery implements RouterDiscovery {
    private static final Duration POLL = Duration.ofMillis(100);
    private final IothStack stack;

    NetConfigRouterDiscovery(IothStack stack) {
        this.stack = stack;
    }

    /** Starts the stack's router discovery; false when it has none (EOPNOTSUPP: a kernel does its own). */
    boolean start(int ifindex, boolean slaac) throws NetConfigException {
        try {
            stack.ipv6Autoconf(ifindex, true, slaac);
            return true;
        } catch (NetConfigException e) {
            if (e.errno().equals("EOPNOTSUPP")) {
                return false;
            }
            throw e;
        }
    }

    @Override
    public Outcome discover(int ifindex, boolean slaac, Duration wait) throws IOException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            NetConfig.Ipv6RouterInfo info = stack.ipv6RouterInfo(ifindex);
            List<IothConf.Prefix> addrs = slaacAddresses(ifindex);
            boolean done = info.heard() && (!slaac || !addrs.isEmpty());
            if (done || System.nanoTime() - deadline >= 0) {
                return info.heard() ? new Outcome(info.routers(), addrs, info.dnsServers(), info.searchDomains(),
                        info.managed(), info.otherConfig()) : null;
            }
            try {
                Thread.sleep(POLL);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for router discovery");
            }
        }
    }

    /** Global addresses with a prefix shorter than /128 (SLAAC's, not DHCPv6's) that are no longer tentative. */
    private List<IothConf.Prefix> slaacAddresses(int ifindex) throws NetConfigException {
        List<IothConf.Prefix> out = new ArrayList<>();
        for (IfAddr a : stack.interfaces()) {
            if (a.index() == ifindex && a.address() instanceof Inet6Address v6 && !v6.isLinkLocalAddress()
                    && a.prefixLength() < 128 && (a.addressFlags() & IfAddr.IFA_F_TENTATIVE) == 0) {
                out.add(new IothConf.Prefix(v6, a.prefixLength()));
            }
        }
        return out;
    }
}
