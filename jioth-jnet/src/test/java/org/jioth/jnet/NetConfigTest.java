package org.jioth.jnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jioth.jnet.TestNet.ip;

import java.util.List;
import org.jioth.IfAddr;
import org.jioth.MacAddress;
import org.jioth.NetConfig;
import org.jioth.NetConfig.LinkData;
import org.jioth.NetConfigException;
import org.junit.jupiter.api.Test;

class NetConfigTest {

    private static void errno(ThrowingCall call, String errno) {
        assertThatThrownBy(call::run).isInstanceOf(NetConfigException.class)
                .satisfies(e -> assertThat(((NetConfigException) e).errno()).isEqualTo(errno));
    }

    interface ThrowingCall {
        void run() throws Exception;
    }

    @Test
    void loopbackAndOneDownNicByDefault() throws Exception {
        try (TestNet net = new TestNet()) {
            JnetStack s = net.stack("", net.newSwitch(), "192.168.250.1/24");
            NetConfig c = s.config();
            assertThat(c.ifNameToIndex("lo")).isEqualTo(1);
            assertThat(c.ifNameToIndex("vde0")).isEqualTo(2);
            errno(() -> c.ifNameToIndex("eth9"), "ENODEV");
            List<IfAddr> all = c.interfaces();
            assertThat(all).filteredOn(IfAddr::isLink).extracting(IfAddr::name).containsExactly("lo", "vde0");
            IfAddr lo = all.get(0);
            assertThat(lo.flags() & IfAddr.IFF_LOOPBACK).isNotZero();
            assertThat(lo.isUp()).isTrue();
            assertThat(all).filteredOn(a -> !a.isLink() && a.address() instanceof java.net.Inet4Address)
                    .extracting(a -> a.address().getHostAddress() + "/" + a.prefixLength())
                    .containsExactly("127.0.0.1/8", "192.168.250.1/24");
            // IPv6: ::1 on lo, the EUI-64 link-local address on the (up) NIC
            assertThat(all).filteredOn(a -> !a.isLink() && a.address() instanceof java.net.Inet6Address)
                    .extracting(a -> a.name() + " " + a.prefixLength() + " " + a.address().isLinkLocalAddress())
                    .containsExactly("lo 128 false", "vde0 64 true");
            assertThat(all).filteredOn(a -> !a.isLink() && a.name().equals("vde0")
                    && a.address() instanceof java.net.Inet4Address)
                    .extracting(a -> a.broadcast().getHostAddress()).containsExactly("192.168.250.255");
            MacAddress mac = c.linkGetAddr(2);
            assertThat(mac.isLocallyAdministered()).isTrue();
            assertThat(mac.isMulticast()).isFalse();
            assertThat(c.linkGetAddr(1)).isEqualTo(MacAddress.ZERO);
        }
    }

    @Test
    void nicStartsDownUntilSetUp() throws Exception {
        try (TestNet net = new TestNet()) {
            JnetStack s = JnetStack.builder().clock(net.clock).port(null, net.newSwitch().attach("x")).build();
            try {
                assertThat(s.config().interfaces().get(1).isUp()).isFalse();
                s.config().linkSetUpDown(2, true);
                assertThat(s.config().interfaces().get(1).isUp()).isTrue();
            } finally {
                s.close();
            }
        }
    }

    @Test
    void addressErrorsAreLinuxErrnos() throws Exception {
        try (TestNet net = new TestNet()) {
            JnetStack s = net.stack("", net.newSwitch(), "192.168.250.1/24");
            NetConfig c = s.config();
            errno(() -> c.ipAddrAdd(ip("192.168.250.1"), 24, 2), "EEXIST");
            errno(() -> c.ipAddrAdd(ip("10.0.0.1"), 8, 42), "ENODEV");
            errno(() -> c.ipAddrAdd(ip("10.0.0.1"), 33, 2), "EINVAL");
            errno(() -> c.ipAddrAdd(ip("fd00::1"), 129, 2), "EINVAL");
            errno(() -> c.ipAddrAdd(ip("ff02::1"), 64, 2), "EINVAL");
            errno(() -> c.ipAddrAdd(ip("fd00::1"), 64, 42), "ENODEV");
            errno(() -> c.ipAddrDel(ip("fd00::9"), 64, 2), "EADDRNOTAVAIL");
            errno(() -> c.ipAddrDel(ip("10.9.9.9"), 24, 2), "EADDRNOTAVAIL");
            errno(() -> c.ipAddrDel(ip("192.168.250.1"), 16, 2), "EADDRNOTAVAIL");
            c.ipAddrAdd(ip("10.1.2.3"), 16, 2);
            c.ipAddrDel(ip("10.1.2.3"), 16, 2);
            assertThat(c.interfaces()).noneMatch(a -> a.address() != null && a.address().equals(ip("10.1.2.3")));
        }
    }

    @Test
    void routesNeedReachableGateways() throws Exception {
        try (TestNet net = new TestNet()) {
            JnetStack s = net.stack("", net.newSwitch(), "192.168.250.1/24");
            NetConfig c = s.config();
            errno(() -> c.ipRouteAdd(null, 0, ip("10.0.0.1")), "ENETUNREACH");
            c.ipRouteAdd(null, 0, ip("192.168.250.254"));
            errno(() -> c.ipRouteAdd(null, 0, ip("192.168.250.254")), "EEXIST");
            c.ipRouteAdd(ip("10.20.0.0"), 16, ip("192.168.250.253"));
            errno(() -> c.ipRouteAdd(ip("10.20.0.1"), 16, ip("192.168.250.253")), "EINVAL");
            errno(() -> c.ipRouteAdd(ip("10.30.0.0"), 16, null), "EINVAL");
            c.ipRouteAdd(ip("10.30.0.0"), 16, null, 2);
            JnetNetConfig jc = (JnetNetConfig) c;
            assertThat(jc.routes()).extracting(Object::toString).contains(
                    "192.168.250.0/24 dev#2 proto kernel metric 0", "default via 192.168.250.254 dev#2 metric 0",
                    "10.20.0.0/16 via 192.168.250.253 dev#2 metric 0");
            c.ipRouteDel(null, 0, ip("192.168.250.254"));
            errno(() -> c.ipRouteDel(null, 0, ip("192.168.250.254")), "ESRCH");
            // removing the address removes its prefix route
            c.ipAddrDel(ip("192.168.250.1"), 24, 2);
            assertThat(jc.routes()).extracting(Object::toString).doesNotContain("192.168.250.0/24 dev#2 proto kernel metric 0");
        }
    }

    @Test
    void linkMtuAndMac() throws Exception {
        try (TestNet net = new TestNet()) {
            JnetStack s = net.stack("mtu=1400,mac=02:aa:bb:cc:dd:01", net.newSwitch(), "192.168.250.1/24");
            NetConfig c = s.config();
            assertThat(c.linkGetAddr(2)).isEqualTo(MacAddress.parse("02:aa:bb:cc:dd:01"));
            assertThat(c.interfaces().get(1).mtu()).isEqualTo(1400);
            c.linkSetMtu(2, 9000);
            errno(() -> c.linkSetMtu(2, 67), "EINVAL");
            errno(() -> c.linkSetMtu(2, 9217), "EINVAL");
            errno(() -> c.linkSetMtu(5, 1500), "ENODEV");
            c.linkSetAddr(2, MacAddress.parse("02:00:00:00:00:77"));
            assertThat(c.linkGetAddr(2)).isEqualTo(MacAddress.parse("02:00:00:00:00:77"));
            errno(() -> c.linkSetAddr(2, MacAddress.parse("01:00:5e:00:00:01")), "EADDRNOTAVAIL");
        }
    }

    @Test
    void seedMakesMacsReproducible() throws Exception {
        try (TestNet net = new TestNet()) {
            JnetStack a = JnetStack.builder().options("seed=99").port(null, net.newSwitch().attach("a")).build();
            JnetStack b = JnetStack.builder().options("seed=99").port(null, net.newSwitch().attach("b")).build();
            try {
                assertThat(a.config().linkGetAddr(2)).isEqualTo(b.config().linkGetAddr(2));
            } finally {
                a.close();
                b.close();
            }
        }
    }

    @Test
    void ipLinkAddMakesAVdeInterfaceAtRunTime() throws Exception {
        try (TestNet net = new TestNet()) {
            JnetStack s = net.stack("", net.newSwitch(), "192.168.250.1/24");
            NetConfig c = s.config();
            int idx = c.ipLinkAdd("extra0", -1, "vde", List.of(LinkData.ofString(LinkData.IFLA_VDE_VNL, "null://")));
            assertThat(idx).isEqualTo(3);
            assertThat(c.ifNameToIndex("extra0")).isEqualTo(3);
            assertThat(c.ipLinkAdd(null, 0, "vde", List.of(LinkData.ofString(LinkData.IFLA_VDE_VNL, "null://")))).isZero();
            assertThat(c.ifNameToIndex("vde1")).isEqualTo(4);
            errno(() -> c.ipLinkAdd("extra0", -1, "vde", List.of(LinkData.ofString(1, "null://"))), "EEXIST");
            errno(() -> c.ipLinkAdd("x", -1, "dummy", List.of()), "EOPNOTSUPP");
            errno(() -> c.ipLinkAdd("x", -1, "vde", List.of()), "EINVAL");
            errno(() -> c.ipLinkAdd("x", -1, "vde", List.of(LinkData.ofString(1, "nosuchscheme://x"))), "EINVAL");
            c.ipAddrAdd(ip("10.0.0.1"), 24, 3);
            c.ipLinkDel("extra0", 0);
            errno(() -> c.ifNameToIndex("extra0"), "ENODEV");
            errno(() -> c.ipLinkDel("extra0", 0), "ENODEV");
            errno(() -> c.ipLinkDel("lo", 0), "EOPNOTSUPP");
            assertThat(((JnetNetConfig) c).routes()).noneMatch(r -> r.ifindex() == 3);
        }
    }

    @Test
    void removedLinksAreForgottenButWhatTheirPortsCountedStays() throws Exception {
        try (TestNet net = new TestNet()) {
            JnetStack s = net.stack("", net.newSwitch(), "192.168.250.1/24");
            NetConfig c = s.config();
            long before = s.statistics().get("Port.FramesOut");
            int links = 50;
            for (int n = 0; n < links; n++) {
                c.ipLinkAdd("extra0", -1, "vde", List.of(LinkData.ofString(LinkData.IFLA_VDE_VNL, "null://")));
                int idx = c.ifNameToIndex("extra0");
                c.linkSetUpDown(idx, true);
                c.ipAddrAdd(ip("10.0.0.1"), 24, idx);
                long sent = s.statistics().get("Port.FramesOut");
                // a neighbour not known yet: the ARP request leaves through the null:// port
                s.pingAsync(ip("10.0.0.2"), 8, java.time.Duration.ofSeconds(1));
                assertThat(TestNet.await(() -> s.statistics().get("Port.FramesOut") > sent)).as("ARP request counted").isTrue();
                long counted = s.statistics().get("Port.FramesOut");
                c.ipLinkDel("extra0", 0);
                assertThat(s.statistics().get("Port.FramesOut")).as("the removed port's frames stay counted")
                        .isGreaterThanOrEqualTo(counted);
                assertThat(s.portCalls.portsRead()).as("only the ports attached now are read").isEqualTo(1);
            }
            assertThat(s.statistics().get("Port.FramesOut")).isGreaterThanOrEqualTo(before + links);
        }
    }

    @Test
    void optionsAreCheckedWithClearErrors() {
        assertThatThrownBy(() -> JnetOptions.parse("mtu=1500,colour=blue"))
                .hasMessageContaining("unknown jnet option 'colour'").hasMessageContaining("mac=, mtu=, forwarding=, seed=");
        assertThatThrownBy(() -> JnetOptions.parse("mtu=20")).hasMessageContaining("68..9216");
        assertThatThrownBy(() -> JnetOptions.parse("mac=01:00:00:00:00:01")).hasMessageContaining("unicast");
        assertThatThrownBy(() -> JnetOptions.parse("seed=x")).hasMessageContaining("not a number");
        JnetOptions o = JnetOptions.parse("mac=02:00:00:00:00:01, mtu=9000,forwarding=1,seed=5");
        assertThat(o.mtu()).isEqualTo(9000);
        assertThat(o.forwarding()).isTrue();
        assertThat(o.seed()).hasValue(5);
    }
}
