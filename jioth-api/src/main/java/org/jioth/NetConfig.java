package org.jioth;

import java.net.InetAddress;
import java.util.List;

/**
 * Netlink-style configuration of a stack, with the semantics of libioth's nlinline functions.
 *
 * <p>Interfaces are named by index ({@link #ifNameToIndex}). Addresses are {@link InetAddress}es;
 * the family follows from the address. Every failure raises {@link NetConfigException} carrying
 * the Linux errno name (ENODEV, EEXIST, EADDRNOTAVAIL, EPERM…), as the netlink reply would.
 */
public interface NetConfig {

    /** The index of the interface named {@code ifname}; ENODEV when there is none. */
    int ifNameToIndex(String ifname) throws NetConfigException;

    /** Sets IFF_UP on ({@code up}) or off. */
    void linkSetUpDown(int ifindex, boolean up) throws NetConfigException;

    /** Sets the interface's MAC address (6 bytes). */
    void linkSetAddr(int ifindex, MacAddress mac) throws NetConfigException;

    /** The interface's MAC address; ENOENT when the link has none (loopback may have all zeros). */
    MacAddress linkGetAddr(int ifindex) throws NetConfigException;

    /** Sets the interface's MTU. */
    void linkSetMtu(int ifindex, int mtu) throws NetConfigException;

    /** Adds {@code addr/prefixLength} to the interface; EEXIST if it is there already. */
    void ipAddrAdd(InetAddress addr, int prefixLength, int ifindex) throws NetConfigException;

    /** Removes {@code addr/prefixLength} from the interface; EADDRNOTAVAIL if it is not there. */
    void ipAddrDel(InetAddress addr, int prefixLength, int ifindex) throws NetConfigException;

    /**
     * Adds a route. {@code dst == null} with prefix 0 is the default route of {@code gateway}'s
     * family; {@code gateway} may be null for an on-link route; {@code ifindex} 0 lets the stack
     * choose the interface from the gateway.
     */
    void ipRouteAdd(InetAddress dst, int prefixLength, InetAddress gateway, int ifindex) throws NetConfigException;

    /** Shorthand for a route through {@code gateway} with no output interface given. */
    default void ipRouteAdd(InetAddress dst, int prefixLength, InetAddress gateway) throws NetConfigException {
        ipRouteAdd(dst, prefixLength, gateway, 0);
    }

    /** Removes a route added with the same arguments; ESRCH when there is none. */
    void ipRouteDel(InetAddress dst, int prefixLength, InetAddress gateway, int ifindex) throws NetConfigException;

    /** Shorthand for {@link #ipRouteDel(InetAddress, int, InetAddress, int)} with ifindex 0. */
    default void ipRouteDel(InetAddress dst, int prefixLength, InetAddress gateway) throws NetConfigException {
        ipRouteDel(dst, prefixLength, gateway, 0);
    }

    /**
     * Creates a link of {@code type} (for example {@code "vde"} with the VNL as data item
     * {@link LinkData#IFLA_VDE_VNL}, or {@code "dummy"} on the kernel). With {@code ifindex == -1}
     * the stack chooses the index and returns it; otherwise returns 0.
     */
    int ipLinkAdd(String ifname, int ifindex, String type, List<LinkData> data) throws NetConfigException;

    /** Deletes a link, by name when {@code ifname} is not null, else by index. */
    void ipLinkDel(String ifname, int ifindex) throws NetConfigException;

    /** Every link and every address, as getifaddrs(3): all links first, then the addresses. */
    List<IfAddr> interfaces() throws NetConfigException;

    /**
     * Starts IPv6 router discovery on {@code ifindex} (iothconf's {@code rd}: router solicitations,
     * default routers, on-link prefixes, MTU and RDNSS/DNSSL from advertisements) and, with
     * {@code slaac}, stateless address autoconfiguration from the advertised prefixes (iothconf's
     * {@code slaac}). Returns at once; {@link #ipv6RouterInfo} tells what routers said. Stacks whose
     * kernel does this by itself (kernel, vdestack) keep this default: EOPNOTSUPP.
     */
    default void ipv6Autoconf(int ifindex, boolean routerDiscovery, boolean slaac) throws NetConfigException {
        throw new NetConfigException("ipv6Autoconf", Errno.EOPNOTSUPP, "the stack does router discovery by itself or not at all");
    }

    /** What routers advertised on {@code ifindex} (valid entries only); EOPNOTSUPP by default. */
    default Ipv6RouterInfo ipv6RouterInfo(int ifindex) throws NetConfigException {
        throw new NetConfigException("ipv6RouterInfo", Errno.EOPNOTSUPP);
    }

    /**
     * What router advertisements told an interface.
     *
     * @param heard       an advertisement arrived since router discovery started
     * @param managed     the M flag: addresses from DHCPv6 (RFC 4861 4.2)
     * @param otherConfig the O flag: other configuration (DNS) from DHCPv6
     * @param routers     the default routers (link-local, with the interface as scope)
     * @param dnsServers  RDNSS servers (RFC 8106), link-local ones with the interface as scope
     * @param searchDomains DNSSL domains (RFC 8106)
     */
    record Ipv6RouterInfo(boolean heard, boolean managed, boolean otherConfig, List<InetAddress> routers,
                          List<InetAddress> dnsServers, List<String> searchDomains) {
        public Ipv6RouterInfo {
            routers = List.copyOf(routers);
            dnsServers = List.copyOf(dnsServers);
            searchDomains = List.copyOf(searchDomains);
        }
    }

    /** One IFLA_INFO_DATA item of {@link #ipLinkAdd}: a netlink attribute tag and its bytes. */
    record LinkData(int tag, byte[] data) {
        /** The VNL attribute of links of type "vde". */
        public static final int IFLA_VDE_VNL = 1;

        public LinkData {
            data = data.clone();
        }

        /** A string item; as nlinline's nl_iplink_strdata the bytes include the trailing NUL. */
        public static LinkData ofString(int tag, String value) {
            byte[] s = value.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            byte[] z = java.util.Arrays.copyOf(s, s.length + 1);
            return new LinkData(tag, z);
        }

        @Override
        public byte[] data() {
            return data.clone();
        }
    }
}
