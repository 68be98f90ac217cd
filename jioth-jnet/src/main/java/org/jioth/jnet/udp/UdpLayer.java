package org.jioth.jnet.udp;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import org.jioth.Errno;
import org.jioth.jnet.loop.Counter;
import org.jioth.jnet.loop.Counters;
import org.jioth.jnet.ip.DualStack;
import org.jioth.jnet.ip.Ipv4Layer;
import org.jioth.jnet.ip.Ipv6Layer;
import org.jioth.jnet.link.Interfaces;
import org.jioth.jnet.link.NetInterface;
import org.jioth.jnet.wire.Icmp4;
import org.jioth.jnet.wire.Icmp6;
import org.jioth.jnet.wire.Ip128;
import org.jioth.jnet.wire.Ip4;
import org.jioth.jnet.wire.Ip6;
import org.jioth.jnet.wire.Ipv4;
import org.jioth.jnet.wire.Ipv6;
import org.jioth.jnet.wire.Udp;

/**
 * UDP (RFC 768): binding with random ephemeral ports and SO_REUSEADDR, demultiplexing by
 * (local address, local port, remote address, remote port) with the most specific socket winning,
 * broadcast and multicast delivery to every matching socket, port unreachable for the rest, and
 * ICMP errors handed to connected sockets. Loop-only (endpoints' queues excepted).
 *
 * <p>Both families: endpoints hold {@link Ip128} addresses, so an INET6 endpoint on {@code ::}
 * takes IPv4 datagrams too (v4-mapped) unless IPV6_V6ONLY, with Linux's scoring and bind
 * conflicts ({@link DualStack}). Over IPv6 the checksum is mandatory: a zero one is dropped and
 * counted (Udp.InCsumErrors); unreachable ports are answered with ICMPv6 port unreachable.
 */
public final class UdpLayer implements Ipv4Layer.Transport, Ipv6Layer.Transport {
    public static final int EPHEMERAL_LOW = 32768;
    public static final int EPHEMERAL_HIGH = 60999;
    /** The largest payload of one IPv4 UDP datagram. */
    public static final int MAX_PAYLOAD = 65535 - Ipv4.HEADER - Udp.HEADER;
    /** Groups one socket may join, as Linux's IP_MAX_MEMBERSHIPS (a socket never grows the tables past it). */
    public static final int MAX_MEMBERSHIPS = 20;

    private final Ipv4Layer ip;
    private final Interfaces interfaces;
    private final Counters counters;
    /** Udp.InDatagrams, counted by the endpoint as it queues a datagram (before a reader can see it). */
    private final Runnable countInDatagram;
    private final RandomGenerator random;
    private final Map<Integer, List<UdpEndpoint>> byPort = new HashMap<>();
    private final Udp udp = new Udp();
    /** Datagrams are built here: allocated on the first send, given back when the stack idles. */
    private final org.jioth.jnet.mem.Scratch scratch;
    private Ipv4Layer.Transport transparent;
    private Ipv6Layer.Transport transparent6;
    /** Charged by every queued datagram (null: nothing charged). */
    private org.jioth.jnet.mem.MemoryBudget memory;
    private final Ipv6Layer ip6;
    private final Ipv6Layer.Path path6 = new Ipv6Layer.Path();
    private final byte[] src6 = new byte[16];
    private final byte[] dst6 = new byte[16];
    /** The multicast group of the datagram being demultiplexed (null: not multicast). */
    private org.jioth.jnet.ip.SourceFilter.Source group;

    /** UDP over {@code ip} and {@code ip6} (null: IPv4 only); each sends the port unreachables of its datagrams. */
    public UdpLayer(Ipv4Layer ip, Ipv6Layer ip6, Interfaces interfaces, Counters counters, RandomGenerator random) {
        this.ip = ip;
        this.ip6 = ip6;
        this.interfaces = interfaces;
        this.counters = counters;
        this.countInDatagram = () -> counters.inc(Counter.UDP_IN_DATAGRAMS);
        this.random = random;
        this.scratch = ip.scratch();
    }

    /** The stack's memory budget, charged by the receive queues. */
    public void setMemory(org.jioth.jnet.mem.MemoryBudget memory) {
        this.memory = memory;
    }

    /** Transparent mode (slirp gateways): datagrams to a port no socket is bound to go to {@code t} (null: off). */
    public void setTransparent(Ipv4Layer.Transport t) {
        transparent = t;
    }

    /** {@link #setTransparent} for IPv6: unicast datagrams to a port no socket is bound to go to {@code t}. */
    public void setTransparent6(Ipv6Layer.Transport t) {
        transparent6 = t;
    }

    /** Binds {@code ep} to {@code addr:port} (port 0: ephemeral). 0 or -errno. */
    public int bind(UdpEndpoint ep, int addr, int port) {
        return bind(ep, 0, Ip128.lo4(addr), port);
    }

    /** Binds {@code ep} to an address of either family ({@link Ip128}) and port. 0 or -errno, as Linux. */
    public int bind(UdpEndpoint ep, long hi, long lo, int port) {
        if (ep.localPort != 0) {
            return -Errno.EINVAL.value();
        }
        int r = checkLocal(ep, hi, lo);
        if (r != 0) {
            return r;
        }
        if (port == 0) {
            port = ephemeral(ep, 0);
            if (port == 0) {
                return -Errno.EADDRINUSE.value();
            }
        } else if (!available(ep, hi, lo, port)) {
            return -Errno.EADDRINUSE.value();
        }
        ep.localHi = hi;
        ep.localLo = lo;
        ep.localPort = port;
        ep.memory = memory; // once here, not per datagram delivered
        byPort.computeIfAbsent(port, p -> new ArrayList<>(2)).add(ep);
        return 0;
    }

    private int checkLocal(UdpEndpoint ep, long hi, long lo) {
        if (Ip128.isV4(hi, lo)) {
            if (ep.inet6 && ep.v6only && lo != Ip128.MAPPED) {
                return -Errno.EINVAL.value(); // a v4-mapped address on an IPV6_V6ONLY socket
            }
            int addr = (int) lo;
            if (addr != 0 && addr != Ip4.BROADCAST && !Ip4.isMulticast(addr) && interfaces.owner(addr) == null
                    && !isLocalBroadcast(addr)) {
                return -Errno.EADDRNOTAVAIL.value();
            }
            return 0;
        }
        if (!ep.inet6) {
            return -Errno.EAFNOSUPPORT.value();
        }
        if (hi == 0 && lo == 0 || (hi >>> 56) == 0xff) {
            return 0; // :: or a multicast group
        }
        byte[] a = Ip128.bytes(hi, lo, new byte[16]);
        for (NetInterface nic : interfaces.all()) {
            if (ip6 != null && !nic.isDeleted() && ip6.isOurs(nic, a)) {
                return 0;
            }
        }
        return -Errno.EADDRNOTAVAIL.value();
    }

    private boolean isLocalBroadcast(int addr) {
        for (NetInterface i : interfaces.all()) {
            if (i.isBroadcastOf(addr)) {
                return true;
            }
        }
        return false;
    }

    private boolean available(UdpEndpoint ep, long hi, long lo, int port) {
        List<UdpEndpoint> l = byPort.get(port);
        if (l == null) {
            return true;
        }
        for (UdpEndpoint o : l) {
            boolean overlap = DualStack.overlaps(o.inet6, o.v6only, o.localHi, o.localLo, ep.inet6, ep.v6only, hi, lo);
            if (overlap && !(o.reuseAddress && ep.reuseAddress)) {
                return false;
            }
        }
        return true;
    }

    private int ephemeral(UdpEndpoint ep, int addr) {
        int range = EPHEMERAL_HIGH - EPHEMERAL_LOW + 1;
        int start = random.nextInt(range);
        for (int i = 0; i < range; i++) {
            int p = EPHEMERAL_LOW + (start + i) % range;
            if (!byPort.containsKey(p)) {
                return p;
            }
        }
        return 0;
    }

    /** The interface named {@code name}, else the one with {@code index}, else the only non-loopback one; null. */
    public NetInterface interfaceFor(String name, int index) {
        NetInterface nic = interfaces.byName(name);
        if (nic == null) {
            nic = interfaces.byIndex(index);
        }
        if (nic == null) {
            NetInterface only = null;
            int n = 0;
            for (NetInterface i : interfaces.all()) {
                if (!i.isLoopback() && !i.isDeleted()) {
                    only = i;
                    n++;
                }
            }
            nic = n == 1 ? only : null;
        }
        return nic == null || nic.isDeleted() ? null : nic;
    }

    private org.jioth.jnet.ip.GroupReporter reporter(byte[] group) {
        return group.length == 4 ? ip.igmp() : ip6 == null ? null : ip6.mld();
    }

    /**
     * Joins {@code group} (4 or 16 bytes) on {@code nic} for {@code ep} with {@code filter}: the network
     * layer merges the memberships of all sockets per (interface, group), so it reports only changes of
     * the merged state. Returns the handle for {@link #leave} and {@link #change}. Throws
     * IllegalArgumentException (not multicast, past the bounds) or IllegalStateException (too many groups).
     */
    public org.jioth.jnet.ip.GroupMemberships.Membership join(UdpEndpoint ep, NetInterface nic, byte[] group,
            org.jioth.jnet.ip.SourceFilter filter) {
        org.jioth.jnet.ip.GroupReporter r = reporter(group);
        if (r == null) {
            throw new IllegalArgumentException("this stack has no IPv6 layer");
        }
        if (ep.joined.size() >= MAX_MEMBERSHIPS) {
            throw new IllegalStateException("more than " + MAX_MEMBERSHIPS + " memberships on one socket");
        }
        org.jioth.jnet.ip.GroupMemberships.Membership m = r.join(nic, group, filter);
        ep.joined.add(new UdpEndpoint.Joined(nic.index, org.jioth.jnet.ip.SourceFilter.Source.of(group), m));
        return m;
    }

    /** Leaves one of {@code ep}'s memberships (idempotent); the last socket's leave is reported. */
    public void leave(UdpEndpoint ep, org.jioth.jnet.ip.GroupMemberships.Membership m) {
        if (ep.joined.removeIf(j -> j.membership() == m)) {
            reporter(m.group()).leave(m);
        }
    }

    /** Changes the source filter of one of {@code ep}'s memberships (block, unblock). */
    public void change(UdpEndpoint ep, org.jioth.jnet.ip.GroupMemberships.Membership m,
            org.jioth.jnet.ip.SourceFilter filter) {
        for (UdpEndpoint.Joined j : ep.joined) {
            if (j.membership() == m) {
                reporter(m.group()).change(m, filter);
            }
        }
    }

    /** Whether {@code ep} joined {@code group} on {@code ifindex} with a filter that lets {@code source} in. */
    private static boolean joined(UdpEndpoint ep, int ifindex, org.jioth.jnet.ip.SourceFilter.Source group,
            org.jioth.jnet.ip.SourceFilter.Source source) {
        for (UdpEndpoint.Joined j : ep.joined) {
            if (j.ifindex() == ifindex && j.group().equals(group) && j.membership().filter().accepts(source)) {
                return true;
            }
        }
        return false;
    }

    /** Forgets {@code ep} (close): its memberships are left. */
    public void unbind(UdpEndpoint ep) {
        while (!ep.joined.isEmpty()) {
            leave(ep, ep.joined.get(ep.joined.size() - 1).membership());
        }
        List<UdpEndpoint> l = byPort.get(ep.localPort);
        if (l != null) {
            l.remove(ep);
            if (l.isEmpty()) {
                byPort.remove(ep.localPort);
            }
        }
    }

    /** Connects {@code ep} to {@code addr:port} (binding it first if needed). 0 or -errno. */
    public int connect(UdpEndpoint ep, int addr, int port) {
        return connect(ep, 0, Ip128.lo4(addr), port, 0);
    }

    /**
     * Connects {@code ep} to an address of either family ({@code scope}: the interface of a
     * link-local IPv6 peer), binding it first if needed; an INET6 endpoint reaches a v4-mapped
     * address over IPv4. 0 or -errno.
     */
    public int connect(UdpEndpoint ep, long hi, long lo, int port, int scope) {
        int r = checkFamily(ep, hi, lo);
        if (r != 0) {
            return r;
        }
        long shi;
        long slo;
        if (Ip128.isV4(hi, lo)) {
            int addr = (int) lo;
            if (addr == 0 || port == 0) {
                return -Errno.EINVAL.value();
            }
            if ((addr == Ip4.BROADCAST || isLocalBroadcast(addr)) && !ep.broadcast) {
                return -Errno.EACCES.value();
            }
            r = ip.route(addr, ep.localAddress());
            if (r != 0) {
                return r;
            }
            int src = ip.path().source;
            shi = 0;
            slo = src == 0 ? ep.localLo : Ip128.lo4(src);
            scope = 0;
        } else {
            if (hi == 0 && lo == 0 || port == 0) {
                return -Errno.EINVAL.value();
            }
            r = route6(hi, lo, scope);
            if (r != 0) {
                return r;
            }
            byte[] from = source6(ep);
            shi = Ip128.hi(from);
            slo = Ip128.lo(from);
            scope = Ip6.isLinkLocal(dst6) ? path6.iface.index : 0;
        }
        if (ep.localPort == 0) {
            r = bind(ep, ep.localHi, ep.localLo, 0);
            if (r != 0) {
                return r;
            }
        }
        if (Ip128.isAny(ep.localHi, ep.localLo)) {
            // as Linux: getsockname shows the chosen source once connected
            ep.localHi = shi;
            ep.localLo = slo;
        }
        ep.remoteHi = hi;
        ep.remoteLo = lo;
        ep.scope = scope;
        ep.remotePort = port;
        ep.takeError();
        return 0;
    }

    /** Linux's errnos for a destination of the wrong family. */
    private static int checkFamily(UdpEndpoint ep, long hi, long lo) {
        if (Ip128.isV4(hi, lo)) {
            return ep.inet6 && ep.v6only ? -Errno.ENETUNREACH.value() : 0;
        }
        return ep.inet6 ? 0 : -Errno.EAFNOSUPPORT.value();
    }

    /** Routes to {@code hi/lo} into {@link #path6} (its bytes in {@link #dst6}). 0 or -errno. */
    private int route6(long hi, long lo, int scope) {
        if (ip6 == null) {
            return -Errno.ENETUNREACH.value();
        }
        Ip128.bytes(hi, lo, dst6);
        int r = ip6.route(dst6, scope, path6);
        if (r != 0) {
            counters.inc(Counter.IP6_OUT_NO_ROUTES);
        }
        return r;
    }

    /** The IPv6 source for the routed {@link #path6}: the bound address, else the interface's choice. */
    private byte[] source6(UdpEndpoint ep) {
        if (Ip128.isAny(ep.localHi, ep.localLo) || Ip128.isV4(ep.localHi, ep.localLo) || (ep.localHi >>> 56) == 0xff) {
            return ip6.sourceFor(path6.iface, dst6);
        }
        return Ip128.bytes(ep.localHi, ep.localLo, src6);
    }

    /** Undoes {@link #connect}: the local address goes back to the one bound (a wildcard). */
    public void disconnect(UdpEndpoint ep, long boundHi, long boundLo) {
        ep.remoteHi = 0;
        ep.remoteLo = Ip128.MAPPED;
        ep.remotePort = 0;
        ep.scope = 0;
        ep.localHi = boundHi;
        ep.localLo = boundLo;
    }

    /**
     * Sends {@code len} bytes of {@code data} from {@code off} to {@code dst:dport}, binding
     * {@code ep} first when needed. Returns {@code len} or -errno.
     */
    public int send(UdpEndpoint ep, int dst, int dport, ByteBuffer data, int off, int len) {
        return send(ep, 0, Ip128.lo4(dst), dport, 0, data, off, len);
    }

    /** {@link #send(UdpEndpoint, int, int, ByteBuffer, int, int)} to an address of either family. */
    public int send(UdpEndpoint ep, long hi, long lo, int dport, int scope, ByteBuffer data, int off, int len) {
        int r = checkFamily(ep, hi, lo);
        if (r != 0) {
            return r;
        }
        if (!Ip128.isV4(hi, lo)) {
            return send6(ep, hi, lo, dport, scope, data, off, len);
        }
        int dst = (int) lo;
        if (len > MAX_PAYLOAD) {
            counters.inc(Counter.UDP_SNDBUF_ERRORS);
            return -Errno.EMSGSIZE.value();
        }
        if (dport == 0 || dst == 0) {
            return -Errno.EINVAL.value();
        }
        if ((dst == Ip4.BROADCAST || isLocalBroadcast(dst)) && !ep.broadcast) {
            return -Errno.EACCES.value();
        }
        if (ep.localPort == 0) {
            r = bind(ep, ep.localHi, ep.localLo, 0);
            if (r != 0) {
                return r;
            }
        }
        int src = ep.localAddress();
        if (src == Ip4.BROADCAST || Ip4.isMulticast(src) || isLocalBroadcast(src)) {
            src = 0;
        }
        NetInterface via = null;
        if (Ip4.isMulticast(dst)) {
            via = multicastInterface(ep, dst, src);
            if (via == null) {
                counters.inc(Counter.IP_OUT_NO_ROUTES);
                return -Errno.ENETUNREACH.value();
            }
            src = src != 0 ? src : via.sourceFor(dst);
            if (src == 0) {
                return -Errno.EADDRNOTAVAIL.value();
            }
        } else {
            r = ip.route(dst, src);
            if (r != 0) {
                counters.inc(Counter.IP_OUT_NO_ROUTES);
                return r;
            }
            src = ip.path().source;
        }
        int at = Ipv4Layer.HEADROOM;
        ByteBuffer tx = scratch.get(at + Udp.HEADER + len);
        tx.put(at + Udp.HEADER, data, off, len);
        Udp.emit(tx, at, ep.localPort, dport, Udp.HEADER + len, src, dst);
        if (via != null) {
            if (ep.multicastLoop) {
                loopBack(via, tx, at, len, 0, Ip128.lo4(src), 0, Ip128.lo4(dst), udp.wrap(tx, at, Udp.HEADER + len, src, dst));
            }
            r = ip.outputVia(via, src, dst, Ipv4.PROTO_UDP, ep.tos, ep.multicastTtl, tx, at, Udp.HEADER + len,
                    errno -> { if (ep.isConnected()) { ep.setError(errno); } });
        } else {
            r = ip.output(src, dst, Ipv4.PROTO_UDP, ep.tos, ep.ttl, false, tx, at, Udp.HEADER + len,
                    errno -> { if (ep.isConnected()) { ep.setError(errno); } });
        }
        if (r != 0) {
            return r;
        }
        counters.inc(Counter.UDP_OUT_DATAGRAMS);
        return len;
    }

    /**
     * The interface an IPv4 multicast datagram leaves by: IP_MULTICAST_IF, else the route's (a 224/4
     * or default route), else the first up non-loopback interface with an address; null when none.
     */
    private NetInterface multicastInterface(UdpEndpoint ep, int dst, int src) {
        if (ep.multicastIf != 0) {
            NetInterface nic = interfaces.byIndex(ep.multicastIf);
            return nic != null && nic.isUp() && !nic.isDeleted() ? nic : null;
        }
        if (ip.route(dst, src) == 0 && !ip.path().local) {
            return ip.path().iface;
        }
        for (NetInterface i : interfaces.all()) {
            if (!i.isLoopback() && i.isUp() && !i.isDeleted() && !i.addresses().isEmpty()) {
                return i;
            }
        }
        return null;
    }

    /**
     * IP_MULTICAST_LOOP: the datagram built at {@code tx[at]} goes to our own sockets that joined the
     * group on {@code via} too, as if it had come in there ({@code check} is its re-parse in {@link #udp}).
     */
    private void loopBack(NetInterface via, ByteBuffer tx, int at, int len, long shi, long slo, long dhi, long dlo,
            Udp.Check check) {
        if (check != Udp.Check.OK) {
            return;
        }
        group = source(dhi, dlo);
        List<UdpEndpoint> l = byPort.get(udp.destinationPort());
        if (l != null) {
            demux(via, l, true, dhi, dlo, shi, slo, (shi >>> 48) == 0xfe80 ? via.index : 0, tx);
        }
    }

    private int send6(UdpEndpoint ep, long hi, long lo, int dport, int scope, ByteBuffer data, int off, int len) {
        if (len > 65535 - Udp.HEADER) {
            counters.inc(Counter.UDP_SNDBUF_ERRORS);
            return -Errno.EMSGSIZE.value();
        }
        if (dport == 0 || hi == 0 && lo == 0) {
            return -Errno.EINVAL.value();
        }
        if (ep.localPort == 0) {
            int r = bind(ep, ep.localHi, ep.localLo, 0);
            if (r != 0) {
                return r;
            }
        }
        boolean multicast = (hi >>> 56) == 0xff;
        if (multicast && scope == 0 && ep.multicastIf != 0) {
            scope = ep.multicastIf; // IP_MULTICAST_IF (IPV6_MULTICAST_IF)
        }
        int r = route6(hi, lo, scope);
        if (r != 0) {
            return r;
        }
        byte[] from = source6(ep);
        int at = Ipv6Layer.HEADROOM;
        ByteBuffer tx = scratch.get(at + Udp.HEADER + len);
        tx.put(at + Udp.HEADER, data, off, len);
        long sum = Ip128.sum(Ip128.hi(from), Ip128.lo(from)) + Ip128.sum(hi, lo);
        Udp.emit(tx, at, ep.localPort, dport, Udp.HEADER + len, sum);
        if (multicast && ep.multicastLoop) {
            loopBack(path6.iface, tx, at, len, Ip128.hi(from), Ip128.lo(from), hi, lo,
                    udp.wrap6(tx, at, Udp.HEADER + len, sum));
        }
        int hops = multicast ? ep.multicastTtl : ep.ttl;
        r = ip6.output(path6.iface, path6.nextHop, from, dst6, Ipv6.UDP, hops, tx, at, Udp.HEADER + len,
                errno -> { if (ep.isConnected()) { ep.setError(errno); } });
        if (r != 0) {
            return r;
        }
        counters.inc(Counter.UDP_OUT_DATAGRAMS);
        return len;
    }

    @Override
    public void input(NetInterface in, Ipv4 hdr, ByteBuffer buf) {
        int src = hdr.source();
        int dst = hdr.destination();
        Udp.Check check = udp.wrap(buf, hdr.payloadOffset(), hdr.payloadLength(), src, dst);
        if (check != Udp.Check.OK) {
            badDatagram(check);
            return;
        }
        List<UdpEndpoint> l = byPort.get(udp.destinationPort());
        if (l == null && transparent != null) {
            transparent.input(in, hdr, buf);
            return;
        }
        boolean multi = dst == Ip4.BROADCAST || Ip4.isMulticast(dst) || in.isBroadcastOf(dst);
        group = Ip4.isMulticast(dst) ? source(0, Ip128.lo4(dst)) : null;
        if (!demux(in, l, multi, 0, Ip128.lo4(dst), 0, Ip128.lo4(src), 0, buf) && !multi) {
            ip.error(Icmp4.DEST_UNREACHABLE, Icmp4.CODE_PORT_UNREACHABLE, 0, buf, hdr.offset(),
                    hdr.totalLength(), in);
        }
    }

    /** A UDP datagram over IPv6: {@code len} bytes at {@code off} in the datagram {@code hdr} views. */
    @Override
    public void input(NetInterface in, Ipv6 hdr, ByteBuffer buf, int off, int len) {
        int ip = hdr.offset();
        long shi = Ip128.hi(buf, ip + 8);
        long slo = Ip128.lo(buf, ip + 8);
        long dhi = Ip128.hi(buf, ip + 24);
        long dlo = Ip128.lo(buf, ip + 24);
        if (Ip128.isV4(shi, slo) || Ip128.isV4(dhi, dlo)) {
            counters.inc(Counter.UDP_IN_ERRORS); // v4-mapped addresses never travel in IPv6 headers
            return;
        }
        Udp.Check check = udp.wrap6(buf, off, len, Ip128.sum(shi, slo) + Ip128.sum(dhi, dlo));
        if (check != Udp.Check.OK) {
            badDatagram(check);
            return;
        }
        boolean multi = (dhi >>> 56) == 0xff;
        int scope = (shi >>> 48) == 0xfe80 ? in.index : 0;
        List<UdpEndpoint> bound = byPort.get(udp.destinationPort());
        if (bound == null && !multi && transparent6 != null) {
            transparent6.input(in, hdr, buf, off, len);
            return;
        }
        group = multi ? new org.jioth.jnet.ip.SourceFilter.Source(dhi, dlo, 16) : null;
        if (!demux(in, bound, multi, dhi, dlo, shi, slo, scope, buf) && !multi) {
            ip6.error(in, Icmp6.DEST_UNREACHABLE, Icmp6.CODE_PORT_UNREACHABLE, 0, buf, ip,
                    Ipv6.HEADER + hdr.payloadLength());
        }
    }

    private void badDatagram(Udp.Check check) {
        counters.inc(Counter.UDP_IN_ERRORS);
        if (check == Udp.Check.BAD_CHECKSUM) {
            counters.inc(Counter.UDP_IN_CSUM_ERRORS);
        }
    }

    /**
     * Delivers the datagram in {@link #udp} to the endpoints of its port {@code l} (null: none):
     * every matching one for a multicast or broadcast, else the best match. False when nobody took
     * it (counted as Udp.NoPorts).
     */
    private boolean demux(NetInterface in, List<UdpEndpoint> l, boolean multi, long dhi, long dlo, long shi, long slo, int scope,
            ByteBuffer buf) {
        int sport = udp.sourcePort();
        if (multi) {
            boolean any = false;
            if (l != null) {
                for (UdpEndpoint ep : l) {
                    if (DualStack.score(ep.inet6, ep.v6only, ep.localHi, ep.localLo, dhi, dlo) > 0
                            && matchesRemote(ep, shi, slo, sport)
                            && (group == null || joined(ep, in.index, group, source(shi, slo)))) {
                        any = true;
                        deliver(ep, shi, slo, sport, scope, buf);
                    }
                }
            }
            if (!any) {
                counters.inc(Counter.UDP_NO_PORTS);
            }
            return any;
        }
        UdpEndpoint best = null;
        int bestScore = 0;
        if (l != null) {
            for (UdpEndpoint ep : l) {
                int score = DualStack.score(ep.inet6, ep.v6only, ep.localHi, ep.localLo, dhi, dlo);
                if (score == 0 || !matchesRemote(ep, shi, slo, sport)) {
                    continue;
                }
                score += ep.remotePort != 0 ? 8 : 0; // a connected socket beats any bound one
                if (score > bestScore) {
                    best = ep;
                    bestScore = score;
                }
            }
        }
        if (best == null) {
            counters.inc(Counter.UDP_NO_PORTS);
            return false;
        }
        deliver(best, shi, slo, sport, scope, buf);
        return true;
    }

    /** A datagram's source as {@link org.jioth.jnet.ip.SourceFilter} compares it (4 bytes for IPv4). */
    private static org.jioth.jnet.ip.SourceFilter.Source source(long hi, long lo) {
        return Ip128.isV4(hi, lo) ? new org.jioth.jnet.ip.SourceFilter.Source((lo & 0xffffffffL) << 32, 0, 4)
                : new org.jioth.jnet.ip.SourceFilter.Source(hi, lo, 16);
    }

    private static boolean matchesRemote(UdpEndpoint ep, long shi, long slo, int sport) {
        return ep.remotePort == 0 || ep.remoteLo == slo && ep.remoteHi == shi && ep.remotePort == sport;
    }

    private void deliver(UdpEndpoint ep, long shi, long slo, int sport, int scope, ByteBuffer buf) {
        byte[] data = new byte[udp.payloadLength()];
        buf.get(udp.payloadOffset(), data);
        if (!ep.enqueue(shi, slo, sport, scope, data, countInDatagram)) {
            counters.inc(Counter.UDP_RCVBUF_ERRORS);
            counters.inc(Counter.UDP_IN_ERRORS);
        }
    }

    /** Puts back a datagram taken off the queue (connect keeps the peer's ones). */
    public void requeue(UdpEndpoint ep, UdpEndpoint.Datagram d) {
        ep.enqueue(d.sourceHi(), d.sourceLo(), d.sourcePort(), d.scope(), d.data());
    }

    /** An ICMPv6 error about a datagram we sent ({@link Ip128} addresses): connected sockets hear it. */
    public void icmpError6(long lhi, long llo, int lport, long rhi, long rlo, int rport, int errno) {
        List<UdpEndpoint> l = byPort.get(lport);
        if (l == null) {
            return;
        }
        for (UdpEndpoint ep : l) {
            if (ep.remoteHi == rhi && ep.remoteLo == rlo && ep.remotePort == rport
                    && (Ip128.isAny(ep.localHi, ep.localLo) || ep.localHi == lhi && ep.localLo == llo)) {
                ep.setError(errno);
            }
        }
    }

    /** An ICMP error about a datagram we sent from {@code lsrc:lport} to {@code rdst:rport}. */
    public void icmpError(int lsrc, int lport, int rdst, int rport, int errno) {
        List<UdpEndpoint> l = byPort.get(lport);
        if (l == null) {
            return;
        }
        for (UdpEndpoint ep : l) {
            // As Linux without IP_RECVERR: only connected sockets hear about errors.
            if (ep.remoteHi == 0 && ep.remoteLo == Ip128.lo4(rdst) && ep.remotePort == rport
                    && (ep.localAddress() == 0 || ep.localAddress() == lsrc)) {
                ep.setError(errno);
            }
        }
    }
}
