package org.jioth.jnet.ip;

import org.jioth.jnet.wire.Ip4;

/**
 * A route: {@code dst/prefixLength} through {@code gateway} (0 = on-link) out of {@code ifindex}.
 * {@code kernel} marks the prefix routes a stack adds with an address (Linux's proto kernel).
 */
public record Route(int dst, int prefixLength, int gateway, int ifindex, int metric, boolean kernel) {
    public boolean matches(int a) {
        return (a & Ip4.mask(prefixLength)) == dst;
    }

    @Override
    public String toString() {
        return (prefixLength == 0 ? "default" : Ip4.toString(dst) + "/" + prefixLength)
                + (gateway != 0 ? " via " + Ip4.toString(gateway) : "") + " dev#" + ifindex
                + (kernel ? " proto kernel" : "") + " metric " + metric;
    }
}
