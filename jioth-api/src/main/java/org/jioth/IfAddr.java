package org.jioth;

import java.net.InetAddress;

/**
 * One entry of {@link NetConfig#interfaces()}, as getifaddrs(3) reports it: a link entry
 * ({@link #isLink()}: {@code mac} set, {@code address} null) or an address entry
 * ({@code address}/{@code prefixLength} set).
 *
 * @param name      the interface name
 * @param index     the interface index
 * @param flags     the IFF_* flags of the link ({@link #IFF_UP}, {@link #IFF_LOOPBACK}…)
 * @param mtu       the link MTU, or 0 when unknown
 * @param mac       the link-layer address of a link entry, null on address entries
 * @param address   the address of an address entry, null on link entries
 * @param prefixLength the prefix length of an address entry, 0 on link entries
 * @param broadcast the IPv4 broadcast address, when the entry has one
 */
public record IfAddr(String name, int index, int flags, int mtu, MacAddress mac,
                     InetAddress address, int prefixLength, InetAddress broadcast) {
    public static final int IFF_UP = 0x1;
    public static final int IFF_BROADCAST = 0x2;
    public static final int IFF_LOOPBACK = 0x8;
    public static final int IFF_POINTOPOINT = 0x10;
    public static final int IFF_RUNNING = 0x40;
    public static final int IFF_MULTICAST = 0x1000;

    public boolean isLink() {
        return address == null;
    }

    public boolean isUp() {
        return (flags & IFF_UP) != 0;
    }

    @Override
    public String toString() {
        String state = isUp() ? "UP" : "DOWN";
        return isLink()
                ? index + ": " + name + " <" + state + "> mtu " + mtu + " link " + mac
                : index + ": " + name + " " + address.getHostAddress() + "/" + prefixLength;
    }
}
