package org.jioth;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.channels.spi.SelectorProvider;
import java.util.List;
import java.util.Map;
import javax.net.ServerSocketFactory;
import javax.net.SocketFactory;
import org.jioth.nio.ChannelServerSocketFactory;
import org.jioth.nio.ChannelSocketFactory;
import org.jioth.spi.SocketRegistry;
import org.jioth.spi.StackImpl;

/**
 * The {@link IothStack} every plug-in's stack is wrapped in: it counts sockets, refuses to close
 * while any is open, and releases the plug-in's private class loader after the stack closes.
 */
final class ManagedStack implements IothStack {
    private final String name;
    private final String options;
    private final List<String> vnls;
    private final StackImpl impl;
    private final SocketRegistry sockets;
    private final PluginLocator.Loaded plugin;
    /** The built-in default stack is never deleted, as libioth's static native descriptor. */
    private final boolean permanent;
    private final Object closeLock = new Object();
    private volatile boolean closed;

    ManagedStack(String name, String options, List<String> vnls, StackImpl impl, SocketRegistry sockets,
                 PluginLocator.Loaded plugin, boolean permanent) {
        this.name = name;
        this.options = options;
        this.vnls = List.copyOf(vnls);
        this.impl = impl;
        this.sockets = sockets;
        this.plugin = plugin;
        this.permanent = permanent;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String options() {
        return options;
    }

    @Override
    public List<String> vnls() {
        return vnls;
    }

    @Override
    public SelectorProvider provider() {
        ensureOpen();
        return impl.provider();
    }

    @Override
    public SocketFactory socketFactory() {
        return new ChannelSocketFactory(provider());
    }

    @Override
    public ServerSocketFactory serverSocketFactory() {
        return new ChannelServerSocketFactory(provider());
    }

    @Override
    public Map<String, Long> statistics() {
        return impl.statistics();
    }

    @Override
    public int openSockets() {
        return sockets.openCount();
    }

    SocketRegistry sockets() {
        return sockets;
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public <T> java.util.Optional<T> capability(Class<T> type) {
        ensureOpen();
        return impl.capability(type);
    }

    @Override
    public StackHealth health() {
        return closed ? StackHealth.CLOSED : impl.health();
    }

    @Override
    public void close() throws IOException {
        if (permanent) {
            return;
        }
        synchronized (closeLock) {
            if (closed) {
                return;
            }
            int open = sockets.openCount();
            if (open > 0) {
                throw new StackBusyException(toString(), open);
            }
            org.jioth.dhcp.DhcpClients.stopAll(this); // RELEASE the leases while the stack can still send
            org.jioth.dhcp.Dhcp6Clients.stopAll(this);
            impl.close();
            closed = true;
        }
        plugin.release();
    }

    @Override
    public void closeForcibly() throws IOException {
        sockets.closeAll();
        close();
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("stack " + this + " is closed");
        }
    }

    private NetConfig config() {
        ensureOpen();
        return impl.config();
    }

    @Override
    public int ifNameToIndex(String ifname) throws NetConfigException {
        return config().ifNameToIndex(ifname);
    }

    @Override
    public void linkSetUpDown(int ifindex, boolean up) throws NetConfigException {
        config().linkSetUpDown(ifindex, up);
    }

    @Override
    public void linkSetAddr(int ifindex, MacAddress mac) throws NetConfigException {
        config().linkSetAddr(ifindex, mac);
    }

    @Override
    public MacAddress linkGetAddr(int ifindex) throws NetConfigException {
        return config().linkGetAddr(ifindex);
    }

    @Override
    public void linkSetMtu(int ifindex, int mtu) throws NetConfigException {
        config().linkSetMtu(ifindex, mtu);
    }

    @Override
    public void ipAddrAdd(InetAddress addr, int prefixLength, int ifindex) throws NetConfigException {
        config().ipAddrAdd(addr, prefixLength, ifindex);
    }

    @Override
    public void ipAddrDel(InetAddress addr, int prefixLength, int ifindex) throws NetConfigException {
        config().ipAddrDel(addr, prefixLength, ifindex);
    }

    @Override
    public void ipRouteAdd(InetAddress dst, int prefixLength, InetAddress gateway, int ifindex)
            throws NetConfigException {
        config().ipRouteAdd(dst, prefixLength, gateway, ifindex);
    }

    @Override
    public void ipRouteDel(InetAddress dst, int prefixLength, InetAddress gateway, int ifindex)
            throws NetConfigException {
        config().ipRouteDel(dst, prefixLength, gateway, ifindex);
    }

    @Override
    public int ipLinkAdd(String ifname, int ifindex, String type, List<LinkData> data) throws NetConfigException {
        return config().ipLinkAdd(ifname, ifindex, type, data);
    }

    @Override
    public void ipLinkDel(String ifname, int ifindex) throws NetConfigException {
        config().ipLinkDel(ifname, ifindex);
    }

    @Override
    public List<IfAddr> interfaces() throws NetConfigException {
        return config().interfaces();
    }

    @Override
    public void ipv6Autoconf(int ifindex, boolean routerDiscovery, boolean slaac) throws NetConfigException {
        config().ipv6Autoconf(ifindex, routerDiscovery, slaac);
    }

    @Override
    public Ipv6RouterInfo ipv6RouterInfo(int ifindex) throws NetConfigException {
        return config().ipv6RouterInfo(ifindex);
    }

    @Override
    public String toString() {
        return options.isEmpty() ? name : name + "," + options;
    }
}
