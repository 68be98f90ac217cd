package org.jioth.vdestack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Which frames {@link AcceptPacer} looks at: TCP to a port, resets and everything else passes. */
class AcceptPacerTest {
    private static ByteBuffer ipv4Tcp(int dstPort, int flags, int fragment) {
        ByteBuffer f = ByteBuffer.allocate(14 + 20 + 20);
        f.putShort(12, (short) 0x0800);
        f.put(14, (byte) 0x45).put(23, (byte) 6).putShort(20, (short) fragment);
        f.putShort(34, (short) 40000).putShort(36, (short) dstPort).put(34 + 13, (byte) flags);
        return f;
    }

    @Test
    void ipv4AndIpv6TcpSegmentsGiveTheirDestinationPort() {
        assertThat(AcceptPacer.tcpDestinationPort(ipv4Tcp(5000, 0x02, 0))).isEqualTo(5000); // SYN
        assertThat(AcceptPacer.tcpDestinationPort(ipv4Tcp(65535, 0x10, 0x4000))).isEqualTo(65535); // ACK, DF
        ByteBuffer v6 = ByteBuffer.allocate(14 + 40 + 20);
        v6.putShort(12, (short) 0x86dd).put(20, (byte) 6).putShort(54 + 2, (short) 443).put(54 + 13, (byte) 0x18);
        assertThat(AcceptPacer.tcpDestinationPort(v6)).isEqualTo(443);
    }

    @Test
    void resetsFragmentsOtherProtocolsAndShortFramesAreNotHeld() {
        assertThat(AcceptPacer.tcpDestinationPort(ipv4Tcp(5000, 0x14, 0))).isEqualTo(-1); // RST+ACK
        assertThat(AcceptPacer.tcpDestinationPort(ipv4Tcp(5000, 0x10, 0x0010))).isEqualTo(-1); // later fragment
        ByteBuffer udp = ipv4Tcp(5000, 0, 0).put(23, (byte) 17);
        assertThat(AcceptPacer.tcpDestinationPort(udp)).isEqualTo(-1);
        assertThat(AcceptPacer.tcpDestinationPort(ByteBuffer.allocate(20).putShort(12, (short) 0x0800))).isEqualTo(-1);
        ByteBuffer arp = ByteBuffer.allocate(60).putShort(12, (short) 0x0806);
        assertThat(AcceptPacer.tcpDestinationPort(arp)).isEqualTo(-1);
    }

    @Test
    void randomFramesNeverThrowAndLeaveThePositionAlone() {
        Random random = new Random(15);
        for (int i = 0; i < 20_000; i++) {
            byte[] bytes = new byte[random.nextInt(80)];
            random.nextBytes(bytes);
            if (bytes.length > 14 && random.nextBoolean()) {
                bytes[12] = random.nextBoolean() ? (byte) 0x08 : (byte) 0x86;
                bytes[13] = bytes[12] == 0x08 ? 0 : (byte) 0xdd;
            }
            ByteBuffer f = ByteBuffer.wrap(bytes);
            int port = AcceptPacer.tcpDestinationPort(f);
            assertThat(port).isBetween(-1, 65535);
            assertThat(f.position()).isZero();
        }
    }

    @Test
    void aStackWithoutListenersHoldsNothing() {
        AcceptPacer pacer = new AcceptPacer();
        pacer.beforeDelivery(ipv4Tcp(5000, 0x02, 0));
        assertThat(pacer.held.sum()).isZero();
    }
}
