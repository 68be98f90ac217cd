package org.jioth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.time.Duration;
import org.jioth.testkit.ChildProcess;
import org.junit.jupiter.api.Test;

/** {@code ioth plug slirp://} finds the slirp scheme (module jioth-slirp) and its gateway answers DHCP. */
class SlirpPlugTest {
    @Test
    void iothPlugSlirpOnStdioOffersAnAddress() throws Exception {
        NetworkCommandsTest.FramedProcess plug = new NetworkCommandsTest.FramedProcess(
                ChildProcess.javaCommand(Main.class, "plug", "slirp://"), true);
        try {
            byte[] discover = dhcpDiscover();
            byte[] offer = null;
            for (int i = 0; i < 150 && offer == null; i++) { // until the child JVM has started
                plug.send(discover);
                byte[] f = plug.next(Duration.ofMillis(200), null);
                if (f != null && f.length > 14 + 20 + 8 + 240 && f[12] == 8 && f[13] == 0 && f[14 + 9] == 17) {
                    offer = f;
                }
            }
            assertThat(offer).as("a DHCP reply from the gateway: %s", plug.text).isNotNull();
            ByteBuffer b = ByteBuffer.wrap(offer);
            assertThat(b.getInt(14 + 12)).as("from 10.0.2.2").isEqualTo(0x0a000202);
            assertThat(b.getInt(14 + 20 + 8 + 16)).as("yiaddr 10.0.2.15").isEqualTo(0x0a00020f);
        } finally {
            plug.close();
        }
    }

    /** A broadcast DHCPDISCOVER from 02:00:00:00:00:0a (UDP checksum 0: none, as IPv4 allows). */
    static byte[] dhcpDiscover() {
        int dhcpLen = 300;
        ByteBuffer b = ByteBuffer.allocate(14 + 20 + 8 + dhcpLen);
        b.put(new byte[] {-1, -1, -1, -1, -1, -1}).put(new byte[] {2, 0, 0, 0, 0, 0x0a}).putShort((short) 0x0800);
        int ip = b.position();
        b.put((byte) 0x45).put((byte) 0).putShort((short) (20 + 8 + dhcpLen)).putInt(0).put((byte) 64).put((byte) 17)
                .putShort((short) 0).putInt(0).putInt(-1);
        int sum = 0;
        for (int i = 0; i < 20; i += 2) {
            sum += b.getShort(ip + i) & 0xffff;
        }
        sum = (sum & 0xffff) + (sum >>> 16);
        sum = (sum & 0xffff) + (sum >>> 16);
        b.putShort(ip + 10, (short) ~sum);
        b.putShort((short) 68).putShort((short) 67).putShort((short) (8 + dhcpLen)).putShort((short) 0);
        int d = b.position();
        b.put((byte) 1).put((byte) 1).put((byte) 6).put((byte) 0).putInt(0x1234).putShort((short) 0)
                .putShort((short) 0x8000).putInt(0).putInt(0).putInt(0).putInt(0);
        b.put(new byte[] {2, 0, 0, 0, 0, 0x0a});
        b.position(d + 236);
        b.putInt(0x63825363).put((byte) 53).put((byte) 1).put((byte) 1).put((byte) 255);
        return b.array();
    }
}
