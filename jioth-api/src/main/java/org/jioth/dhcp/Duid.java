package org.jioth.dhcp;

import java.time.Instant;
import org.jioth.MacAddress;

/** DHCP Unique Identifiers (RFC 8415 11) made from an interface's MAC. */
public final class Duid {
    private static final Instant EPOCH_2000 = Instant.parse("2000-01-01T00:00:00Z");

    private Duid() {
    }

    /** DUID-LL (type 3, hardware type 1 Ethernet, the MAC): the same for the interface across restarts. */
    public static byte[] linkLayer(MacAddress mac) {
        byte[] m = mac.toByteArray();
        byte[] d = new byte[4 + m.length];
        d[1] = 3;
        d[3] = 1;
        System.arraycopy(m, 0, d, 4, m.length);
        return d;
    }

    /** DUID-LLT (type 1, Ethernet, seconds since 2000-01-01 UTC modulo 2^32, the MAC), as iothconf's C client sends. */
    public static byte[] linkLayerTime(MacAddress mac, Instant when) {
        long t = when.getEpochSecond() - EPOCH_2000.getEpochSecond();
        byte[] m = mac.toByteArray();
        byte[] d = new byte[8 + m.length];
        d[1] = 1;
        d[3] = 1;
        d[4] = (byte) (t >> 24);
        d[5] = (byte) (t >> 16);
        d[6] = (byte) (t >> 8);
        d[7] = (byte) t;
        System.arraycopy(m, 0, d, 8, m.length);
        return d;
    }
}
