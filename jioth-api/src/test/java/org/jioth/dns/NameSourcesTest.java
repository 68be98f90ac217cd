package org.jioth.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class NameSourcesTest {
    static InetAddress a(String s) {
        return InetAddress.ofLiteral(s);
    }

    final DnsResolver resolver = DnsResolver.builder(new DnsTransport() {
        @Override
        public byte[] udp(java.net.InetSocketAddress server, byte[] query, java.time.Duration timeout) {
            return null;
        }

        @Override
        public byte[] tcp(java.net.InetSocketAddress server, byte[] query, java.time.Duration timeout) {
            return null;
        }
    }).build();
    final NameSources sources = new NameSources(resolver);

    @Test
    void sourcesMergeInResolvConfOrderAndFeedTheResolver() {
        sources.set(NameSources.Source.DHCP4, List.of(a("192.168.1.1")), List.of("v4.test"));
        sources.set(NameSources.Source.RD, List.of(a("fd00::53")), List.of("ra.test"));
        sources.set(NameSources.Source.DHCP6, List.of(a("fd00::1"), a("192.168.1.1")), List.of("v6.test", "v4.test"));
        sources.addStatic(List.of(a("10.0.0.53"), a("2001:db8::53")), List.of("static.test"));

        assertThat(sources.servers()).containsExactly(a("2001:db8::53"), a("10.0.0.53"), a("fd00::1"), a("192.168.1.1"), a("fd00::53"));
        assertThat(sources.domains()).containsExactly("static.test", "v6.test", "v4.test", "ra.test");
        assertThat(sources.resolvConf()).isEqualTo("""
                search static.test v6.test v4.test ra.test
                nameserver 2001:db8::53
                nameserver 10.0.0.53
                nameserver fd00::1
                nameserver 192.168.1.1
                nameserver fd00::53
                """);
        assertThat(resolver.servers()).extracting(s -> s.getAddress()).containsExactlyElementsOf(sources.servers());
        assertThat(resolver.searchDomains()).containsExactlyElementsOf(sources.domains());
        assertThat(resolver.resolvConf()).isEqualTo(sources.resolvConf());

        // a source that loses its data (lease expired, -dhcp) drops out
        sources.set(NameSources.Source.DHCP6, List.of(), List.of());
        sources.removeStatic(List.of(a("10.0.0.53")), List.of("static.test"));
        assertThat(sources.servers()).containsExactly(a("2001:db8::53"), a("fd00::53"), a("192.168.1.1"));
        assertThat(resolver.searchDomains()).containsExactly("ra.test", "v4.test");
    }

    @Test
    void resolvConfIfChangedReportsOnlyChanges() {
        assertThat(sources.resolvConfIfChanged()).isEmpty();
        assertThat(sources.resolvConfIfChanged()).isNull();
        sources.set(NameSources.Source.DHCP6, List.of(a("fd00::1")), List.of());
        assertThat(sources.resolvConfIfChanged()).isEqualTo("nameserver fd00::1\n");
        sources.set(NameSources.Source.DHCP6, List.of(a("fd00::1")), List.of());
        assertThat(sources.resolvConfIfChanged()).isNull();
    }

    @Test
    void aSourceIsBounded() {
        List<InetAddress> many = java.util.stream.IntStream.range(0, 100).mapToObj(i -> a("10.0.0." + i)).toList();
        sources.set(NameSources.Source.DHCP4, many, List.of());
        assertThat(sources.servers()).hasSize(NameSources.MAX_PER_SOURCE);
    }

    @Test
    void ipv6IsWrittenInTheShortForm() {
        assertThat(NameSources.text(a("fd00:53:0:0:0:0:0:1"))).isEqualTo("fd00:53::1");
        assertThat(NameSources.text(a("::"))).isEqualTo("::");
        assertThat(NameSources.text(a("::1"))).isEqualTo("::1");
        assertThat(NameSources.text(a("fe80::"))).isEqualTo("fe80::");
        assertThat(NameSources.text(a("2001:db8:0:1:0:0:0:1"))).isEqualTo("2001:db8:0:1::1");
        assertThat(NameSources.text(a("2001:db8:0:0:1:0:0:1"))).isEqualTo("2001:db8::1:0:0:1");
        assertThat(NameSources.text(a("1:0:2:3:4:5:6:7"))).isEqualTo("1:0:2:3:4:5:6:7");
        assertThat(NameSources.text(a("192.168.1.1"))).isEqualTo("192.168.1.1");
    }
}
