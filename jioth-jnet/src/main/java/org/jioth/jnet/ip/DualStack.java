package org.jioth.jnet.ip;

import org.jioth.jnet.wire.Ip128;

/**
 * Linux's rules for which local addresses a socket takes, shared by TCP and UDP. A socket is
 * bound to an {@link Ip128} address of its family: an {@code AF_INET} one to IPv4 (v4-mapped;
 * the wildcard {@code ::ffff:0.0.0.0}); an {@code AF_INET6} one to {@code ::} (all IPv6, and all
 * IPv4 as v4-mapped unless {@code IPV6_V6ONLY}), to one IPv6 address, or to a v4-mapped address
 * (that IPv4 address only).
 */
public final class DualStack {
    private DualStack() {
    }

    /**
     * How well a datagram to {@code hi/lo} matches the binding (0: not at all), as Linux's
     * compute_score: an exact address (4) beats a wildcard, and for IPv4 an AF_INET wildcard (2)
     * beats a dual-stack one (1).
     */
    public static int score(boolean inet6, boolean v6only, long lhi, long llo, long hi, long lo) {
        boolean any = Ip128.isAny(lhi, llo);
        if (Ip128.isV4(hi, lo)) {
            if (!takesV4(inet6, v6only, lhi, llo)) {
                return 0;
            }
            return any ? (inet6 ? 1 : 2) : llo == lo ? 4 : 0;
        }
        if (!inet6 || Ip128.isV4(lhi, llo)) {
            return 0;
        }
        return any ? 1 : lhi == hi && llo == lo ? 4 : 0;
    }

    private static boolean takesV4(boolean inet6, boolean v6only, long lhi, long llo) {
        return !inet6 || Ip128.isV4(lhi, llo) || lhi == 0 && llo == 0 && !v6only;
    }

    /** Linux's bind conflict test: the IPv4 or the IPv6 addresses two bindings take overlap. */
    public static boolean overlaps(boolean inet6A, boolean v6onlyA, long hiA, long loA,
            boolean inet6B, boolean v6onlyB, long hiB, long loB) {
        int a4 = v4Set(inet6A, v6onlyA, hiA, loA);
        int b4 = v4Set(inet6B, v6onlyB, hiB, loB);
        if (a4 != 0 && b4 != 0 && (a4 == 1 || b4 == 1 || loA == loB)) {
            return true;
        }
        int a6 = v6Set(inet6A, hiA, loA);
        int b6 = v6Set(inet6B, hiB, loB);
        return a6 != 0 && b6 != 0 && (a6 == 1 || b6 == 1 || hiA == hiB && loA == loB);
    }

    /** 0 none, 1 all, 2 one address. */
    private static int v4Set(boolean inet6, boolean v6only, long hi, long lo) {
        if (!takesV4(inet6, v6only, hi, lo)) {
            return 0;
        }
        return Ip128.isAny(hi, lo) ? 1 : 2;
    }

    private static int v6Set(boolean inet6, long hi, long lo) {
        if (!inet6 || Ip128.isV4(hi, lo)) {
            return 0;
        }
        return hi == 0 && lo == 0 ? 1 : 2;
    }
}
