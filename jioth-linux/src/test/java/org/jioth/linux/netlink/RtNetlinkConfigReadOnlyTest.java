package org.jioth.linux.netlink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.InetAddress;
import java.util.List;
import org.jioth.IfAddr;
import org.jioth.MacAddress;
import org.jioth.NetConfigException;
import org.jioth.linux.NativeSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Read-only queries of the namespace the tests run in; nothing here changes its configuration. */
class RtNetlinkConfigReadOnlyTest {
    private final RtNetlinkConfig nc = new RtNetlinkConfig();

    @BeforeAll
    static void linux() {
        assumeTrue(NativeSupport.isLinux(), "rtnetlink needs Linux");
    }

    @Test
    void interfacesListLoopbackWithItsAddress() throws Exception {
        List<IfAddr> all = nc.interfaces();
        assertThat(all).anySatisfy(e -> {
            assertThat(e.isLink()).isTrue();
            assertThat(e.name()).isEqualTo("lo");
            assertThat(e.flags() & IfAddr.IFF_LOOPBACK).isNotZero();
            assertThat(e.mac()).isEqualTo(MacAddress.ZERO);
            assertThat(e.mtu()).isPositive();
        });
        int firstAddress = 0;
        while (firstAddress < all.size() && all.get(firstAddress).isLink()) {
            firstAddress++;
        }
        assertThat(all.subList(firstAddress, all.size())).as("links come first").noneMatch(IfAddr::isLink);
    }

    @Test
    void nameToIndexAndLinkAddressOfLoopback() throws Exception {
        int lo = nc.ifNameToIndex("lo");
        assertThat(lo).isPositive();
        assertThat(nc.linkGetAddr(lo)).isEqualTo(MacAddress.ZERO);
    }

    @Test
    void unknownNameIsEnodev() {
        assertThatThrownBy(() -> nc.ifNameToIndex("jioth-nosuch"))
                .isInstanceOfSatisfying(NetConfigException.class, e -> assertThat(e.errno()).isEqualTo("ENODEV"))
                .hasMessageStartingWith("ifNameToIndex jioth-nosuch: ENODEV (No such device)");
    }

    @Test
    void argumentErrorsAreRefusedBeforeAnythingIsSent() {
        // These fail in Java, before a socket is opened, so they cannot change anything.
        assertThatThrownBy(() -> nc.ipRouteAdd(null, 0, null))
                .isInstanceOfSatisfying(NetConfigException.class, e -> assertThat(e.errno()).isEqualTo("EINVAL"))
                .hasMessageStartingWith("ipRouteAdd default: EINVAL");
        assertThatThrownBy(() -> nc.ipRouteAdd(InetAddress.ofLiteral("10.0.0.0"), 8, InetAddress.ofLiteral("fd00::1")))
                .isInstanceOfSatisfying(NetConfigException.class, e -> assertThat(e.errno()).isEqualTo("EINVAL"))
                .hasMessageContaining("different families");
        assertThatThrownBy(() -> nc.ipAddrAdd(InetAddress.ofLiteral("fd00::1"), 129, 1))
                .isInstanceOfSatisfying(NetConfigException.class, e -> assertThat(e.errno()).isEqualTo("EINVAL"))
                .hasMessageStartingWith("ipAddrAdd fd00:0:0:0:0:0:0:1/129 dev 1: EINVAL");
    }
}
