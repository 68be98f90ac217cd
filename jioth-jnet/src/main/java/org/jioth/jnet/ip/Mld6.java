package org.jioth.jnet.ip;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import org.jioth.jnet.loop.Counter;
import org.jioth.jnet.loop.Counters;
import org.jioth.jnet.loop.StackLoop;
import org.jioth.jnet.link.Interfaces;
import org.jioth.jnet.link.NetInterface;
import org.jioth.jnet.mem.Scratch;
import org.jioth.jnet.wire.Ethernet;
import org.jioth.jnet.wire.Icmp6;
import org.jioth.jnet.wire.Ip6;
import org.jioth.jnet.wire.Ipv6;

/**
 * MLDv2 (RFC 3810) for a host: the groups sockets join through {@link #join} and the solicited-node
 * group of every address (joined when the address is made, before its DAD probe, RFC 4862 5.4.2)
 * are reported to ff02::16 from the link-local address (:: while it is tentative), hop limit 1,
 * with a Router Alert; queries (MLDv1's and MLDv2's) from a link-local source with hop limit 1 are
 * answered with MLDv2 Current State Reports. ff02::1 and interface-local groups are never reported.
 * Loop-only.
 */
public final class Mld6 extends GroupReporter implements Ipv6Layer.Groups {
    public static final byte[] ALL_MLDV2_ROUTERS = InetAddressBytes.of("ff02::16");
    public static final int QUERY = 130;
    public static final int REPORT_V2 = 143;
    private static final int HBH = 8;

    private final Ipv6Layer ip;
    private final Scratch scratch;
    /** The solicited-node membership of each address, by interface and address. */
    private final Map<String, GroupMemberships.Membership> solicited = new HashMap<>();

    Mld6(Ipv6Layer ip, StackLoop loop, Counters counters, RandomGenerator random, Interfaces interfaces) {
        super(loop, counters, random, interfaces, Counter.ICMP6_IN_MLD_QUERIES);
        this.ip = ip;
        this.scratch = loop.scratch();
    }

    @Override
    protected int addressLength() {
        return 16;
    }

    @Override
    protected boolean isMulticast(byte[] group) {
        return Ip6.isMulticast(group);
    }

    @Override
    protected boolean reportable(byte[] g) {
        return !java.util.Arrays.equals(g, Ip6.ALL_NODES) && (g[1] & 0x0f) > 1;
    }

    @Override
    public boolean isMember(NetInterface nic, byte[] group, byte[] source) {
        return accepts(nic, group, source);
    }

    /** An address was made: its solicited-node group is joined (shared by the addresses that map to it). */
    void addressAdded(NetInterface nic, byte[] address) {
        String k = nic.index + " " + Ip6.toString(address);
        if (!solicited.containsKey(k)) {
            solicited.put(k, join(nic, Ip6.solicitedNode(address), SourceFilter.any()));
        }
    }

    @Override
    public void forget(int ifindex) {
        super.forget(ifindex);
        solicited.keySet().removeIf(k -> k.startsWith(ifindex + " "));
    }

    void addressRemoved(int ifindex, byte[] address) {
        GroupMemberships.Membership m = solicited.remove(ifindex + " " + Ip6.toString(address));
        if (m != null) {
            leave(m);
        }
    }

    /**
     * A query (ICMPv6 type 130) at {@code off}: RFC 3810 5.1.14 drops one from a non link-local
     * source or with a hop limit other than 1.
     */
    public void input(NetInterface nic, Ipv6 hdr, byte[] src, ByteBuffer buf, int off, int len) {
        if (!Ip6.isLinkLocal(src) || hdr.hopLimit() != 1 || len < 24) {
            counters.inc(Counter.ICMP6_IN_BAD_MLD_QUERIES);
            return;
        }
        byte[] group = new byte[16];
        buf.get(off + 8, group);
        long maxResp;
        int code = buf.getShort(off + 4) & 0xffff;
        if (len >= 28) { // MLDv2: the maximum response code may be a float (5.1.3)
            maxResp = code < 32768 ? code : (long) ((code & 0x0fff) | 0x1000) << (((code >>> 12) & 7) + 3);
        } else {
            maxResp = code;
        }
        if (!Ip6.isUnspecified(group) && !Ip6.isMulticast(group)) {
            counters.inc(Counter.ICMP6_IN_BAD_MLD_QUERIES);
            return;
        }
        query(nic, Ip6.isUnspecified(group) ? null : group, maxResp * 1_000_000L);
    }

    @Override
    protected int recordRoom(NetInterface nic) {
        return ip.mtuFor(nic, ALL_MLDV2_ROUTERS) - Ipv6.HEADER - HBH - Icmp6.HEADER;
    }

    @Override
    protected void sendReport(NetInterface nic, List<GroupRecord> records, int recordBytes) {
        byte[] ll = Ip6.linkLocal(nic.mac());
        byte[] from = ip.isOurs(nic, ll) ? ll : Ip6.UNSPECIFIED;
        int ipOff = Ethernet.HEADER;
        int at = ipOff + Ipv6.HEADER + HBH;
        int len = Icmp6.HEADER + recordBytes;
        ByteBuffer tx = scratch.get(at + len + NetInterface.MIN_FRAME);
        Ethernet.emit(tx, 0, Ip6.multicastMac(ALL_MLDV2_ROUTERS), nic.mac(), Ethernet.TYPE_IPV6);
        Ipv6.emit(tx, ipOff, 0, 0, HBH + len, Ipv6.HOP_BY_HOP, 1, from, ALL_MLDV2_ROUTERS);
        int h = ipOff + Ipv6.HEADER; // hop-by-hop: Router Alert (MLD, value 0) and PadN
        tx.put(h, (byte) Ipv6.ICMPV6).put(h + 1, (byte) 0).put(h + 2, (byte) 5).put(h + 3, (byte) 2)
                .putShort(h + 4, (short) 0).put(h + 6, (byte) 1).put(h + 7, (byte) 0);
        Icmp6.emit(tx, at, REPORT_V2, 0, records.size());
        int p = at + Icmp6.HEADER;
        for (GroupRecord r : records) {
            tx.put(p, (byte) r.type()).put(p + 1, (byte) 0).putShort(p + 2, (short) r.sources().size());
            tx.put(p + 4, r.group().bytes());
            p += 20;
            for (SourceFilter.Source s : r.sources()) {
                tx.put(p, s.bytes());
                p += 16;
            }
        }
        Icmp6.finish(tx, ipOff, at, len);
        if (nic.transmit(tx, 0, at + len)) {
            counters.inc(Counter.ICMP6_OUT_MLD_REPORTS);
        }
    }

    /** Literal parsing for constants. */
    private static final class InetAddressBytes {
        static byte[] of(String s) {
            return java.net.InetAddress.ofLiteral(s).getAddress();
        }
    }
}
