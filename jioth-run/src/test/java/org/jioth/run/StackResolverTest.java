package org.jioth.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.spi.InetAddressResolver;
import java.net.spi.InetAddressResolver.LookupPolicy;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class StackResolverTest {
    private static final LookupPolicy ANY = LookupPolicy.of(LookupPolicy.IPV4 | LookupPolicy.IPV6);

    /** Stands for the JDK's resolver: answers everything with 203.0.113.9. */
    private static final InetAddressResolver HOST = new InetAddressResolver() {
        @Override
        public Stream<InetAddress> lookupByName(String host, LookupPolicy lookupPolicy) {
            return Stream.of(InetAddress.ofLiteral("203.0.113.9"));
        }

        @Override
        public String lookupByAddress(byte[] addr) {
            return "host-answer";
        }
    };

    private static RunSettings settings(String hosts, String resolver, String conf) {
        Properties p = new Properties();
        p.setProperty(RunSettings.STACK, "jnet");
        p.setProperty(RunSettings.HOSTS, hosts);
        p.setProperty(RunSettings.RESOLVER, resolver);
        p.setProperty(RunSettings.CONF, conf);
        p.setProperty(RunSettings.VNL, "vde:///a | null://");
        return RunSettings.from(p);
    }

    @Test
    void propertiesAreRead() {
        RunSettings s = settings("db=10.0.0.5;DB=fd00::5, web=10.0.0.6", "static", "eth");
        assertThat(s.vnls()).containsExactly("vde:///a", "null://");
        assertThat(s.hosts().get("db")).extracting(InetAddress::getHostAddress).containsExactly("10.0.0.5", "fd00:0:0:0:0:0:0:5");
        assertThatThrownBy(() -> settings("db", "static", "")).hasMessageContaining("bad entry 'db'");
        assertThatThrownBy(() -> settings("db=10.0.0.300", "static", "")).hasMessageContaining("10.0.0.300 is not");
        assertThatThrownBy(() -> settings("", "dns", "")).hasMessageContaining("want 'static'");
        assertThatThrownBy(() -> RunSettings.from(new Properties())).hasMessageContaining("-Dioth.stack");
    }

    @Test
    void staticNamesLocalhostAndThisHost() throws Exception {
        StackResolver r = new StackResolver(settings("db=10.0.0.5;db=fd00::5", "static", "eth,ip=10.0.0.2/24"), HOST, "myhost");
        assertThat(r.lookupByName("DB", LookupPolicy.of(LookupPolicy.IPV4 | LookupPolicy.IPV6 | LookupPolicy.IPV6_FIRST)))
                .extracting(InetAddress::getHostAddress).containsExactly("fd00:0:0:0:0:0:0:5", "10.0.0.5");
        assertThat(r.lookupByName("db", LookupPolicy.of(LookupPolicy.IPV4))).extracting(InetAddress::getHostAddress)
                .containsExactly("10.0.0.5");
        assertThat(r.lookupByName("localhost", ANY)).extracting(InetAddress::getHostAddress)
                .containsExactly("127.0.0.1", "0:0:0:0:0:0:0:1");
        assertThat(r.lookupByName("myhost", ANY)).extracting(InetAddress::getHostAddress).containsExactly("10.0.0.2");
        assertThat(r.lookupByAddress(new byte[] {10, 0, 0, 5})).isEqualTo("db");
    }

    @Test
    void unknownNamesFailUnlessTheHostResolverIsAllowed() throws Exception {
        StackResolver strict = new StackResolver(settings("", "static", ""), HOST, "myhost");
        assertThatThrownBy(() -> strict.lookupByName("example.org", ANY)).isInstanceOf(UnknownHostException.class)
                .hasMessageContaining("example.org: not in -Dioth.hosts");
        StackResolver open = new StackResolver(settings("", "host", ""), HOST, "myhost");
        assertThat(open.lookupByName("example.org", ANY)).extracting(InetAddress::getHostAddress).containsExactly("203.0.113.9");
        assertThat(open.lookupByAddress(new byte[] {1, 2, 3, 4})).isEqualTo("host-answer");
    }

    @Test
    void badSettingsFailEachLookupWithTheReason() {
        assertThatThrownBy(() -> StackResolver.failing("-Dioth.hosts: bad entry 'x'").lookupByName("a", ANY))
                .isInstanceOf(UnknownHostException.class).hasMessageContaining("bad entry 'x'");
        assertThat(StackResolver.order(List.of(InetAddress.ofLiteral("::1")), LookupPolicy.of(LookupPolicy.IPV4))).isEmpty();
    }
}
