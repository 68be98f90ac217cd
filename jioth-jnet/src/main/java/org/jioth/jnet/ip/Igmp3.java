package org.jioth.jnet.ip;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.random.RandomGenerator;
import org.jioth.jnet.loop.Counter;
import org.jioth.jnet.loop.Counters;
import org.jioth.jnet.loop.StackLoop;
import org.jioth.jnet.link.Interfaces;
import org.jioth.jnet.link.NetInterface;
import org.jioth.jnet.mem.Scratch;
import org.jioth.jnet.wire.Checksum;
import org.jioth.jnet.wire.Ethernet;
import org.jioth.jnet.wire.Ipv4;

/**
 * IGMPv3 (RFC 3376) for a host: the groups sockets join through {@link #join} are reported to
 * 224.0.0.22 (TTL 1, Router Alert option) from the interface's first address (0.0.0.0 without
 * one, 4.2.13); queries (IGMPv1/v2/v3 formats) sent with TTL 1 to 224.0.0.1 (general) or to the
 * group itself are answered with IGMPv3 Current State Reports. 224.0.0.1 is never reported. IPv4
 * input takes a multicast datagram only for a group joined on its interface whose merged filter
 * accepts its source (IGMP itself and 224.0.0.1 always); UDP then filters per socket.
 * Loop-only.
 */
public final class Igmp3 extends GroupReporter {
    public static final int PROTOCOL = 2;
    public static final int QUERY = 0x11;
    public static final int REPORT_V3 = 0x22;
    public static final int ALL_SYSTEMS = 0xe0000001;
    public static final int ALL_IGMPV3_ROUTERS = 0xe0000016;
    private static final int IP_HEADER = Ipv4.HEADER + 4; // with the Router Alert option

    private final Scratch scratch;

    public Igmp3(StackLoop loop, Counters counters, RandomGenerator random, Interfaces interfaces) {
        super(loop, counters, random, interfaces, Counter.IGMP_IN_QUERIES);
        this.scratch = loop.scratch();
    }

    @Override
    protected int addressLength() {
        return 4;
    }

    @Override
    protected boolean isMulticast(byte[] group) {
        return (group[0] & 0xf0) == 0xe0;
    }

    @Override
    protected boolean reportable(byte[] g) {
        return ByteBuffer.wrap(g).getInt() != ALL_SYSTEMS;
    }

    /** An IGMP message for us ({@code hdr} views its IPv4 datagram). */
    public void input(NetInterface in, Ipv4 hdr, ByteBuffer buf) {
        int off = hdr.payloadOffset();
        int len = hdr.payloadLength();
        if (len < 8 || Checksum.of(buf, off, len) != 0) {
            counters.inc(Counter.IGMP_IN_BAD_QUERIES);
            return;
        }
        if ((buf.get(off) & 0xff) != QUERY) {
            return; // other hosts' reports: nothing to do for a host (no report suppression in v3)
        }
        int group = buf.getInt(off + 4);
        int code = buf.get(off + 1) & 0xff;
        boolean general = group == 0;
        if (hdr.ttl() != 1 || general && hdr.destination() != ALL_SYSTEMS || !general && hdr.destination() != group
                || !general && (group >>> 28) != 0xe) {
            counters.inc(Counter.IGMP_IN_BAD_QUERIES);
            return;
        }
        long tenths;
        if (len >= 12) { // IGMPv3: the max resp code may be a float (4.1.1)
            tenths = code < 128 ? code : (long) ((code & 0x0f) | 0x10) << (((code >>> 4) & 7) + 3);
        } else {
            tenths = code == 0 ? 100 : code; // IGMPv1: 10 s
        }
        query(in, general ? null : ByteBuffer.allocate(4).putInt(group).array(), tenths * 100_000_000L);
    }

    @Override
    protected int recordRoom(NetInterface nic) {
        return nic.mtu() - IP_HEADER - 8;
    }

    @Override
    protected void sendReport(NetInterface nic, List<GroupRecord> records, int recordBytes) {
        int ip = Ethernet.HEADER;
        int at = ip + IP_HEADER;
        int len = 8 + recordBytes;
        ByteBuffer tx = scratch.get(at + len + NetInterface.MIN_FRAME);
        Ethernet.emit(tx, 0, 0x01005e000016L, nic.mac(), Ethernet.TYPE_IPV4);
        int src = nic.addresses().isEmpty() ? 0 : nic.addresses().get(0).address();
        tx.put(ip, (byte) 0x46).put(ip + 1, (byte) 0xc0); // IHL 6; DSCP CS6 as Linux
        tx.putShort(ip + 2, (short) (IP_HEADER + len)).putShort(ip + 4, (short) 0).putShort(ip + 6, (short) 0x4000);
        tx.put(ip + 8, (byte) 1).put(ip + 9, (byte) PROTOCOL).putShort(ip + 10, (short) 0);
        tx.putInt(ip + 12, src).putInt(ip + 16, ALL_IGMPV3_ROUTERS).putInt(ip + 20, 0x94040000); // Router Alert
        tx.putShort(ip + 10, (short) Checksum.of(tx, ip, IP_HEADER));
        tx.put(at, (byte) REPORT_V3).put(at + 1, (byte) 0).putShort(at + 2, (short) 0).putShort(at + 4, (short) 0);
        tx.putShort(at + 6, (short) records.size());
        int p = at + 8;
        for (GroupRecord r : records) {
            tx.put(p, (byte) r.type()).put(p + 1, (byte) 0).putShort(p + 2, (short) r.sources().size());
            tx.put(p + 4, r.group().bytes());
            p += 8;
            for (org.jioth.jnet.ip.SourceFilter.Source s : r.sources()) {
                tx.put(p, s.bytes());
                p += 4;
            }
        }
        tx.putShort(at + 2, (short) Checksum.of(tx, at, len));
        int frame = Math.max(at + len, NetInterface.MIN_FRAME);
        for (int i = at + len; i < frame; i++) {
            tx.put(i, (byte) 0);
        }
        if (nic.transmit(tx, 0, frame)) {
            counters.inc(Counter.IGMP_OUT_REPORTS);
        }
    }
}
