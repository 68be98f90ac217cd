package org.jioth.linux.netlink;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.jioth.NetConfig.LinkData;

/**
 * The rtnetlink request of each nlinline call, byte for byte as libioth's docs (§3) describe it:
 * the same types, flags, fixed headers and attributes in the same order. Pure Java; each method
 * returns the whole message with {@code nlmsg_len} set.
 */
public final class RtnlRequests {
    /** IFNAMSIZ - 1: nlinline truncates interface names to this many bytes. */
    public static final int MAX_IFNAME_BYTES = 15;

    private static final int REQ_ACK = Rtnl.NLM_F_REQUEST | Rtnl.NLM_F_ACK;
    private static final int REQ_ACK_EXCL_CREATE = REQ_ACK | Rtnl.NLM_F_EXCL | Rtnl.NLM_F_CREATE;

    private RtnlRequests() {
    }

    /** if_nametoindex: RTM_GETLINK, REQUEST|ACK, zeroed ifinfomsg, IFLA_IFNAME (≤ 15 bytes + NUL). */
    public static byte[] getLinkByName(int seq, String ifname) {
        return new NetlinkMessageBuilder(Rtnl.RTM_GETLINK, REQ_ACK, seq)
                .ifinfomsg(Rtnl.AF_UNSPEC, 0, 0, 0, 0)
                .attr(Rtnl.IFLA_IFNAME, ifnameBytes(ifname))
                .toByteArray();
    }

    /** linksetupdown: RTM_SETLINK, REQUEST|ACK, flags IFF_UP or 0, change IFF_UP. */
    public static byte[] setLinkUpDown(int seq, int ifindex, boolean up) {
        return new NetlinkMessageBuilder(Rtnl.RTM_SETLINK, REQ_ACK, seq)
                .ifinfomsg(Rtnl.AF_UNSPEC, 0, ifindex, up ? Rtnl.IFF_UP : 0, Rtnl.IFF_UP)
                .toByteArray();
    }

    /** linksetaddr: RTM_NEWLINK, REQUEST|ACK, IFLA_ADDRESS. */
    public static byte[] setLinkAddr(int seq, int ifindex, byte[] mac) {
        return new NetlinkMessageBuilder(Rtnl.RTM_NEWLINK, REQ_ACK, seq)
                .ifinfomsg(Rtnl.AF_UNSPEC, 0, ifindex, 0, 0)
                .attr(Rtnl.IFLA_ADDRESS, mac)
                .toByteArray();
    }

    /** linkgetaddr: RTM_GETLINK, REQUEST only (the reply is the link, no ack). */
    public static byte[] getLink(int seq, int ifindex) {
        return new NetlinkMessageBuilder(Rtnl.RTM_GETLINK, Rtnl.NLM_F_REQUEST, seq)
                .ifinfomsg(Rtnl.AF_UNSPEC, 0, ifindex, 0, 0)
                .toByteArray();
    }

    /** linksetmtu: RTM_NEWLINK, REQUEST|ACK, IFLA_MTU. */
    public static byte[] setLinkMtu(int seq, int ifindex, int mtu) {
        return new NetlinkMessageBuilder(Rtnl.RTM_NEWLINK, REQ_ACK, seq)
                .ifinfomsg(Rtnl.AF_UNSPEC, 0, ifindex, 0, 0)
                .attrU32(Rtnl.IFLA_MTU, mtu)
                .toByteArray();
    }

    /**
     * ipaddr_add ({@code add}: RTM_NEWADDR, REQUEST|ACK|EXCL|CREATE) or ipaddr_del (RTM_DELADDR,
     * REQUEST|ACK): ifaddrmsg, then IFA_LOCAL and IFA_ADDRESS, both the address.
     */
    public static byte[] ipAddr(int seq, boolean add, int family, byte[] addr, int prefixLength,
                                int ifaFlags, int scope, int ifindex) {
        return new NetlinkMessageBuilder(add ? Rtnl.RTM_NEWADDR : Rtnl.RTM_DELADDR,
                add ? REQ_ACK_EXCL_CREATE : REQ_ACK, seq)
                .ifaddrmsg(family, prefixLength, ifaFlags, scope, ifindex)
                .attr(Rtnl.IFA_LOCAL, addr)
                .attr(Rtnl.IFA_ADDRESS, addr)
                .toByteArray();
    }

    /**
     * iproute_add ({@code add}: RTM_NEWROUTE, REQUEST|ACK|EXCL|CREATE) or iproute_del (RTM_DELROUTE,
     * REQUEST|ACK): rtmsg with table MAIN and protocol BOOT; then always an 8-byte u32 attribute,
     * RTA_OIF with the ifindex or type 0 (ignored by the kernel) when ifindex is 0; RTA_DST when
     * {@code dstLength > 0}; RTA_GATEWAY when {@code gateway} is not null.
     */
    public static byte[] ipRoute(int seq, boolean add, int family, byte[] dst, int dstLength, byte[] gateway,
                                 int ifindex, int routeType, int scope) {
        NetlinkMessageBuilder b = new NetlinkMessageBuilder(add ? Rtnl.RTM_NEWROUTE : Rtnl.RTM_DELROUTE,
                add ? REQ_ACK_EXCL_CREATE : REQ_ACK, seq)
                .rtmsg(family, dstLength, 0, 0, Rtnl.RT_TABLE_MAIN, Rtnl.RTPROT_BOOT, scope, routeType, 0)
                .attrU32(ifindex != 0 ? Rtnl.RTA_OIF : Rtnl.RTA_UNSPEC, ifindex);
        if (dstLength > 0) {
            b.attr(Rtnl.RTA_DST, dst);
        }
        if (gateway != null) {
            b.attr(Rtnl.RTA_GATEWAY, gateway);
        }
        return b.toByteArray();
    }

    /**
     * iplink_add: RTM_NEWLINK, REQUEST|ACK|EXCL|CREATE, ifi_index = ifindex (0 for -1); [IFLA_IFNAME];
     * [IFLA_NEW_IFINDEX, empty, when {@code askNewIndex}]; IFLA_LINKINFO{IFLA_INFO_KIND,
     * [IFLA_INFO_DATA{one attribute per item}]}.
     */
    public static byte[] newLink(int seq, String ifname, int ifindex, String type, List<LinkData> data,
                                 boolean askNewIndex) {
        NetlinkMessageBuilder b = new NetlinkMessageBuilder(Rtnl.RTM_NEWLINK, REQ_ACK_EXCL_CREATE, seq)
                .ifinfomsg(Rtnl.AF_UNSPEC, 0, ifindex == -1 ? 0 : ifindex, 0, 0);
        if (ifname != null) {
            b.attr(Rtnl.IFLA_IFNAME, ifnameBytes(ifname));
        }
        if (askNewIndex) {
            b.attr(Rtnl.IFLA_NEW_IFINDEX, new byte[0]);
        }
        int linkinfo = b.beginNested(Rtnl.IFLA_LINKINFO);
        b.attrString(Rtnl.IFLA_INFO_KIND, type);
        if (!data.isEmpty()) {
            int infoData = b.beginNested(Rtnl.IFLA_INFO_DATA);
            for (LinkData d : data) {
                b.attr(d.tag(), d.data());
            }
            b.endNested(infoData);
        }
        b.endNested(linkinfo);
        return b.toByteArray();
    }

    /** iplink_del: RTM_DELLINK, REQUEST|ACK, ifi_index, [IFLA_IFNAME]. */
    public static byte[] delLink(int seq, String ifname, int ifindex) {
        NetlinkMessageBuilder b = new NetlinkMessageBuilder(Rtnl.RTM_DELLINK, REQ_ACK, seq)
                .ifinfomsg(Rtnl.AF_UNSPEC, 0, ifindex, 0, 0);
        if (ifname != null) {
            b.attr(Rtnl.IFLA_IFNAME, ifnameBytes(ifname));
        }
        return b.toByteArray();
    }

    /** getifaddrs step 1: RTM_GETLINK dump (32 bytes, REQUEST|DUMP). */
    public static byte[] dumpLinks(int seq) {
        return new NetlinkMessageBuilder(Rtnl.RTM_GETLINK, Rtnl.NLM_F_REQUEST | Rtnl.NLM_F_DUMP, seq)
                .ifinfomsg(Rtnl.AF_UNSPEC, 0, 0, 0, 0)
                .toByteArray();
    }

    /** getifaddrs step 2: RTM_GETADDR dump (24 bytes, REQUEST|DUMP). */
    public static byte[] dumpAddrs(int seq) {
        return new NetlinkMessageBuilder(Rtnl.RTM_GETADDR, Rtnl.NLM_F_REQUEST | Rtnl.NLM_F_DUMP, seq)
                .ifaddrmsg(Rtnl.AF_UNSPEC, 0, 0, 0, 0)
                .toByteArray();
    }

    /** The name's UTF-8 bytes cut to 15, then a NUL. */
    static byte[] ifnameBytes(String ifname) {
        byte[] s = ifname.getBytes(StandardCharsets.UTF_8);
        byte[] z = new byte[Math.min(s.length, MAX_IFNAME_BYTES) + 1];
        System.arraycopy(s, 0, z, 0, z.length - 1);
        return z;
    }
}
