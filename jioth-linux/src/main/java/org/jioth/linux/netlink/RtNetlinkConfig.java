package org.jioth.linux.netlink;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import org.jioth.Errno;
import org.jioth.IfAddr;
import org.jioth.MacAddress;
import org.jioth.NetConfig;
import org.jioth.NetConfigException;
import org.jioth.linux.ErrnoException;

/**
 * {@link NetConfig} over rtnetlink, acting on the network namespace the calling thread runs in, with
 * the messages of libioth's nlinline functions ({@link RtnlRequests}). Each call opens its own
 * netlink socket (as nlinline does), so the object is stateless and safe to share between threads.
 *
 * <p>Changing configuration needs CAP_NET_ADMIN over the namespace: an unprivileged process gets
 * EPERM with a hint to run in a namespace of its own (for example under {@code unshare -rn}).
 *
 * <p>Differences from nlinline, all in how replies are read: every datagram up to the ack (or the
 * dump's NLMSG_DONE) with our sequence number is read, however large, instead of one recv of ≤ 36
 * bytes; and {@link #ipLinkAdd} with index -1 does not send nlinline's empty IFLA_NEW_IFINDEX
 * (the kernel rejects it with ERANGE and never acks a new index) but looks the new link up by
 * name after the kernel's ack.
 */
public final class RtNetlinkConfig implements NetConfig {
    /** How long a call waits for each reply datagram from the kernel before ETIMEDOUT. */
    public static final Duration DEFAULT_REPLY_TIMEOUT = Duration.ofSeconds(10);

    private static final String PRIVILEGE_HINT = "rtnetlink configuration needs CAP_NET_ADMIN in the target "
            + "network namespace (run in a namespace of your own, for example under 'unshare -rn')";
    private static final int DUMP_ATTEMPTS = 3;
    private static final int ADDR_PREFIX_TAG = 0x70;
    private static final int ROUTE_PREFIX_TAG = 0x60;

    private final Duration replyTimeout;
    private final SocketSource sockets;
    private final AtomicInteger nextSeq = new AtomicInteger(1);

    /** Where each call's netlink socket comes from. */
    @FunctionalInterface
    public interface SocketSource {
        /** A new bound NETLINK_ROUTE socket whose receives time out after {@code replyTimeout}. */
        NetlinkSocket open(Duration replyTimeout) throws ErrnoException;
    }

    /** Configures the current network namespace, waiting {@link #DEFAULT_REPLY_TIMEOUT} per reply. */
    public RtNetlinkConfig() {
        this(DEFAULT_REPLY_TIMEOUT);
    }

    /** Configures the current network namespace, waiting at most {@code replyTimeout} per reply. */
    public RtNetlinkConfig(Duration replyTimeout) {
        this(replyTimeout, NetlinkSocket::open);
    }

    /**
     * Configures whichever network namespace {@code sockets} makes its netlink sockets in (for
     * example one that another process created them in), waiting at most {@code replyTimeout} per reply.
     */
    public RtNetlinkConfig(Duration replyTimeout, SocketSource sockets) {
        this.sockets = java.util.Objects.requireNonNull(sockets, "sockets");
        if (replyTimeout.isNegative() || replyTimeout.isZero()) {
            throw new IllegalArgumentException("reply timeout must be positive: " + replyTimeout);
        }
        this.replyTimeout = replyTimeout;
    }

    @Override
    public int ifNameToIndex(String ifname) throws NetConfigException {
        Objects.requireNonNull(ifname, "ifname");
        String op = "ifNameToIndex " + ifname;
        int seq = seq();
        int index = ackedRequest(op, RtnlRequests.getLinkByName(seq, ifname), seq);
        if (index <= 0) {
            throw new NetConfigException(op, Errno.EFAULT, "the kernel acked without returning the link");
        }
        return index;
    }

    @Override
    public void linkSetUpDown(int ifindex, boolean up) throws NetConfigException {
        int seq = seq();
        ackedRequest("linkSetUpDown dev " + ifindex + (up ? " up" : " down"),
                RtnlRequests.setLinkUpDown(seq, ifindex, up), seq);
    }

    @Override
    public void linkSetAddr(int ifindex, MacAddress mac) throws NetConfigException {
        int seq = seq();
        ackedRequest("linkSetAddr dev " + ifindex + " " + mac,
                RtnlRequests.setLinkAddr(seq, ifindex, mac.toByteArray()), seq);
    }

    @Override
    public MacAddress linkGetAddr(int ifindex) throws NetConfigException {
        String op = "linkGetAddr dev " + ifindex;
        int seq = seq();
        try (NetlinkSocket socket = open(op)) {
            send(op, socket, RtnlRequests.getLink(seq, ifindex));
            while (true) {
                for (NetlinkMessage m : receive(op, socket)) {
                    if (m.seq() != seq) {
                        continue;
                    }
                    if (m.isError()) {
                        checkError(op, m.errorCode());
                        throw new NetConfigException(op, Errno.ENODEV, "the kernel acked instead of returning the link");
                    }
                    if (m.type() != Rtnl.RTM_NEWLINK) {
                        throw new NetConfigException(op, Errno.ENODEV, "unexpected reply type " + m.type());
                    }
                    byte[] addr = m.attributes(Rtnl.IFINFOMSG_SIZE).bytes(Rtnl.IFLA_ADDRESS);
                    if (addr == null) {
                        throw new NetConfigException(op, Errno.ENOENT, "the link has no link-layer address");
                    }
                    if (addr.length != MacAddress.LENGTH) {
                        throw new NetConfigException(op, Errno.ENOENT,
                                "the link-layer address has " + addr.length + " bytes, not a MAC's 6");
                    }
                    return MacAddress.of(addr);
                }
            }
        } catch (MalformedNetlinkException e) {
            throw malformed(op, e);
        }
    }

    @Override
    public void linkSetMtu(int ifindex, int mtu) throws NetConfigException {
        int seq = seq();
        ackedRequest("linkSetMtu dev " + ifindex + " mtu " + Integer.toUnsignedString(mtu),
                RtnlRequests.setLinkMtu(seq, ifindex, mtu), seq);
    }

    @Override
    public void ipAddrAdd(InetAddress addr, int prefixLength, int ifindex) throws NetConfigException {
        ipAddr(true, addr, prefixLength, ifindex);
    }

    @Override
    public void ipAddrDel(InetAddress addr, int prefixLength, int ifindex) throws NetConfigException {
        ipAddr(false, addr, prefixLength, ifindex);
    }

    private void ipAddr(boolean add, InetAddress addr, int prefixArg, int ifindex) throws NetConfigException {
        Objects.requireNonNull(addr, "addr");
        // nl_addrdata2prefix: 0x70<<24 | flags<<16 | scope<<8 | prefixlen carries IFA flags and scope.
        boolean packed = (prefixArg >>> 24) == ADDR_PREFIX_TAG;
        int prefixLength = packed ? prefixArg & 0xff : prefixArg;
        int flags = packed ? (prefixArg >>> 16) & 0xff : 0;
        int scope = packed ? (prefixArg >>> 8) & 0xff : Rtnl.RT_SCOPE_UNIVERSE;
        String op = (add ? "ipAddrAdd " : "ipAddrDel ") + addr.getHostAddress() + "/" + prefixLength
                + " dev " + ifindex;
        checkPrefix(op, addr, prefixLength);
        int seq = seq();
        ackedRequest(op, RtnlRequests.ipAddr(seq, add, family(addr), addr.getAddress(), prefixLength,
                flags, scope, ifindex), seq);
    }

    @Override
    public void ipRouteAdd(InetAddress dst, int prefixLength, InetAddress gateway, int ifindex)
            throws NetConfigException {
        ipRoute(true, dst, prefixLength, gateway, ifindex);
    }

    @Override
    public void ipRouteDel(InetAddress dst, int prefixLength, InetAddress gateway, int ifindex)
            throws NetConfigException {
        ipRoute(false, dst, prefixLength, gateway, ifindex);
    }

    private void ipRoute(boolean add, InetAddress dst, int prefixArg, InetAddress gateway, int ifindex)
            throws NetConfigException {
        // nl_routedata2prefix: 0x60<<24 | type<<16 | scope<<8 | prefixlen carries route type and scope.
        boolean packed = (prefixArg >>> 24) == ROUTE_PREFIX_TAG;
        int prefixLength = packed ? prefixArg & 0xff : prefixArg;
        int type = packed ? (prefixArg >>> 16) & 0xff : Rtnl.RTN_UNICAST;
        int scope = packed ? (prefixArg >>> 8) & 0xff : Rtnl.RT_SCOPE_UNIVERSE;
        String op = (add ? "ipRouteAdd " : "ipRouteDel ")
                + (dst == null ? "default" : dst.getHostAddress() + "/" + prefixLength)
                + (gateway == null ? "" : " via " + gateway.getHostAddress())
                + (ifindex == 0 ? "" : " dev " + ifindex);
        if (dst == null && gateway == null) {
            throw new NetConfigException(op, Errno.EINVAL,
                    "a route needs a destination or a gateway (the family follows from them)");
        }
        if (dst == null && prefixLength != 0) {
            throw new NetConfigException(op, Errno.EINVAL, "prefix length " + prefixLength + " without a destination");
        }
        if (dst != null && gateway != null && family(dst) != family(gateway)) {
            throw new NetConfigException(op, Errno.EINVAL, "destination and gateway are of different families");
        }
        InetAddress familySource = dst != null ? dst : gateway;
        if (dst != null) {
            checkPrefix(op, dst, prefixLength);
        }
        int seq = seq();
        ackedRequest(op, RtnlRequests.ipRoute(seq, add, family(familySource),
                dst == null ? null : dst.getAddress(), prefixLength,
                gateway == null ? null : gateway.getAddress(), ifindex, type, scope), seq);
    }

    @Override
    public int ipLinkAdd(String ifname, int ifindex, String type, List<LinkData> data) throws NetConfigException {
        Objects.requireNonNull(type, "type");
        List<LinkData> items = data == null ? List.of() : data;
        String op = "ipLinkAdd " + (ifname == null ? "" : ifname + " ") + "index " + ifindex + " type " + type;
        if (ifindex == -1 && ifname == null) {
            throw new NetConfigException(op, Errno.EINVAL, "index -1 (return the new index) needs a name to find it by");
        }
        int seq = seq();
        int acked = ackedRequest(op, RtnlRequests.newLink(seq, ifname, ifindex, type, items, false), seq);
        if (ifindex != -1) {
            return 0;
        }
        // The kernel acks with 0; the index it chose is the link's that now has this name.
        return acked > 0 ? acked : ifNameToIndex(ifname);
    }

    @Override
    public void ipLinkDel(String ifname, int ifindex) throws NetConfigException {
        String op = "ipLinkDel " + (ifname != null ? ifname : "dev " + ifindex);
        int seq = seq();
        // By name when given: the kernel prefers a non-zero ifi_index over IFLA_IFNAME, so send 0 then.
        ackedRequest(op, RtnlRequests.delLink(seq, ifname, ifname != null ? 0 : ifindex), seq);
    }

    @Override
    public List<IfAddr> interfaces() throws NetConfigException {
        String op = "interfaces";
        for (int attempt = 1; ; attempt++) {
            try (NetlinkSocket socket = open(op)) {
                int linkSeq = seq();
                Dump links = dump(op, socket, RtnlRequests.dumpLinks(linkSeq), linkSeq);
                int addrSeq = seq();
                Dump addrs = dump(op, socket, RtnlRequests.dumpAddrs(addrSeq), addrSeq);
                if ((links.interrupted() || addrs.interrupted()) && attempt < DUMP_ATTEMPTS) {
                    continue; // the tables changed during the dump: read them again
                }
                return IfAddrsAssembler.assemble(links.messages(), addrs.messages());
            } catch (MalformedNetlinkException e) {
                throw malformed(op, e);
            }
        }
    }

    private record Dump(List<NetlinkMessage> messages, boolean interrupted) {
    }

    /** Reads a dump's parts up to NLMSG_DONE. */
    private Dump dump(String op, NetlinkSocket socket, byte[] request, int seq) throws NetConfigException {
        send(op, socket, request);
        List<NetlinkMessage> parts = new ArrayList<>();
        boolean interrupted = false;
        while (true) {
            for (NetlinkMessage m : receive(op, socket)) {
                if (m.seq() != seq) {
                    continue;
                }
                interrupted |= (m.flags() & Rtnl.NLM_F_DUMP_INTR) != 0;
                if (m.isError() || m.isDone()) {
                    checkError(op, m.errorCode());
                    return new Dump(parts, interrupted);
                }
                if (m.type() == Rtnl.NLMSG_OVERRUN) {
                    throw new NetConfigException(op, Errno.ENOBUFS, "netlink dump overrun");
                }
                parts.add(m);
            }
        }
    }

    /**
     * Sends a request with NLM_F_ACK and reads up to its ack. Returns the ack's non-negative value
     * when non-zero, else the ifi_index of an RTM_NEWLINK that came before the ack, else 0.
     */
    private int ackedRequest(String op, byte[] request, int seq) throws NetConfigException {
        try (NetlinkSocket socket = open(op)) {
            send(op, socket, request);
            int linkIndex = 0;
            while (true) {
                for (NetlinkMessage m : receive(op, socket)) {
                    if (m.seq() != seq) {
                        continue;
                    }
                    if (m.isError()) {
                        int code = m.errorCode();
                        checkError(op, code);
                        return code > 0 ? code : linkIndex;
                    }
                    if (m.type() == Rtnl.RTM_NEWLINK && linkIndex == 0) {
                        linkIndex = IfInfoMsg.read(m.payload()).index();
                    }
                }
            }
        } catch (MalformedNetlinkException e) {
            throw malformed(op, e);
        }
    }

    private NetlinkSocket open(String op) throws NetConfigException {
        try {
            return sockets.open(replyTimeout);
        } catch (ErrnoException e) {
            throw new NetConfigException(op, e.errno(), withHint(e.getMessage(), e.errno()));
        }
    }

    private static void send(String op, NetlinkSocket socket, byte[] request) throws NetConfigException {
        try {
            socket.send(request);
        } catch (ErrnoException e) {
            throw new NetConfigException(op, e.errno(), withHint(e.getMessage(), e.errno()));
        }
    }

    private List<NetlinkMessage> receive(String op, NetlinkSocket socket) throws NetConfigException {
        ByteBuffer datagram;
        try {
            datagram = socket.receive();
        } catch (ErrnoException e) {
            if (e.errno() == Errno.EAGAIN.value()) {
                throw new NetConfigException(op, Errno.ETIMEDOUT, "no reply from the kernel within " + replyTimeout);
            }
            throw new NetConfigException(op, e.errno(), e.getMessage());
        }
        if (datagram.remaining() < Rtnl.NLMSGHDR_SIZE) {
            throw new NetConfigException(op, Errno.EFAULT, "netlink reply of " + datagram.remaining() + " bytes");
        }
        return NetlinkMessage.parseAll(datagram);
    }

    private static void checkError(String op, int code) throws NetConfigException {
        if (code < 0) {
            throw new NetConfigException(op, -code, withHint(null, -code));
        }
    }

    /** {@code detail} plus, for EPERM/EACCES, what privilege is missing and how to get it. */
    private static String withHint(String detail, int errno) {
        if (errno != Errno.EPERM.value() && errno != Errno.EACCES.value()) {
            return detail;
        }
        return detail == null ? PRIVILEGE_HINT : detail + "; " + PRIVILEGE_HINT;
    }

    private static NetConfigException malformed(String op, MalformedNetlinkException e) {
        NetConfigException x = new NetConfigException(op, Errno.EFAULT, "malformed netlink reply: " + e.getMessage());
        x.initCause(e);
        return x;
    }

    private static void checkPrefix(String op, InetAddress addr, int prefixLength) throws NetConfigException {
        int max = addr instanceof Inet4Address ? 32 : 128;
        if (prefixLength < 0 || prefixLength > max) {
            throw new NetConfigException(op, Errno.EINVAL,
                    "prefix length " + prefixLength + " outside 0.." + max + " for " + addr.getHostAddress());
        }
    }

    private static int family(InetAddress addr) {
        return switch (addr) {
            case Inet4Address a -> Rtnl.AF_INET;
            case Inet6Address a -> Rtnl.AF_INET6;
            default -> throw new IllegalArgumentException("not an IPv4 or IPv6 address: " + addr);
        };
    }

    private int seq() {
        return nextSeq.getAndUpdate(s -> s == Integer.MAX_VALUE ? 1 : s + 1);
    }
}
