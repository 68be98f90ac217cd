package org.jioth.slirp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.jioth.vde.EthernetPorts;
import org.jioth.vde.Vnl;
import org.jioth.vde.VnlException;
import org.junit.jupiter.api.Test;

class SlirpOptionsTest {
    static SlirpOptions parse(String vnl) {
        Vnl v = Vnl.parse(vnl, new SlirpScheme().syntax());
        return SlirpOptions.fromOptions(v.main(), v.options());
    }

    static int ip(String s) {
        return Ipv4Text.parse(s, "test");
    }

    @Test
    void libslirpDefaults() {
        SlirpOptions o = parse("slirp://");
        assertThat(o.network()).isEqualTo(ip("10.0.2.0"));
        assertThat(o.prefix()).isEqualTo(24);
        assertThat(o.host()).isEqualTo(ip("10.0.2.2"));
        assertThat(o.dns()).isEqualTo(ip("10.0.2.3"));
        assertThat(o.dhcpStart()).isEqualTo(ip("10.0.2.15"));
        assertThat(o.hostLoopback()).isTrue();
        assertThat(o.restrict()).isFalse();
        assertThat(o.mac()).isEqualTo("52:55:0a:00:02:02");
    }

    @Test
    void optionsAndHostfwdRules() {
        SlirpOptions o = parse("slirp:///v4net=192.168.76.0/v4prefix=24/v4host=192.168.76.1/v4dns=192.168.76.53"
                + "/v4dhcp=192.168.76.100/restrict/disable_host_loopback/maxflows=10/flowbuf=256k"
                + "/hostfwd=tcp:127.0.0.1:8022-192.168.76.100:22,udp::5353-:53");
        assertThat(o.host()).isEqualTo(ip("192.168.76.1"));
        assertThat(o.dhcpStart()).isEqualTo(ip("192.168.76.100"));
        assertThat(o.restrict()).isTrue();
        assertThat(o.hostLoopback()).isFalse();
        assertThat(o.maxFlows()).isEqualTo(10);
        assertThat(o.flowBuffer()).isEqualTo(256 * 1024);
        assertThat(o.hostForwards()).containsExactly(
                new HostForward(false, InetAddress.ofLiteral("127.0.0.1"), 8022, ip("192.168.76.100"), 22),
                new HostForward(true, InetAddress.getLoopbackAddress(), 5353, ip("192.168.76.100"), 53));
    }

    @Test
    void badOptionsNameWhatIsWrong() {
        assertThatThrownBy(() -> parse("slirp:///v4prefix=33")).hasMessageContaining("v4prefix")
                .hasMessageContaining("8 to 30");
        assertThatThrownBy(() -> parse("slirp:///v4net=10.0.2.1")).hasMessageContaining("v4net")
                .hasMessageContaining("10.0.2.0");
        assertThatThrownBy(() -> parse("slirp:///v4host=10.0.3.2")).hasMessageContaining("v4host");
        assertThatThrownBy(() -> parse("slirp:///v4dns=10.0.2.2")).hasMessageContaining("v4dns");
        assertThatThrownBy(() -> parse("slirp:///hostfwd=tcp:127.0.0.1:80")).hasMessageContaining("hostfwd")
                .hasMessageContaining("'-'");
        assertThatThrownBy(() -> parse("slirp:///hostfwd=sctp::1-:2")).hasMessageContaining("tcp: or udp:");
        assertThatThrownBy(() -> parse("slirp:///hostfwd=tcp::99999-:2")).hasMessageContaining("99999");
        assertThatThrownBy(() -> parse("slirp:///leases=300")).hasMessageContaining("leases");
        assertThatThrownBy(() -> parse("slirp:///restrict=maybe")).hasMessageContaining("restrict");
        assertThatThrownBy(() -> parse("slirp://somewhere")).hasMessageContaining("somewhere");
        assertThatThrownBy(() -> EthernetPorts.open("slirp:///bogus=1")).isInstanceOf(VnlException.class)
                .hasMessageContaining("bogus");
        assertThatThrownBy(() -> EthernetPorts.open("slirp:///mtu=100")).isInstanceOf(VnlException.class)
                .hasMessageContaining("mtu");
    }
}
