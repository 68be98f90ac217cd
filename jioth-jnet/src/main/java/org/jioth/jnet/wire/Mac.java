package org.jioth.jnet.wire;

import java.nio.ByteBuffer;
import org.jioth.MacAddress;

/** 48-bit MAC addresses as {@code long}s (the low 48 bits), so the data path allocates none. */
public final class Mac {
    public static final long BROADCAST = 0xffff_ffff_ffffL;
    public static final long ZERO = 0;

    private Mac() {
    }

    public static long get(ByteBuffer b, int off) {
        return (b.getShort(off) & 0xffffL) << 32 | (b.getInt(off + 2) & 0xffffffffL);
    }

    public static void put(ByteBuffer b, int off, long mac) {
        b.putShort(off, (short) (mac >>> 32));
        b.putInt(off + 2, (int) mac);
    }

    public static boolean isMulticast(long mac) {
        return (mac >>> 40 & 1) != 0;
    }

    public static long of(MacAddress m) {
        long v = 0;
        for (int i = 0; i < 6; i++) {
            v = v << 8 | m.get(i);
        }
        return v;
    }

    public static MacAddress toMacAddress(long mac) {
        byte[] b = new byte[6];
        for (int i = 0; i < 6; i++) {
            b[i] = (byte) (mac >>> (40 - 8 * i));
        }
        return MacAddress.of(b);
    }

    public static String toString(long mac) {
        return toMacAddress(mac).toString();
    }
}
