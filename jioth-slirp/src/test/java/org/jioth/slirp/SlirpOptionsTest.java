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
        assertThat(o.pacing()).as("decided by the port").isNull();
        assertThat(parse("slirp:///pacing=1").pacing()).isTrue();
        assertThat(parse("slirp:///pacing=0").pacing()).isFalse();
        assertThat(o.tso()).as("off by default").isFalse();
        assertThat(parse("slirp:///tso=1").tso()).isTrue();
        assertThatThrownBy(() -> parse("slirp:///tso=maybe")).hasMessageContaining("'tso'");
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
                new HostForward(false, InetAddress.ofLiteral("127.0.0.1"), 8022, InetAddress.ofLiteral("192.168.76.100"),
                        22),
                new HostForward(true, InetAddress.getLoopbackAddress(), 5353, InetAddress.ofLiteral("192.168.76.100"),
                        53));
    }

    @Test
    void ipv6IsOnByDefaultAtFd00WithItsOptions() {
        SlirpOptions d = SlirpOptions.defaults();
        assertThat(d.ipv6()).isTrue();
        assertThat(d.v6prefix()).isEqualTo(InetAddress.ofLiteral("fd00::"));
        assertThat(d.v6host()).isEqualTo(InetAddress.ofLiteral("fd00::2"));
        assertThat(d.v6dns()).isEqualTo(InetAddress.ofLiteral("fd00::3"));
        SlirpOptions o = parse("slirp:///v6prefix=fd12:3456::/v6prefixlen=64/v6host=fd12:3456::1/v6dns=fd12:3456::53"
                + "/hostfwd=tcp:[::1]:8080-[fd12:3456::15]:80");
        assertThat(o.v6host()).isEqualTo(InetAddress.ofLiteral("fd12:3456::1"));
        assertThat(o.v6dns()).isEqualTo(InetAddress.ofLiteral("fd12:3456::53"));
        assertThat(o.inNetwork6(InetAddress.ofLiteral("fd12:3456::abcd"))).isTrue();
        assertThat(o.inNetwork6(InetAddress.ofLiteral("fd00::abcd"))).isFalse();
        assertThat(o.hostForwards()).containsExactly(new HostForward(false, InetAddress.ofLiteral("::1"), 8080,
                InetAddress.ofLiteral("fd12:3456::15"), 80));
        assertThat(o.hostForwards().getFirst().toString()).isEqualTo("tcp:[0:0:0:0:0:0:0:1]:8080-[fd12:3456:0:0:0:0:0:15]:80");
        assertThat(parse("slirp:///ipv6=0").ipv6()).isFalse();
    }

    @Test
    void badIpv6OptionsNameWhatIsWrong() {
        assertThatThrownBy(() -> parse("slirp:///v6prefixlen=48")).hasMessageContaining("v6prefixlen");
        assertThatThrownBy(() -> parse("slirp:///v6prefix=fd00::1")).hasMessageContaining("v6prefix")
                .hasMessageContaining("/64");
        assertThatThrownBy(() -> parse("slirp:///v6prefix=ff02::")).hasMessageContaining("unicast");
        assertThatThrownBy(() -> parse("slirp:///v6prefix=printer.lan")).hasMessageContaining("IPv6 address");
        assertThatThrownBy(() -> parse("slirp:///v6host=fd01::2")).hasMessageContaining("v6host");
        assertThatThrownBy(() -> parse("slirp:///v6dns=fd00::2")).hasMessageContaining("v6dns");
        assertThatThrownBy(() -> parse("slirp:///hostfwd=tcp:[::1]:80-[fd01::15]:80"))
                .hasMessageContaining("v6prefix");
        assertThatThrownBy(() -> parse("slirp:///ipv6=0/hostfwd=tcp:[::1]:80-[fd00::15]:80"))
                .hasMessageContaining("ipv6 is off");
        assertThatThrownBy(() -> parse("slirp:///hostfwd=tcp:[zz]:80-:80")).hasMessageContaining("IPv6 address");
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
