package org.jioth.vde.testing;

import java.nio.ByteBuffer;
import java.util.HexFormat;

/** Builds test Ethernet frames. */
public final class Frames {
    private Frames() {
    }

    public static byte[] mac(String text) {
        return HexFormat.ofDelimiter(":").parseHex(text);
    }

    /** dst, src, ethertype 0x88b5 (local experimental), then {@code payloadLength} bytes counting from {@code seed}. */
    public static byte[] frame(String dst, String src, int payloadLength, int seed) {
        ByteBuffer b = ByteBuffer.allocate(14 + payloadLength);
        b.put(mac(dst)).put(mac(src)).putShort((short) 0x88b5);
        for (int i = 0; i < payloadLength; i++) {
            b.put((byte) (seed + i));
        }
        return b.array();
    }
}
