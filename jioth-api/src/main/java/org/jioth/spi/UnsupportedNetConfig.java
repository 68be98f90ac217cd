package org.jioth.spi;

import java.net.InetAddress;
import java.util.List;
import org.jioth.Errno;
import org.jioth.IfAddr;
import org.jioth.MacAddress;
import org.jioth.NetConfig;
import org.jioth.NetConfigException;

/** The configuration of a stack that cannot be configured: every call fails with EOPNOTSUPP and says why. */
public final class UnsupportedNetConfig implements NetConfig {
    private final String why;

    /** {@code why} completes "configuration is not supported: …", naming what would support it. */
    public UnsupportedNetConfig(String why) {
        this.why = why;
    }

    private NetConfigException fail(String op) {
        return new NetConfigException(op, Errno.EOPNOTSUPP, why);
    }

    @Override
    public int ifNameToIndex(String ifname) throws NetConfigException {
        throw fail("ifNameToIndex " + ifname);
    }

    @Override
    public void linkSetUpDown(int ifindex, boolean up) throws NetConfigException {
        throw fail("linkSetUpDown");
    }

    @Override
    public void linkSetAddr(int ifindex, MacAddress mac) throws NetConfigException {
        throw fail("linkSetAddr");
    }

    @Override
    public MacAddress linkGetAddr(int ifindex) throws NetConfigException {
        throw fail("linkGetAddr");
    }

    @Override
    public void linkSetMtu(int ifindex, int mtu) throws NetConfigException {
        throw fail("linkSetMtu");
    }

    @Override
    public void ipAddrAdd(InetAddress addr, int prefixLength, int ifindex) throws NetConfigException {
        throw fail("ipAddrAdd");
    }

    @Override
    public void ipAddrDel(InetAddress addr, int prefixLength, int ifindex) throws NetConfigException {
        throw fail("ipAddrDel");
    }

    @Override
    public void ipRouteAdd(InetAddress dst, int prefixLength, InetAddress gateway, int ifindex)
            throws NetConfigException {
        throw fail("ipRouteAdd");
    }

    @Override
    public void ipRouteDel(InetAddress dst, int prefixLength, InetAddress gateway, int ifindex)
            throws NetConfigException {
        throw fail("ipRouteDel");
    }

    @Override
    public int ipLinkAdd(String ifname, int ifindex, String type, List<LinkData> data) throws NetConfigException {
        throw fail("ipLinkAdd");
    }

    @Override
    public void ipLinkDel(String ifname, int ifindex) throws NetConfigException {
        throw fail("ipLinkDel");
    }

    @Override
    public List<IfAddr> interfaces() throws NetConfigException {
        throw fail("interfaces");
    }
}
