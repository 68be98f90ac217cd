package org.jioth.linux.netlink;

import java.util.HexFormat;

/** Golden vectors written as spaced hex, e.g. {@code "28 00 00 00"}. */
final class Hex {
    private Hex() {
    }

    static byte[] bytes(String spaced) {
        return HexFormat.of().parseHex(spaced.replaceAll("\\s+", ""));
    }

    static String of(byte[] b) {
        return HexFormat.ofDelimiter(" ").formatHex(b);
    }
}
