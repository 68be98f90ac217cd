package org.jioth.vde.ip;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import org.jioth.vde.portsupport.OptionReader;

/** Option parsing shared by vxvde and vxlan: the group address, family flags, bind address. */
final class GroupAddresses {
    static final String DEFAULT_V4 = "239.0.0.1";
    static final String DEFAULT_V6 = "ff05:56de::1";

    private GroupAddresses() {
    }

    /** The multicast group named by the main argument (default by {@code v6}), within the allowed families. */
    static InetAddress group(OptionReader r, String main, boolean v4, boolean v6) {
        String text = main == null || main.isBlank() ? (v6 ? DEFAULT_V6 : DEFAULT_V4) : main.trim();
        InetAddress a = resolve(r, text, v4, v6, "multicast address");
        if (!a.isMulticastAddress()) {
            throw new IllegalArgumentException(r.scheme() + ": '" + text
                    + "' is not a multicast address (expected 224.0.0.0/4 or ff00::/8)");
        }
        return a;
    }

    /** Resolves a name or literal to an address of an allowed family (v4 only, v6 only, or either). */
    static InetAddress resolve(OptionReader r, String text, boolean v4, boolean v6, String what) {
        boolean any = v4 == v6;
        try {
            for (InetAddress a : InetAddress.getAllByName(text)) {
                if (any || (v4 && a instanceof Inet4Address) || (v6 && a instanceof Inet6Address)) {
                    return a;
                }
            }
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(r.scheme() + ": cannot resolve " + what + " '" + text + "'", e);
        }
        throw new IllegalArgumentException(r.scheme() + ": " + what + " '" + text + "' has no "
                + (v4 ? "IPv4" : "IPv6") + " address (option " + (v4 ? "v4" : "v6") + ")");
    }

    /** Overwrites the last three bytes of {@code group} with {@code gid}, big-endian (vxvde's grp=). */
    static InetAddress withGid(InetAddress group, long gid) {
        byte[] b = group.getAddress();
        int n = b.length;
        b[n - 3] = (byte) (gid >>> 16);
        b[n - 2] = (byte) (gid >>> 8);
        b[n - 1] = (byte) gid;
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
