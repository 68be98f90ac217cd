package org.jioth.dhcp;

import java.io.ByteArrayOutputStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * DHCPv6 messages (RFC 8415): the client's messages, and a defensive parser of the server's
 * (every option length checked against its container; lists bounded, so a server never decides
 * how much we keep). Message = {@code msg-type (1) | transaction-id (3) | options}, options =
 * {@code code (2) | length (2) | data}, big-endian.
 */
public final class Dhcp6Message {
    public static final int SOLICIT = 1;
    public static final int ADVERTISE = 2;
    public static final int REQUEST = 3;
    public static final int RENEW = 5;
    public static final int REBIND = 6;
    public static final int REPLY = 7;
    public static final int RELEASE = 8;
    public static final int INFORMATION_REQUEST = 11;

    static final int OPT_CLIENTID = 1;
    static final int OPT_SERVERID = 2;
    static final int OPT_IA_NA = 3;
    static final int OPT_IAADDR = 5;
    static final int OPT_ORO = 6;
    static final int OPT_PREFERENCE = 7;
    static final int OPT_ELAPSED_TIME = 8;
    static final int OPT_UNICAST = 12;
    static final int OPT_STATUS_CODE = 13;
    static final int OPT_RAPID_COMMIT = 14;
    static final int OPT_DNS_SERVERS = 23;
    static final int OPT_DOMAIN_LIST = 24;
    static final int OPT_INFORMATION_REFRESH_TIME = 32;
    static final int OPT_CLIENT_FQDN = 39;
    static final int OPT_SOL_MAX_RT = 82;
    static final int OPT_INF_MAX_RT = 83;

    public static final int STATUS_SUCCESS = 0;
    public static final int STATUS_NO_ADDRS_AVAIL = 2;
    public static final int STATUS_NO_BINDING = 3;
    public static final int STATUS_NOT_ON_LINK = 4;
    public static final int STATUS_USE_MULTICAST = 5;

    /** A DUID is at most 128 bytes plus its 2-byte type (RFC 8415 11.1). */
    static final int MAX_DUID = 130;
    static final int MAX_ADDRESSES = 16;
    static final int MAX_DNS_SERVERS = 8;
    static final int MAX_DOMAINS = 8;
    /** 0xffffffff: an infinite lifetime or timer. */
    public static final long INFINITY = 0xffffffffL;

    /** An IAADDR: address and lifetimes in seconds. */
    public record IaAddress(Inet6Address address, long preferred, long valid) {
    }

    /** Our IA_NA in a server's message: timers, status (success when absent) and addresses. */
    public record IaNa(int iaid, long t1, long t2, int status, List<IaAddress> addresses) {
        public IaNa {
            addresses = List.copyOf(addresses);
        }
    }

    /**
     * A parsed server message. Absent options: null, -1 or empty lists; {@code status} is the
     * message-level status (success when absent), {@code ia} our IA_NA (null when absent).
     */
    public record Parsed(int type, int xid, byte[] clientId, byte[] serverId, int preference, boolean rapidCommit,
                         int status, IaNa ia, List<Inet6Address> dnsServers, List<String> domains,
                         Inet6Address serverUnicast, long informationRefresh) {
        public Parsed {
            dnsServers = List.copyOf(dnsServers);
            domains = List.copyOf(domains);
        }
    }

    private Dhcp6Message() {
    }

    /** What a client message carries besides its type and transaction id. */
    public record Fields(byte[] duid, byte[] serverId, int iaid, List<Inet6Address> addresses, int elapsedCentis,
                         boolean rapidCommit, String fqdn) {
    }

    /**
     * A client message. SOLICIT, REQUEST, RENEW, REBIND and RELEASE carry an IA_NA (with the
     * given addresses, lifetimes 0: the server decides); INFORMATION-REQUEST none.
     */
    public static byte[] client(int type, int xid, Fields f) {
        ByteArrayOutputStream b = new ByteArrayOutputStream(128);
        b.write(type);
        b.write(xid >> 16);
        b.write(xid >> 8);
        b.write(xid);
        option(b, OPT_CLIENTID, f.duid());
        if (f.serverId() != null) {
            option(b, OPT_SERVERID, f.serverId());
        }
        int[] oro = type == INFORMATION_REQUEST
                ? new int[] {OPT_DNS_SERVERS, OPT_DOMAIN_LIST, OPT_INFORMATION_REFRESH_TIME, OPT_INF_MAX_RT}
                : type == SOLICIT ? new int[] {OPT_DNS_SERVERS, OPT_DOMAIN_LIST, OPT_SOL_MAX_RT}
                : new int[] {OPT_DNS_SERVERS, OPT_DOMAIN_LIST};
        byte[] o = new byte[oro.length * 2];
        for (int i = 0; i < oro.length; i++) {
            o[2 * i] = (byte) (oro[i] >> 8);
            o[2 * i + 1] = (byte) oro[i];
        }
        if (type != RELEASE) {
            option(b, OPT_ORO, o);
        }
        option(b, OPT_ELAPSED_TIME, new byte[] {(byte) (f.elapsedCentis() >> 8), (byte) f.elapsedCentis()});
        if (type == SOLICIT && f.rapidCommit()) {
            option(b, OPT_RAPID_COMMIT, new byte[0]);
        }
        if (f.fqdn() != null && type != RELEASE) {
            byte[] name = dnsName(f.fqdn());
            byte[] v = new byte[1 + name.length];
            System.arraycopy(name, 0, v, 1, name.length); // flags 0: the server decides the updates
            option(b, OPT_CLIENT_FQDN, v);
        }
        if (type != INFORMATION_REQUEST) {
            ByteArrayOutputStream ia = new ByteArrayOutputStream();
            int id = f.iaid();
            ia.writeBytes(new byte[] {(byte) (id >> 24), (byte) (id >> 16), (byte) (id >> 8), (byte) id, 0, 0, 0, 0, 0, 0, 0, 0});
            for (Inet6Address a : f.addresses()) {
                option(ia, OPT_IAADDR, Arrays.copyOf(a.getAddress(), 24)); // lifetimes 0 (RFC 8415 21.6)
            }
            option(b, OPT_IA_NA, ia.toByteArray());
        }
        return b.toByteArray();
    }

    private static void option(ByteArrayOutputStream b, int code, byte[] data) {
        b.write(code >> 8);
        b.write(code);
        b.write(data.length >> 8);
        b.write(data.length);
        b.writeBytes(data);
    }

    /** {@code name} in DNS wire form, uncompressed, with its terminating zero label. */
    static byte[] dnsName(String name) {
        String n = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        if (!n.isEmpty()) {
            for (String label : n.split("\\.", -1)) {
                byte[] l = label.getBytes(StandardCharsets.US_ASCII);
                if (l.length == 0 || l.length > 63) {
                    throw new IllegalArgumentException("DHCPv6: bad DNS name '" + name + "' (empty or over-long label)");
                }
                b.write(l.length);
                b.writeBytes(l);
            }
        }
        b.write(0);
        if (b.size() > 255) {
            throw new IllegalArgumentException("DHCPv6: DNS name over 255 bytes: " + name);
        }
        return b.toByteArray();
    }

    /**
     * Parses a server message, keeping only the IA_NA whose IAID is {@code iaid}.
     *
     * @throws IllegalArgumentException naming what is malformed
     */
    public static Parsed parse(byte[] m, int len, int iaid) {
        if (len < 4 || len > m.length) {
            throw new IllegalArgumentException("DHCPv6: message of " + len + " bytes is too short");
        }
        int type = m[0] & 0xff;
        int xid = u24(m, 1);
        byte[] clientId = null;
        byte[] serverId = null;
        int preference = 0;
        boolean rapid = false;
        int status = STATUS_SUCCESS;
        IaNa ia = null;
        List<Inet6Address> dns = new ArrayList<>();
        List<String> domains = new ArrayList<>();
        Inet6Address unicast = null;
        long refresh = -1;
        int p = 4;
        while (p < len) {
            if (p + 4 > len) {
                throw new IllegalArgumentException("DHCPv6: option header cut off at byte " + p);
            }
            int code = u16(m, p);
            int olen = u16(m, p + 2);
            int d = p + 4;
            if (d + olen > len) {
                throw new IllegalArgumentException("DHCPv6: option " + code + " of " + olen + " bytes runs past the message");
            }
            switch (code) {
                case OPT_CLIENTID -> clientId = duid(m, d, olen, "client", clientId);
                case OPT_SERVERID -> serverId = duid(m, d, olen, "server", serverId);
                case OPT_PREFERENCE -> {
                    exact(code, olen, 1);
                    preference = m[d] & 0xff;
                }
                case OPT_RAPID_COMMIT -> {
                    exact(code, olen, 0);
                    rapid = true;
                }
                case OPT_STATUS_CODE -> status = statusCode(m, d, olen);
                case OPT_UNICAST -> {
                    exact(code, olen, 16);
                    unicast = v6(m, d);
                }
                case OPT_IA_NA -> {
                    IaNa parsed = iaNa(m, d, olen);
                    if (parsed.iaid() == iaid && ia == null) {
                        ia = parsed;
                    }
                }
                case OPT_DNS_SERVERS -> {
                    if (olen % 16 != 0) {
                        throw new IllegalArgumentException("DHCPv6: DNS servers option of " + olen + " bytes (not a multiple of 16)");
                    }
                    for (int i = 0; i < olen && dns.size() < MAX_DNS_SERVERS; i += 16) {
                        dns.add(v6(m, d + i));
                    }
                }
                case OPT_DOMAIN_LIST -> domainList(m, d, olen, domains);
                case OPT_INFORMATION_REFRESH_TIME -> {
                    exact(code, olen, 4);
                    refresh = u32(m, d);
                }
                default -> {
                    // options we did not ask for are skipped
                }
            }
            p = d + olen;
        }
        return new Parsed(type, xid, clientId, serverId, preference, rapid, status, ia, dns, domains, unicast, refresh);
    }

    private static byte[] duid(byte[] m, int d, int olen, String which, byte[] previous) {
        if (olen < 3 || olen > MAX_DUID) {
            throw new IllegalArgumentException("DHCPv6: " + which + " DUID of " + olen + " bytes (want 3.." + MAX_DUID + ")");
        }
        if (previous != null) {
            throw new IllegalArgumentException("DHCPv6: two " + which + " identifier options");
        }
        return Arrays.copyOfRange(m, d, d + olen);
    }

    private static void exact(int code, int olen, int want) {
        if (olen != want) {
            throw new IllegalArgumentException("DHCPv6: option " + code + " of " + olen + " bytes (want " + want + ")");
        }
    }

    private static int statusCode(byte[] m, int d, int olen) {
        if (olen < 2) {
            throw new IllegalArgumentException("DHCPv6: status code option of " + olen + " bytes");
        }
        return u16(m, d);
    }

    private static IaNa iaNa(byte[] m, int d, int olen) {
        if (olen < 12) {
            throw new IllegalArgumentException("DHCPv6: IA_NA of " + olen + " bytes (want at least 12)");
        }
        int iaid = (int) u32(m, d);
        long t1 = u32(m, d + 4);
        long t2 = u32(m, d + 8);
        int status = STATUS_SUCCESS;
        List<IaAddress> addrs = new ArrayList<>();
        int p = d + 12;
        int end = d + olen;
        while (p < end) {
            if (p + 4 > end) {
                throw new IllegalArgumentException("DHCPv6: IA_NA sub-option header cut off");
            }
            int code = u16(m, p);
            int sl = u16(m, p + 2);
            int sd = p + 4;
            if (sd + sl > end) {
                throw new IllegalArgumentException("DHCPv6: IA_NA sub-option " + code + " runs past the IA_NA");
            }
            if (code == OPT_IAADDR) {
                if (sl < 24) {
                    throw new IllegalArgumentException("DHCPv6: IAADDR of " + sl + " bytes (want at least 24)");
                }
                long preferred = u32(m, sd + 16);
                long valid = u32(m, sd + 20);
                int inner = sd + 24;
                int addrStatus = STATUS_SUCCESS;
                while (inner < sd + sl) {
                    if (inner + 4 > sd + sl || inner + 4 + u16(m, inner + 2) > sd + sl) {
                        throw new IllegalArgumentException("DHCPv6: IAADDR sub-option runs past the IAADDR");
                    }
                    if (u16(m, inner) == OPT_STATUS_CODE) {
                        addrStatus = statusCode(m, inner + 4, u16(m, inner + 2));
                    }
                    inner += 4 + u16(m, inner + 2);
                }
                // RFC 8415 21.6: preferred > valid is discarded; valid 0 says "stop using it"
                if (addrStatus == STATUS_SUCCESS && preferred <= valid && addrs.size() < MAX_ADDRESSES) {
                    addrs.add(new IaAddress(v6(m, sd), preferred, valid));
                }
            } else if (code == OPT_STATUS_CODE) {
                status = statusCode(m, sd, sl);
            }
            p = sd + sl;
        }
        return new IaNa(iaid, t1, t2, status, addrs);
    }

    /** Option 24: uncompressed DNS names (RFC 8415 10); a compression pointer is malformed. */
    private static void domainList(byte[] m, int d, int olen, List<String> out) {
        int p = d;
        int end = d + olen;
        while (p < end) {
            StringBuilder sb = new StringBuilder();
            while (true) {
                if (p >= end) {
                    throw new IllegalArgumentException("DHCPv6: domain name runs past the domain list");
                }
                int l = m[p] & 0xff;
                p++;
                if (l == 0) {
                    break;
                }
                if (l > 63 || p + l > end || sb.length() + l + 1 > 254) {
                    throw new IllegalArgumentException("DHCPv6: bad label in the domain list (length " + l + ")");
                }
                if (!sb.isEmpty()) {
                    sb.append('.');
                }
                for (int i = 0; i < l; i++) {
                    int c = m[p + i] & 0xff;
                    if (c <= ' ' || c >= 0x7f) {
                        throw new IllegalArgumentException("DHCPv6: a domain name holds the byte " + c);
                    }
                    sb.append((char) c);
                }
                p += l;
            }
            if (!sb.isEmpty() && out.size() < MAX_DOMAINS) {
                out.add(sb.toString().toLowerCase(Locale.ROOT));
            }
        }
    }

    private static Inet6Address v6(byte[] m, int off) {
        InetAddress a;
        try {
            a = InetAddress.getByAddress(Arrays.copyOfRange(m, off, off + 16));
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // 16 bytes always make an address
        }
        if (a instanceof Inet6Address a6) {
            return a6;
        }
        throw new IllegalArgumentException("DHCPv6: an IPv4-mapped address where an IPv6 one is due");
    }

    static int u16(byte[] m, int off) {
        return (m[off] & 0xff) << 8 | m[off + 1] & 0xff;
    }

    static int u24(byte[] m, int off) {
        return (m[off] & 0xff) << 16 | (m[off + 1] & 0xff) << 8 | m[off + 2] & 0xff;
    }

    static long u32(byte[] m, int off) {
        return ((long) (m[off] & 0xff) << 24) | (m[off + 1] & 0xff) << 16 | (m[off + 2] & 0xff) << 8 | m[off + 3] & 0xff;
    }
}
