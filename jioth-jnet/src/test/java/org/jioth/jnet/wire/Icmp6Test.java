package org.jioth.jnet.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class Icmp6Test {
    private static final byte[] A = InetAddress.ofLiteral("fe80::1").getAddress();
    private static final byte[] B = InetAddress.ofLiteral("fe80::2").getAddress();

    /** fe80::1 -> fe80::2 echo request id 0x1234 seq 1 "abcd"; checksum 0xabb8 computed independently (Python, RFC 1071). */
    private static ByteBuffer golden() {
        ByteBuffer b = ByteBuffer.allocate(Ipv6.HEADER + 12);
        Ipv6.emit(b, 0, 0, 0, 12, Ipv6.ICMPV6, 64, A, B);
        Icmp6.emit(b, Ipv6.HEADER, Icmp6.ECHO_REQUEST, 0, 0x1234 << 16 | 1);
        b.put(Ipv6.HEADER + 8, "abcd".getBytes());
        return b;
    }

    @Test
    void checksumMatchesTheGoldenVector() {
        ByteBuffer b = golden();
        Icmp6.finish(b, 0, Ipv6.HEADER, 12);
        assertThat(b.getShort(Ipv6.HEADER + 2) & 0xffff).isEqualTo(0xabb8);
        Icmp6 m = new Icmp6();
        assertThat(m.wrap(b, 0, Ipv6.HEADER, 12)).isEqualTo(Icmp6.Check.OK);
        assertThat(m.type()).isEqualTo(Icmp6.ECHO_REQUEST);
        assertThat(m.identifier()).isEqualTo(0x1234);
        assertThat(m.sequence()).isEqualTo(1);
    }

    @Test
    void anyFlippedByteOrWrongPseudoHeaderFailsTheChecksum() {
        for (int i = 8; i < Ipv6.HEADER + 12; i++) {
            if (i >= Ipv6.HEADER + 2 && i < Ipv6.HEADER + 4) {
                continue;
            }
            ByteBuffer b = golden();
            Icmp6.finish(b, 0, Ipv6.HEADER, 12);
            b.put(i, (byte) (b.get(i) ^ 0x01));
            assertThat(new Icmp6().wrap(b, 0, Ipv6.HEADER, 12)).as("byte %d", i).isEqualTo(Icmp6.Check.BAD_CHECKSUM);
        }
        assertThat(new Icmp6().wrap(golden(), 0, Ipv6.HEADER, 3)).isEqualTo(Icmp6.Check.TRUNCATED);
    }

    @Test
    void addressHelpers() {
        long mac = 0x525400123456L;
        assertThat(Ip6.toString(Ip6.linkLocal(mac))).isEqualTo("fe80:0:0:0:5054:ff:fe12:3456");
        byte[] g = InetAddress.ofLiteral("fd00::12:3456").getAddress();
        assertThat(Ip6.toString(Ip6.solicitedNode(g))).isEqualTo("ff02:0:0:0:0:1:ff12:3456");
        assertThat(Ip6.multicastMac(Ip6.solicitedNode(g))).isEqualTo(0x3333ff123456L);
        assertThat(Ip6.samePrefix(g, InetAddress.ofLiteral("fd00::1").getAddress(), 64)).isTrue();
        assertThat(Ip6.samePrefix(g, InetAddress.ofLiteral("fd01::1").getAddress(), 64)).isFalse();
        assertThat(Ip6.toString(Ip6.network(g, 120))).isEqualTo("fd00:0:0:0:0:0:12:3400");
    }
}
