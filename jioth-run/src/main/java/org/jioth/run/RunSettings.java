package org.jioth.run;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * The JVM-wide stack as the system properties describe it.
 *
 * @param stack    {@code ioth.stack}: plug-in name with options, e.g. {@code jnet} or {@code jnet,mtu=1400}
 * @param vnls     {@code ioth.vnl}: the VNLs, separated by {@code |} (empty: no interface)
 * @param conf     {@code ioth.conf}: an iothconf string applied once the stack exists (empty: none)
 * @param hosts    {@code ioth.hosts}: static names, {@code name=addr;name2=addr2} (a name may repeat)
 * @param resolver {@code ioth.resolver}: {@code static} (default; names only from {@code ioth.hosts}
 *                 and the stack's resolver) or {@code host} (then the JDK's own resolver, i.e. the host's)
 */
public record RunSettings(String stack, List<String> vnls, String conf, Map<String, List<InetAddress>> hosts,
                          Resolver resolver) {
    public static final String STACK = "ioth.stack";
    public static final String VNL = "ioth.vnl";
    public static final String CONF = "ioth.conf";
    public static final String HOSTS = "ioth.hosts";
    public static final String RESOLVER = "ioth.resolver";

    /** Where names the static entries do not know go. */
    public enum Resolver {
        /** Nowhere: an unknown name is UnknownHostException (no traffic leaves the stack). */
        STATIC,
        /** The JDK's built-in resolver, which asks the host's resolver over the host's network. */
        HOST
    }

    public RunSettings {
        vnls = List.copyOf(vnls);
        Map<String, List<InetAddress>> copy = new LinkedHashMap<>();
        hosts.forEach((k, v) -> copy.put(k.toLowerCase(Locale.ROOT), List.copyOf(v)));
        hosts = Map.copyOf(copy);
    }

    /** True when {@code ioth.stack} is set, i.e. this JVM is meant to run on one stack. */
    public static boolean configured(Properties p) {
        String s = p.getProperty(STACK);
        return s != null && !s.isBlank();
    }

    /**
     * Reads the properties.
     *
     * @throws IllegalArgumentException naming the property and its bad part
     */
    public static RunSettings from(Properties p) {
        String stack = p.getProperty(STACK, "").strip();
        if (stack.isEmpty()) {
            throw new IllegalArgumentException("no JVM-wide stack: set -D" + STACK + "=PLUGIN (e.g. jnet), with -D"
                    + VNL + "=VNL|VNL and -D" + CONF + "=eth,ip=ADDR/PREFIX");
        }
        List<String> vnls = new ArrayList<>();
        for (String v : p.getProperty(VNL, "").split("\\|")) {
            if (!v.isBlank()) {
                vnls.add(v.strip());
            }
        }
        return new RunSettings(stack, vnls, p.getProperty(CONF, "").strip(), parseHosts(p.getProperty(HOSTS, "")),
                parseResolver(p.getProperty(RESOLVER, "static")));
    }

    /** {@code static} or {@code host} (case-insensitive; empty is static). */
    public static Resolver parseResolver(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        return switch (t) {
            case "static", "" -> Resolver.STATIC;
            case "host" -> Resolver.HOST;
            default -> throw new IllegalArgumentException("-D" + RESOLVER + "=" + t
                    + ": want 'static' (names from " + HOSTS + " only) or 'host' (also the host's resolver)");
        };
    }

    /** Parses {@code name=addr;name2=addr2} (also {@code ,}-separated); addresses must be literals. */
    public static Map<String, List<InetAddress>> parseHosts(String text) {
        Map<String, List<InetAddress>> out = new LinkedHashMap<>();
        for (String entry : text.split("[;,]")) {
            if (entry.isBlank()) {
                continue;
            }
            int eq = entry.indexOf('=');
            String name = eq < 0 ? "" : entry.substring(0, eq).strip();
            String addr = eq < 0 ? "" : entry.substring(eq + 1).strip();
            if (name.isEmpty() || addr.isEmpty()) {
                throw new IllegalArgumentException("-D" + HOSTS + ": bad entry '" + entry.strip() + "' (want NAME=ADDRESS)");
            }
            InetAddress a;
            try {
                a = InetAddress.ofLiteral(addr);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("-D" + HOSTS + ": bad entry '" + entry.strip()
                        + "' (" + addr + " is not an IPv4 or IPv6 address)", e);
            }
            out.computeIfAbsent(name.toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                    .add(withName(name, a));
        }
        return out;
    }

    private static InetAddress withName(String name, InetAddress a) {
        try {
            return InetAddress.getByAddress(name, a.getAddress());
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException("a literal's bytes have a legal length", e);
        }
    }

    @Override
    public String toString() {
        return stack + (vnls.isEmpty() ? " (no interface)" : " on " + String.join(" ", vnls))
                + (conf.isEmpty() ? "" : " --conf " + conf) + (hosts.isEmpty() ? "" : " hosts " + Arrays.toString(hosts.keySet().toArray()));
    }
}
