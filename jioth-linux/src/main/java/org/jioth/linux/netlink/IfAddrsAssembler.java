package org.jioth.linux.netlink;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jioth.IfAddr;
import org.jioth.MacAddress;

/**
 * Builds getifaddrs(3)'s list from an RTM_GETLINK dump and an RTM_GETADDR dump, as libioth's
 * ioth_getifaddrs does (§2.4): every link with an IFLA_ADDRESS first, then every IPv4/IPv6 address
 * of a known link, both in reply order. Pure Java.
 */
public final class IfAddrsAssembler {
    private IfAddrsAssembler() {
    }

    private record Link(String name, int index, int flags, int mtu) {
    }

    /** The entries; messages of other types in either list are ignored. */
    public static List<IfAddr> assemble(List<NetlinkMessage> linkDump, List<NetlinkMessage> addrDump) {
        List<IfAddr> out = new ArrayList<>();
        Map<Integer, Link> links = new LinkedHashMap<>();
        for (NetlinkMessage m : linkDump) {
            if (m.type() != Rtnl.RTM_NEWLINK) {
                continue;
            }
            IfInfoMsg ifi = IfInfoMsg.read(m.payload());
            NetlinkAttributes attrs = m.attributes(Rtnl.IFINFOMSG_SIZE);
            byte[] hwaddr = attrs.bytes(Rtnl.IFLA_ADDRESS);
            if (hwaddr == null) {
                continue; // getifaddrs skips links without a link-layer address
            }
            String name = attrs.string(Rtnl.IFLA_IFNAME);
            Link link = new Link(name == null ? "" : name, ifi.index(), ifi.flags(),
                    attrs.u32(Rtnl.IFLA_MTU).orElse(0));
            links.put(link.index(), link);
            // Only Ethernet-sized link addresses are MACs; others (tunnels, InfiniBand) stay null.
            MacAddress mac = hwaddr.length == MacAddress.LENGTH ? MacAddress.of(hwaddr) : null;
            out.add(new IfAddr(link.name(), link.index(), link.flags(), link.mtu(), mac, null, 0, null));
        }
        for (NetlinkMessage m : addrDump) {
            if (m.type() != Rtnl.RTM_NEWADDR) {
                continue;
            }
            IfAddrMsg ifa = IfAddrMsg.read(m.payload());
            Link link = links.get(ifa.index());
            if (link == null || (ifa.family() != Rtnl.AF_INET && ifa.family() != Rtnl.AF_INET6)) {
                continue;
            }
            IfAddr entry = addressEntry(link, ifa, m.attributes(Rtnl.IFADDRMSG_SIZE));
            if (entry != null) {
                out.add(entry);
            }
        }
        return out;
    }

    private static IfAddr addressEntry(Link link, IfAddrMsg ifa, NetlinkAttributes attrs) {
        boolean pointToPoint = (link.flags() & Rtnl.IFF_POINTOPOINT) != 0;
        boolean loopback = (link.flags() & Rtnl.IFF_LOOPBACK) != 0;
        // On point-to-point links IFA_ADDRESS is the peer and IFA_LOCAL our end; IPv4 treats loopback alike.
        boolean useLocal = pointToPoint || (ifa.family() == Rtnl.AF_INET && loopback);
        byte[] first = attrs.bytes(useLocal ? Rtnl.IFA_LOCAL : Rtnl.IFA_ADDRESS);
        byte[] raw = first != null ? first : attrs.bytes(useLocal ? Rtnl.IFA_ADDRESS : Rtnl.IFA_LOCAL);
        int wanted = ifa.family() == Rtnl.AF_INET ? 4 : 16;
        if (raw == null || raw.length != wanted) {
            return null;
        }
        InetAddress address = toAddress(raw, ifa.family() == Rtnl.AF_INET6 && isLinkLocalScoped(raw) ? link.index() : 0);
        InetAddress broadcast = null;
        if (ifa.family() == Rtnl.AF_INET && !useLocal) {
            broadcast = attrs.inetAddress(Rtnl.IFA_BROADCAST);
        }
        return new IfAddr(link.name(), link.index(), link.flags(), link.mtu(), null, address,
                ifa.prefixLength(), broadcast);
    }

    /** fe80::/10 unicast or ffx2:: multicast: the ones getifaddrs gives a scope id. */
    private static boolean isLinkLocalScoped(byte[] a) {
        boolean linkLocalUnicast = (a[0] & 0xff) == 0xfe && (a[1] & 0xc0) == 0x80;
        boolean linkLocalMulticast = (a[0] & 0xff) == 0xff && (a[1] & 0x0f) == 0x02;
        return linkLocalUnicast || linkLocalMulticast;
    }

    private static InetAddress toAddress(byte[] raw, int scopeId) {
        try {
            // Inet6Address keeps an IPv4-mapped address IPv6; a negative scope id means none.
            return raw.length == 16
                    ? Inet6Address.getByAddress(null, raw, scopeId > 0 ? scopeId : -1)
                    : InetAddress.getByAddress(raw);
        } catch (UnknownHostException e) {
            throw new AssertionError("4 or 16 bytes are always an address", e);
        }
    }
}
