package org.jioth.run;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.spi.InetAddressResolver;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.stream.Stream;
import org.jioth.conf.IothConf;

/**
 * Names on the JVM-wide stack: {@code localhost}, this host's name (the stack's configured
 * addresses, else loopback), the static {@code ioth.hosts} entries, then any {@link StackNameResolver}
 * (the stack's DNS resolver, {@link StackDnsNameResolver}), then, only with {@code ioth.resolver=host}, the JDK's resolver.
 */
final class StackResolver implements InetAddressResolver {
    private final Map<String, List<InetAddress>> hosts;
    private final InetAddressResolver builtin;
    private final boolean hostFallback;
    private final String localHostName;
    private final List<InetAddress> localHostAddresses;
    private final String failure;
    private volatile List<StackNameResolver> services;

    StackResolver(RunSettings settings, InetAddressResolver builtin, String localHostName) {
        this(settings.hosts(), builtin, settings.resolver() == RunSettings.Resolver.HOST, localHostName,
                ownAddresses(settings.conf()), null);
    }

    private StackResolver(Map<String, List<InetAddress>> hosts, InetAddressResolver builtin, boolean hostFallback,
                          String localHostName, List<InetAddress> localHostAddresses, String failure) {
        this.hosts = hosts;
        this.builtin = builtin;
        this.hostFallback = hostFallback;
        this.localHostName = localHostName == null ? "" : localHostName.toLowerCase(Locale.ROOT);
        this.localHostAddresses = localHostAddresses;
        this.failure = failure;
    }

    /** A resolver that answers every lookup with {@code message} (bad {@code ioth.*} properties). */
    static StackResolver failing(String message) {
        return new StackResolver(Map.of(), null, false, null, List.of(), message);
    }

    private static List<InetAddress> ownAddresses(String conf) {
        try {
            return IothConf.parse(conf).addresses().stream().map(IothConf.Prefix::address).toList();
        } catch (IllegalArgumentException e) {
            return List.of(); // the stack reports the bad configuration itself
        }
    }

    @Override
    public Stream<InetAddress> lookupByName(String host, LookupPolicy policy) throws UnknownHostException {
        if (failure != null) {
            throw new UnknownHostException(host + ": " + failure);
        }
        String key = host.toLowerCase(Locale.ROOT);
        List<InetAddress> found = hosts.get(key);
        if (found == null && key.equals("localhost")) {
            found = List.of(InetAddress.getLoopbackAddress(), loopback6());
        }
        if (found == null && !localHostName.isEmpty() && key.equals(localHostName)) {
            found = localHostAddresses.isEmpty() ? List.of(InetAddress.getLoopbackAddress()) : localHostAddresses;
        }
        if (found == null) {
            found = fromServices(host, policy);
        }
        if (found == null && hostFallback) {
            return builtin.lookupByName(host, policy);
        }
        if (found == null) {
            throw new UnknownHostException(host + ": not in -Dioth.hosts (ioth run --hosts NAME=ADDR), and the stack's resolver"
                    + " has no DNS server (ioth.conf ...,dns=ADDR; --resolver host asks the host's resolver instead)");
        }
        List<InetAddress> ordered = order(found, policy);
        if (ordered.isEmpty()) {
            throw new UnknownHostException(host + ": no address of the family asked for");
        }
        return ordered.stream();
    }

    private List<InetAddress> fromServices(String host, LookupPolicy policy) throws UnknownHostException {
        List<StackNameResolver> list = services();
        for (StackNameResolver r : list) {
            try {
                Optional<List<InetAddress>> a = r.lookupByName(JvmStack.get(), host, policy);
                if (a.isPresent()) {
                    return a.get();
                }
            } catch (IOException | RuntimeException e) {
                UnknownHostException u = new UnknownHostException(host + ": " + e.getMessage());
                u.initCause(e);
                throw u;
            }
        }
        return null;
    }

    private List<StackNameResolver> services() {
        if (!JvmStack.isConfigured()) {
            return List.of(); // no JVM-wide stack to ask over (a resolver made by hand, as in tests)
        }
        List<StackNameResolver> s = services;
        if (s == null) {
            List<StackNameResolver> found = new ArrayList<>();
            ServiceLoader.load(StackNameResolver.class).forEach(found::add);
            s = List.copyOf(found);
            services = s;
        }
        return s;
    }

    static List<InetAddress> order(List<InetAddress> all, LookupPolicy policy) {
        int c = policy.characteristics();
        boolean v4 = (c & LookupPolicy.IPV4) != 0;
        boolean v6 = (c & LookupPolicy.IPV6) != 0;
        Stream<InetAddress> s = all.stream().filter(a -> a instanceof Inet4Address ? v4 : v6);
        if ((c & LookupPolicy.IPV6_FIRST) != 0) {
            s = s.sorted(Comparator.comparing(a -> a instanceof Inet4Address));
        } else if ((c & LookupPolicy.IPV4_FIRST) != 0) {
            s = s.sorted(Comparator.comparing(a -> a instanceof Inet6Address));
        }
        return s.toList();
    }

    @Override
    public String lookupByAddress(byte[] addr) throws UnknownHostException {
        for (Map.Entry<String, List<InetAddress>> e : hosts.entrySet()) {
            for (InetAddress a : e.getValue()) {
                if (Arrays.equals(a.getAddress(), addr)) {
                    return a.getHostName();
                }
            }
        }
        for (StackNameResolver r : services()) {
            try {
                Optional<String> n = r.lookupByAddress(JvmStack.get(), addr.clone());
                if (n.isPresent()) {
                    return n.get();
                }
            } catch (IOException | RuntimeException e) {
                UnknownHostException u = new UnknownHostException(e.getMessage());
                u.initCause(e);
                throw u;
            }
        }
        if (hostFallback && builtin != null) {
            return builtin.lookupByAddress(addr);
        }
        throw new UnknownHostException("no name for " + Arrays.toString(addr) + " in -Dioth.hosts");
    }

    private static InetAddress loopback6() {
        return InetAddress.ofLiteral("::1");
    }
}
