package org.jioth.slirp;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import org.jioth.IfAddr;
import org.jioth.Ioth;
import org.jioth.IothStack;
import org.jioth.conf.IothConf;
import org.jioth.dhcp.DhcpClient;
import org.jioth.dhcp.DhcpLease;
import org.junit.jupiter.api.Test;

/**
 * jioth's DHCPv4 client on a jnet stack against the slirp gateway's DHCP server, in this JVM:
 * the lease, its renewal at T1 and rebinding at T2 on a manual time source, expiry, release.
 */
class DhcpClientOnSlirpTest {

    /** Time that moves only when told to. */
    static final class ManualInstant implements InstantSource {
        Instant now = Instant.ofEpochSecond(1_000_000);

        @Override
        public Instant instant() {
            return now;
        }
    }

    private static boolean hasAddress(IothStack s, String addr) throws Exception {
        for (IfAddr a : s.interfaces()) {
            if (a.toString().contains(addr)) {
                return true;
            }
        }
        return false;
    }

    @Test
    void leaseRenewRebindExpireAndRelease() throws Exception {
        try (IothStack s = Ioth.newStack("jnet", "slirp:///leasetime=120")) {
            int idx = s.ifNameToIndex("vde0");
            s.linkSetUpDown(idx, true);
            ManualInstant clock = new ManualInstant();
            DhcpClient c = new DhcpClient(s, idx, "guest", clock, Duration.ofSeconds(2), 3);
            DhcpLease l = c.acquire();
            assertThat(l.address()).isEqualTo(InetAddress.ofLiteral("10.0.2.15"));
            assertThat(l.prefixLength()).isEqualTo(24);
            assertThat(l.routers()).containsExactly(InetAddress.ofLiteral("10.0.2.2"));
            assertThat(l.dnsServers()).containsExactly(InetAddress.ofLiteral("10.0.2.3"));
            assertThat(l.leaseSeconds()).isEqualTo(120);
            assertThat(hasAddress(s, "10.0.2.15")).as("%s", s.interfaces()).isTrue();
            assertThat(s.resolver().servers()).extracting(a -> a.getAddress().getHostAddress()).containsExactly("10.0.2.3");

            Instant t0 = l.obtained();
            assertThat(c.onTimer(t0.plusSeconds(10))).isEqualTo(t0.plusSeconds(60)); // bound: wake at T1
            Instant renewing = t0.plusSeconds(61);
            assertThat(c.onTimer(renewing)).isEqualTo(renewing.plusSeconds(60)); // unicast REQUEST, ACK: new T1
            assertThat(c.lease().obtained()).isEqualTo(renewing);
            Instant rebinding = renewing.plusSeconds(110); // past T2 (105), before expiry (120)
            assertThat(c.onTimer(rebinding)).isEqualTo(rebinding.plusSeconds(60)); // broadcast REQUEST, ACK
            assertThat(c.lease().obtained()).isEqualTo(rebinding);

            Instant expired = rebinding.plusSeconds(500);
            assertThat(c.onTimer(expired)).isEqualTo(expired); // expired: address removed, back to INIT at once
            assertThat(c.lease()).isNull();
            assertThat(hasAddress(s, "10.0.2.15")).isFalse();

            clock.now = expired;
            Instant renewAgain = c.onTimer(expired); // INIT: DISCOVER again, a new lease applied
            DhcpLease again = c.lease();
            assertThat(again).isNotNull();
            assertThat(again.address()).isEqualTo(InetAddress.ofLiteral("10.0.2.15"));
            assertThat(renewAgain).isEqualTo(again.renewAt());
            assertThat(hasAddress(s, "10.0.2.15")).isTrue();
            c.close(); // RELEASE, address removed
            assertThat(hasAddress(s, "10.0.2.15")).isFalse();
        }
    }

    @Test
    void iothconfDhcpConfiguresTheStackAndTheResolver() throws Exception {
        try (IothStack s = Ioth.newStack("jnet", "slirp://")) {
            IothConf.Result r = s.configure("eth,dhcp");
            assertThat(r.steps()).contains(IothConf.Step.ETH, IothConf.Step.DHCP);
            assertThat(r.mask()).isEqualTo(IothConf.Step.ETH.bit() | IothConf.Step.DHCP.bit());
            assertThat(r.dnsServers()).containsExactly(InetAddress.ofLiteral("10.0.2.3"));
            assertThat(hasAddress(s, "10.0.2.15")).isTrue();
            assertThat(s.resolver().resolvConf()).contains("nameserver 10.0.2.3");
            s.configure("-dhcp");
            assertThat(hasAddress(s, "10.0.2.15")).isFalse();
            assertThat(List.of(s.configure("eth,dhcp").steps())).isNotEmpty();
        }
    }
}
