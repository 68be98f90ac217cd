package org.jioth.jnet.tcp;

import org.jioth.jnet.wire.Ip128;

/**
 * What a socket or listener is bound to: a local address of either family ({@link Ip128}, IPv4
 * v4-mapped; unbound is the IPv4 wildcard) and port, and the socket's family. As on Linux, an
 * {@code AF_INET6} socket on {@code ::} also takes IPv4 (seen as v4-mapped) unless
 * {@code IPV6_V6ONLY}; one on a v4-mapped address takes only that IPv4 address; an {@code AF_INET}
 * socket never takes IPv6. Loop-only.
 */
class Binding {
    long localHi;
    long localLo = Ip128.MAPPED;
    int localPort;
    /** AF_INET6 (else AF_INET). */
    boolean inet6;
    /** IPV6_V6ONLY of an AF_INET6 socket. */
    boolean v6only;

    /**
     * How well a segment to {@code hi/lo} matches (0: not at all), as Linux's compute_score: an
     * exact address beats a wildcard, and for IPv4 an AF_INET wildcard beats a dual-stack one.
     */
    final int score(long hi, long lo) {
        boolean any = Ip128.isAny(localHi, localLo);
        if (Ip128.isV4(hi, lo)) {
            if (!takesV4()) {
                return 0;
            }
            return any ? (inet6 ? 1 : 2) : localLo == lo ? 4 : 0;
        }
        if (!inet6 || Ip128.isV4(localHi, localLo)) {
            return 0;
        }
        return any ? 1 : localHi == hi && localLo == lo ? 4 : 0;
    }

    private boolean takesV4() {
        if (!inet6) {
            return true;
        }
        return Ip128.isV4(localHi, localLo) || localHi == 0 && localLo == 0 && !v6only;
    }

    /** Linux's bind conflict test: the IPv4 or the IPv6 addresses the two take overlap. */
    final boolean overlaps(Binding o) {
        int a4 = v4Set();
        int b4 = o.v4Set();
        if (a4 != 0 && b4 != 0 && (a4 == 1 || b4 == 1 || localLo == o.localLo)) {
            return true;
        }
        int a6 = v6Set();
        int b6 = o.v6Set();
        return a6 != 0 && b6 != 0 && (a6 == 1 || b6 == 1 || localHi == o.localHi && localLo == o.localLo);
    }

    /** 0 none, 1 all, 2 one address. */
    private int v4Set() {
        if (!takesV4()) {
            return 0;
        }
        return Ip128.isAny(localHi, localLo) ? 1 : 2;
    }

    private int v6Set() {
        if (!inet6 || Ip128.isV4(localHi, localLo)) {
            return 0;
        }
        return localHi == 0 && localLo == 0 ? 1 : 2;
    }

    /** The IPv4 address of an IPv4 binding (0: the wildcard or an IPv6 one). */
    final int local4() {
        return Ip128.isV4(localHi, localLo) ? (int) localLo : 0;
    }

    final void bindTo(long hi, long lo, int port) {
        localHi = hi;
        localLo = lo;
        localPort = port;
    }
}
