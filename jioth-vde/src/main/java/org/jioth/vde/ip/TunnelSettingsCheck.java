package org.jioth.vde.ip;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Objects;

/** The range checks that {@code vxlan://} and {@code vxvde://} settings share, with errors naming the scheme. */
final class TunnelSettingsCheck {
    private TunnelSettingsCheck() {
    }

    /** Throws (naming {@code scheme} and every value) unless the group is multicast and each value is in range. */
    static void check(String scheme, InetAddress group, int port, int vni, int ttl, long receiveBuffer, int hashSize,
            Duration expireTime) {
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(expireTime, "expireTime");
        if (!group.isMulticastAddress()) {
            throw new IllegalArgumentException(scheme + ": " + group.getHostAddress() + " is not a multicast address");
        }
        if (port < 1 || port > 65535 || vni < 0 || vni > VxHeader.MAX_VNI || ttl < 0 || ttl > 255
                || receiveBuffer < 0 || hashSize < 1 || expireTime.isNegative() || expireTime.isZero()) {
            throw new IllegalArgumentException(scheme + ": settings out of range: port " + port + ", vni " + vni
                    + ", ttl " + ttl + ", rcvbuf " + receiveBuffer + ", hashsize " + hashSize + ", expiretime " + expireTime);
        }
    }
}
