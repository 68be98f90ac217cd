package org.jioth.dns;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * RFC 1035 messages of a stub resolver: builds one-question queries (with an EDNS0 OPT record,
 * RFC 6891) and parses responses defensively: every length is checked against the message,
 * compression pointers must point backwards and are followed a bounded number of times, names stay
 * within 255 bytes, and at most {@link #MAX_RECORDS} records are kept whatever the counts claim.
 */
public final class DnsMessages {
    public static final int TYPE_A = 1;
    public static final int TYPE_CNAME = 5;
    public static final int TYPE_SOA = 6;
    public static final int TYPE_PTR = 12;
    public static final int TYPE_AAAA = 28;
    public static final int TYPE_OPT = 41;
    public static final int CLASS_IN = 1;
    public static final int RCODE_NOERROR = 0;
    public static final int RCODE_FORMERR = 1;
    public static final int RCODE_SERVFAIL = 2;
    public static final int RCODE_NXDOMAIN = 3;
    public static final int RCODE_NOTIMP = 4;
    /** The records of one section kept at most (a hostile count cannot make us allocate more). */
    public static final int MAX_RECORDS = 64;
    private static final int MAX_POINTER_HOPS = 32;
    private static final int HEADER = 12;

    /** A parsed response. {@code negativeTtl} is the SOA-derived TTL (RFC 2308), -1 when there is no SOA. */
    public record Response(int id, boolean truncated, int rcode, String question, int qtype,
                           List<DnsRecord> answers, long negativeTtl) {
    }

    private DnsMessages() {
    }

    /**
     * A recursive query for {@code name} (absolute, no trailing dot needed) of {@code type}; with
     * {@code ednsSize > 0}, an OPT record advertising that UDP payload size.
     *
     * @throws IllegalArgumentException when the name is not a valid DNS name
     */
    public static byte[] query(int id, String name, int type, int ednsSize) {
        byte[] qname = encodeName(name);
        int len = HEADER + qname.length + 4 + (ednsSize > 0 ? 11 : 0);
        byte[] m = new byte[len];
        put16(m, 0, id);
        put16(m, 2, 0x0100); // RD
        put16(m, 4, 1);
        put16(m, 10, ednsSize > 0 ? 1 : 0);
        System.arraycopy(qname, 0, m, HEADER, qname.length);
        int p = HEADER + qname.length;
        put16(m, p, type);
        put16(m, p + 2, CLASS_IN);
        if (ednsSize > 0) {
            p += 4;
            m[p] = 0; // root name
            put16(m, p + 1, TYPE_OPT);
            put16(m, p + 3, ednsSize);
            // extended rcode, version, flags and rdlength stay 0
        }
        return m;
    }

    /** The wire form of {@code name}: labels of 1..63 bytes, 255 bytes in all. */
    static byte[] encodeName(String name) {
        String n = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
        if (n.isEmpty()) {
            return new byte[] {0};
        }
        byte[] ascii = n.getBytes(StandardCharsets.US_ASCII);
        if (!n.chars().allMatch(c -> c > 32 && c < 127)) {
            throw new IllegalArgumentException("not a DNS name (only printable ASCII; use punycode): '" + name + "'");
        }
        byte[] out = new byte[ascii.length + 2];
        int o = 0;
        int start = 0;
        for (int i = 0; i <= ascii.length; i++) {
            if (i == ascii.length || ascii[i] == '.') {
                int l = i - start;
                if (l < 1 || l > 63) {
                    throw new IllegalArgumentException("not a DNS name (a label is empty or longer than 63): '" + name + "'");
                }
                out[o++] = (byte) l;
                System.arraycopy(ascii, start, out, o, l);
                o += l;
                start = i + 1;
            }
        }
        out[o] = 0;
        if (out.length > 255) {
            throw new IllegalArgumentException("not a DNS name (longer than 255 bytes): '" + name + "'");
        }
        return out;
    }

    /** Parses the first {@code length} bytes of {@code m}. Never throws anything but {@link DnsFormatException}. */
    public static Response parse(byte[] m, int length) throws DnsFormatException {
        if (length < HEADER || length > m.length) {
            throw new DnsFormatException("DNS message shorter than its header (" + length + " bytes)");
        }
        Reader r = new Reader(m, length);
        int id = r.u16(0);
        int flags = r.u16(2);
        if ((flags & 0x8000) == 0) {
            throw new DnsFormatException("DNS message is a query, not a response");
        }
        int qd = r.u16(4);
        int an = r.u16(6);
        int ns = r.u16(8);
        boolean truncated = (flags & 0x0200) != 0;
        int rcode = flags & 0xf;
        r.pos = HEADER;
        String question = null;
        int qtype = 0;
        if (qd > 1) {
            throw new DnsFormatException("DNS response with " + qd + " questions");
        }
        if (qd == 1) {
            question = r.name();
            qtype = r.u16(r.take(4));
        }
        List<DnsRecord> answers = new ArrayList<>();
        long negativeTtl = -1;
        try {
            for (int i = 0; i < an; i++) {
                DnsRecord rec = r.record();
                if (rec != null && answers.size() < MAX_RECORDS) {
                    answers.add(rec);
                }
            }
            for (int i = 0; i < ns; i++) {
                r.name();
                int f = r.take(10);
                int type = r.u16(f);
                long ttl = r.u32(f + 4) & 0x7fffffffL;
                int rdlen = r.u16(f + 8);
                int rd = r.take(rdlen);
                if (type == TYPE_SOA) {
                    Reader s = new Reader(m, rd + rdlen);
                    s.pos = rd;
                    s.name();
                    s.name();
                    long minimum = s.u32(s.take(20) + 16);
                    negativeTtl = Math.min(ttl, minimum);
                }
            }
        } catch (DnsFormatException e) {
            if (!truncated) {
                throw e;
            }
            // a truncated response may end anywhere: keep what parsed, the caller retries over TCP
        }
        return new Response(id, truncated, rcode, question, qtype, List.copyOf(answers), negativeTtl);
    }

    private static void put16(byte[] m, int p, int v) {
        m[p] = (byte) (v >>> 8);
        m[p + 1] = (byte) v;
    }

    /** Bounded reads from a message. */
    private static final class Reader {
        final byte[] m;
        final int limit;
        int pos;

        Reader(byte[] m, int limit) {
            this.m = m;
            this.limit = limit;
        }

        int take(int n) throws DnsFormatException {
            if (n < 0 || pos + n > limit) {
                throw new DnsFormatException("DNS message ends inside a field (offset " + pos + ", want " + n + " bytes)");
            }
            int p = pos;
            pos += n;
            return p;
        }

        int u16(int p) {
            return (m[p] & 0xff) << 8 | m[p + 1] & 0xff;
        }

        long u32(int p) {
            return (long) u16(p) << 16 | u16(p + 2);
        }

        DnsRecord record() throws DnsFormatException {
            String name = name();
            int f = take(10);
            int type = u16(f);
            int cls = u16(f + 2);
            long ttl = u32(f + 4);
            if (ttl > 0x7fffffffL) {
                ttl = 0; // RFC 2181: a TTL with the top bit set is treated as zero
            }
            int rdlen = u16(f + 8);
            int rd = take(rdlen);
            if (cls != CLASS_IN) {
                return null;
            }
            return switch (type) {
                case TYPE_A -> rdlen == 4 ? new DnsRecord(name, type, ttl, slice(rd, 4), null) : bad("A", rdlen);
                case TYPE_AAAA -> rdlen == 16 ? new DnsRecord(name, type, ttl, slice(rd, 16), null) : bad("AAAA", rdlen);
                case TYPE_CNAME, TYPE_PTR -> {
                    Reader t = new Reader(m, rd + rdlen);
                    t.pos = rd;
                    String target = t.name();
                    if (t.pos != rd + rdlen) {
                        throw new DnsFormatException("DNS " + (type == TYPE_PTR ? "PTR" : "CNAME") + " target does not fill its record");
                    }
                    yield new DnsRecord(name, type, ttl, null, target);
                }
                default -> null;
            };
        }

        private static DnsRecord bad(String what, int len) throws DnsFormatException {
            throw new DnsFormatException("DNS " + what + " record with " + len + " bytes of data");
        }

        private byte[] slice(int p, int n) {
            byte[] b = new byte[n];
            System.arraycopy(m, p, b, 0, n);
            return b;
        }

        /** A possibly compressed name, lower-cased, without the trailing dot ("" for the root). */
        String name() throws DnsFormatException {
            StringBuilder sb = new StringBuilder();
            int p = pos;
            int hops = 0;
            int wire = 0;
            boolean jumped = false;
            while (true) {
                if (p >= limit) {
                    throw new DnsFormatException("DNS name runs past the message");
                }
                int l = m[p] & 0xff;
                if (l == 0) {
                    if (!jumped) {
                        pos = p + 1;
                    }
                    break;
                }
                if ((l & 0xc0) == 0xc0) {
                    if (p + 1 >= limit) {
                        throw new DnsFormatException("DNS compression pointer cut off");
                    }
                    int target = (l & 0x3f) << 8 | m[p + 1] & 0xff;
                    if (target >= p || ++hops > MAX_POINTER_HOPS) {
                        throw new DnsFormatException("DNS compression pointer loops or points forward");
                    }
                    if (!jumped) {
                        pos = p + 2;
                        jumped = true;
                    }
                    p = target;
                    continue;
                }
                if ((l & 0xc0) != 0) {
                    throw new DnsFormatException("DNS label with reserved type bits 0x" + Integer.toHexString(l));
                }
                if (p + 1 + l > limit) {
                    throw new DnsFormatException("DNS label runs past the message");
                }
                wire += l + 1;
                if (wire > 254) {
                    throw new DnsFormatException("DNS name longer than 255 bytes");
                }
                if (!sb.isEmpty()) {
                    sb.append('.');
                }
                for (int i = p + 1; i <= p + l; i++) {
                    int c = m[i] & 0xff;
                    sb.append(c > 32 && c < 127 && c != '.' ? (char) c : '?');
                }
                p += l + 1;
            }
            return sb.toString().toLowerCase(Locale.ROOT);
        }
    }
}
