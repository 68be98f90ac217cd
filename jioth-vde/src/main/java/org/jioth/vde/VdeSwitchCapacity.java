package org.jioth.vde;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Tells whether a Debian {@code vde_switch} has a free port before we ask it for one. When all its
 * ports are taken it reads the request, connects to the client's socket and then never answers
 * (observed with strace on vde2 2.3.2), so the client would only learn it from the reply timeout.
 * Its port sockets are files {@code NNN.M} in its directory (one per client, NNN the port), ports
 * for any-port requests are 1..n-1 (port 0 is given only on request), and n is its {@code -n} /
 * {@code --numports} option, 32 by default; the process is the peer of our control connection.
 */
final class VdeSwitchCapacity {
    static final int DEFAULT_PORTS = 32;
    private static final Pattern PORT_SOCKET = Pattern.compile("(\\d{3,})\\.\\d+");

    private VdeSwitchCapacity() {
    }

    /** A message naming the limit when the vde_switch with pid {@code pid} serving {@code dir} is full; else null. */
    static String fullMessage(Path dir, int pid) {
        try {
            Path proc = Path.of("/proc", Integer.toString(pid));
            if (!Files.readString(proc.resolve("comm")).strip().equals("vde_switch")) {
                return null; // another switch (ours refuses with a closed connection, at once)
            }
            String[] argv = new String(Files.readAllBytes(proc.resolve("cmdline")), StandardCharsets.UTF_8).split("\0");
            int ports = numPorts(List.of(argv));
            Set<String> used = new HashSet<>();
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Matcher m = PORT_SOCKET.matcher(f.getFileName().toString());
                    if (m.matches() && Integer.parseInt(m.group(1)) != 0) {
                        used.add(m.group(1));
                    }
                }
            }
            if (used.size() < ports - 1) {
                return null;
            }
            return "the vde_switch at " + dir + " (pid " + pid + ") has all its " + (ports - 1) + " ports in use"
                    + " (it has " + ports + " ports, " + (ports == DEFAULT_PORTS ? "the default; " : "") + "its -n option,"
                    + " and port 0 is given only on request): it would not answer; start it with a larger -n,"
                    + " or ask for a shared port such as vde://" + dir + "[1]";
        } catch (IOException | RuntimeException e) {
            return null; // cannot tell (another user's /proc hidden, the switch gone): ask it anyway
        }
    }

    /** The value of {@code -n N}, {@code -nN}, {@code --numports N} or {@code --numports=N}; the default otherwise. */
    static int numPorts(List<String> argv) {
        int n = DEFAULT_PORTS;
        for (int i = 1; i < argv.size(); i++) {
            String a = argv.get(i);
            String v = null;
            if ((a.equals("-n") || a.equals("--numports")) && i + 1 < argv.size()) {
                v = argv.get(++i);
            } else if (a.startsWith("--numports=")) {
                v = a.substring("--numports=".length());
            } else if (a.startsWith("-n") && a.length() > 2 && !a.startsWith("--")) {
                v = a.substring(2);
            }
            if (v != null) {
                try {
                    n = Integer.parseInt(v.strip());
                } catch (NumberFormatException e) {
                    // vde_switch would have refused to start; keep the default
                }
            }
        }
        return n;
    }
}
