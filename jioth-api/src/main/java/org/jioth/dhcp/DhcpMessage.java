package org.jioth.dhcp;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.jioth.MacAddress;

/**
 * DHCPv4 messages (RFC 2131, options of RFC 2132): the client's DISCOVER, REQUEST and RELEASE, and
 * a defensive parser of the server's replies (every option length checked against the message).
 */
public final class DhcpMessage {
    public static final int DISCOVER = 1;
    public static final int OFFER = 2;
    public static final int REQUEST = 3;
    public static final int DECLINE = 4;
    public static final int ACK = 5;
    public static final int NAK = 6;
    public static final int RELEASE = 7;
    static final int COOKIE = 0x63825363;
    static final int FIXED = 236;
    /** What the client asks for: subnet mask, routers, DNS, domain name, MTU, domain search. */
    static final byte[] PARAMETERS = {1, 3, 6, 15, 26, 119};

    /** A parsed reply. Absent options are null (or empty lists); times are seconds, -1 when absent. */
    public record Reply(int op, int xid, InetAddress yourAddress, MacAddress clientMac, int type, InetAddress serverId,
                        int prefixLength, List<InetAddress> routers, List<InetAddress> dnsServers, String domainName,
                        List<String> searchDomains, int mtu, long leaseSeconds, long renewSeconds, long rebindSeconds) {
    }

    private DhcpMessage() {
    }

    /**
     * A client message: {@code type}, transaction {@code xid}, the client's {@code mac}, {@code ciaddr}
     * (null: 0.0.0.0), the requested address and server id (null: omitted), the broadcast flag.
     */
    public static byte[] client(int type, int xid, MacAddress mac, InetAddress ciaddr, InetAddress requested,
                                InetAddress serverId, String hostName, boolean broadcast) {
        ByteBuffer b = ByteBuffer.allocate(576);
        b.put((byte) 1).put((byte) 1).put((byte) 6).put((byte) 0);
        b.putInt(xid);
        b.putShort((short) 0);
        b.putShort((short) (broadcast ? 0x8000 : 0));
        b.put(v4(ciaddr));
        b.position(28);
        b.put(mac.toByteArray());
        b.position(FIXED);
        b.putInt(COOKIE);
        b.put((byte) 53).put((byte) 1).put((byte) type);
        b.put((byte) 61).put((byte) 7).put((byte) 1).put(mac.toByteArray());
        if (requested != null) {
            b.put((byte) 50).put((byte) 4).put(v4(requested));
        }
        if (serverId != null) {
            b.put((byte) 54).put((byte) 4).put(v4(serverId));
        }
        if (type != RELEASE) {
            b.put((byte) 57).put((byte) 2).putShort((short) 576);
            b.put((byte) 55).put((byte) PARAMETERS.length).put(PARAMETERS);
            if (hostName != null && !hostName.isEmpty()) {
                byte[] h = hostName.getBytes(StandardCharsets.US_ASCII);
                int n = Math.min(h.length, 63);
                b.put((byte) 12).put((byte) n).put(h, 0, n);
            }
        }
        b.put((byte) 255);
        while (b.position() < 300) {
            b.put((byte) 0); // BOOTP minimum size, some relays drop less
        }
        byte[] out = new byte[b.position()];
        b.flip().get(out);
        return out;
    }

    private static byte[] v4(InetAddress a) {
        return a == null ? new byte[4] : a.getAddress();
    }

    /**
     * Parses a server reply.
     *
     * @throws IllegalArgumentException naming what is malformed (callers count and drop it)
     */
    public static Reply parse(byte[] m, int len) {
        if (len < FIXED + 4 || len > m.length) {
            throw new IllegalArgumentException("DHCP message too short: " + len + " bytes");
        }
        ByteBuffer b = ByteBuffer.wrap(m, 0, len);
        int op = b.get(0);
        if (b.get(1) != 1 || b.get(2) != 6) {
            throw new IllegalArgumentException("DHCP message not for Ethernet (htype/hlen)");
        }
        if (b.getInt(FIXED) != COOKIE) {
            throw new IllegalArgumentException("DHCP message without the magic cookie");
        }
        byte[] mac = new byte[6];
        b.get(28, mac);
        int type = 0;
        InetAddress server = null;
        int prefix = -1;
        List<InetAddress> routers = List.of();
        List<InetAddress> dns = List.of();
        String domain = null;
        List<String> search = List.of();
        int mtu = -1;
        long lease = -1;
        long t1 = -1;
        long t2 = -1;
        int p = FIXED + 4;
        while (p < len) {
            int code = m[p] & 0xff;
            if (code == 0) {
                p++;
                continue;
            }
            if (code == 255) {
                break;
            }
            if (p + 1 >= len) {
                throw new IllegalArgumentException("DHCP option " + code + " cut off");
            }
            int olen = m[p + 1] & 0xff;
            int d = p + 2;
            if (d + olen > len) {
                throw new IllegalArgumentException("DHCP option " + code + " runs past the message");
            }
            switch (code) {
                case 53 -> type = need(code, olen, 1) ? m[d] & 0xff : 0;
                case 54 -> server = need(code, olen, 4) ? addr(m, d) : null;
                case 1 -> prefix = need(code, olen, 4) ? prefixOf(b.getInt(d)) : -1;
                case 3 -> routers = addrs(m, d, olen, code);
                case 6 -> dns = addrs(m, d, olen, code);
                case 15 -> domain = olen == 0 ? null : new String(m, d, olen, StandardCharsets.US_ASCII).replace("\0", "");
                case 26 -> mtu = need(code, olen, 2) ? b.getShort(d) & 0xffff : -1;
                case 51 -> lease = need(code, olen, 4) ? b.getInt(d) & 0xffffffffL : -1;
                case 58 -> t1 = need(code, olen, 4) ? b.getInt(d) & 0xffffffffL : -1;
                case 59 -> t2 = need(code, olen, 4) ? b.getInt(d) & 0xffffffffL : -1;
                case 119 -> search = SearchList.decode(m, d, olen);
                default -> { }
            }
            p = d + olen;
        }
        try {
            return new Reply(op, b.getInt(4), addr(m, 16), MacAddress.of(mac), type, server, prefix, routers, dns,
                    domain, search, mtu, lease, t1, t2);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("DHCP message with a bad client MAC", e);
        }
    }

    private static boolean need(int code, int len, int want) {
        if (len != want) {
            throw new IllegalArgumentException("DHCP option " + code + " has " + len + " bytes, want " + want);
        }
        return true;
    }

    private static int prefixOf(int mask) {
        int n = Integer.bitCount(mask);
        if (mask != (n == 0 ? 0 : -1 << (32 - n))) {
            throw new IllegalArgumentException("DHCP subnet mask is not contiguous: " + Integer.toHexString(mask));
        }
        return n;
    }

    private static List<InetAddress> addrs(byte[] m, int d, int len, int code) {
        if (len == 0 || len % 4 != 0) {
            throw new IllegalArgumentException("DHCP option " + code + " length " + len + " is not a multiple of 4");
        }
        List<InetAddress> l = new ArrayList<>();
        for (int i = 0; i < len; i += 4) {
            l.add(addr(m, d + i));
        }
        return List.copyOf(l);
    }

    static Inet4Address addr(byte[] m, int d) {
        try {
            return (Inet4Address) InetAddress.getByAddress(new byte[] {m[d], m[d + 1], m[d + 2], m[d + 3]});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
