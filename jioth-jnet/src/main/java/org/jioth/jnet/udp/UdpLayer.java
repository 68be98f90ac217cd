package org.jioth.jnet.udp;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import org.jioth.Errno;
import org.jioth.jnet.Counter;
import org.jioth.jnet.Counters;
import org.jioth.jnet.ip.Ipv4Layer;
import org.jioth.jnet.link.Interfaces;
import org.jioth.jnet.link.NetInterface;
import org.jioth.jnet.wire.Icmp4;
import org.jioth.jnet.wire.Ip4;
import org.jioth.jnet.wire.Ipv4;
import org.jioth.jnet.wire.Udp;

/**
 * UDP (RFC 768): binding with random ephemeral ports and SO_REUSEADDR, demultiplexing by
 * (local address, local port, remote address, remote port) with the most specific socket winning,
 * broadcast and multicast delivery to every matching socket, port unreachable for the rest, and
 * ICMP errors handed to connected sockets. Loop-only (endpoints' queues excepted).
 */
public final class UdpLayer implements Ipv4Layer.Transport {
    public static final int EPHEMERAL_LOW = 32768;
    public static final int EPHEMERAL_HIGH = 60999;
    /** The largest payload of one IPv4 UDP datagram. */
    public static final int MAX_PAYLOAD = 65535 - Ipv4.HEADER - Udp.HEADER;

    private final Ipv4Layer ip;
    private final Interfaces interfaces;
    private final Counters counters;
    private final RandomGenerator random;
    private final Map<Integer, List<UdpEndpoint>> byPort = new HashMap<>();
    private final Udp udp = new Udp();
    /** Datagrams are built here: allocated on the first send, given back when the stack idles. */
    private final org.jioth.jnet.mem.Scratch scratch;
    private Ipv4Layer.ErrorReporter errors;
    private Ipv4Layer.Transport transparent;
    /** Charged by every queued datagram (null: nothing charged). */
    private org.jioth.jnet.mem.MemoryBudget memory;

    public UdpLayer(Ipv4Layer ip, Interfaces interfaces, Counters counters, RandomGenerator random) {
        this.ip = ip;
        this.interfaces = interfaces;
        this.counters = counters;
        this.random = random;
        this.scratch = ip.scratch();
    }

    public void setErrors(Ipv4Layer.ErrorReporter errors) {
        this.errors = errors;
    }

    /** The stack's memory budget, charged by the receive queues. */
    public void setMemory(org.jioth.jnet.mem.MemoryBudget memory) {
        this.memory = memory;
    }

    /** Transparent mode (slirp gateways): datagrams to a port no socket is bound to go to {@code t} (null: off). */
    public void setTransparent(Ipv4Layer.Transport t) {
        transparent = t;
    }

    /** Binds {@code ep} to {@code addr:port} (port 0: ephemeral). 0 or -errno. */
    public int bind(UdpEndpoint ep, int addr, int port) {
        if (ep.localPort != 0) {
            return -Errno.EINVAL.value();
        }
        if (addr != 0 && addr != Ip4.BROADCAST && !Ip4.isMulticast(addr) && interfaces.owner(addr) == null
                && !isLocalBroadcast(addr)) {
            return -Errno.EADDRNOTAVAIL.value();
        }
        if (port == 0) {
            port = ephemeral(ep, addr);
            if (port == 0) {
                return -Errno.EADDRINUSE.value();
            }
        } else if (!available(ep, addr, port)) {
            return -Errno.EADDRINUSE.value();
        }
        ep.localAddress = addr;
        ep.localPort = port;
        byPort.computeIfAbsent(port, p -> new ArrayList<>(2)).add(ep);
        return 0;
    }

    private boolean isLocalBroadcast(int addr) {
        for (NetInterface i : interfaces.all()) {
            if (i.isBroadcastOf(addr)) {
                return true;
            }
        }
        return false;
    }

    private boolean available(UdpEndpoint ep, int addr, int port) {
        List<UdpEndpoint> l = byPort.get(port);
        if (l == null) {
            return true;
        }
        for (UdpEndpoint o : l) {
            boolean overlap = o.localAddress == 0 || addr == 0 || o.localAddress == addr;
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

    /** Forgets {@code ep} (close). */
    public void unbind(UdpEndpoint ep) {
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
        if (addr == 0 || port == 0) {
            return -Errno.EINVAL.value();
        }
        if ((addr == Ip4.BROADCAST || isLocalBroadcast(addr)) && !ep.broadcast) {
            return -Errno.EACCES.value();
        }
        int r = ip.route(addr, ep.localAddress);
        if (r != 0) {
            return r;
        }
        int src = ip.path().source;
        if (ep.localPort == 0) {
            r = bind(ep, 0, 0);
            if (r != 0) {
                return r;
            }
        }
        if (ep.localAddress == 0 && src != 0) {
            ep.localAddress = src; // as Linux: getsockname shows the chosen source once connected
        }
        ep.remoteAddress = addr;
        ep.remotePort = port;
        ep.takeError();
        return 0;
    }

    /** Undoes {@link #connect}: the local address goes back to the one bound (wildcard). */
    public void disconnect(UdpEndpoint ep, int boundAddress) {
        ep.remoteAddress = 0;
        ep.remotePort = 0;
        ep.localAddress = boundAddress;
    }

    /**
     * Sends {@code len} bytes of {@code data} from {@code off} to {@code dst:dport}, binding
     * {@code ep} first when needed. Returns {@code len} or -errno.
     */
    public int send(UdpEndpoint ep, int dst, int dport, ByteBuffer data, int off, int len) {
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
            int r = bind(ep, 0, 0);
            if (r != 0) {
                return r;
            }
        }
        int src = ep.localAddress;
        if (src == Ip4.BROADCAST || Ip4.isMulticast(src) || isLocalBroadcast(src)) {
            src = 0;
        }
        int r = ip.route(dst, src);
        if (r != 0) {
            counters.inc(Counter.IP_OUT_NO_ROUTES);
            return r;
        }
        src = ip.path().source;
        int at = Ipv4Layer.HEADROOM;
        ByteBuffer tx = scratch.get(at + Udp.HEADER + len);
        tx.put(at + Udp.HEADER, data, off, len);
        Udp.emit(tx, at, ep.localPort, dport, Udp.HEADER + len, src, dst);
        int ttl = Ip4.isMulticast(dst) ? ep.multicastTtl : ep.ttl;
        r = ip.output(src, dst, Ipv4.PROTO_UDP, ep.tos, ttl, false, tx, at, Udp.HEADER + len,
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
            counters.inc(Counter.UDP_IN_ERRORS);
            if (check == Udp.Check.BAD_CHECKSUM) {
                counters.inc(Counter.UDP_IN_CSUM_ERRORS);
            }
            return;
        }
        int sport = udp.sourcePort();
        int dport = udp.destinationPort();
        List<UdpEndpoint> l = byPort.get(dport);
        if (l == null && transparent != null) {
            transparent.input(in, hdr, buf);
            return;
        }
        boolean multi = dst == Ip4.BROADCAST || Ip4.isMulticast(dst) || in.isBroadcastOf(dst);
        if (multi) {
            boolean any = false;
            if (l != null) {
                for (UdpEndpoint ep : l) {
                    if ((ep.localAddress == 0 || ep.localAddress == dst) && matchesRemote(ep, src, sport)) {
                        any = true;
                        deliver(ep, src, sport, buf);
                    }
                }
            }
            if (!any) {
                counters.inc(Counter.UDP_NO_PORTS);
            }
            return;
        }
        UdpEndpoint best = null;
        int bestScore = -1;
        if (l != null) {
            for (UdpEndpoint ep : l) {
                if (ep.localAddress != 0 && ep.localAddress != dst || !matchesRemote(ep, src, sport)) {
                    continue;
                }
                int score = (ep.localAddress != 0 ? 1 : 0) + (ep.remotePort != 0 ? 2 : 0);
                if (score > bestScore) {
                    best = ep;
                    bestScore = score;
                }
            }
        }
        if (best == null) {
            counters.inc(Counter.UDP_NO_PORTS);
            errors.error(Icmp4.DEST_UNREACHABLE, Icmp4.CODE_PORT_UNREACHABLE, 0, buf, hdr.offset(),
                    hdr.totalLength(), in);
            return;
        }
        deliver(best, src, sport, buf);
    }

    private static boolean matchesRemote(UdpEndpoint ep, int src, int sport) {
        return ep.remotePort == 0 || ep.remoteAddress == src && ep.remotePort == sport;
    }

    private void deliver(UdpEndpoint ep, int src, int sport, ByteBuffer buf) {
        byte[] data = new byte[udp.payloadLength()];
        buf.get(udp.payloadOffset(), data);
        ep.memory = memory;
        if (ep.enqueue(src, sport, data)) {
            counters.inc(Counter.UDP_IN_DATAGRAMS);
        } else {
            counters.inc(Counter.UDP_RCVBUF_ERRORS);
            counters.inc(Counter.UDP_IN_ERRORS);
        }
    }

    /** Puts back a datagram taken off the queue (connect keeps the peer's ones). */
    public void requeue(UdpEndpoint ep, UdpEndpoint.Datagram d) {
        ep.enqueue(d.source(), d.sourcePort(), d.data());
    }

    /** An ICMP error about a datagram we sent from {@code lsrc:lport} to {@code rdst:rport}. */
    public void icmpError(int lsrc, int lport, int rdst, int rport, int errno) {
        List<UdpEndpoint> l = byPort.get(lport);
        if (l == null) {
            return;
        }
        for (UdpEndpoint ep : l) {
            // As Linux without IP_RECVERR: only connected sockets hear about errors.
            if (ep.remoteAddress == rdst && ep.remotePort == rport
                    && (ep.localAddress == 0 || ep.localAddress == lsrc)) {
                ep.setError(errno);
            }
        }
    }
}
