package org.jioth.jnet.ip;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.IntPredicate;

/**
 * The IPv4 routing table: longest prefix wins, then the lowest metric. Small tables are the norm
 * for a user-space stack, so a sorted list scanned in order is the whole algorithm. Loop-only.
 */
public final class RouteTable {
    private static final Comparator<Route> ORDER =
            Comparator.comparingInt((Route r) -> -r.prefixLength()).thenComparingInt(Route::metric);
    private final List<Route> routes = new ArrayList<>();

    /** Adds {@code r}; false when an equal destination/gateway/interface route exists. */
    public boolean add(Route r) {
        for (Route x : routes) {
            if (x.dst() == r.dst() && x.prefixLength() == r.prefixLength() && x.metric() == r.metric()
                    && (x.gateway() == r.gateway() || x.kernel() == r.kernel() && x.ifindex() == r.ifindex())) {
                return false;
            }
        }
        routes.add(r);
        routes.sort(ORDER);
        return true;
    }

    public boolean remove(Route r) {
        return routes.remove(r);
    }

    /** Removes the first route matching dst/prefix/gateway (and ifindex unless 0); null when none. */
    public Route remove(int dst, int prefixLength, int gateway, int ifindex) {
        for (Route x : routes) {
            if (x.dst() == dst && x.prefixLength() == prefixLength && x.gateway() == gateway
                    && (ifindex == 0 || x.ifindex() == ifindex)) {
                routes.remove(x);
                return x;
            }
        }
        return null;
    }

    /** Removes every route out of {@code ifindex}. */
    public void removeInterface(int ifindex) {
        routes.removeIf(r -> r.ifindex() == ifindex);
    }

    /** The best route to {@code a} among those whose interface is usable, or null. */
    public Route lookup(int a, IntPredicate usable) {
        for (Route r : routes) {
            if (r.matches(a) && usable.test(r.ifindex())) {
                return r;
            }
        }
        return null;
    }

    public List<Route> routes() {
        return List.copyOf(routes);
    }
}
