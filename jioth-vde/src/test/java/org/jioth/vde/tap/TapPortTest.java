package org.jioth.vde.tap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import org.jioth.vde.testing.CollectingSink;
import org.jioth.vde.testing.Frames;
import org.jioth.vde.testing.TestNetns;
import org.junit.jupiter.api.Test;

/** tap:// inside a namespace the test creates: the kernel answers our ARP through the tap. */
class TapPortTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void settingsRejectBadNames() {
        assertThat(TapSettings.fromOptions("tap0", Map.of()).interfaceName()).isEqualTo("tap0");
        assertThatThrownBy(() -> TapSettings.fromOptions("a-name-that-is-too-long", Map.of())).hasMessageContaining("1..15");
        assertThatThrownBy(() -> TapSettings.fromOptions("tap0", Map.of("x", "1"))).hasMessageContaining("unknown option 'x'");
        assertThat(TapSettings.fromOptions("tap0", Map.of()).offload()).isFalse();
        assertThat(TapSettings.fromOptions("tap0", Map.of("offload", "1"))).isEqualTo(new TapSettings("tap0", true));
        assertThat(TapSettings.fromOptions("tap0", Map.of("offload", "0")).offload()).isFalse();
        assertThat(new TapSettings("tap0", true)).hasToString("tap://tap0/offload=1");
    }

    @Test
    void kernelAnswersArpThroughTheTap() throws Exception {
        try (TestNetns ns = TestNetns.create();
                TapPort port = ns.call(() -> new TapPort(TapSettings.fromOptions("jtap0", Map.of())))) {
            ns.ip("addr", "add", "192.168.250.1/24", "dev", "jtap0");
            ns.ip("link", "set", "jtap0", "up");
            CollectingSink sink = new CollectingSink();
            port.setSink(sink);
            byte[] request = HexFormat.of().parseHex("ffffffffffff" + "02000000000a" + "0806"
                    + "0001080006040001" + "02000000000a" + "c0a8fa02" + "000000000000" + "c0a8fa01");
            byte[] reply = null;
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (reply == null && System.nanoTime() < deadline) {
                port.send(ByteBuffer.wrap(request));
                reply = sink.pollMatching(f -> f.length >= 42 && f[12] == 0x08 && f[13] == 0x06 && f[21] == 2,
                        Duration.ofMillis(300));
            }
            assertThat(reply).as("ARP reply from the kernel").isNotNull();
            assertThat(Arrays.copyOfRange(reply, 0, 6)).isEqualTo(Frames.mac("02:00:00:00:00:0a"));
            assertThat(ByteBuffer.wrap(reply).getInt(28)).isEqualTo(0xc0a8fa01);
            assertThat(port.statistics().framesIn.sum()).isGreaterThanOrEqualTo(1);
        }
    }
}
