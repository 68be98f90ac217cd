package org.jioth.jnet;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.List;
import org.jioth.Errno;
import org.jioth.IfAddr;
import org.jioth.NetConfigException;
import org.jioth.NetConfig;
import org.jioth.jnet.ip.Address6;
import org.jioth.jnet.ip.Ipv6Layer;
import org.jioth.jnet.ip.RouterDiscovery6;
import org.jioth.jnet.link.NetInterface;
import org.jioth.jnet.wire.Ip6;

/** The IPv6 half of {@link JnetNetConfig}: addresses and routes with Linux's errnos. Loop-only. */
final class NetConfig6 {
    private final JnetStack s;

    NetConfig6(JnetStack s) {
        this.s = s;
    }

    static boolean isV6(InetAddress a) {
        return a instanceof Inet6Address;
    }

    private static void prefix(String op, int prefixLength) throws NetConfigException {
        if (prefixLength < 0 || prefixLength > 128) {
            throw new NetConfigException(op + " /" + prefixLength, Errno.EINVAL, "prefix length must be 0..128");
        }
    }

    void addAddress(NetInterface i, InetAddress addr, int prefixLength) throws NetConfigException {
        prefix("ipAddrAdd", prefixLength);
        byte[] a = addr.getAddress();
        if (Ip6.isUnspecified(a) || Ip6.isMulticast(a) || Ip6.isLoopback(a)) {
            throw new NetConfigException("ipAddrAdd " + Ip6.toString(a), Errno.EINVAL, "not a unicast host address");
        }
        if (i.isLoopback()) {
            throw new NetConfigException("ipAddrAdd " + Ip6.toString(a) + " dev " + i.name, Errno.EOPNOTSUPP,
                    "the loopback interface has ::1 only");
        }
        if (!s.ipv6.addAddress(i, a, prefixLength)) {
            throw new NetConfigException("ipAddrAdd " + Ip6.toString(a) + " dev " + i.name, Errno.EEXIST);
        }
    }

    void removeAddress(NetInterface i, InetAddress addr, int prefixLength) throws NetConfigException {
        byte[] a = addr.getAddress();
        if (!s.ipv6.removeAddress(i, a, prefixLength)) {
            throw new NetConfigException("ipAddrDel " + Ip6.toString(a) + "/" + prefixLength + " dev " + i.name,
                    Errno.EADDRNOTAVAIL);
        }
    }

    void addRoute(InetAddress dst, int prefixLength, InetAddress gateway, int ifindex) throws NetConfigException {
        prefix("ipRouteAdd", prefixLength);
        byte[] d = dst == null ? new byte[16] : dst.getAddress();
        if (!Arrays.equals(d, Ip6.network(d, prefixLength))) {
            throw new NetConfigException("ipRouteAdd " + Ip6.toString(d) + "/" + prefixLength, Errno.EINVAL,
                    "host bits set in the destination");
        }
        byte[] g = gateway == null ? null : gateway.getAddress();
        int index = ifindex;
        if (index != 0 && s.interfaces.byIndex(index) == null) {
            throw new NetConfigException("ipRouteAdd ifindex " + index, Errno.ENODEV);
        }
        if (g != null && !Ip6.isLinkLocal(g)) {
            Ipv6Layer.Path p = new Ipv6Layer.Path();
            if (s.ipv6.route(g, 0, p) != 0 || !Arrays.equals(p.nextHop, g) || index != 0 && p.iface.index != index) {
                throw new NetConfigException("ipRouteAdd via " + Ip6.toString(g), Errno.ENETUNREACH,
                        "the gateway is not on a connected network; add an address in its prefix first");
            }
            index = p.iface.index;
        } else if (g != null && index == 0) {
            int scope = gateway instanceof Inet6Address v6 ? v6.getScopeId() : 0;
            if (scope == 0) {
                throw new NetConfigException("ipRouteAdd via " + Ip6.toString(g), Errno.EINVAL,
                        "a link-local gateway needs an interface");
            }
            index = scope;
        } else if (g == null && index == 0) {
            throw new NetConfigException("ipRouteAdd " + Ip6.toString(d) + "/" + prefixLength, Errno.EINVAL,
                    "an on-link route needs an interface");
        }
        if (!s.ipv6.addRoute(new Ipv6Layer.Route6(d, prefixLength, g, index))) {
            throw new NetConfigException("ipRouteAdd " + Ip6.toString(d) + "/" + prefixLength, Errno.EEXIST);
        }
    }

    void removeRoute(InetAddress dst, int prefixLength) throws NetConfigException {
        byte[] d = dst == null ? new byte[16] : dst.getAddress();
        if (!s.ipv6.removeRoute(d, prefixLength)) {
            throw new NetConfigException("ipRouteDel " + Ip6.toString(d) + "/" + prefixLength, Errno.ESRCH);
        }
    }

    /**
     * The interface's IPv6 addresses as {@code interfaces()} lists them (link-local first), with
     * Linux's flags (tentative, optimistic, dadfailed, deprecated) and the lifetimes left.
     */
    void list(NetInterface i, int flags, List<IfAddr> out) {
        if (i.isLoopback()) {
            for (Ipv6Layer.Address a : s.ipv6.addresses(i)) {
                out.add(new IfAddr(i.name, i.index, flags, i.mtu(), null, Ip6.toInet(a.address(), -1), a.prefixLength(),
                        null, IfAddr.IFA_F_PERMANENT, IfAddr.FOREVER, IfAddr.FOREVER));
            }
            return;
        }
        long now = s.loop.now();
        for (Address6 a : s.ipv6.addressTable().of(i.index)) {
            byte[] b = a.address();
            long valid = a.validSeconds(now);
            long preferred = a.preferredSeconds(now);
            out.add(new IfAddr(i.name, i.index, flags, i.mtu(), null, Ip6.toInet(b, Ip6.isLinkLocal(b) ? i.index : -1),
                    a.prefixLength(), null, a.flags(), valid < 0 ? IfAddr.FOREVER : valid,
                    preferred < 0 ? IfAddr.FOREVER : preferred));
        }
    }

    /** What router advertisements told {@code i} (NetConfig.ipv6RouterInfo). */
    NetConfig.Ipv6RouterInfo routerInfo(NetInterface i) {
        RouterDiscovery6.Learnt l = s.ipv6.routerDiscovery().learnt(i.index);
        return new NetConfig.Ipv6RouterInfo(l.heard(), l.managed(), l.otherConfig(),
                l.routers().stream().map(r -> (InetAddress) Ip6.toInet(r.address(), i.index)).toList(),
                l.dnsServers().stream().map(d -> (InetAddress) Ip6.toInet(d.address(),
                        Ip6.isLinkLocal(d.address()) ? i.index : -1)).toList(),
                l.domains().stream().map(RouterDiscovery6.Domain::name).toList());
    }
}
