package org.jioth.slirp;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The gateway's DNS server at {@link SlirpOptions#dns()}: answers A and AAAA questions (class IN)
 * with what the host's resolver says ({@link InetAddress#getAllByName}, so /etc/hosts counts),
 * NXDOMAIN for names it does not know, SERVFAIL when the resolver fails otherwise, and REFUSED for
 * every other type or opcode (they are not forwarded). Answers fit in 512 bytes (classic UDP DNS):
 * past that the TC bit is set. Thread-safe (no state): each query is answered on its own thread,
 * since the resolver blocks.
 */
final class DnsServer {
    static final int PORT = 53;
    static final int TYPE_A = 1;
    static final int TYPE_AAAA = 28;
    static final int NOERROR = 0;
    static final int SERVFAIL = 2;
    static final int NXDOMAIN = 3;
    static final int REFUSED = 5;
    private static final int MAX_UDP = 512;
    /** Seconds a client may cache an answer. */
    static final int TTL = 60;

    /** Resolves a name as the host would. */
    @FunctionalInterface
    interface Resolver {
        InetAddress[] resolve(String name) throws IOException;
    }

    private final Resolver resolver;
    private final SlirpCounters counters;

    DnsServer(Resolver resolver, SlirpCounters counters) {
        this.resolver = resolver;
        this.counters = counters;
    }

    /** The host's resolver. */
    static Resolver hostResolver() {
        return InetAddress::getAllByName;
    }

    /** The response to {@code query}, or null when it is not a DNS query worth an answer. */
    ByteBuffer answer(ByteBuffer query) {
        ByteBuffer q = query.slice();
        try {
            return respond(q);
        } catch (BufferUnderflowException | IndexOutOfBoundsException | IllegalArgumentException e) {
            counters.dnsMalformed.increment();
            return null;
        }
    }

    private ByteBuffer respond(ByteBuffer q) {
        if (q.remaining() < 12 || (q.get(2) & 0x80) != 0) {
            counters.dnsMalformed.increment(); // too short, or a response
            return null;
        }
        counters.dnsQueries.increment();
        int opcode = (q.get(2) >> 3) & 0xf;
        int qdcount = q.getShort(4) & 0xffff;
        if (opcode != 0 || qdcount != 1) {
            return header(q, 12, REFUSED, 0, false).flip();
        }
        StringBuilder name = new StringBuilder();
        int at = 12;
        while (true) {
            int len = q.get(at) & 0xff;
            if (len == 0) {
                at++;
                break;
            }
            if (len > 63 || name.length() + len > 253) {
                throw new IllegalArgumentException("bad label"); // compression in a question, or too long
            }
            if (!name.isEmpty()) {
                name.append('.');
            }
            byte[] label = new byte[len];
            q.get(at + 1, label);
            name.append(new String(label, StandardCharsets.US_ASCII));
            at += 1 + len;
        }
        int type = q.getShort(at) & 0xffff;
        int klass = q.getShort(at + 2) & 0xffff;
        int questionEnd = at + 4;
        if (klass != 1 || type != TYPE_A && type != TYPE_AAAA || name.isEmpty()) {
            return header(q, questionEnd, REFUSED, 0, false).flip();
        }
        InetAddress[] all;
        try {
            all = resolver.resolve(name.toString());
        } catch (UnknownHostException e) {
            return header(q, questionEnd, NXDOMAIN, 0, false).flip();
        } catch (IOException | RuntimeException e) {
            return header(q, questionEnd, SERVFAIL, 0, false).flip();
        }
        int rdlength = type == TYPE_A ? 4 : 16;
        int fit = (MAX_UDP - questionEnd) / (12 + rdlength);
        int count = 0;
        for (InetAddress a : all) {
            if (type == TYPE_A ? a instanceof Inet4Address : a instanceof Inet6Address) {
                count++;
            }
        }
        boolean truncated = count > fit;
        ByteBuffer r = header(q, questionEnd, NOERROR, Math.min(count, fit), truncated);
        int written = 0;
        for (InetAddress a : all) {
            if (written == fit || !(type == TYPE_A ? a instanceof Inet4Address : a instanceof Inet6Address)) {
                continue;
            }
            r.putShort((short) 0xc00c).putShort((short) type).putShort((short) 1).putInt(TTL)
                    .putShort((short) rdlength).put(a.getAddress());
            written++;
        }
        return r.flip();
    }

    /** A response header and the question copied: rcode, answer count, TC; positioned after them. */
    private static ByteBuffer header(ByteBuffer q, int questionEnd, int rcode, int answers, boolean truncated) {
        ByteBuffer r = ByteBuffer.allocate(MAX_UDP);
        r.put(q.slice(0, questionEnd));
        int rd = q.get(2) & 0x01;
        r.put(2, (byte) (0x80 | (q.get(2) & 0x78) | (truncated ? 0x02 : 0) | rd));
        r.put(3, (byte) (0x80 | rcode)); // RA, rcode
        r.putShort(4, (short) (questionEnd > 12 ? 1 : 0));
        r.putShort(6, (short) answers);
        r.putShort(8, (short) 0);
        r.putShort(10, (short) 0);
        if (questionEnd == 12) {
            r.position(12);
        }
        return r;
    }
}
