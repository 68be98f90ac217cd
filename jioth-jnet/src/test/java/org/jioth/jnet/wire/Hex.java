package org.jioth.jnet.wire;

import java.nio.ByteBuffer;
import java.util.HexFormat;

/** Hex helpers for golden vectors. */
final class Hex {
    private Hex() {
    }

    static ByteBuffer buf(String hex) {
        return ByteBuffer.wrap(HexFormat.of().parseHex(hex.replace(" ", "")));
    }

    static String hex(ByteBuffer b, int off, int len) {
        byte[] out = new byte[len];
        b.get(off, out);
        return HexFormat.of().formatHex(out);
    }
}
