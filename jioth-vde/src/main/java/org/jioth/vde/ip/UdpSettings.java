package org.jioth.vde.ip;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jioth.vde.portsupport.OptionReader;

/**
 * The settings of a {@code udp://[srcaddr:]srcport->dstaddr:dstport} tunnel (one datagram = one
 * frame, no header). {@code sourceAddress} null means the wildcard address of the destination's
 * family; {@code sourcePort} 0 means an ephemeral port.
 */
public record UdpSettings(InetAddress sourceAddress, int sourcePort, InetSocketAddress destination) {
    /** udp:// takes no options. */
    public static final List<String> OPTIONS = List.of();

    public UdpSettings {
        Objects.requireNonNull(destination, "destination");
        if (destination.isUnresolved()) {
            throw new IllegalArgumentException("udp: destination " + destination + " is unresolved");
        }
        if (sourcePort < 0 || sourcePort > 65535) {
            throw new IllegalArgumentException("udp: source port " + sourcePort + " is not in 0..65535");
        }
        if (sourceAddress != null
                && (sourceAddress instanceof Inet6Address) != (destination.getAddress() instanceof Inet6Address)) {
            throw new IllegalArgumentException("udp: source " + sourceAddress.getHostAddress()
                    + " and destination " + destination.getAddress().getHostAddress() + " are of different families");
        }
    }

    /**
     * Parses the main argument {@code [srcaddr:]srcport->dstaddr:dstport}; the last ':' of each
     * side separates the port, so IPv6 literals are written without brackets. Hostnames resolve now.
     */
    public static UdpSettings fromOptions(String mainArgument, Map<String, String> options) {
        new OptionReader("udp", options, OPTIONS);
        String main = mainArgument == null ? "" : mainArgument.trim();
        int arrow = main.indexOf("->");
        if (arrow < 0) {
            throw new IllegalArgumentException("udp: expected [srcaddr:]srcport->dstaddr:dstport, got '" + main + "'");
        }
        String src = main.substring(0, arrow);
        String dst = main.substring(arrow + 2);
        int dc = dst.lastIndexOf(':');
        if (dc <= 0) {
            throw new IllegalArgumentException("udp: destination '" + dst + "' is not dstaddr:dstport");
        }
        InetAddress dstAddr = resolve(dst.substring(0, dc), null, "destination");
        int dstPort = port(dst.substring(dc + 1), 1, "destination");
        int sc = src.lastIndexOf(':');
        InetAddress srcAddr = sc < 0 ? null : resolve(src.substring(0, sc), dstAddr, "source");
        int srcPort = port(sc < 0 ? src : src.substring(sc + 1), 0, "source");
        return new UdpSettings(srcAddr, srcPort, new InetSocketAddress(dstAddr, dstPort));
    }

    private static int port(String text, int min, String which) {
        try {
            int p = Integer.parseInt(text.trim());
            if (p >= min && p <= 65535) {
                return p;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("udp: bad " + which + " port '" + text + "'; expected " + min + "..65535");
    }

    /** Resolves a name or literal; for the source, prefers the destination's family. */
    private static InetAddress resolve(String host, InetAddress sameFamilyAs, String which) {
        if (host.isEmpty()) {
            throw new IllegalArgumentException("udp: empty " + which + " address");
        }
        try {
            InetAddress[] all = InetAddress.getAllByName(host);
            if (sameFamilyAs != null) {
                for (InetAddress a : all) {
                    if ((a instanceof Inet6Address) == (sameFamilyAs instanceof Inet6Address)) {
                        return a;
                    }
                }
            }
            return all[0];
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("udp: cannot resolve " + which + " address '" + host + "'", e);
        }
    }

    @Override
    public String toString() {
        return "udp://" + (sourceAddress == null ? "" : sourceAddress.getHostAddress() + ":") + sourcePort
                + "->" + destination.getAddress().getHostAddress() + ":" + destination.getPort();
    }
}
