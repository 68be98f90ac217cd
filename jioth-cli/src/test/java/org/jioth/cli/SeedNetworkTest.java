package org.jioth.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code --addr} (repeatable, both families) and {@code --gateway} (one per family) of ioth server/client. */
class SeedNetworkTest {
    @Test
    void addressesOfBothFamiliesWithAGatewayEach() {
        SeedNetwork n = SeedNetwork.parse("vde0", List.of("192.168.250.50/24", "fd00::50/64"),
                List.of("192.168.250.1", "fd00::1"));
        assertThat(n.addresses()).extracting(SeedNetwork.Cidr::prefixLength).containsExactly(24, 64);
        assertThat(n.gateways()).containsExactly(InetAddress.ofLiteral("192.168.250.1"), InetAddress.ofLiteral("fd00::1"));
        assertThat(n.firstAddressText()).isEqualTo("192.168.250.50");
    }

    @Test
    void theDefaultGatewayIsIpv4AndOnlyWithAnIpv4Address() {
        assertThat(SeedNetwork.parse("vde0", List.of("192.168.250.50/24"), null).gateways())
                .containsExactly(InetAddress.ofLiteral(SeedNetwork.DEFAULT_GATEWAY));
        SeedNetwork v6 = SeedNetwork.parse("vde0", List.of("fd00::50/64"), null);
        assertThat(v6.gateways()).isEmpty();
        assertThat(v6.firstAddressText()).isEqualTo("[fd00:0:0:0:0:0:0:50]");
        assertThat(SeedNetwork.parse("vde0", List.of("192.168.250.50/24"), List.of("")).gateways()).isEmpty();
    }

    @Test
    void gatewaysNeedAnAddressOfTheirFamilyAndComeOncePerFamily() {
        assertThatThrownBy(() -> SeedNetwork.parse("vde0", List.of("192.168.250.50/24"), List.of("fd00::1")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs an IPv6 --addr");
        assertThatThrownBy(() -> SeedNetwork.parse("vde0", List.of("192.168.250.50/24"), List.of("192.168.250.1", "192.168.250.2")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("one --gateway per family");
        assertThatThrownBy(() -> SeedNetwork.parse("vde0", List.of("fd00::50/129"), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0..128");
    }
}
