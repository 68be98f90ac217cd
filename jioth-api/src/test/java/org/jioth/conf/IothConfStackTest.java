package org.jioth.conf;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.channels.spi.SelectorProvider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.net.ServerSocketFactory;
import javax.net.SocketFactory;
import org.jioth.IfAddr;
import org.jioth.IothStack;
import org.jioth.MacAddress;
import org.jioth.NetConfigException;
import org.junit.jupiter.api.Test;

/** iothconf's rd/slaac through a stack's {@link RouterDiscovery} capability, and the names they feed. */
class IothConfStackTest {

    /** A stack whose configuration calls are recorded and whose router discovery is scripted. */
    static final class FakeStack implements IothStack {
        final IothConfTest.Recorder config = new IothConfTest.Recorder();
        final List<String> calls = config.calls;
        RouterDiscovery.Outcome outcome;

        final RouterDiscovery rd = new RouterDiscovery() {
            @Override
            public Outcome discover(int ifindex, boolean slaac, Duration wait) {
                calls.add("rd " + ifindex + (slaac ? " slaac" : "") + " " + wait.toSeconds() + "s");
                return outcome;
            }

            @Override
            public void forget(int ifindex) {
                calls.add("forget " + ifindex);
            }
        };

        @Override public <T> Optional<T> capability(Class<T> type) {
            return type == RouterDiscovery.class ? Optional.of(type.cast(rd)) : Optional.empty();
        }
        @Override public String name() { return "fake"; }
        @Override public String options() { return ""; }
        @Override public List<String> vnls() { return List.of(); }
        @Override public SelectorProvider provider() { throw new UnsupportedOperationException("no sockets here"); }
        @Override public SocketFactory socketFactory() { throw new UnsupportedOperationException(); }
        @Override public ServerSocketFactory serverSocketFactory() { throw new UnsupportedOperationException(); }
        @Override public Map<String, Long> statistics() { return Map.of(); }
        @Override public int openSockets() { return 0; }
        @Override public boolean isClosed() { return false; }
        @Override public void close() { }
        @Override public void closeForcibly() { }
        @Override public int ifNameToIndex(String ifname) throws NetConfigException { return config.ifNameToIndex(ifname); }
        @Override public void linkSetUpDown(int ifindex, boolean up) { config.linkSetUpDown(ifindex, up); }
        @Override public void linkSetAddr(int ifindex, MacAddress mac) { config.linkSetAddr(ifindex, mac); }
        @Override public MacAddress linkGetAddr(int ifindex) { return config.linkGetAddr(ifindex); }
        @Override public void linkSetMtu(int ifindex, int mtu) { config.linkSetMtu(ifindex, mtu); }
        @Override public void ipAddrAdd(InetAddress a, int p, int i) throws NetConfigException { config.ipAddrAdd(a, p, i); }
        @Override public void ipAddrDel(InetAddress a, int p, int i) { config.ipAddrDel(a, p, i); }
        @Override public void ipRouteAdd(InetAddress d, int p, InetAddress g, int i) { config.ipRouteAdd(d, p, g, i); }
        @Override public void ipRouteDel(InetAddress d, int p, InetAddress g, int i) { config.ipRouteDel(d, p, g, i); }
        @Override public int ipLinkAdd(String n, int i, String t, List<LinkData> d) { throw new UnsupportedOperationException(); }
        @Override public void ipLinkDel(String n, int i) { throw new UnsupportedOperationException(); }
        @Override public List<IfAddr> interfaces() { return new ArrayList<>(); }
    }

    static InetAddress a(String s) {
        return InetAddress.ofLiteral(s);
    }

    @Test
    void rdRunsAfterEthAndBeforeStaticItemsAndFeedsRdnssToTheResolver() throws IOException {
        FakeStack s = new FakeStack();
        s.outcome = new RouterDiscovery.Outcome(List.of(a("fe80::1")), List.of(new IothConf.Prefix(a("fd00::1234"), 64)),
                List.of(a("fd00::53")), List.of("ra.test"), false, true);
        IothConf.Result r = s.configure("ip=10.0.0.5/24,slaac,rd,eth,dns=10.0.0.53");
        assertThat(r.steps()).containsExactlyInAnyOrder(IothConf.Step.ETH, IothConf.Step.RD, IothConf.Step.STATIC);
        assertThat(r.mask()).isEqualTo(1 | 2 | 16);
        assertThat(s.calls).containsExactly("link 2 up", "rd 2 slaac 6s", "addr 10.0.0.5/24 2");
        assertThat(s.resolver().resolvConf()).isEqualTo("search ra.test\nnameserver 10.0.0.53\nnameserver fd00::53\n");
        assertThat(IothConf.resolvConf(s)).isEqualTo(s.resolver().resolvConf());
        assertThat(IothConf.resolvConf(s)).isNull();

        // -rd forgets (the plug-in removes what it applied) and its names go
        s.calls.clear();
        assertThat(s.configure("-rd").steps()).isEmpty();
        assertThat(s.calls).containsExactly("forget 2");
        assertThat(s.resolver().resolvConf()).isEqualTo("nameserver 10.0.0.53\n");

        // -dns= removes a static server given by an earlier call
        s.configure("-dns=10.0.0.53");
        assertThat(s.resolver().resolvConf()).isEmpty();
    }

    @Test
    void noAdvertisementLeavesTheBitClearAndSlaacAloneDoesNothing() throws IOException {
        FakeStack s = new FakeStack();
        assertThat(s.configure("eth,rd").steps()).containsExactly(IothConf.Step.ETH);
        assertThat(s.calls).containsExactly("link 2 up", "rd 2 6s");
        s.calls.clear();
        assertThat(s.configure("slaac").mask()).isZero();
        assertThat(s.calls).isEmpty();
    }

    @Test
    void auto6MeansEthDhcp6AndRd() throws IOException {
        FakeStack s = new FakeStack();
        // the fake stack has no sockets: DHCPv6 fails and leaves its bit clear, as a timeout would
        IothConf.Result r = s.configure("auto6");
        assertThat(r.steps()).containsExactly(IothConf.Step.ETH);
        assertThat(s.calls).containsExactly("link 2 up", "rd 2 6s");
    }
}
