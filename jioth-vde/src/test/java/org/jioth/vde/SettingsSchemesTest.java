package org.jioth.vde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jioth.vde.ip.UdpPort;
import org.jioth.vde.ip.VxlanPort;
import org.jioth.vde.ip.VxvdePort;
import org.junit.jupiter.api.Test;

/** The udp, vxvde, vxlan, ptp and tap ports are reached through VNLs like every other scheme. */
class SettingsSchemesTest {

    @Test
    void everySchemeIsRegistered() {
        assertThat(EthernetPorts.schemes()).containsKeys("udp", "vxvde", "vxlan", "ptp", "tap", "vde", "switch", "hub", "null");
    }

    @Test
    void twoUdpVnlsExchangeAFrame() throws Exception {
        try (EthernetPort a = EthernetPorts.open("udp://127.0.0.1:47611->127.0.0.1:47612");
             EthernetPort b = EthernetPorts.open("udp://127.0.0.1:47612->127.0.0.1:47611")) {
            assertThat(a).isInstanceOf(UdpPort.class);
            LinkedBlockingQueue<byte[]> got = new LinkedBlockingQueue<>();
            b.setSink(f -> {
                byte[] copy = new byte[f.remaining()];
                f.duplicate().get(copy);
                got.add(copy);
            });
            byte[] frame = new byte[60];
            for (int i = 0; i < frame.length; i++) {
                frame[i] = (byte) (i * 7);
            }
            assertThat(a.send(ByteBuffer.wrap(frame))).isTrue();
            assertThat(got.poll(60, TimeUnit.SECONDS)).isEqualTo(frame);
        }
    }

    @Test
    void multicastSchemesParseTheirOptions() throws Exception {
        try (EthernetPort v = EthernetPorts.open("vxvde://239.77.1.2/port=47613/vni=7/ttl=0")) {
            assertThat(v).isInstanceOf(VxvdePort.class);
        }
        try (EthernetPort v = EthernetPorts.open("vxlan://239.77.1.3/port=47614/vni=9")) {
            assertThat(v).isInstanceOf(VxlanPort.class);
        }
    }

    @Test
    void badOptionsNameTheSchemeAndTheOption() {
        assertThatThrownBy(() -> EthernetPorts.open("vxvde://239.77.1.2/nosuch=1"))
                .isInstanceOf(VnlException.class).hasMessageContaining("vxvde").hasMessageContaining("nosuch");
        assertThatThrownBy(() -> EthernetPorts.open("vxvde://239.77.1.2/port=notanumber"))
                .isInstanceOf(VnlException.class).hasMessageContaining("vxvde").hasMessageContaining("port");
        assertThatThrownBy(() -> EthernetPorts.open("udp://nonsense"))
                .isInstanceOf(VnlException.class).hasMessageContaining("udp");
        assertThatThrownBy(() -> EthernetPorts.open("ptp:///tmp/x[mode=bogus]"))
                .isInstanceOf(VnlException.class).hasMessageContaining("ptp").hasMessageContaining("mode");
    }
}
