package org.jioth.dns;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/** A DNS server in memory, behind a {@link DnsTransport}: answers from a zone, can be told to misbehave. */
final class FakeDnsServer implements DnsTransport {
    record Rr(String name, int type, long ttl, byte[] data) {
    }

    final Map<String, List<Rr>> zone = new HashMap<>();
    final List<InetSocketAddress> asked = new ArrayList<>();
    final List<byte[]> queriesSeen = new ArrayList<>();
    InetSocketAddress silent;
    boolean truncateUdp;
    boolean refuseEdns;
    long soaMinimum = 60;
    UnaryOperator<byte[]> mangle = UnaryOperator.identity();
    int udpCount;
    int tcpCount;

    void a(String name, String addr, long ttl) {
        byte[] b = InetAddress.ofLiteral(addr).getAddress();
        zone.computeIfAbsent(name, k -> new ArrayList<>()).add(new Rr(name, b.length == 4 ? 1 : 28, ttl, b));
    }

    void cname(String name, String target, long ttl) {
        zone.computeIfAbsent(name, k -> new ArrayList<>()).add(new Rr(name, 5, ttl, DnsMessages.encodeName(target)));
    }

    @Override
    public byte[] udp(InetSocketAddress server, byte[] query, Duration timeout) {
        asked.add(server);
        udpCount++;
        if (server.equals(silent)) {
            return null;
        }
        return mangle.apply(answer(query, truncateUdp));
    }

    @Override
    public byte[] tcp(InetSocketAddress server, byte[] query, Duration timeout) {
        tcpCount++;
        return mangle.apply(answer(query, false));
    }

    byte[] answer(byte[] q, boolean truncate) {
        queriesSeen.add(q);
        int qnameEnd = 12;
        while (q[qnameEnd] != 0) {
            qnameEnd += (q[qnameEnd] & 0xff) + 1;
        }
        int qtypeAt = qnameEnd + 1;
        int qtype = (q[qtypeAt] & 0xff) << 8 | q[qtypeAt + 1] & 0xff;
        boolean hasOpt = ((q[10] & 0xff) << 8 | q[11] & 0xff) > 0;
        String name = name(q, 12);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(q[0]);
        out.write(q[1]);
        int rcode;
        List<Rr> records = new ArrayList<>();
        if (refuseEdns && hasOpt) {
            rcode = 1;
        } else if (!zone.containsKey(name)) {
            rcode = 3;
        } else {
            rcode = 0;
            String owner = name;
            for (int hop = 0; hop < 10 && zone.containsKey(owner); hop++) {
                String next = null;
                for (Rr r : zone.get(owner)) {
                    if (r.type() == qtype) {
                        records.add(r);
                    } else if (r.type() == 5) {
                        records.add(r);
                        next = name(r.data(), 0);
                    }
                }
                if (next == null) {
                    break;
                }
                owner = next;
            }
        }
        boolean soa = rcode == 3 || records.stream().noneMatch(r -> r.type() == qtype);
        out.write(0x80 | 0x01 | (truncate ? 0x02 : 0));
        out.write(0x80 | rcode);
        u16(out, 1);
        u16(out, truncate ? 0 : records.size());
        u16(out, soa && !truncate ? 1 : 0);
        u16(out, 0);
        out.write(q, 12, qtypeAt + 4 - 12);
        if (!truncate) {
            for (Rr r : records) {
                out.writeBytes(DnsMessages.encodeName(r.name()));
                u16(out, r.type());
                u16(out, 1);
                u32(out, r.ttl());
                u16(out, r.data().length);
                out.writeBytes(r.data());
            }
            if (soa) {
                out.write(0xc0);
                out.write(12);
                u16(out, 6);
                u16(out, 1);
                u32(out, 300);
                byte[] mname = DnsMessages.encodeName("ns.test");
                byte[] rname = DnsMessages.encodeName("admin.test");
                u16(out, mname.length + rname.length + 20);
                out.writeBytes(mname);
                out.writeBytes(rname);
                u32(out, 1);
                u32(out, 2);
                u32(out, 3);
                u32(out, 4);
                u32(out, soaMinimum);
            }
        }
        return out.toByteArray();
    }

    static String name(byte[] b, int p) {
        StringBuilder sb = new StringBuilder();
        while (b[p] != 0) {
            if (!sb.isEmpty()) {
                sb.append('.');
            }
            sb.append(new String(b, p + 1, b[p], java.nio.charset.StandardCharsets.US_ASCII));
            p += b[p] + 1;
        }
        return sb.toString();
    }

    private static void u16(ByteArrayOutputStream o, int v) {
        o.write(v >>> 8);
        o.write(v);
    }

    private static void u32(ByteArrayOutputStream o, long v) {
        u16(o, (int) (v >>> 16));
        u16(o, (int) v);
    }
}
