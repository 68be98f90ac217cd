package org.jioth.jnet.nio;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.UnsupportedAddressTypeException;
import org.jioth.jnet.wire.Ip128;
import org.jioth.jnet.wire.Ip4;

/** Socket-address checks shared by the channels: either family as {@link Ip128}, as the JDK maps them. */
final class Addresses {
    private Addresses() {
    }

    static InetSocketAddress check(SocketAddress sa) {
        return org.jioth.nio.SocketErrors.checkAddress(sa);
    }

    /** An address of a channel's family as {@link Ip128} halves, and its scope (an interface index). */
    record Key(long hi, long lo, int scope) {
        boolean isV4() {
            return Ip128.isV4(hi, lo);
        }

        @Override
        public String toString() {
            return Ip128.toString(hi, lo);
        }
    }

    /**
     * {@code a} for a channel of family INET6 ({@code inet6}) or INET. As the JDK: on INET6 an IPv4
     * address is used v4-mapped and {@code 0.0.0.0} means {@code ::}; on INET an IPv6 address other
     * than a v4-mapped one or {@code ::} (taken as {@code 0.0.0.0}) is not supported.
     */
    static Key key(InetAddress a, boolean inet6) {
        if (a instanceof Inet4Address) {
            int v4 = Ip4.of(a);
            return inet6 && v4 == 0 ? new Key(0, 0, 0) : new Key(0, Ip128.lo4(v4), 0);
        }
        if (a instanceof Inet6Address i6) {
            byte[] b = i6.getAddress();
            long hi = Ip128.hi(b);
            long lo = Ip128.lo(b);
            if (!inet6) {
                if (hi == 0 && lo == 0) {
                    return new Key(0, Ip128.MAPPED, 0);
                }
                if (!Ip128.isV4(hi, lo)) {
                    throw new UnsupportedAddressTypeException();
                }
            }
            return new Key(hi, lo, i6.getScopeId());
        }
        throw new UnsupportedAddressTypeException();
    }

    static int ipv4(InetAddress a) {
        Key k = key(a, false);
        return (int) k.lo();
    }
}
