package org.jioth.dns;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import org.jioth.IothStack;

/**
 * The DNS servers and search domains a stack learned, by source (iothconf's static {@code dns=} and
 * {@code domain=}, DHCPv6 options 23/24, router advertisements' RDNSS/DNSSL, DHCPv4 options 6 and
 * 119/15), merged into the stack's {@link DnsResolver} after every change and into
 * {@code resolv.conf(5)} text. Server order: static IPv6, static IPv4, DHCPv6, RDNSS, DHCPv4
 * (iothconf's, with RDNSS added after DHCPv6); domains in the same source order; duplicates dropped.
 */
public final class NameSources {
    private static final Map<IothStack, NameSources> SOURCES = new WeakHashMap<>();
    /** Bounds what any one source may add (a server never decides how much we keep). */
    static final int MAX_PER_SOURCE = 16;

    /** Where names came from. */
    public enum Source { STATIC, DHCP6, RD, DHCP4 }

    private record Entry(List<InetAddress> servers, List<String> domains) {
    }

    private final DnsResolver resolver;
    private final Map<Source, Entry> entries = new EnumMap<>(Source.class);
    private String reported;

    NameSources(DnsResolver resolver) {
        this.resolver = resolver;
    }

    /** The sources of {@code stack} (feeding {@link IothStack#resolver()}). */
    public static NameSources of(IothStack stack) {
        synchronized (SOURCES) {
            return SOURCES.computeIfAbsent(stack, s -> new NameSources(s.resolver()));
        }
    }

    /** Replaces what {@code source} says (empty lists: it says nothing now) and reconfigures the resolver. */
    public synchronized void set(Source source, List<? extends InetAddress> servers, List<String> domains) {
        entries.put(source, new Entry(bounded(servers), bounded(domains)));
        push();
    }

    /** Adds static servers and domains (iothconf {@code dns=}, {@code domain=}), keeping earlier ones. */
    public synchronized void addStatic(List<? extends InetAddress> servers, List<String> domains) {
        Entry e = entries.getOrDefault(Source.STATIC, new Entry(List.of(), List.of()));
        List<InetAddress> s = new ArrayList<>(e.servers());
        s.addAll(servers);
        List<String> d = new ArrayList<>(e.domains());
        d.addAll(domains);
        set(Source.STATIC, distinct(s), distinct(d));
    }

    /** Removes static servers and domains (iothconf {@code -dns=}, {@code -domain=}). */
    public synchronized void removeStatic(List<? extends InetAddress> servers, List<String> domains) {
        Entry e = entries.get(Source.STATIC);
        if (e == null) {
            return;
        }
        List<InetAddress> s = new ArrayList<>(e.servers());
        s.removeAll(servers);
        List<String> d = new ArrayList<>(e.domains());
        d.removeAll(domains);
        set(Source.STATIC, s, d);
    }

    /** The merged servers, in resolv.conf order. */
    public synchronized List<InetAddress> servers() {
        Set<InetAddress> out = new LinkedHashSet<>();
        Entry st = entries.get(Source.STATIC);
        if (st != null) {
            st.servers().stream().filter(a -> a instanceof Inet6Address).forEach(out::add);
            st.servers().stream().filter(a -> !(a instanceof Inet6Address)).forEach(out::add);
        }
        for (Source s : List.of(Source.DHCP6, Source.RD, Source.DHCP4)) {
            Entry e = entries.get(s);
            if (e != null) {
                out.addAll(e.servers());
            }
        }
        return List.copyOf(out);
    }

    /** The merged search domains. */
    public synchronized List<String> domains() {
        Set<String> out = new LinkedHashSet<>();
        for (Source s : Source.values()) {
            Entry e = entries.get(s);
            if (e != null) {
                out.addAll(e.domains());
            }
        }
        return List.copyOf(out);
    }

    /** {@code search} (when there is a domain) and one {@code nameserver} line per server. */
    public synchronized String resolvConf() {
        StringBuilder sb = new StringBuilder();
        List<String> d = domains();
        if (!d.isEmpty()) {
            sb.append("search ").append(String.join(" ", d)).append('\n');
        }
        for (InetAddress a : servers()) {
            sb.append("nameserver ").append(text(a)).append('\n');
        }
        return sb.toString();
    }

    /** An address as resolv.conf and people write it: IPv6 in the RFC 5952 form ({@code fd00::1}), no scope. */
    public static String text(InetAddress a) {
        if (!(a instanceof Inet6Address)) {
            return a.getHostAddress();
        }
        byte[] b = a.getAddress();
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) {
            g[i] = (b[2 * i] & 0xff) << 8 | b[2 * i + 1] & 0xff;
        }
        int bestStart = -1;
        int bestLen = 1; // a single zero group is not shortened
        for (int i = 0; i < 8; ) {
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (!sb.isEmpty() && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(g[i]));
        }
        return sb.toString();
    }

    /**
     * {@link #resolvConf()} when it changed since the previous call of this method, else null
     * (libioth's {@code ioth_resolvconf}: the caller updates its resolver only when needed).
     */
    public synchronized String resolvConfIfChanged() {
        String now = resolvConf();
        if (now.equals(reported)) {
            return null;
        }
        reported = now;
        return now;
    }

    private void push() {
        resolver.configure(servers(), domains());
    }

    private static <T> List<T> bounded(List<? extends T> list) {
        return List.copyOf(list.size() > MAX_PER_SOURCE ? list.subList(0, MAX_PER_SOURCE) : list);
    }

    private static <T> List<T> distinct(List<T> list) {
        return List.copyOf(new LinkedHashSet<>(list));
    }
}
