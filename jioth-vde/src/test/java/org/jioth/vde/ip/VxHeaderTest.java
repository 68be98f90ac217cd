package org.jioth.vde.ip;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class VxHeaderTest {
    private static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replace(" ", ""));
    }

    @Test
    void defaultVniIsTheObservedHeader() {
        assertThat(VxHeader.bytes(1)).isEqualTo(hex("08 00 00 00 00 00 01 00"));
    }

    @Test
    void vniIsBigEndianInBytesFourToSix() {
        assertThat(VxHeader.bytes(0x123456)).isEqualTo(hex("08 00 00 00 12 34 56 00"));
        assertThat(VxHeader.bytes(42)).isEqualTo(hex("08 00 00 00 00 00 2a 00"));
        assertThat(VxHeader.bytes(0xFFFFFF)).isEqualTo(hex("08 00 00 00 ff ff ff 00"));
    }

    @Test
    void vxvdeDemandsTheExactHeader() {
        assertThat(VxHeader.matchesExactly(ByteBuffer.wrap(hex("08 00 00 00 00 00 2a 00")), 0, 42)).isTrue();
        assertThat(VxHeader.matchesExactly(ByteBuffer.wrap(hex("08 00 00 00 00 00 2b 00")), 0, 42)).isFalse();
        assertThat(VxHeader.matchesExactly(ByteBuffer.wrap(hex("08 00 00 01 00 00 2a 00")), 0, 42)).isFalse();
        assertThat(VxHeader.matchesExactly(ByteBuffer.wrap(hex("08 00 00 00 00 00 2a 01")), 0, 42)).isFalse();
        assertThat(VxHeader.matchesExactly(ByteBuffer.wrap(hex("0c 00 00 00 00 00 2a 00")), 0, 42)).isFalse();
    }

    @Test
    void vxlanChecksFlagsAndVniButNotReservedBytes() {
        assertThat(VxHeader.matchesVxlan(ByteBuffer.wrap(hex("08 ff ff ff 00 00 2a ff")), 0, 42)).isTrue();
        assertThat(VxHeader.matchesVxlan(ByteBuffer.wrap(hex("00 00 00 00 00 00 2a 00")), 0, 42)).isFalse();
        assertThat(VxHeader.matchesVxlan(ByteBuffer.wrap(hex("08 00 00 00 00 00 2b 00")), 0, 42)).isFalse();
    }
}
