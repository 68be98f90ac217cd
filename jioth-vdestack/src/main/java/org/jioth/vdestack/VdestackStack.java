package org.jioth.vdestack;

import java.io.IOException;
import java.nio.channels.spi.SelectorProvider;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jioth.NetConfig;
import org.jioth.linux.fdnio.FdSelectorProvider;
import org.jioth.linux.netlink.NetlinkSocket;
import org.jioth.linux.netlink.RtNetlinkConfig;
import org.jioth.spi.StackImpl;
import org.jioth.spi.StackRequest;
import org.jioth.spi.TrackingSelectorProvider;
import org.jioth.vde.EthernetPort;
import org.jioth.vde.EthernetPorts;
import org.jioth.vde.InterfaceVnl;
import org.jioth.vde.tap.TapPort;
import org.jioth.vde.tap.TapSettings;

/**
 * One vdestack: a {@link HelperProcess} owns the namespace; each VNL is opened here, in the
 * program's JVM, and bridged to a tap the helper made in the namespace. Opening VNLs here rather
 * than in the helper means a VNL names the same network as for every other stack of this JVM (an
 * in-JVM {@code switch://} is reachable), and the helper needs no VDE code at all.
 *
 * <p>Sockets are the namespace kernel's own, made by the helper and used here through
 * {@link FdSelectorProvider}; configuration is rtnetlink on netlink sockets the helper makes.
 */
final class VdestackStack implements StackImpl {
    private static final int AF_NETLINK = 16;
    private static final int SOCK_RAW_CLOEXEC = 3 | 0x80000;
    private static final int NETLINK_ROUTE = 0;

    private final HelperProcess helper;
    private final List<TapBridge> bridges;
    private final SelectorProvider provider;
    private final NamespaceJdkProvider jdkChannels;
    private final NetConfig config;

    private final AcceptPacer pacer;

    private VdestackStack(HelperProcess helper, List<TapBridge> bridges, AcceptPacer pacer, StackRequest request,
                          NamespaceJdkProvider jdkChannels) {
        this.pacer = pacer;
        this.helper = helper;
        this.bridges = bridges;
        this.jdkChannels = jdkChannels;
        this.provider = jdkChannels != null
                ? new TrackingSelectorProvider(jdkChannels, request.sockets())
                : new FdSelectorProvider(helper::socket, channel -> {
                    request.sockets().track(channel);
                    pacer.opened(channel);
                });
        this.config = new RtNetlinkConfig(RtNetlinkConfig.DEFAULT_REPLY_TIMEOUT,
                timeout -> NetlinkSocket.adopt(helper.socket(AF_NETLINK, SOCK_RAW_CLOEXEC, NETLINK_ROUTE), timeout));
    }

    /**
     * Options: none, or {@code jdk} for the JDK's own channels (sockets made by a thread inside the
     * namespace; root only, see {@link NamespaceJdkProvider}).
     */
    static VdestackStack create(StackRequest request) throws IOException {
        boolean jdk = switch (request.options().strip()) {
            case "" -> false;
            case "jdk" -> true;
            default -> throw new IllegalArgumentException("vdestack: unknown options '" + request.options()
                    + "'; the only option is 'jdk' (JDK channels, needs root), as in vdestack,jdk");
        };
        HelperProcess helper = HelperProcess.start();
        List<TapBridge> bridges = new ArrayList<>();
        AcceptPacer pacer = new AcceptPacer();
        try {
            List<String> vnls = request.vnls();
            for (int i = 0; i < vnls.size(); i++) {
                InterfaceVnl iv = InterfaceVnl.split(vnls.get(i));
                String name = iv.interfaceName().orElse("vde" + i);
                TapSettings settings = new TapSettings(name);
                EthernetPort network = EthernetPorts.open(iv.vnl());
                TapPort tap;
                try {
                    tap = TapPort.adopt(helper.tap(name), settings);
                } catch (IOException | RuntimeException e) {
                    network.close();
                    throw new IOException("vdestack: cannot create tap " + name + " in the namespace: " + e.getMessage()
                            + (e.getMessage() != null && e.getMessage().contains("EACCES")
                            ? " (/dev/net/tun must be readable and writable by this user, mode 0666 as Debian ships it)" : ""), e);
                }
                bridges.add(new TapBridge(name, tap, network, pacer));
            }
            return new VdestackStack(helper, bridges, pacer, request, jdk ? NamespaceJdkProvider.enter(helper.pid()) : null);
        } catch (IOException | RuntimeException e) {
            for (TapBridge b : bridges) {
                try {
                    b.close();
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            helper.close();
            throw e;
        }
    }

    @Override
    public SelectorProvider provider() {
        return provider;
    }

    @Override
    public NetConfig config() {
        return config;
    }

    /** The bridges' frame counters per interface, and the helper's process id ({@code helper.pid}). */
    @Override
    public Map<String, Long> statistics() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("helper.pid", helper.pid());
        m.put("acceptPacer.held", pacer.held.sum());
        m.put("acceptPacer.timedOut", pacer.timedOut.sum());
        for (TapBridge b : bridges) {
            b.tap.statistics().snapshot().forEach((k, v) -> m.put(b.interfaceName + ".tap." + k, v));
            b.network.statistics().snapshot().forEach((k, v) -> m.put(b.interfaceName + ".vnl." + k, v));
        }
        return m;
    }

    @Override
    public void close() throws IOException {
        IOException first = null;
        for (TapBridge b : bridges) {
            try {
                b.close();
            } catch (IOException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (jdkChannels != null) {
            jdkChannels.close();
        }
        helper.close();
        if (first != null) {
            throw first;
        }
    }
}
