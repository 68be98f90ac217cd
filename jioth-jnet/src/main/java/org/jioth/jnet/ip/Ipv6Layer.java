package org.jioth.jnet.ip;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;
import org.jioth.Errno;
import org.jioth.jnet.Counter;
import org.jioth.jnet.Counters;
import org.jioth.jnet.link.Interfaces;
import org.jioth.jnet.link.Neighbor6Cache;
import org.jioth.jnet.link.NetInterface;
import org.jioth.jnet.wire.Ethernet;
import org.jioth.jnet.wire.Ip6;
import org.jioth.jnet.wire.Ipv6;

/**
 * IPv6 (RFC 8200) for a host: validates datagrams and walks their extension headers with
 * {@link Ipv6}, accepts those for our addresses (every NIC's EUI-64 link-local address, which
 * exists while the NIC does, and static ones), the all-nodes group and our solicited-node groups,
 * and hands them to ICMPv6 or the {@link Transport}s (TCP, UDP; other next headers are answered
 * with a parameter problem "unrecognized next header"). Fragments other than atomic ones are
 * dropped and counted (Ip6.InDropFragment): no reassembly yet. Output picks the interface, next
 * hop and source (link-local destinations need the scope, or a single NIC) and resolves with
 * {@link Neighbor6Cache}. Loop-only.
 */
public final class Ipv6Layer {
    /** Room for the Ethernet and IPv6 headers before an upper-layer payload. */
    public static final int HEADROOM = Ethernet.HEADER + Ipv6.HEADER;
    public static final int DEFAULT_HOP_LIMIT = 64;

    /** An IPv6 address of an interface (static: added through NetConfig). */
    public record Address(byte[] address, int prefixLength) { }

    /** A static route: {@code gateway} null for on-link. */
    public record Route6(byte[] destination, int prefixLength, byte[] gateway, int ifindex) { }

    /** The ICMPv6 side: input and errors about datagrams we could not take. */
    public interface Icmp {
        void input(NetInterface in, Ipv6 hdr, ByteBuffer buf, int len);

        /** Sends an error of {@code type}/{@code code} quoting the datagram at {@code ipOff}. */
        void error(NetInterface in, int type, int code, int pointer, ByteBuffer buf, int ipOff, int len);
    }

    /** An upper layer over IPv6 (TCP, UDP): its {@code len} bytes start at {@code off}. */
    public interface Transport {
        void input(NetInterface in, Ipv6 hdr, ByteBuffer buf, int off, int len);
    }

    private Transport tcp;
    private Transport udp;
    private final Interfaces interfaces;
    private final Neighbor6Cache neighbours;
    private final Counters counters;
    private final Ipv6 hdr = new Ipv6();
    private final byte[] dst = new byte[16];
    private final byte[] src = new byte[16];
    private final Map<Integer, List<Address>> statics = new HashMap<>();
    private final List<Route6> routes = new ArrayList<>();
    private Icmp icmp;

    public Ipv6Layer(Interfaces interfaces, Neighbor6Cache neighbours, Counters counters) {
        this.interfaces = interfaces;
        this.neighbours = neighbours;
        this.counters = counters;
    }

    public void setIcmp(Icmp icmp) {
        this.icmp = icmp;
    }

    /** The TCP and UDP layers (either may be null: answered as an unknown next header). */
    public void setTransports(Transport tcp, Transport udp) {
        this.tcp = tcp;
        this.udp = udp;
    }

    public Neighbor6Cache neighbours() {
        return neighbours;
    }

    // ------------------------------------------------------------ addresses and routes

    /** The interface's addresses: its link-local one first (NICs only), then the static ones. */
    public List<Address> addresses(NetInterface nic) {
        List<Address> all = new ArrayList<>();
        if (nic.isLoopback()) {
            byte[] lo = new byte[16];
            lo[15] = 1;
            all.add(new Address(lo, 128));
        } else {
            all.add(new Address(Ip6.linkLocal(nic.mac()), 64));
        }
        all.addAll(statics.getOrDefault(nic.index, List.of()));
        return all;
    }

    /** True when {@code a} is one of {@code nic}'s addresses. */
    public boolean isOurs(NetInterface nic, byte[] a) {
        for (Address x : addresses(nic)) {
            if (java.util.Arrays.equals(x.address(), a)) {
                return true;
            }
        }
        return false;
    }

    private boolean accepts(NetInterface nic, byte[] a) {
        if (!Ip6.isMulticast(a)) {
            return isOurs(nic, a);
        }
        if (java.util.Arrays.equals(a, Ip6.ALL_NODES)) {
            return true;
        }
        for (Address x : addresses(nic)) {
            if (java.util.Arrays.equals(Ip6.solicitedNode(x.address()), a)) {
                return true;
            }
        }
        return false;
    }

    /** Adds a static address and its on-link prefix route; false when already there. */
    public boolean addAddress(NetInterface nic, byte[] a, int prefixLength) {
        if (isOurs(nic, a)) {
            return false;
        }
        statics.computeIfAbsent(nic.index, k -> new ArrayList<>()).add(new Address(a.clone(), prefixLength));
        if (prefixLength < 128) {
            routes.add(new Route6(Ip6.network(a, prefixLength), prefixLength, null, nic.index));
        }
        return true;
    }

    /** Removes a static address and, when no other address shares it, its prefix route. */
    public boolean removeAddress(NetInterface nic, byte[] a, int prefixLength) {
        List<Address> l = statics.get(nic.index);
        if (l == null) {
            return false;
        }
        boolean removed = l.removeIf(x -> java.util.Arrays.equals(x.address(), a) && x.prefixLength() == prefixLength);
        if (removed) {
            byte[] net = Ip6.network(a, prefixLength);
            boolean shared = l.stream().anyMatch(x -> x.prefixLength() == prefixLength
                    && java.util.Arrays.equals(Ip6.network(x.address(), prefixLength), net));
            if (!shared) {
                routes.removeIf(r -> r.gateway() == null && r.ifindex() == nic.index
                        && r.prefixLength() == prefixLength && java.util.Arrays.equals(r.destination(), net));
            }
        }
        return removed;
    }

    public List<Route6> routes() {
        return List.copyOf(routes);
    }

    /** Adds a route; false when the same destination and prefix is there already. */
    public boolean addRoute(Route6 r) {
        for (Route6 x : routes) {
            if (x.prefixLength() == r.prefixLength() && java.util.Arrays.equals(x.destination(), r.destination())
                    && java.util.Objects.equals(x.gateway() == null, r.gateway() == null)
                    && (x.gateway() == null || java.util.Arrays.equals(x.gateway(), r.gateway()))) {
                return false;
            }
        }
        routes.add(r);
        return true;
    }

    public boolean removeRoute(byte[] destination, int prefixLength) {
        return routes.removeIf(x -> x.prefixLength() == prefixLength && java.util.Arrays.equals(x.destination(), destination));
    }

    // ------------------------------------------------------------ input

    /** An IPv6 datagram of {@code len} bytes at {@code off} received on {@code in}. */
    public void input(NetInterface in, ByteBuffer buf, int off, int len) {
        counters.inc(Counter.IP6_IN_RECEIVES);
        Ipv6.Check check = hdr.wrap(buf, off, len);
        if (check != Ipv6.Check.OK) {
            counters.inc(Counter.IP6_IN_HDR_ERRORS);
            if (icmp != null && len >= Ipv6.HEADER) {
                hdr.destination(dst);
                boolean ours = accepts(in, dst);
                switch (check) {
                    case ROUTING_HEADER, HOP_BY_HOP_NOT_FIRST -> {
                        if (ours) {
                            icmp.error(in, org.jioth.jnet.wire.Icmp6.PARAMETER_PROBLEM,
                                    check == Ipv6.Check.ROUTING_HEADER ? 0 : 1, hdr.errorPointer(), buf, off, len);
                        }
                    }
                    case UNKNOWN_OPTION_REPORT -> {
                        if (ours && !Ip6.isMulticast(dst)) {
                            icmp.error(in, org.jioth.jnet.wire.Icmp6.PARAMETER_PROBLEM, 2, hdr.errorPointer(),
                                    buf, off, len);
                        }
                    }
                    default -> { }
                }
            }
            return;
        }
        hdr.destination(dst);
        hdr.source(src);
        if (!accepts(in, dst) || Ip6.isMulticast(src)) {
            counters.inc(Counter.IP6_IN_ADDR_ERRORS);
            return;
        }
        if (hdr.hasFragmentHeader() && !hdr.isAtomicFragment()) {
            counters.inc(Counter.IP6_IN_FRAGMENTS_DROPPED);
            return;
        }
        int end = off + Ipv6.HEADER + hdr.payloadLength();
        if (hdr.upperProtocol() == Ipv6.ICMPV6 && icmp != null) {
            counters.inc(Counter.IP6_IN_DELIVERS);
            icmp.input(in, hdr, buf, end - (off + hdr.upperOffset()));
            return;
        }
        Transport t = hdr.upperProtocol() == Ipv6.TCP ? tcp : hdr.upperProtocol() == Ipv6.UDP ? udp : null;
        if (t != null) {
            counters.inc(Counter.IP6_IN_DELIVERS);
            t.input(in, hdr, buf, off + hdr.upperOffset(), end - (off + hdr.upperOffset()));
            return;
        }
        counters.inc(Counter.IP6_IN_UNKNOWN_PROTOS);
        if (icmp != null && !Ip6.isMulticast(dst)) {
            // RFC 8200 4: parameter problem code 1 for a next header nobody takes
            icmp.error(in, org.jioth.jnet.wire.Icmp6.PARAMETER_PROBLEM, 1, hdr.upperPointer(), buf, off, len);
        }
    }

    // ------------------------------------------------------------ output

    /** Where a datagram goes: filled by {@link #route}. */
    public static final class Path {
        public NetInterface iface;
        public byte[] nextHop;
    }

    /**
     * Finds the interface and next hop for {@code to} ({@code scope}: the interface index for a
     * link-local or multicast destination, 0 for none). Returns 0 or -errno.
     */
    public int route(byte[] to, int scope, Path path) {
        if (Ip6.isLinkLocal(to) || Ip6.isMulticast(to)) {
            NetInterface nic = scope > 0 ? interfaces.byIndex(scope) : onlyNic();
            if (nic == null || nic.isLoopback()) {
                return -Errno.EINVAL.value();
            }
            path.iface = nic;
            path.nextHop = to;
            return 0;
        }
        Route6 best = null;
        for (Route6 r : routes) {
            if (Ip6.samePrefix(r.destination(), to, r.prefixLength())
                    && (best == null || r.prefixLength() > best.prefixLength())) {
                best = r;
            }
        }
        if (best == null) {
            return -Errno.ENETUNREACH.value();
        }
        NetInterface nic = interfaces.byIndex(best.ifindex());
        if (nic == null || !nic.isUp()) {
            return -Errno.ENETUNREACH.value();
        }
        path.iface = nic;
        path.nextHop = best.gateway() != null ? best.gateway() : to;
        return 0;
    }

    private NetInterface onlyNic() {
        NetInterface only = null;
        for (NetInterface i : interfaces.all()) {
            if (!i.isLoopback() && !i.isDeleted()) {
                if (only != null) {
                    return null;
                }
                only = i;
            }
        }
        return only;
    }

    /** The source for {@code to} out of {@code nic}: a static address in its prefix, any static one for a global destination, else the link-local one. */
    public byte[] sourceFor(NetInterface nic, byte[] to) {
        List<Address> all = addresses(nic);
        if (!Ip6.isLinkLocal(to) && !Ip6.isMulticast(to)) {
            for (int i = 1; i < all.size(); i++) {
                if (Ip6.samePrefix(all.get(i).address(), to, all.get(i).prefixLength())) {
                    return all.get(i).address();
                }
            }
            if (all.size() > 1) {
                return all.get(1).address();
            }
        }
        return all.get(0).address();
    }

    /**
     * Sends the {@code len}-byte upper-layer message at {@code buf[at]} ({@link #HEADROOM} bytes of room
     * before it) on a known interface and next hop (ND, replies on the arrival interface). Returns 0 or
     * -errno; {@code onFailure} hears a later neighbour-resolution failure.
     */
    public int output(NetInterface nic, byte[] nextHop, byte[] from, byte[] to, int nextHeader, int hopLimit,
                      ByteBuffer buf, int at, int len, IntConsumer onFailure) {
        if (len + Ipv6.HEADER > nic.mtu()) {
            return -Errno.EMSGSIZE.value(); // no fragmentation yet
        }
        byte[] s = from != null ? from : sourceFor(nic, to);
        int ip = at - Ipv6.HEADER;
        Ipv6.emit(buf, ip, 0, 0, len, nextHeader, hopLimit, s, to);
        counters.inc(Counter.IP6_OUT_REQUESTS);
        neighbours.send(nic, nextHop, buf, ip, Ipv6.HEADER + len, onFailure);
        return 0;
    }

    /** Writes the IPv6 header only (callers that checksum over it before sending). */
    public static void header(ByteBuffer buf, int at, byte[] from, byte[] to, int nextHeader, int hopLimit, int len) {
        Ipv6.emit(buf, at - Ipv6.HEADER, 0, 0, len, nextHeader, hopLimit, from, to);
    }
}
