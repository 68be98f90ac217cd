package org.jioth.linux.fdnio;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemorySegment;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * sockaddr_in / sockaddr_in6 from and to {@link InetSocketAddress}. An IPv6 socket (dual stack,
 * as the JDK's default) reaches IPv4 peers through v4-mapped addresses, shown to Java as IPv4.
 */
final class SockAddr {
    private SockAddr() {
    }

    /** Writes {@code isa} for a socket of {@code family} into {@code sa}; returns the length. */
    static int encode(InetSocketAddress isa, int family, MemorySegment sa) {
        InetAddress a = isa.getAddress();
        int port = isa.getPort();
        sa.fill((byte) 0);
        if (family == FdNative.AF_INET) {
            if (!(a instanceof Inet4Address)) {
                throw new java.nio.channels.UnsupportedAddressTypeException();
            }
            sa.set(JAVA_SHORT, 0, (short) FdNative.AF_INET);
            putPort(sa, port);
            MemorySegment.copy(a.getAddress(), 0, sa, JAVA_BYTE, 4, 4);
            return 16;
        }
        sa.set(JAVA_SHORT, 0, (short) FdNative.AF_INET6);
        putPort(sa, port);
        byte[] b = a.getAddress();
        if (b.length == 4) {
            sa.set(JAVA_BYTE, 8 + 10, (byte) 0xff);
            sa.set(JAVA_BYTE, 8 + 11, (byte) 0xff);
            MemorySegment.copy(b, 0, sa, JAVA_BYTE, 8 + 12, 4);
        } else {
            MemorySegment.copy(b, 0, sa, JAVA_BYTE, 8, 16);
            if (a instanceof Inet6Address a6) {
                sa.set(JAVA_INT, 24, a6.getScopeId());
            }
        }
        return 28;
    }

    private static void putPort(MemorySegment sa, int port) {
        sa.set(JAVA_BYTE, 2, (byte) (port >> 8));
        sa.set(JAVA_BYTE, 3, (byte) port);
    }

    /** The address in {@code sa} (as filled by the kernel), or null for an unknown family. */
    static InetSocketAddress decode(MemorySegment sa) {
        int family = sa.get(JAVA_SHORT, 0);
        int port = (sa.get(JAVA_BYTE, 2) & 0xff) << 8 | (sa.get(JAVA_BYTE, 3) & 0xff);
        try {
            if (family == FdNative.AF_INET) {
                byte[] b = new byte[4];
                MemorySegment.copy(sa, JAVA_BYTE, 4, b, 0, 4);
                return new InetSocketAddress(InetAddress.getByAddress(b), port);
            }
            if (family == FdNative.AF_INET6) {
                byte[] b = new byte[16];
                MemorySegment.copy(sa, JAVA_BYTE, 8, b, 0, 16);
                if (isV4Mapped(b)) {
                    return new InetSocketAddress(InetAddress.getByAddress(java.util.Arrays.copyOfRange(b, 12, 16)), port);
                }
                int scope = sa.get(JAVA_INT, 24);
                InetAddress a = scope != 0 ? Inet6Address.getByAddress(null, b, scope) : InetAddress.getByAddress(b);
                return new InetSocketAddress(a, port);
            }
        } catch (UnknownHostException e) {
            throw new AssertionError(e); // lengths are right by construction
        }
        return null;
    }

    private static boolean isV4Mapped(byte[] b) {
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return b[10] == (byte) 0xff && b[11] == (byte) 0xff;
    }
}
