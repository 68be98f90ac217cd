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
 * @param addressFlags Linux's IFA_F_* flags of an IPv6 address entry ({@link #IFA_F_TENTATIVE},
 *                  {@link #IFA_F_DADFAILED}, {@link #IFA_F_DEPRECATED}…), 0 when the stack reports none
 * @param validLifetime seconds of valid lifetime left, {@link #FOREVER} for a permanent address
 * @param preferredLifetime seconds of preferred lifetime left, {@link #FOREVER} for none
 */
public record IfAddr(String name, int index, int flags, int mtu, MacAddress mac,
                     InetAddress address, int prefixLength, InetAddress broadcast,
                     int addressFlags, long validLifetime, long preferredLifetime) {
    public static final int IFF_UP = 0x1;
    public static final int IFF_BROADCAST = 0x2;
    public static final int IFF_LOOPBACK = 0x8;
    public static final int IFF_POINTOPOINT = 0x10;
    public static final int IFF_RUNNING = 0x40;
    public static final int IFF_MULTICAST = 0x1000;
    /** IPv6 address flags, Linux's values (if_addr.h). */
    public static final int IFA_F_OPTIMISTIC = 0x04;
    public static final int IFA_F_DADFAILED = 0x08;
    public static final int IFA_F_DEPRECATED = 0x20;
    public static final int IFA_F_TENTATIVE = 0x40;
    public static final int IFA_F_PERMANENT = 0x80;
    public static final int IFA_F_STABLE_PRIVACY = 0x800;
    /** Linux's INFINITY_LIFE_TIME: no expiry. */
    public static final long FOREVER = 0xffffffffL;

    /** An entry without address flags or lifetimes. */
    public IfAddr(String name, int index, int flags, int mtu, MacAddress mac, InetAddress address, int prefixLength,
                  InetAddress broadcast) {
        this(name, index, flags, mtu, mac, address, prefixLength, broadcast, 0, FOREVER, FOREVER);
    }

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
                : index + ": " + name + " " + address.getHostAddress() + "/" + prefixLength + addressFlagNames();
    }

    /** Like {@code ip -6 addr}: " tentative dadfailed deprecated dynamic valid_lft 86399sec preferred_lft 14399sec". */
    public String addressFlagNames() {
        StringBuilder b = new StringBuilder();
        if ((addressFlags & IFA_F_TENTATIVE) != 0) {
            b.append(" tentative");
        }
        if ((addressFlags & IFA_F_OPTIMISTIC) != 0) {
            b.append(" optimistic");
        }
        if ((addressFlags & IFA_F_DADFAILED) != 0) {
            b.append(" dadfailed");
        }
        if ((addressFlags & IFA_F_DEPRECATED) != 0) {
            b.append(" deprecated");
        }
        if ((addressFlags & IFA_F_STABLE_PRIVACY) != 0) {
            b.append(" stable-privacy");
        }
        if (validLifetime != FOREVER) {
            b.append(" dynamic valid_lft ").append(validLifetime).append("sec preferred_lft ")
                    .append(preferredLifetime == FOREVER ? "forever" : preferredLifetime + "sec");
        }
        return b.toString();
    }
}
