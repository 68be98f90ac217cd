package org.jioth.jnet.ip;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;
import java.util.random.RandomGenerator;
import org.jioth.Errno;
import org.jioth.jnet.loop.Counter;
import org.jioth.jnet.loop.Counters;
import org.jioth.jnet.loop.StackLoop;
import org.jioth.jnet.mem.Scratch;
import org.jioth.jnet.link.Interfaces;
import org.jioth.jnet.link.Neighbor6Cache;
import org.jioth.jnet.link.NetInterface;
import org.jioth.jnet.wire.Ethernet;
import org.jioth.jnet.wire.Ip128;
import org.jioth.jnet.wire.Ip6;
import org.jioth.jnet.wire.Ipv6;

/**
 * IPv6 (RFC 8200) for a host: validates datagrams and walks their extension headers with
 * {@link Ipv6}, accepts those for our usable addresses ({@link AddressTable6}: link-local made on
 * link up, static, SLAAC), the all-nodes group, the solicited-node groups of our addresses and the
 * groups joined through {@link Mld6}, reassembles fragments ({@link Reassembler6}) and hands the
 * result to ICMPv6 or the {@link Transport}s (TCP, UDP; other next headers are answered with a
 * parameter problem "unrecognized next header"). Output picks the interface and next hop (redirects,
 * static routes, prefixes and default routers from {@link RouterDiscovery6}), the source (RFC 6724,
 * simplified), fragments above the path MTU ({@link PathMtuCache}) and resolves with
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

    /** The ICMPv6 side: input, errors about datagrams we could not take, neighbour discovery's solicitations. */
    public interface Icmp extends Neighbor6Cache.Solicitor, AddressTable6.Prober, RouterDiscovery6.Solicitor {
        void input(NetInterface in, Ipv6 hdr, ByteBuffer buf, int len);

        /** Sends an error of {@code type}/{@code code} quoting the datagram at {@code ipOff}. */
        void error(NetInterface in, int type, int code, int pointer, ByteBuffer buf, int ipOff, int len);
    }

    /** An upper layer over IPv6 (TCP, UDP): its {@code len} bytes start at {@code off}. */
    public interface Transport {
        void input(NetInterface in, Ipv6 hdr, ByteBuffer buf, int off, int len);
    }

    /**
     * A gateway's hook (slirp): datagrams with a destination that is not ours (unicast) or a
     * multicast group we did not join. True delivers as if it were ours; false drops, which is also
     * how the hook takes a datagram itself.
     */
    public interface Transparent {
        boolean accept(NetInterface in, Ipv6 hdr, ByteBuffer buf);
    }

    /** The key of the flow labels; null: labels are 0. */
    private SipHash flowKey;
    private Transparent transparent;
    private Transport tcp;
    private Transport udp;
    private final Interfaces interfaces;
    private final Neighbor6Cache neighbours;
    private final Counters counters;
    private final Ipv6 hdr = new Ipv6();
    private final byte[] dst = new byte[16];
    private final byte[] src = new byte[16];
    private final List<Route6> routes = new ArrayList<>();
    private Icmp icmp;
    private final RandomGenerator random;
    private final Reassembler6 reassembler;
    private final PathMtuCache pmtu;
    /** Fragments are built here, one at a time. */
    private final Scratch fragments;
    private final AddressTable6 addresses;
    private final RouterDiscovery6 rd;
    private final Mld6 mld;

    public Ipv6Layer(Interfaces interfaces, Neighbor6Cache neighbours, Counters counters, StackLoop loop,
                     RandomGenerator random) {
        this.interfaces = interfaces;
        this.neighbours = neighbours;
        this.counters = counters;
        this.random = random;
        this.reassembler = new Reassembler6(loop, counters, this::reassemblyExpired);
        this.pmtu = new PathMtuCache(loop);
        this.fragments = loop.scratch();
        this.addresses = new AddressTable6(loop, counters, random);
        this.rd = new RouterDiscovery6(loop, counters, random, addresses, neighbours);
        this.mld = new Mld6(this, loop, counters, random, interfaces);
        addresses.setListener(new AddressTable6.Listener() {
            @Override
            public void added(NetInterface nic, Address6 a) {
                mld.addressAdded(nic, a.address);
            }

            @Override
            public void removed(Address6 a) {
                mld.addressRemoved(a.ifindex, a.address);
            }
        });
    }

    /**
     * MLDv2: the network layer's multicast memberships. The socket layer calls
     * {@code mld().join(nic, group, SourceFilter.any() / include(...) / exclude(...))} and keeps the
     * handle for {@code mld().leave(handle)} or {@code mld().change(handle, filter)}.
     */
    public Mld6 mld() {
        return mld;
    }

    /** Fragments in progress (tests and statistics). */
    public Reassembler6 reassembler() {
        return reassembler;
    }

    public PathMtuCache pathMtus() {
        return pmtu;
    }

    /**
     * The MTU for datagrams to {@code destination} (IPv6 header included): the outgoing interface's
     * MTU, lowered by Packet Too Big messages (RFC 8201), never below 1280. The transport sizes its
     * segments from it (TCP MSS = pathMtu - 60); larger datagrams are fragmented by {@link #output}.
     * {@code scope}: the interface index for a link-local destination (0: none). 0 when there is no route.
     */
    public int pathMtu(byte[] destination, int scope) {
        Path p = new Path();
        if (route(destination, scope, p) != 0) {
            return 0;
        }
        return pmtu.get(destination, rd.linkMtu(p.iface));
    }

    /** {@link #pathMtu(byte[], int)} without a scope. */
    public int pathMtu(byte[] destination) {
        return pathMtu(destination, 0);
    }

    /** The MTU toward {@code to} out of {@code nic}. */
    public int mtuFor(NetInterface nic, byte[] to) {
        return pmtu.get(to, rd.linkMtu(nic));
    }

    /**
     * A Packet Too Big validated by ICMPv6 for {@code destination}: lowers the path MTU (floor 1280).
     * Returns the new path MTU.
     */
    public int packetTooBig(NetInterface nic, byte[] destination, int mtu) {
        return pmtu.learn(destination, mtu, mtuFor(nic, destination));
    }

    private void reassemblyExpired(byte[] first, int ifindex) {
        NetInterface nic = interfaces.byIndex(ifindex);
        if (icmp != null && nic != null && first.length >= Ipv6.HEADER) {
            byte[] d = new byte[16];
            System.arraycopy(first, 24, d, 0, 16);
            if (!Ip6.isMulticast(d)) {
                icmp.error(nic, org.jioth.jnet.wire.Icmp6.TIME_EXCEEDED, org.jioth.jnet.wire.Icmp6.CODE_REASSEMBLY_EXCEEDED,
                        0, ByteBuffer.wrap(first), 0, first.length);
            }
        }
    }

    /**
     * Plugs in the layers above, made after this one (they send through it): ICMPv6, which also
     * sends the neighbour, DAD and router solicitations and the errors IPv6 and UDP report, TCP and
     * UDP (either may be null: answered as an unknown next header). Once, before the loop starts.
     */
    public void connect(Icmp icmp, Transport tcp, Transport udp) {
        this.icmp = icmp;
        this.tcp = tcp;
        this.udp = udp;
        neighbours.setSolicitor(icmp);
        addresses.setProber(icmp);
        rd.setSolicitor(icmp);
    }

    /** Sends an ICMPv6 error about a datagram that came in on {@code in} (a transport found no taker). */
    public void error(NetInterface in, int type, int code, int pointer, ByteBuffer buf, int ipOff, int len) {
        icmp.error(in, type, code, pointer, buf, ipOff, len);
    }

    public Neighbor6Cache neighbours() {
        return neighbours;
    }

    /** Transparent mode (null: off): see {@link Transparent}. */
    public void setTransparent(Transparent t) {
        transparent = t;
    }

    // ------------------------------------------------------------ addresses and routes

    /** The addresses of every interface, with DAD and lifetimes. */
    public AddressTable6 addressTable() {
        return addresses;
    }

    /** Router discovery, SLAAC, RDNSS/DNSSL and redirects. */
    public RouterDiscovery6 routerDiscovery() {
        return rd;
    }

    /** The link came up: link-local address, DAD for every address, router solicitations where enabled. */
    public void linkUp(NetInterface nic) {
        mld.linkUp(nic);
        addresses.linkUp(nic);
        rd.linkUp(nic);
    }

    /** The link went down: link-local and autoconfigured addresses and what routers told go. */
    public void linkDown(NetInterface nic) {
        addresses.linkDown(nic);
        rd.linkDown(nic);
    }

    /** The interface was deleted: its addresses, routes, router information and groups go. */
    public void linkDeleted(NetInterface nic) {
        mld.forget(nic.index);
        addresses.forget(nic.index);
        rd.forget(nic);
        routes.removeIf(r -> r.ifindex() == nic.index);
    }

    /** The hop limit of our datagrams (64, or what a router advertised). */
    public int hopLimit() {
        return rd.hopLimit();
    }

    /**
     * The interface's usable addresses (DAD done or optimistic, not duplicated): its link-local one
     * first (NICs only), then the others. The loopback has ::1.
     */
    public List<Address> addresses(NetInterface nic) {
        List<Address> all = new ArrayList<>();
        if (nic.isLoopback()) {
            byte[] lo = new byte[16];
            lo[15] = 1;
            all.add(new Address(lo, 128));
            return all;
        }
        for (Address6 x : addresses.of(nic.index)) {
            if (x.isUsable()) {
                all.add(new Address(x.address, x.prefixLength));
            }
        }
        return all;
    }

    /** True when {@code a} is one of {@code nic}'s usable addresses. */
    public boolean isOurs(NetInterface nic, byte[] a) {
        if (nic.isLoopback()) {
            return Ip6.isLoopback(a);
        }
        Address6 x = addresses.find(nic.index, a);
        return x != null && x.isUsable();
    }

    private boolean accepts(NetInterface nic, byte[] a, byte[] from) {
        if (!Ip6.isMulticast(a)) {
            return isOurs(nic, a);
        }
        if (java.util.Arrays.equals(a, Ip6.ALL_NODES)) {
            return true;
        }
        for (Address6 x : addresses.of(nic.index)) {
            // tentative addresses too: their group brings other nodes' DAD probes (RFC 4862 5.4.2)
            if (x.state() != Address6.State.DUPLICATED && Ip6.isSolicitedNodeOf(a, x.address)) {
                return true;
            }
        }
        return mld.isMember(nic, a, from);
    }

    /** The multicast groups joined on each interface with their source filters (MLD). */
    public interface Groups {
        boolean isMember(NetInterface nic, byte[] group, byte[] source);
    }

    /** Adds a static address (DAD runs) and its on-link prefix route; false when already there. */
    public boolean addAddress(NetInterface nic, byte[] a, int prefixLength) {
        if (addresses.add(nic, a, prefixLength, Address6.Origin.STATIC) == null) {
            return false;
        }
        if (prefixLength < 128) {
            addRoute(new Route6(Ip6.network(a, prefixLength), prefixLength, null, nic.index));
        }
        return true;
    }

    /** Removes a static address and, when no other address shares it, its prefix route. */
    public boolean removeAddress(NetInterface nic, byte[] a, int prefixLength) {
        if (!addresses.remove(nic.index, a, prefixLength)) {
            return false;
        }
        byte[] net = Ip6.network(a, prefixLength);
        boolean shared = addresses.of(nic.index).stream().anyMatch(x -> x.origin() == Address6.Origin.STATIC
                && x.prefixLength() == prefixLength && java.util.Arrays.equals(Ip6.network(x.address, prefixLength), net));
        if (!shared) {
            routes.removeIf(r -> r.gateway() == null && r.ifindex() == nic.index
                    && r.prefixLength() == prefixLength && java.util.Arrays.equals(r.destination(), net));
        }
        return true;
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
        datagram(in, buf, off, len, false);
    }

    private void datagram(NetInterface in, ByteBuffer buf, int off, int len, boolean reassembled) {
        Ipv6.Check check = hdr.wrap(buf, off, len);
        if (check != Ipv6.Check.OK) {
            counters.inc(Counter.IP6_IN_HDR_ERRORS);
            if (icmp != null && len >= Ipv6.HEADER) {
                hdr.destination(dst);
                hdr.source(src);
                boolean ours = accepts(in, dst, src);
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
                    case INCOMPLETE_HEADER_CHAIN -> {
                        if (ours && hdr.hasFragmentHeader() && hdr.fragmentOffset() == 0) {
                            icmp.error(in, org.jioth.jnet.wire.Icmp6.PARAMETER_PROBLEM, 3, 0, buf, off, len); // RFC 7112
                        }
                    }
                    default -> { }
                }
            }
            return;
        }
        hdr.destination(dst);
        hdr.source(src);
        if (Ip6.isMulticast(src) || !accepts(in, dst, src)
                && (transparent == null || in.isLoopback() || !transparent.accept(in, hdr, buf))) {
            counters.inc(Counter.IP6_IN_ADDR_ERRORS);
            return;
        }
        if (hdr.hasFragmentHeader() && !hdr.isAtomicFragment()) {
            if (reassembled) {
                counters.inc(Counter.IP6_IN_FRAGMENTS_DROPPED); // a fragment inside a fragmented datagram
                return;
            }
            fragment(in, buf, off, len);
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

    /**
     * A non-atomic fragment for us (atomic ones were processed whole, RFC 8021): checked as RFC 8200
     * 4.5 asks, then reassembled; a completed datagram goes through input again.
     */
    private void fragment(NetInterface in, ByteBuffer buf, int off, int len) {
        int dataAt = off + hdr.fragmentHeaderOffset() + 8;
        int dataLen = off + Ipv6.HEADER + hdr.payloadLength() - dataAt;
        boolean unicast = !Ip6.isMulticast(dst);
        if (hdr.moreFragments() && (dataLen & 7) != 0) {
            counters.inc(Counter.IP6_REASM_FAILS);
            if (icmp != null && unicast) {
                icmp.error(in, org.jioth.jnet.wire.Icmp6.PARAMETER_PROBLEM, 0, 4, buf, off, len); // the payload length
            }
            return;
        }
        if (hdr.fragmentOffset() + dataLen > 65535) {
            counters.inc(Counter.IP6_REASM_FAILS);
            if (icmp != null && unicast) {
                icmp.error(in, org.jioth.jnet.wire.Icmp6.PARAMETER_PROBLEM, 0, hdr.fragmentHeaderOffset() + 2,
                        buf, off, len); // the fragment offset
            }
            return;
        }
        int at = reassembler.add(hdr, buf, in.index);
        if (at >= 0) {
            ByteBuffer whole = reassembler.output();
            datagram(in, whole, at, Ipv6.HEADER + (whole.getShort(at + 4) & 0xffff), true);
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
        if (rd.redirected(to, path, interfaces::byIndex)) {
            return 0;
        }
        // the longest match, kept in locals: this runs for every datagram sent
        int bestLength = -1;
        byte[] gateway = null;
        int ifindex = 0;
        for (Route6 r : routes) {
            if (r.prefixLength() > bestLength && Ip6.samePrefix(r.destination(), to, r.prefixLength())) {
                bestLength = r.prefixLength();
                gateway = r.gateway();
                ifindex = r.ifindex();
            }
        }
        RouterDiscovery6.Prefix onLink = rd.onLink(to);
        if (onLink != null && onLink.prefixLength() > bestLength) {
            bestLength = onLink.prefixLength();
            gateway = null;
            ifindex = onLink.ifindex();
        }
        if (bestLength < 0) {
            RouterDiscovery6.Router r = rd.defaultRouter(interfaces::byIndex);
            if (r == null) {
                return -Errno.ENETUNREACH.value();
            }
            gateway = r.address();
            ifindex = r.ifindex();
        }
        NetInterface nic = interfaces.byIndex(ifindex);
        if (nic == null || !nic.isUp()) {
            return -Errno.ENETUNREACH.value();
        }
        path.iface = nic;
        path.nextHop = gateway != null ? gateway : to;
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

    /**
     * The source for {@code to} out of {@code nic} (RFC 6724, simplified): for a link-local or
     * multicast destination the link-local address; else a global one, preferred before optimistic
     * before deprecated, in {@code to}'s prefix first; the link-local one when there is none. While
     * every address is tentative (strict DAD) the link-local one is used anyway.
     */
    public byte[] sourceFor(NetInterface nic, byte[] to) {
        List<Address6> all = addresses.of(nic.index);
        if (nic.isLoopback() || all.isEmpty()) {
            byte[] lo = new byte[16];
            lo[15] = 1;
            return nic.isLoopback() ? lo : Ip6.linkLocal(nic.mac());
        }
        Address6 best = null;
        int bestRank = Integer.MAX_VALUE;
        if (!Ip6.isLinkLocal(to) && !Ip6.isMulticast(to)) {
            for (Address6 x : all) {
                if (!x.isUsable() || Ip6.isLinkLocal(x.address)) {
                    continue;
                }
                int rank = x.state().ordinal() * 2 + (Ip6.samePrefix(x.address, to, x.prefixLength) ? 0 : 1);
                if (rank < bestRank) {
                    best = x;
                    bestRank = rank;
                }
            }
        }
        if (best != null) {
            return best.address;
        }
        for (Address6 x : all) {
            if (x.origin() == Address6.Origin.LINK_LOCAL) {
                return x.address;
            }
        }
        return all.get(0).address;
    }

    /**
     * Sends the {@code len}-byte upper-layer message at {@code buf[at]} ({@link #HEADROOM} bytes of room
     * before it) on a known interface and next hop (ND, replies on the arrival interface). Returns 0 or
     * -errno; {@code onFailure} hears a later neighbour-resolution failure.
     */
    public int output(NetInterface nic, byte[] nextHop, byte[] from, byte[] to, int nextHeader, int hopLimit,
                      ByteBuffer buf, int at, int len, IntConsumer onFailure) {
        byte[] s = from != null ? from : sourceFor(nic, to);
        int mtu = Ip6.isMulticast(to) ? rd.linkMtu(nic) : mtuFor(nic, to);
        int label = flowLabel(s, to, nextHeader, buf, at, len);
        if (len + Ipv6.HEADER > mtu) {
            return fragmentOut(nic, nextHop, s, to, nextHeader, hopLimit, label, buf, at, len, mtu, onFailure);
        }
        int ip = at - Ipv6.HEADER;
        Ipv6.emit(buf, ip, 0, label, len, nextHeader, hopLimit, s, to);
        counters.inc(Counter.IP6_OUT_REQUESTS);
        neighbours.send(nic, nextHop, buf, ip, Ipv6.HEADER + len, onFailure);
        return 0;
    }

    /**
     * Sends the upper-layer message at {@code buf[at, at+len)} in fragments that fit {@code mtu} (RFC
     * 8200 4.5): our datagrams have no extension headers, so the unfragmentable part is the fixed
     * header. The identification is random per datagram (RFC 7739).
     */
    private int fragmentOut(NetInterface nic, byte[] nextHop, byte[] from, byte[] to, int nextHeader, int hopLimit,
                            int label, ByteBuffer buf, int at, int len, int mtu, IntConsumer onFailure) {
        if (len > 65535 - 8) {
            counters.inc(Counter.IP6_FRAG_FAILS);
            return -Errno.EMSGSIZE.value();
        }
        int chunk = (mtu - Ipv6.HEADER - 8) & ~7;
        int id = random.nextInt();
        int ip = Ethernet.HEADER;
        ByteBuffer f = fragments.get(ip + mtu + NetInterface.MIN_FRAME);
        counters.inc(Counter.IP6_OUT_REQUESTS);
        for (int done = 0; done < len; done += chunk) {
            int n = Math.min(chunk, len - done);
            boolean more = done + n < len;
            Ipv6.emit(f, ip, 0, label, 8 + n, Ipv6.FRAGMENT, hopLimit, from, to);
            f.put(ip + Ipv6.HEADER, (byte) nextHeader);
            f.put(ip + Ipv6.HEADER + 1, (byte) 0);
            f.putShort(ip + Ipv6.HEADER + 2, (short) (done | (more ? 1 : 0)));
            f.putInt(ip + Ipv6.HEADER + 4, id);
            f.put(ip + Ipv6.HEADER + 8, buf, at + done, n);
            counters.inc(Counter.IP6_FRAG_CREATES);
            neighbours.send(nic, nextHop, f, ip, Ipv6.HEADER + 8 + n, onFailure);
        }
        counters.inc(Counter.IP6_FRAG_OKS);
        return 0;
    }

    /**
     * Keys the flow labels (RFC 6437) of TCP and UDP datagrams: a keyed hash of the addresses, the
     * protocol and the ports, so each flow keeps one label that others cannot predict (the key comes
     * from the stack's secret source). Without a key every label is 0 (unlabelled).
     */
    public void setFlowLabelKey(long k0, long k1) {
        this.flowKey = new SipHash(k0, k1);
    }

    /** The 20-bit flow label of a TCP or UDP datagram (never 0 once keyed); 0 for the other protocols. */
    int flowLabel(byte[] from, byte[] to, int nextHeader, ByteBuffer buf, int at, int len) {
        if (flowKey == null || (nextHeader != Ipv6.TCP && nextHeader != Ipv6.UDP) || len < 4) {
            return 0;
        }
        long ports = buf.getInt(at) & 0xffffffffL;
        long h = flowKey.hash(Ip128.hi(from), Ip128.lo(from), Ip128.hi(to), Ip128.lo(to) ^ (ports << 8 | nextHeader));
        int label = (int) (h ^ h >>> 20 ^ h >>> 40) & 0xfffff;
        return label != 0 ? label : 1;
    }

    /** Writes the IPv6 header only (callers that checksum over it before sending). */
    public static void header(ByteBuffer buf, int at, byte[] from, byte[] to, int nextHeader, int hopLimit, int len) {
        Ipv6.emit(buf, at - Ipv6.HEADER, 0, 0, len, nextHeader, hopLimit, from, to);
    }
}
