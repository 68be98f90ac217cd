package org.jioth.jnet.wire;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** IPv4 addresses as {@code int}s (network order in the int's bits: 192.168.0.1 = 0xc0a80001). */
public final class Ip4 {
    public static final int ANY = 0;
    public static final int BROADCAST = 0xffffffff;

    private Ip4() {
    }

    public static int of(InetAddress a) {
        if (!(a instanceof Inet4Address)) {
            throw new IllegalArgumentException("not an IPv4 address: " + a);
        }
        byte[] b = a.getAddress();
        return (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
    }

    public static int parse(String dotted) {
        return of(InetAddress.ofLiteral(dotted));
    }

    public static Inet4Address toInet(int a) {
        try {
            return (Inet4Address) InetAddress.getByAddress(new byte[] {
                (byte) (a >>> 24), (byte) (a >>> 16), (byte) (a >>> 8), (byte) a});
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** The netmask of a prefix length 0..32. */
    public static int mask(int prefixLength) {
        return prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
    }

    public static boolean isMulticast(int a) {
        return (a >>> 28) == 0xe;
    }

    public static boolean isLoopback(int a) {
        return (a >>> 24) == 127;
    }

    public static String toString(int a) {
        return (a >>> 24) + "." + (a >>> 16 & 0xff) + "." + (a >>> 8 & 0xff) + "." + (a & 0xff);
    }
}
