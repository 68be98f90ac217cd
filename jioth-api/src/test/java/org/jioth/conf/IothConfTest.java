package org.jioth.conf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.jioth.Errno;
import org.jioth.IfAddr;
import org.jioth.MacAddress;
import org.jioth.NetConfig;
import org.jioth.NetConfigException;
import org.junit.jupiter.api.Test;

class IothConfTest {

    /** Records every configuration call; knows one interface, vde0 = 2. */
    static final class Recorder implements NetConfig {
        final List<String> calls = new ArrayList<>();
        final List<String> existing = new ArrayList<>();

        @Override
        public int ifNameToIndex(String ifname) throws NetConfigException {
            if (ifname.equals("vde0")) {
                return 2;
            }
            throw new NetConfigException("ifNameToIndex(" + ifname + ")", Errno.ENODEV);
        }

        @Override
        public void linkSetUpDown(int ifindex, boolean up) {
            calls.add("link " + ifindex + (up ? " up" : " down"));
        }

        @Override
        public void linkSetAddr(int ifindex, MacAddress mac) {
            calls.add("mac " + ifindex + " " + mac);
        }

        @Override
        public MacAddress linkGetAddr(int ifindex) {
            return MacAddress.ZERO;
        }

        @Override
        public void linkSetMtu(int ifindex, int mtu) {
            calls.add("mtu " + mtu);
        }

        @Override
        public void ipAddrAdd(InetAddress addr, int prefixLength, int ifindex) throws NetConfigException {
            String c = "addr " + addr.getHostAddress() + "/" + prefixLength + " " + ifindex;
            if (existing.contains(c)) {
                throw new NetConfigException("ipAddrAdd", Errno.EEXIST);
            }
            calls.add(c);
        }

        @Override
        public void ipAddrDel(InetAddress addr, int prefixLength, int ifindex) {
            calls.add("del addr " + addr.getHostAddress() + "/" + prefixLength + " " + ifindex);
        }

        @Override
        public void ipRouteAdd(InetAddress dst, int prefixLength, InetAddress gateway, int ifindex) {
            calls.add("route " + dst + "/" + prefixLength + " via " + gateway.getHostAddress() + " " + ifindex);
        }

        @Override
        public void ipRouteDel(InetAddress dst, int prefixLength, InetAddress gateway, int ifindex) {
            calls.add("del route via " + gateway.getHostAddress() + " " + ifindex);
        }

        @Override
        public int ipLinkAdd(String ifname, int ifindex, String type, List<LinkData> data) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void ipLinkDel(String ifname, int ifindex) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<IfAddr> interfaces() {
            return List.of();
        }
    }

    @Test
    void staticConfigurationInLibiothOrder() throws Exception {
        Recorder r = new Recorder();
        IothConf.Result res = IothConf.parse("eth,ip=192.168.250.50/24,gw=192.168.250.1, ip=2001:db8::5 ;dns=10.0.0.53")
                .apply(r);
        assertThat(r.calls).containsExactly("link 2 up", "addr 2001:db8:0:0:0:0:0:5/64 2", "addr 192.168.250.50/24 2",
                "route null/0 via 192.168.250.1 0");
        assertThat(res.mask()).isEqualTo(IothConf.Step.STATIC.bit() | IothConf.Step.ETH.bit());
        assertThat(res.dnsServers()).containsExactly(InetAddress.ofLiteral("10.0.0.53"));
    }

    @Test
    void missingPrefixDefaultsAsLibioth() throws Exception {
        Recorder r = new Recorder();
        IothConf.parse("ip=10.0.0.1 ip=10.0.0.2/0 ip=fd00::1/0").apply(r);
        assertThat(r.calls).containsExactly("addr fd00:0:0:0:0:0:0:1/64 2", "addr 10.0.0.1/24 2", "addr 10.0.0.2/24 2");
    }

    @Test
    void ipv6GatewayNamesTheInterface() throws Exception {
        Recorder r = new Recorder();
        IothConf.parse("gw=fe80::1").apply(r);
        assertThat(r.calls).containsExactly("route null/0 via fe80:0:0:0:0:0:0:1 2");
    }

    @Test
    void nothingRequestedTouchesNothing() throws Exception {
        Recorder r = new Recorder();
        IothConf.Result res = IothConf.parse("iface=nosuch # only a comment, eth").apply(r);
        assertThat(res.mask()).isZero();
        assertThat(r.calls).isEmpty();
    }

    @Test
    void missingInterfaceIsEnodev() {
        assertThatThrownBy(() -> IothConf.parse("iface=eth9,eth").apply(new Recorder()))
                .isInstanceOf(NetConfigException.class).hasMessageContaining("ENODEV").hasMessageContaining("eth9");
    }

    @Test
    void anAddressAlreadyThereCountsAsApplied() throws Exception {
        Recorder r = new Recorder();
        r.existing.add("addr 10.1.1.1/24 2");
        assertThat(IothConf.parse("ip=10.1.1.1/24").apply(r).mask()).isEqualTo(1);
    }

    @Test
    void ethSetsTheGivenOrHashedMac() throws Exception {
        Recorder r = new Recorder();
        IothConf.parse("mac=02:00:00:00:00:07,eth").apply(r);
        IothConf.parse("fqdn=test.v2.cs.unibo.it.,eth").apply(r);
        assertThat(r.calls).containsExactly("mac 2 02:00:00:00:00:07", "link 2 up", "mac 2 6a:d6:2f:5a:5a:2e", "link 2 up");
    }

    @Test
    void removalsAndLinkDown() throws Exception {
        Recorder r = new Recorder();
        IothConf.parse("-ip=10.0.0.1/16,-gw=10.0.0.254,-eth,ifindex=7").apply(r);
        assertThat(r.calls).containsExactly("del addr 10.0.0.1/16 7", "del route via 10.0.0.254 0", "link 7 down");
    }

    @Test
    void quotesAndEscapesProtectSeparators() {
        assertThat(ConfTokenizer.options("domain='a b',fqdn=x\\,y  ;; eth")).extracting(Object::toString)
                .containsExactly("domain=a b", "fqdn=x,y", "eth");
    }

    @Test
    void badInputNamesTheBadPart() {
        assertThatThrownBy(() -> IothConf.parse("eth,ip=300.1.1.1/24")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ip=300.1.1.1/24");
        assertThatThrownBy(() -> IothConf.parse("ip=10.0.0.1/33")).hasMessageContaining("prefix length");
        assertThatThrownBy(() -> IothConf.parse("eth,frobnicate")).hasMessageContaining("unknown option 'frobnicate'");
        assertThatThrownBy(() -> IothConf.parse("gw")).hasMessageContaining("'gw' needs a value");
        assertThatThrownBy(() -> IothConf.parse("eth=1")).hasMessageContaining("takes no value");
        assertThatThrownBy(() -> IothConf.parse("mac=zz:00:00:00:00:00,eth")).hasMessageContaining("mac=zz");
        assertThatThrownBy(() -> IothConf.parse("stack=jnet")).hasMessageContaining("newStackConf");
    }

    @Test
    void dynamicProtocolsParseButNeedAStack() {
        for (String tag : List.of("dhcp", "dhcp6", "dhcpv6", "rd", "rd6", "auto", "auto4", "auto6", "-dhcp6", "-rd", "-auto", "-all")) {
            IothConf c = IothConf.parse("eth," + tag);
            assertThat(c.hasActions()).as(tag).isTrue();
            // a bare NetConfig has no sockets to run a protocol on
            assertThatThrownBy(() -> c.apply(new Recorder())).as(tag).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("need the stack's sockets");
        }
        assertThat(IothConf.parse("auto").requestedProtocols())
                .containsExactlyInAnyOrder(IothConf.Step.DHCP, IothConf.Step.DHCPV6, IothConf.Step.RD);
        assertThat(IothConf.parse("eth,dhcp6").requestedProtocols()).containsExactly(IothConf.Step.DHCPV6);
        assertThat(IothConf.parse("auto4,rd6").requestedProtocols()).containsExactly(IothConf.Step.DHCP, IothConf.Step.RD);
        // slaac alone does not start router discovery (as in C)
        assertThat(IothConf.parse("slaac").hasActions()).isFalse();
        assertThatThrownBy(() -> IothConf.parse("dhcp=1")).hasMessageContaining("takes no value");
        assertThatThrownBy(() -> IothConf.parse("dhcp6=1")).hasMessageContaining("takes no value");
        assertThatThrownBy(() -> IothConf.parse("all")).hasMessageContaining("unknown option 'all'"); // only -all
    }

    @Test
    void stackConfigKeepsStackAndVnl() {
        IothConf c = IothConf.parseStackConfig("stack=jnet,vnl=vde:///tmp/sw,eth,ip=10.0.0.1/24");
        assertThat(c.stack()).isEqualTo("jnet");
        assertThat(c.vnl()).isEqualTo("vde:///tmp/sw");
        assertThat(c.addresses()).extracting(Object::toString).containsExactly("10.0.0.1/24");
    }
}
