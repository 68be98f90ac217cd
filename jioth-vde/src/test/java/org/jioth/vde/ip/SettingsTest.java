package org.jioth.vde.ip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SettingsTest {
    @Test
    void udpParsesBothSides() {
        UdpSettings s = UdpSettings.fromOptions("5000->127.0.0.1:6000", Map.of());
        assertThat(s.sourceAddress()).isNull();
        assertThat(s.sourcePort()).isEqualTo(5000);
        assertThat(s.destination().getAddress()).isEqualTo(InetAddress.ofLiteral("127.0.0.1"));
        assertThat(s.destination().getPort()).isEqualTo(6000);
        UdpSettings v6 = UdpSettings.fromOptions("::1:5000->::1:6000", Map.of());
        assertThat(v6.sourceAddress()).isEqualTo(InetAddress.ofLiteral("::1"));
        assertThat(v6.destination().getAddress()).isEqualTo(InetAddress.ofLiteral("::1"));
        assertThat(v6.destination().getPort()).isEqualTo(6000);
    }

    @Test
    void udpRejectsBadInput() {
        assertThatThrownBy(() -> UdpSettings.fromOptions("5000", Map.of())).hasMessageContaining("->");
        assertThatThrownBy(() -> UdpSettings.fromOptions("5000->127.0.0.1:99999", Map.of()))
                .hasMessageContaining("destination port");
        assertThatThrownBy(() -> UdpSettings.fromOptions("x->127.0.0.1:1", Map.of())).hasMessageContaining("source port");
        assertThatThrownBy(() -> UdpSettings.fromOptions("1->127.0.0.1:1", Map.of("ttl", "3")))
                .hasMessageContaining("unknown option 'ttl'");
    }

    @Test
    void vxvdeDefaults() {
        VxvdeSettings s = VxvdeSettings.fromOptions("", Map.of());
        assertThat(s.group()).isEqualTo(InetAddress.ofLiteral("239.0.0.1"));
        assertThat(s.port()).isEqualTo(14789);
        assertThat(s.vni()).isEqualTo(1);
        assertThat(s.ttl()).isEqualTo(1);
        assertThat(s.hashSize()).isEqualTo(1024);
        assertThat(s.expireTime()).isEqualTo(Duration.ofSeconds(128));
        assertThat(s.interfaceName()).isNull();
        assertThat(VxvdeSettings.fromOptions("", Map.of("v6", "")).group())
                .isEqualTo(InetAddress.ofLiteral("ff05:56de::1"));
    }

    @Test
    void vxvdeGrpSetsVniAndTheLastThreeBytesOfTheGroup() {
        VxvdeSettings s = VxvdeSettings.fromOptions("", Map.of("grp", "1000"));
        assertThat(s.group()).isEqualTo(InetAddress.ofLiteral("239.0.3.232"));
        assertThat(s.vni()).isEqualTo(1000);
        VxvdeSettings explicitVni = VxvdeSettings.fromOptions("", Map.of("grp", "1000", "vni", "7"));
        assertThat(explicitVni.vni()).isEqualTo(7);
        assertThat(VxvdeSettings.fromOptions("", Map.of("grp", "root")).group())
                .isEqualTo(InetAddress.ofLiteral("239.0.0.0"));
    }

    @Test
    void vxvdeOptionValues() {
        VxvdeSettings s = VxvdeSettings.fromOptions("239.1.2.3", Map.of("port", "5000", "vni", "0x2a", "ttl", "0",
                "rcvbuf", "2m", "hashsize", "16", "expiretime", "-1", "if", "lo", "bind", "127.0.0.1"));
        assertThat(s.group()).isEqualTo(InetAddress.ofLiteral("239.1.2.3"));
        assertThat(s.port()).isEqualTo(5000);
        assertThat(s.vni()).isEqualTo(42);
        assertThat(s.ttl()).isZero();
        assertThat(s.receiveBuffer()).isEqualTo(2L << 20);
        assertThat(s.hashSize()).isEqualTo(16);
        assertThat(s.expireTime()).isEqualTo(Duration.ofSeconds(128));
        assertThat(s.interfaceName()).isEqualTo("lo");
        assertThat(s.bindAddress()).isEqualTo(InetAddress.ofLiteral("127.0.0.1"));
        assertThat(VxvdeSettings.fromOptions("", Map.of("vni", "")).vni()).isEqualTo(0); // root's egid
    }

    @Test
    void vxvdeRejectsBadInputNamingTheOption() {
        assertThatThrownBy(() -> VxvdeSettings.fromOptions("", Map.of("port", "0")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'port'").hasMessageContaining("1 to 65535");
        assertThatThrownBy(() -> VxvdeSettings.fromOptions("", Map.of("vni", "16777216"))).hasMessageContaining("'vni'");
        assertThatThrownBy(() -> VxvdeSettings.fromOptions("", Map.of("ttl", "abc"))).hasMessageContaining("'ttl'");
        assertThatThrownBy(() -> VxvdeSettings.fromOptions("", Map.of("rcvbuf", "12q"))).hasMessageContaining("'rcvbuf'");
        assertThatThrownBy(() -> VxvdeSettings.fromOptions("", Map.of("grp", "no-such-group-xyz"))).hasMessageContaining("'grp'");
        assertThatThrownBy(() -> VxvdeSettings.fromOptions("", Map.of("colour", "red")))
                .hasMessageContaining("unknown option 'colour'").hasMessageContaining("port, vni, grp");
        assertThatThrownBy(() -> VxvdeSettings.fromOptions("10.1.2.3", Map.of())).hasMessageContaining("not a multicast");
        assertThatThrownBy(() -> VxvdeSettings.fromOptions("239.1.1.1", Map.of("v6", ""))).hasMessageContaining("IPv6");
    }

    @Test
    void vxlanDefaultsAndOptions() {
        VxlanSettings s = VxlanSettings.fromOptions(null, Map.of());
        assertThat(s.group()).isEqualTo(InetAddress.ofLiteral("239.0.0.1"));
        assertThat(s.port()).isEqualTo(4789);
        assertThat(s.vni()).isEqualTo(1);
        assertThat(VxlanSettings.fromOptions("", Map.of("v6", "")).group()).isEqualTo(InetAddress.ofLiteral("ff05:56de::1"));
        VxlanSettings t = VxlanSettings.fromOptions("239.9.9.9", Map.of("port", "8472", "vni", "42", "if", "lo"));
        assertThat(t.port()).isEqualTo(8472);
        assertThat(t.vni()).isEqualTo(42);
        assertThat(t.interfaceName()).isEqualTo("lo");
        assertThatThrownBy(() -> VxlanSettings.fromOptions("", Map.of("vni", "staff"))).hasMessageContaining("'vni'");
        assertThatThrownBy(() -> VxlanSettings.fromOptions("", Map.of("grp", "1"))).hasMessageContaining("unknown option 'grp'");
    }
}
