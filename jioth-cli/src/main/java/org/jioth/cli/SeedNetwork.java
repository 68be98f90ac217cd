package org.jioth.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import org.jioth.IothStack;

/**
 * The network set-up of libioth's iothtest programs: interface {@code vde0} up, an IPv4 address
 * with its prefix, a default route. Each failure is printed the way perror would, and the rest of
 * the set-up goes on, as in the seed (a failed name lookup skips everything).
 */
record SeedNetwork(String ifname, InetAddress address, int prefixLength, InetAddress gateway) {

    static SeedNetwork parse(String ifname, String cidr, String gateway) {
        int slash = cidr.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("address must be ADDR/PREFIX, e.g. 192.168.250.50/24: " + cidr);
        }
        InetAddress addr = InetAddress.ofLiteral(cidr.substring(0, slash));
        int prefix = Integer.parseInt(cidr.substring(slash + 1));
        int max = addr.getAddress().length * 8;
        if (prefix < 0 || prefix > max) {
            throw new IllegalArgumentException("prefix length must be 0.." + max + ": " + cidr);
        }
        InetAddress gw = gateway == null || gateway.isEmpty() ? null : InetAddress.ofLiteral(gateway);
        return new SeedNetwork(ifname, addr, prefix, gw);
    }

    void apply(IothStack stack, PrintStream err) {
        int ifindex;
        try {
            ifindex = stack.ifNameToIndex(ifname);
        } catch (IOException | RuntimeException e) {
            err.println("nametoindex: " + e.getMessage());
            return;
        }
        try {
            stack.linkSetUpDown(ifindex, true);
        } catch (IOException | RuntimeException e) {
            err.println("link up: " + e.getMessage());
        }
        try {
            stack.ipAddrAdd(address, prefixLength, ifindex);
        } catch (IOException | RuntimeException e) {
            err.println("addr ipv4: " + e.getMessage());
        }
        if (gateway != null) {
            try {
                stack.ipRouteAdd(null, 0, gateway);
            } catch (IOException | RuntimeException e) {
                err.println("route ipv4: " + e.getMessage());
            }
        }
    }
}
