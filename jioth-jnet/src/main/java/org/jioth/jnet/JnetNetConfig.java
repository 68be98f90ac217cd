package org.jioth.jnet;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.jioth.Errno;
import org.jioth.IfAddr;
import org.jioth.MacAddress;
import org.jioth.NetConfig;
import org.jioth.NetConfigException;
import org.jioth.jnet.ip.Route;
import org.jioth.jnet.link.IfAddress;
import org.jioth.jnet.link.NetInterface;
import org.jioth.jnet.wire.Ip4;
import org.jioth.jnet.wire.Mac;
import org.jioth.vde.EthernetPort;
import org.jioth.vde.EthernetPorts;

/**
 * Netlink-style configuration of a {@link JnetStack} with Linux's answers: every call runs on the
 * stack loop; failures carry the errno the kernel would give.
 */
final class JnetNetConfig implements NetConfig {
    private final JnetStack s;

    private final NetConfig6 v6;

    JnetNetConfig(JnetStack s) {
        this.s = s;
        this.v6 = new NetConfig6(s);
    }

    private interface Op<T> {
        T run() throws NetConfigException;
    }

    private <T> T onLoop(Op<T> op) throws NetConfigException {
        try {
            return s.loop.call(op::run);
        } catch (NetConfigException e) {
            throw e;
        } catch (IOException e) {
            throw new NetConfigException("jnet", Errno.EIO, e.getMessage());
        }
    }

    private NetInterface link(String op, int ifindex) throws NetConfigException {
        NetInterface i = s.interfaces.byIndex(ifindex);
        if (i == null) {
            throw new NetConfigException(op + " ifindex " + ifindex, Errno.ENODEV);
        }
        return i;
    }

    private static int ipv4(String op, InetAddress a) throws NetConfigException {
        if (!(a instanceof Inet4Address)) {
            throw new NetConfigException(op + " " + a.getHostAddress(), Errno.EAFNOSUPPORT,
                    "jnet speaks IPv4 only so far");
        }
        return Ip4.of(a);
    }

    @Override
    public int ifNameToIndex(String ifname) throws NetConfigException {
        return onLoop(() -> {
            NetInterface i = s.interfaces.byName(ifname);
            if (i == null) {
                throw new NetConfigException("ifNameToIndex " + ifname, Errno.ENODEV);
            }
            return i.index;
        });
    }

    @Override
    public void linkSetUpDown(int ifindex, boolean up) throws NetConfigException {
        onLoop(() -> {
            NetInterface i = link("linkSetUpDown", ifindex);
            boolean was = i.isUp();
            i.setUp(up);
            if (up && !was) {
                for (IfAddress a : i.addresses()) {
                    s.neighbours.announce(i, a.address());
                }
                s.ipv6.linkUp(i);
                s.ipv4.igmp().linkUp(i);
            } else if (!up && was) {
                s.neighbours.flush(i, Errno.ENETDOWN.value());
                s.ipv6.linkDown(i);
            }
            return null;
        });
    }

    @Override
    public void linkSetAddr(int ifindex, MacAddress mac) throws NetConfigException {
        onLoop(() -> {
            NetInterface i = link("linkSetAddr", ifindex);
            if (i.isLoopback()) {
                throw new NetConfigException("linkSetAddr " + i.name, Errno.EOPNOTSUPP, "loopback has no MAC");
            }
            if (mac.isMulticast()) {
                throw new NetConfigException("linkSetAddr " + mac, Errno.EADDRNOTAVAIL, "a NIC address must be unicast");
            }
            i.setMac(Mac.of(mac));
            return null;
        });
    }

    @Override
    public MacAddress linkGetAddr(int ifindex) throws NetConfigException {
        return onLoop(() -> Mac.toMacAddress(link("linkGetAddr", ifindex).mac()));
    }

    @Override
    public void linkSetMtu(int ifindex, int mtu) throws NetConfigException {
        onLoop(() -> {
            NetInterface i = link("linkSetMtu", ifindex);
            int max = i.isLoopback() ? JnetStack.LOOPBACK_MTU : JnetOptions.MAX_MTU;
            if (mtu < JnetOptions.MIN_MTU || mtu > max) {
                throw new NetConfigException("linkSetMtu " + mtu, Errno.EINVAL,
                        "MTU must be in " + JnetOptions.MIN_MTU + ".." + max);
            }
            i.setMtu(mtu);
            return null;
        });
    }

    @Override
    public void ipAddrAdd(InetAddress addr, int prefixLength, int ifindex) throws NetConfigException {
        if (NetConfig6.isV6(addr)) {
            onLoop(() -> {
                v6.addAddress(link("ipAddrAdd", ifindex), addr, prefixLength);
                return null;
            });
            return;
        }
        int a = ipv4("ipAddrAdd", addr);
        onLoop(() -> {
            NetInterface i = link("ipAddrAdd", ifindex);
            if (prefixLength < 0 || prefixLength > 32) {
                throw new NetConfigException("ipAddrAdd /" + prefixLength, Errno.EINVAL, "prefix length must be 0..32");
            }
            if (a == 0 || a == Ip4.BROADCAST || Ip4.isMulticast(a)) {
                throw new NetConfigException("ipAddrAdd " + Ip4.toString(a), Errno.EINVAL, "not a host address");
            }
            if (i.address(a) != null) {
                throw new NetConfigException("ipAddrAdd " + Ip4.toString(a) + " dev " + i.name, Errno.EEXIST);
            }
            addAddressOnLoop(i, a, prefixLength);
            s.neighbours.announce(i, a);
            return null;
        });
    }

    /** Adds the address and its on-link prefix route (loop, or before the loop starts). */
    void addAddressOnLoop(NetInterface i, int a, int prefixLength) {
        IfAddress x = new IfAddress(a, prefixLength);
        i.addresses().add(x);
        if (prefixLength < 32) {
            s.routes.add(new Route(x.network(), prefixLength, 0, i.index, 0, true));
        }
    }

    @Override
    public void ipAddrDel(InetAddress addr, int prefixLength, int ifindex) throws NetConfigException {
        if (NetConfig6.isV6(addr)) {
            onLoop(() -> {
                v6.removeAddress(link("ipAddrDel", ifindex), addr, prefixLength);
                return null;
            });
            return;
        }
        int a = ipv4("ipAddrDel", addr);
        onLoop(() -> {
            NetInterface i = link("ipAddrDel", ifindex);
            IfAddress x = i.address(a);
            if (x == null || x.prefixLength() != prefixLength) {
                throw new NetConfigException("ipAddrDel " + Ip4.toString(a) + "/" + prefixLength + " dev " + i.name,
                        Errno.EADDRNOTAVAIL);
            }
            i.addresses().remove(x);
            boolean stillOnLink = i.addresses().stream()
                    .anyMatch(o -> o.prefixLength() == prefixLength && o.network() == x.network());
            if (!stillOnLink && prefixLength < 32) {
                s.routes.remove(new Route(x.network(), prefixLength, 0, i.index, 0, true));
            }
            return null;
        });
    }

    @Override
    public void ipRouteAdd(InetAddress dst, int prefixLength, InetAddress gateway, int ifindex)
            throws NetConfigException {
        if (NetConfig6.isV6(dst) || NetConfig6.isV6(gateway)) {
            onLoop(() -> {
                v6.addRoute(dst, prefixLength, gateway, ifindex);
                return null;
            });
            return;
        }
        int d = dst == null ? 0 : ipv4("ipRouteAdd", dst);
        int g = gateway == null ? 0 : ipv4("ipRouteAdd", gateway);
        onLoop(() -> {
            if (prefixLength < 0 || prefixLength > 32) {
                throw new NetConfigException("ipRouteAdd /" + prefixLength, Errno.EINVAL, "prefix length must be 0..32");
            }
            if ((d & ~Ip4.mask(prefixLength)) != 0) {
                throw new NetConfigException("ipRouteAdd " + Ip4.toString(d) + "/" + prefixLength, Errno.EINVAL,
                        "host bits set in the destination");
            }
            int index = ifindex;
            if (index != 0) {
                link("ipRouteAdd", index);
            }
            if (g != 0) {
                // The gateway must be on a directly connected network (Linux: "Nexthop has invalid gateway").
                Route via = null;
                for (Route r : s.routes.routes()) {
                    if (r.gateway() == 0 && r.matches(g) && (index == 0 || r.ifindex() == index)) {
                        via = r;
                        break;
                    }
                }
                if (via == null) {
                    throw new NetConfigException("ipRouteAdd via " + Ip4.toString(g), Errno.ENETUNREACH,
                            "the gateway is not on a connected network; add an address in its subnet first");
                }
                index = via.ifindex();
            } else if (index == 0) {
                throw new NetConfigException("ipRouteAdd " + Ip4.toString(d) + "/" + prefixLength, Errno.EINVAL,
                        "an on-link route needs an interface");
            }
            if (!s.routes.add(new Route(d, prefixLength, g, index, 0, false))) {
                throw new NetConfigException("ipRouteAdd " + Ip4.toString(d) + "/" + prefixLength, Errno.EEXIST);
            }
            return null;
        });
    }

    @Override
    public void ipRouteDel(InetAddress dst, int prefixLength, InetAddress gateway, int ifindex)
            throws NetConfigException {
        if (NetConfig6.isV6(dst) || NetConfig6.isV6(gateway)) {
            onLoop(() -> {
                v6.removeRoute(dst, prefixLength);
                return null;
            });
            return;
        }
        int d = dst == null ? 0 : ipv4("ipRouteDel", dst);
        int g = gateway == null ? 0 : ipv4("ipRouteDel", gateway);
        onLoop(() -> {
            if (s.routes.remove(d, prefixLength, g, ifindex) == null) {
                throw new NetConfigException("ipRouteDel " + Ip4.toString(d) + "/" + prefixLength
                        + (g != 0 ? " via " + Ip4.toString(g) : ""), Errno.ESRCH);
            }
            return null;
        });
    }

    @Override
    public int ipLinkAdd(String ifname, int ifindex, String type, List<LinkData> data) throws NetConfigException {
        if (!"vde".equals(type)) {
            throw new NetConfigException("ipLinkAdd type " + type, Errno.EOPNOTSUPP, "jnet creates links of type vde only");
        }
        String vnl = null;
        for (LinkData d : data == null ? List.<LinkData>of() : data) {
            if (d.tag() == LinkData.IFLA_VDE_VNL) {
                byte[] b = d.data();
                int n = b.length;
                while (n > 0 && b[n - 1] == 0) {
                    n--;
                }
                vnl = new String(b, 0, n, StandardCharsets.UTF_8);
            }
        }
        if (vnl == null) {
            throw new NetConfigException("ipLinkAdd " + ifname, Errno.EINVAL, "a vde link needs its VNL (IFLA_VDE_VNL)");
        }
        if (ifname != null && (ifname.isEmpty() || ifname.length() > 15)) {
            throw new NetConfigException("ipLinkAdd " + ifname, Errno.EINVAL, "interface names have 1..15 characters");
        }
        boolean taken = onLoop(() -> ifname != null && s.interfaces.byName(ifname) != null
                || ifindex > 0 && s.interfaces.byIndex(ifindex) != null);
        if (taken) {
            throw new NetConfigException("ipLinkAdd " + ifname, Errno.EEXIST);
        }
        EthernetPort port;
        try {
            port = EthernetPorts.open(vnl); // I/O: not on the loop
        } catch (IOException | RuntimeException e) {
            throw new NetConfigException("ipLinkAdd " + vnl, Errno.EINVAL, "cannot open the VNL: " + e.getMessage());
        }
        try {
            return onLoop(() -> {
                if (ifname != null && s.interfaces.byName(ifname) != null
                        || ifindex > 0 && s.interfaces.byIndex(ifindex) != null) {
                    throw new NetConfigException("ipLinkAdd " + ifname, Errno.EEXIST);
                }
                int index = ifindex > 0 ? ifindex : s.interfaces.nextIndex();
                long mac = Mac.of(MacAddress.randomLocal(s.random));
                NetInterface nic = s.attach(ifname, port, mac, index);
                return ifindex == -1 ? nic.index : 0;
            });
        } catch (NetConfigException e) {
            try {
                port.close();
            } catch (IOException ignored) {
                // failing already
            }
            throw e;
        }
    }

    @Override
    public void ipLinkDel(String ifname, int ifindex) throws NetConfigException {
        EthernetPort port = onLoop(() -> {
            NetInterface i = ifname != null ? s.interfaces.byName(ifname) : s.interfaces.byIndex(ifindex);
            if (i == null) {
                throw new NetConfigException("ipLinkDel " + (ifname != null ? ifname : "ifindex " + ifindex), Errno.ENODEV);
            }
            if (i.isLoopback()) {
                throw new NetConfigException("ipLinkDel " + i.name, Errno.EOPNOTSUPP, "loopback cannot be deleted");
            }
            i.markDeleted();
            s.neighbours.flush(i, Errno.ENODEV.value());
            s.routes.removeInterface(i.index);
            s.ipv6.linkDeleted(i);
            s.ipv4.igmp().forget(i.index);
            s.interfaces.remove(i);
            return i.port();
        });
        try {
            port.close();
        } catch (IOException e) {
            throw new NetConfigException("ipLinkDel", Errno.EIO, e.getMessage());
        } finally {
            s.portCalls.removed(port); // its counts go to the retired totals, the port is forgotten
        }
    }

    @Override
    public List<IfAddr> interfaces() throws NetConfigException {
        return onLoop(() -> {
            List<IfAddr> links = new ArrayList<>();
            List<IfAddr> addrs = new ArrayList<>();
            for (NetInterface i : s.interfaces.all()) {
                int flags = (i.isUp() ? IfAddr.IFF_UP : 0) | (i.isRunning() ? IfAddr.IFF_RUNNING : 0)
                        | (i.isLoopback() ? IfAddr.IFF_LOOPBACK : IfAddr.IFF_BROADCAST | IfAddr.IFF_MULTICAST);
                MacAddress mac = Mac.toMacAddress(i.mac());
                links.add(new IfAddr(i.name, i.index, flags, i.mtu(), mac, null, 0, null));
                for (IfAddress a : i.addresses()) {
                    int b = a.broadcast();
                    addrs.add(new IfAddr(i.name, i.index, flags, i.mtu(), null, Ip4.toInet(a.address()),
                            a.prefixLength(), b == 0 || i.isLoopback() ? null : Ip4.toInet(b)));
                }
                if (i.isUp()) {
                    v6.list(i, flags, addrs);
                }
            }
            links.addAll(addrs);
            return links;
        });
    }

    @Override
    public void ipv6Autoconf(int ifindex, boolean routerDiscovery, boolean slaac) throws NetConfigException {
        onLoop(() -> {
            NetInterface i = link("ipv6Autoconf", ifindex);
            if (i.isLoopback()) {
                throw new NetConfigException("ipv6Autoconf dev " + i.name, Errno.EOPNOTSUPP, "not on the loopback");
            }
            if (routerDiscovery || slaac) {
                s.ipv6.routerDiscovery().enable(i, slaac);
            }
            return null;
        });
    }

    @Override
    public Ipv6RouterInfo ipv6RouterInfo(int ifindex) throws NetConfigException {
        return onLoop(() -> v6.routerInfo(link("ipv6RouterInfo", ifindex)));
    }

    /** The routes, for tools and tests. */
    List<Route> routes() throws NetConfigException {
        return onLoop(s.routes::routes);
    }
}
