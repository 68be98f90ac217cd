package org.jioth.jnet.nio;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.UnsupportedAddressTypeException;
import org.jioth.jnet.wire.Ip4;

/** Socket-address checks shared by the TCP channels (IPv4, v4-mapped IPv6 and the IPv6 wildcard). */
final class Addresses {
    private Addresses() {
    }

    static InetSocketAddress check(SocketAddress sa) {
        return org.jioth.nio.SocketErrors.checkAddress(sa);
    }

    static int ipv4(InetAddress a) {
        if (a instanceof Inet4Address) {
            return Ip4.of(a);
        }
        if (a instanceof Inet6Address i6) {
            if (a.isAnyLocalAddress()) {
                return 0;
            }
            byte[] b = i6.getAddress();
            boolean mapped = true;
            for (int i = 0; i < 10; i++) {
                mapped &= b[i] == 0;
            }
            if (mapped && b[10] == -1 && b[11] == -1) {
                return (b[12] & 0xff) << 24 | (b[13] & 0xff) << 16 | (b[14] & 0xff) << 8 | (b[15] & 0xff);
            }
        }
        throw new UnsupportedAddressTypeException();
    }
}
