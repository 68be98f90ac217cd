package org.jioth.slirp;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.jioth.Ioth;
import org.jioth.IothStack;
import org.jioth.conf.IothConf;
import org.junit.jupiter.api.Test;

/**
 * Stateless DHCPv6 through {@code slirp://} with jioth's own client: iothconf's router discovery
 * sees the O flag and asks for the other configuration with an INFORMATION-REQUEST, which the
 * gateway answers with fd00::3. (A Linux guest's dhclient does the same in
 * {@link SlirpNamespaceIpv6Test}.)
 */
class SlirpDhcp6Test {
    @Test
    void iothconfGetsTheDnsServerByStatelessDhcp6() throws Exception {
        try (IothStack s = Ioth.newStack("jnet", "slirp://")) {
            IothConf.Result r = s.configure("eth,rd,slaac,dhcp6");
            assertThat(r.steps()).contains(IothConf.Step.ETH, IothConf.Step.RD, IothConf.Step.DHCPV6);
            assertThat(r.dnsServers()).contains(InetAddress.ofLiteral("fd00::3"));
        }
    }
}
