package org.jioth.vde.ip;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Set;

/** Picks the interface a multicast group is joined on, and lists the host's own addresses. */
final class MulticastInterfaces {
    private MulticastInterfaces() {
    }

    /**
     * The named interface, or (when {@code name} is null) the one the kernel routes the group
     * through — found by connecting a probe socket, which sends nothing — falling back to the
     * first multicast-capable interface that is up.
     */
    static NetworkInterface forGroup(InetAddress group, int port, String name, String scheme) throws IOException {
        if (name != null) {
            NetworkInterface nif = NetworkInterface.getByName(name);
            if (nif == null) {
                throw new SocketException(scheme + ": no network interface named '" + name + "' (option if)");
            }
            return nif;
        }
        InetAddress local = null;
        try (DatagramChannel probe = DatagramChannel.open(familyOf(group))) {
            probe.connect(new InetSocketAddress(group, port));
            local = ((InetSocketAddress) probe.getLocalAddress()).getAddress();
        } catch (IOException noRoute) {
            // no route to the group: fall back to the first usable interface
        }
        // Interfaces are checked one by one: a thread moved into another network namespace sees
        // /proc/self/net of the process, so the JDK may list interfaces that are not there.
        NetworkInterface fallback = null;
        for (Iterator<NetworkInterface> it = NetworkInterface.networkInterfaces().iterator(); it.hasNext(); ) {
            NetworkInterface nif = it.next();
            try {
                if (local != null && nif.inetAddresses().anyMatch(local::equals) && nif.isUp()) {
                    return nif;
                }
                if (fallback == null && nif.isUp() && nif.supportsMulticast()) {
                    fallback = nif;
                }
            } catch (SocketException notHere) {
                // listed but absent here
            }
        }
        if (fallback != null) {
            return fallback;
        }
        throw new SocketException(scheme + ": no multicast-capable interface is up for group "
                + group.getHostAddress() + "; name one with option if=");
    }

    static StandardProtocolFamily familyOf(InetAddress a) {
        return a instanceof java.net.Inet6Address ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET;
    }

    /** The wildcard address of {@code a}'s family (binding an IPv6 channel to 0.0.0.0 would mean IPv4 only). */
    static InetAddress wildcardLike(InetAddress a) {
        return InetAddress.ofLiteral(a instanceof java.net.Inet6Address ? "::" : "0.0.0.0");
    }

    /** Every address of every interface of this host (in the caller's network namespace). */
    static Set<InetAddress> localAddresses() throws SocketException {
        Set<InetAddress> all = new HashSet<>();
        for (Iterator<NetworkInterface> it = NetworkInterface.networkInterfaces().iterator(); it.hasNext(); ) {
            it.next().inetAddresses().forEach(all::add);
        }
        return Set.copyOf(all);
    }
}
