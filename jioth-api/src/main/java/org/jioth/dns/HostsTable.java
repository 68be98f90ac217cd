package org.jioth.dns;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Static names in the {@code /etc/hosts} format: {@code ADDRESS NAME [ALIAS...]}, {@code #} comments. */
public final class HostsTable {
    private final Map<String, List<InetAddress>> byName;

    private HostsTable(Map<String, List<InetAddress>> byName) {
        this.byName = byName;
    }

    /** No entries. */
    public static HostsTable empty() {
        return new HostsTable(Map.of());
    }

    /**
     * Parses hosts-file text.
     *
     * @throws IllegalArgumentException naming the line that is not {@code ADDRESS NAME...}
     */
    public static HostsTable parse(String text) {
        Map<String, List<InetAddress>> m = new LinkedHashMap<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            int hash = line.indexOf('#');
            if (hash >= 0) {
                line = line.substring(0, hash);
            }
            String[] f = line.trim().split("[ \t]+");
            if (f.length == 1 && f[0].isEmpty()) {
                continue;
            }
            if (f.length < 2) {
                throw new IllegalArgumentException("hosts line " + (i + 1) + ": want 'ADDRESS NAME...', got '" + lines[i].trim() + "'");
            }
            InetAddress a;
            try {
                a = InetAddress.ofLiteral(f[0]);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("hosts line " + (i + 1) + ": '" + f[0] + "' is not an IP address", e);
            }
            for (String name : Arrays.copyOfRange(f, 1, f.length)) {
                String key = key(name);
                m.computeIfAbsent(key, k -> new ArrayList<>()).add(withName(name, a));
            }
        }
        m.replaceAll((k, v) -> List.copyOf(v));
        return new HostsTable(Map.copyOf(m));
    }

    /** This table plus {@code name} → {@code address}. */
    public HostsTable with(String name, InetAddress address) {
        Map<String, List<InetAddress>> m = new LinkedHashMap<>(byName);
        List<InetAddress> l = new ArrayList<>(m.getOrDefault(key(name), List.of()));
        l.add(withName(name, address));
        m.put(key(name), List.copyOf(l));
        return new HostsTable(Map.copyOf(m));
    }

    /** The addresses of {@code name} (case-insensitive, a trailing dot ignored); empty when none. */
    public List<InetAddress> lookup(String name) {
        return byName.getOrDefault(key(name), List.of());
    }

    /** The first name of {@code address}, or null. */
    public String nameOf(byte[] address) {
        for (List<InetAddress> l : byName.values()) {
            for (InetAddress a : l) {
                if (Arrays.equals(a.getAddress(), address)) {
                    return a.getHostName();
                }
            }
        }
        return null;
    }

    /** True when the table has no entry. */
    public boolean isEmpty() {
        return byName.isEmpty();
    }

    private static String key(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
    }

    static InetAddress withName(String name, InetAddress a) {
        try {
            return InetAddress.getByAddress(name, a.getAddress()); // never resolves: the bytes are given
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e); // only for a bad address length, impossible here
        }
    }
}
