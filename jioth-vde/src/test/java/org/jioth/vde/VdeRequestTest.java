package org.jioth.vde;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class VdeRequestTest {
    @Test
    void encodesRequestV3InHostOrder() {
        org.junit.jupiter.api.Assumptions.assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN,
                "golden bytes are for little-endian hosts");
        byte[] r = new VdeRequest(VdeRequest.typeFor(5), "/tmp/sw/.01234-00000", "vdeplug: user=root pid=1").encode();
        assertThat(r).hasSize(122 + 24);
        assertThat(HexFormat.of().formatHex(r, 0, 14)).isEqualTo("cefaedfe" + "03000000" + "00050000" + "0100");
        assertThat(new String(r, 14, 20)).isEqualTo("/tmp/sw/.01234-00000");
        assertThat(Arrays.copyOfRange(r, 34, 122)).containsOnly(0);
        assertThat(new String(r, 122, 24)).isEqualTo("vdeplug: user=root pid=1");
    }

    @Test
    void portTypes() {
        assertThat(VdeRequest.typeFor(null)).isZero();
        assertThat(VdeRequest.typeFor(0)).isEqualTo(1);
        assertThat(VdeRequest.typeFor(5)).isEqualTo(0x500);
    }

    @Test
    void decodesWhatItEncodesAndRejectsTheRest() {
        byte[] r = new VdeRequest(0, "/x/y", "d").encode();
        assertThat(VdeRequest.decode(ByteBuffer.wrap(r))).isEqualTo(new VdeRequest(0, "/x/y", "d"));
        assertThat(VdeRequest.decode(ByteBuffer.wrap(r, 0, 121))).isNull();
        byte[] bad = r.clone();
        bad[0] ^= 1;
        assertThat(VdeRequest.decode(ByteBuffer.wrap(bad))).isNull();
        bad = r.clone();
        bad[4] = 2;
        assertThat(VdeRequest.decode(ByteBuffer.wrap(bad))).isNull();
        assertThat(VdeRequest.decode(ByteBuffer.wrap(new VdeRequest(1, "/x", "").encode()))).isNull();
        String longDescr = "d".repeat(300);
        assertThat(new VdeRequest(0, "/x", longDescr).encode()).hasSize(122 + 127);
    }
}
