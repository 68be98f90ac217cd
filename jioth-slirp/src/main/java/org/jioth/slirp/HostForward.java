package org.jioth.slirp;

import java.net.InetAddress;

/**
 * One {@code hostfwd} rule, libslirp's {@code tcp:HOSTADDR:HOSTPORT-GUESTADDR:GUESTPORT} (or
 * {@code udp:}): connections (datagrams) to the host's {@code hostAddress:hostPort} are carried to
 * {@code guestAddress:guestPort} in the virtual network. An empty host address is 127.0.0.1 (never
 * every interface by default); an empty guest address is the first DHCP address. IPv6 addresses
 * are written in brackets ({@code tcp:[::1]:8080-[fd00::15]:80}); either side may be either family.
 */
public record HostForward(boolean udp, InetAddress hostAddress, int hostPort, InetAddress guestAddress,
        int guestPort) {
    /** Parses one rule; {@code defaultGuest} stands for an empty guest address. */
    static HostForward parse(String rule, int defaultGuest) {
        String r = rule.trim();
        boolean udp;
        if (r.startsWith("tcp:")) {
            udp = false;
        } else if (r.startsWith("udp:")) {
            udp = true;
        } else {
            throw bad(rule, "it starts with tcp: or udp:");
        }
        String rest = r.substring(4);
        int dash = rest.indexOf('-');
        if (dash < 0) {
            throw bad(rule, "the host and guest sides are separated by '-'");
        }
        String host = rest.substring(0, dash);
        String guest = rest.substring(dash + 1);
        int hc = host.lastIndexOf(':');
        int gc = guest.lastIndexOf(':');
        if (hc < 0 || gc < 0) {
            throw bad(rule, "each side is ADDRESS:PORT (the address may be empty)");
        }
        InetAddress hostAddr = host.substring(0, hc).isEmpty() ? InetAddress.getLoopbackAddress()
                : address(host.substring(0, hc), "host address of hostfwd rule '" + rule + "'");
        int hostPort = port(host.substring(hc + 1), rule, "host");
        InetAddress guestAddr = guest.substring(0, gc).isEmpty() ? Ipv4Text.toInet(defaultGuest)
                : address(guest.substring(0, gc), "guest address of hostfwd rule '" + rule + "'");
        int guestPort = port(guest.substring(gc + 1), rule, "guest");
        if (guestPort == 0) {
            throw bad(rule, "the guest port is 1..65535");
        }
        return new HostForward(udp, hostAddr, hostPort, guestAddr, guestPort);
    }

    /** a.b.c.d, or an IPv6 literal in brackets. */
    private static InetAddress address(String text, String what) {
        if (text.startsWith("[") && text.endsWith("]")) {
            String v6 = text.substring(1, text.length() - 1);
            if (v6.indexOf(':') >= 0 && v6.matches("[0-9A-Fa-f:.]+")) {
                try {
                    return InetAddress.getByName(v6); // a literal: no lookup
                } catch (java.net.UnknownHostException e) {
                    // reported below
                }
            }
            throw new IllegalArgumentException("slirp: " + what + " '" + text + "' is not an IPv6 address [x:y::z]");
        }
        return Ipv4Text.parseInet(text, what);
    }

    private static int port(String text, String rule, String side) {
        try {
            int p = Integer.parseInt(text);
            if (p >= 0 && p <= 65535) {
                return p;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw bad(rule, "the " + side + " port '" + text + "' is a number 0..65535");
    }

    private static IllegalArgumentException bad(String rule, String what) {
        return new IllegalArgumentException("slirp: bad hostfwd rule '" + rule + "': " + what
                + " (tcp:HOSTADDR:HOSTPORT-GUESTADDR:GUESTPORT or udp:...)");
    }

    @Override
    public String toString() {
        return (udp ? "udp:" : "tcp:") + text(hostAddress) + ":" + hostPort + "-" + text(guestAddress) + ":"
                + guestPort;
    }

    private static String text(InetAddress a) {
        return a instanceof java.net.Inet6Address ? "[" + a.getHostAddress() + "]" : a.getHostAddress();
    }
}
