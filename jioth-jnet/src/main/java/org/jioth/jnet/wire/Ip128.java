package org.jioth.jnet.wire;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;

/**
 * An IP address of either family as two longs (big-endian halves), IPv4 as its v4-mapped IPv6
 * form {@code ::ffff:a.b.c.d} (RFC 4291 2.5.5.2): one allocation-free representation keys both
 * families, and a v4-mapped address never appears in a valid IPv6 header, so the family follows
 * from the value. The IPv4 wildcard is {@code ::ffff:0.0.0.0}, the IPv6 one {@code ::}.
 */
public final class Ip128 {
    /** The low half's prefix of a v4-mapped address. */
    public static final long MAPPED = 0xffffL << 32;

    private Ip128() {
    }

    public static long lo4(int v4) {
        return MAPPED | (v4 & 0xffffffffL);
    }

    public static boolean isV4(long hi, long lo) {
        return hi == 0 && (lo & 0xffffffff00000000L) == MAPPED;
    }

    /** Either family's wildcard. */
    public static boolean isAny(long hi, long lo) {
        return hi == 0 && (lo == 0 || lo == MAPPED);
    }

    public static long hi(byte[] a) {
        return ByteBuffer.wrap(a).getLong(0);
    }

    public static long lo(byte[] a) {
        return ByteBuffer.wrap(a).getLong(8);
    }

    public static long hi(ByteBuffer b, int off) {
        return b.getLong(off);
    }

    public static long lo(ByteBuffer b, int off) {
        return b.getLong(off + 8);
    }

    /** Writes the 16 bytes into {@code into} (returned). */
    public static byte[] bytes(long hi, long lo, byte[] into) {
        for (int i = 0; i < 8; i++) {
            into[i] = (byte) (hi >>> (56 - 8 * i));
            into[8 + i] = (byte) (lo >>> (56 - 8 * i));
        }
        return into;
    }

    /** The one's-complement sum of the address's 16-bit words, for pseudo-headers. */
    public static long sum(long hi, long lo) {
        return Checksum.addInt(Checksum.addInt(Checksum.addInt(Checksum.addInt(0, (int) (hi >>> 32)), (int) hi),
                (int) (lo >>> 32)), (int) lo);
    }

    /**
     * The pseudo-header address sum of a datagram from {@code s} to {@code d}: RFC 768/793's for
     * IPv4 (v4-mapped), RFC 8200 8.1's for IPv6. Protocol and length are added by the caller.
     */
    public static long addressSum(long shi, long slo, long dhi, long dlo) {
        if (isV4(dhi, dlo)) {
            return Checksum.addInt(Checksum.addInt(0, (int) slo), (int) dlo);
        }
        return sum(shi, slo) + sum(dhi, dlo);
    }

    /** The Java address: an {@link Inet4Address} for a v4-mapped one (as the JDK reports them). */
    public static InetAddress toInet(long hi, long lo, int scope) {
        try {
            if (isV4(hi, lo)) {
                return Ip4.toInet((int) lo);
            }
            byte[] b = bytes(hi, lo, new byte[16]);
            return scope > 0 && Ip6.isLinkLocal(b) ? Inet6Address.getByAddress(null, b, scope)
                    : InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    public static String toString(long hi, long lo) {
        return isV4(hi, lo) ? Ip4.toString((int) lo) : Ip6.toString(bytes(hi, lo, new byte[16]));
    }
}
