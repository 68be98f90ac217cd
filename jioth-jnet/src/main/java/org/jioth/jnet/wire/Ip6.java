package org.jioth.jnet.wire;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/** IPv6 address helpers on 16-byte arrays (the stack's representation). */
public final class Ip6 {
    public static final byte[] UNSPECIFIED = new byte[16];
    public static final byte[] ALL_NODES = parseBytes("ff02::1");
    public static final byte[] ALL_ROUTERS = parseBytes("ff02::2");

    private Ip6() {
    }

    private static byte[] parseBytes(String s) {
        return InetAddress.ofLiteral(s).getAddress();
    }

    public static boolean isMulticast(byte[] a) {
        return (a[0] & 0xff) == 0xff;
    }

    public static boolean isLinkLocal(byte[] a) {
        return (a[0] & 0xff) == 0xfe && (a[1] & 0xc0) == 0x80;
    }

    public static boolean isUnspecified(byte[] a) {
        return Arrays.equals(a, UNSPECIFIED);
    }

    public static boolean isLoopback(byte[] a) {
        for (int i = 0; i < 15; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return a[15] == 1;
    }

    /** fe80::/64 with the modified EUI-64 interface identifier of {@code mac} (RFC 4291 appendix A). */
    public static byte[] linkLocal(long mac) {
        byte[] a = new byte[16];
        a[0] = (byte) 0xfe;
        a[1] = (byte) 0x80;
        a[8] = (byte) ((mac >>> 40) ^ 0x02);
        a[9] = (byte) (mac >>> 32);
        a[10] = (byte) (mac >>> 24);
        a[11] = (byte) 0xff;
        a[12] = (byte) 0xfe;
        a[13] = (byte) (mac >>> 16);
        a[14] = (byte) (mac >>> 8);
        a[15] = (byte) mac;
        return a;
    }

    /** The solicited-node multicast address ff02::1:ffXX:XXXX of {@code a} (RFC 4291 2.7.1). */
    public static byte[] solicitedNode(byte[] a) {
        byte[] s = new byte[16];
        s[0] = (byte) 0xff;
        s[1] = 0x02;
        s[11] = 1;
        s[12] = (byte) 0xff;
        s[13] = a[13];
        s[14] = a[14];
        s[15] = a[15];
        return s;
    }

    /** Whether {@code group} is the solicited-node address of {@code a}, without building it (per packet). */
    public static boolean isSolicitedNodeOf(byte[] group, byte[] a) {
        if (group[0] != (byte) 0xff || group[1] != 0x02 || group[11] != 1 || group[12] != (byte) 0xff
                || group[13] != a[13] || group[14] != a[14] || group[15] != a[15]) {
            return false;
        }
        for (int i = 2; i < 11; i++) {
            if (group[i] != 0) {
                return false;
            }
        }
        return true;
    }

    /** The Ethernet multicast MAC 33:33:xx:xx:xx:xx of an IPv6 multicast address (RFC 2464 7). */
    public static long multicastMac(byte[] a) {
        return 0x3333L << 32 | ((a[12] & 0xffL) << 24) | ((a[13] & 0xffL) << 16) | ((a[14] & 0xffL) << 8) | (a[15] & 0xffL);
    }

    /** True when the first {@code prefixLength} bits of {@code a} and {@code b} agree. */
    public static boolean samePrefix(byte[] a, byte[] b, int prefixLength) {
        int full = prefixLength / 8;
        for (int i = 0; i < full; i++) {
            if (a[i] != b[i]) {
                return false;
            }
        }
        int bits = prefixLength % 8;
        if (bits == 0) {
            return true;
        }
        int mask = 0xff << (8 - bits) & 0xff;
        return (a[full] & mask) == (b[full] & mask);
    }

    /** {@code a} with the bits after {@code prefixLength} cleared. */
    public static byte[] network(byte[] a, int prefixLength) {
        byte[] n = new byte[16];
        for (int i = 0; i < 16; i++) {
            int bits = Math.max(0, Math.min(8, prefixLength - 8 * i));
            n[i] = (byte) (a[i] & (0xff << (8 - bits)));
        }
        return n;
    }

    public static Inet6Address toInet(byte[] a, int scopeId) {
        try {
            return Inet6Address.getByAddress(null, a, scopeId);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e); // 16 bytes: cannot happen
        }
    }

    public static String toString(byte[] a) {
        return toInet(a, -1).getHostAddress();
    }
}
