package org.jioth.jnet.tcp;

import org.jioth.jnet.ip.DualStack;
import org.jioth.jnet.wire.Ip128;

/**
 * What a socket or listener is bound to: a local address of either family ({@link Ip128}, IPv4
 * v4-mapped; unbound is the IPv4 wildcard) and port, and the socket's family, with Linux's
 * dual-stack rules ({@link DualStack}). Loop-only.
 */
class Binding {
    long localHi;
    long localLo = Ip128.MAPPED;
    int localPort;
    /** AF_INET6 (else AF_INET). */
    boolean inet6;
    /** IPV6_V6ONLY of an AF_INET6 socket. */
    boolean v6only;

    /** How well a segment to {@code hi/lo} matches (0: not at all), see {@link DualStack#score}. */
    final int score(long hi, long lo) {
        return DualStack.score(inet6, v6only, localHi, localLo, hi, lo);
    }

    /** Linux's bind conflict test, see {@link DualStack#overlaps}. */
    final boolean overlaps(Binding o) {
        return DualStack.overlaps(inet6, v6only, localHi, localLo, o.inet6, o.v6only, o.localHi, o.localLo);
    }

    /** The IPv4 address of an IPv4 binding (0: the wildcard or an IPv6 one). */
    final int local4() {
        return Ip128.isV4(localHi, localLo) ? (int) localLo : 0;
    }
}
