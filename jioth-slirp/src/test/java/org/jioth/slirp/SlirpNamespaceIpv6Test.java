package org.jioth.slirp;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.jioth.slirp.SlirpNamespaceTest.Guest;
import org.jioth.slirp.SlirpNamespaceTest.Result;
import org.jioth.vde.Cable;
import org.jioth.vde.EthernetPort;
import org.jioth.vde.EthernetPorts;
import org.junit.jupiter.api.Test;

/**
 * slirp's IPv6 with a Linux guest: a namespace made by the test whose tap is on a vde_switch, the
 * slirp port cabled to that switch (what {@code ioth plug slirp:// vde://SW} does). The guest's
 * kernel takes an address in fd00::/64 from the gateway's router advertisement (SLAAC) and a
 * default route via the gateway, fetches from an HTTP server on the host's ::1 through fd00::2
 * byte-exact, echoes UDP the same way, and resolves a name through fd00::3. Needs what
 * {@link SlirpNamespaceTest} needs and a host with ::1; skips otherwise.
 */
class SlirpNamespaceIpv6Test {
    static final long BODY = 16L << 20;

    @Test
    void aLinuxGuestGetsASlaacAddressAndReachesTheHostsIpv6Loopback() throws Exception {
        SlirpNamespaceTest.assumeTools();
        SlirpIpv6Test.assumeHostIpv6();
        String id = UUID.randomUUID().toString().substring(0, 6);
        InetAddress loopback6 = InetAddress.ofLiteral("::1");
        try (Guest guest = new Guest("6" + id);
                HostServers.Http http = new HostServers.Http(BODY, loopback6);
                HostServers.UdpEcho echo = new HostServers.UdpEcho(loopback6);
                EthernetPort sw = EthernetPorts.open(guest.vnl());
                EthernetPort port = EthernetPorts.open("slirp://")) {
            SlirpPort slirp = (SlirpPort) port;
            SlirpNamespaceTest.ok(guest.sh(10, "sysctl -qw net.ipv6.conf.tap0.forwarding=0 "
                    + "net.ipv6.conf.tap0.accept_ra=2 net.ipv6.conf.tap0.autoconf=1"));
            Cable cable = Cable.join(slirp, sw);
            try {
                // the kernel solicits once its link-local address passed DAD; the answer comes at once
                Result addr = new Result(1, "");
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (System.nanoTime() < deadline) {
                    addr = guest.sh(10, "ip -6 addr show dev tap0 scope global; ip -6 route show default");
                    // a tentative address (DAD still running) is not used as a source yet: wait until it is not
                    if (addr.out().contains("inet6 fd00::") && !addr.out().contains("tentative")
                            && addr.out().contains("default via fe80::")) {
                        break;
                    }
                    Thread.sleep(200);
                }
                assertThat(addr.out()).as(addr.out()).contains("inet6 fd00::").contains("/64")
                        .doesNotContain("tentative").contains("default via fe80::");

                String expected = HostServers.sha256(BODY);
                Result fetch = guest.sh(300, "busybox wget -q -O - 'http://[fd00::2]:" + http.port()
                        + "/data' | sha256sum");
                SlirpNamespaceTest.ok(fetch);
                assertThat(fetch.out()).startsWith(expected);

                Result udp = guest.sh(30, "echo ping-over-udp6 | socat -t 3 - 'UDP6:[fd00::2]:" + echo.port() + "'");
                SlirpNamespaceTest.ok(udp);
                assertThat(udp.out()).contains("ping-over-udp6");

                Result dns = guest.sh(30, "busybox nslookup localhost fd00::3");
                assertThat(dns.out()).as(dns.out()).contains("127.0.0.1");
            } finally {
                cable.close();
            }
            System.out.println("slirp counters: " + slirp.counters());
            assertThat(slirp.counters().tcpFlowsOpened.sum()).isGreaterThanOrEqualTo(1);
            assertThat(slirp.counters().udpFlowsOpened.sum()).isGreaterThanOrEqualTo(1);
            assertThat(slirp.counters().dnsQueries.sum()).isPositive();
        }
    }

    /**
     * A Linux guest's ISC dhclient in stateless mode ({@code -6 -S}, an INFORMATION-REQUEST) gets
     * fd00::3 as its DNS server from the gateway. The client's script only writes what it got to a
     * file (never the host's resolv.conf). Needs Debian's isc-dhcp-client; skips otherwise.
     */
    @Test
    void aLinuxGuestsDhclientGetsTheDnsServerByStatelessDhcp6() throws Exception {
        SlirpNamespaceTest.assumeTools(); // (this dhclient runs its script with reason RENEW6 for the reply)
        org.junit.jupiter.api.Assumptions.assumeTrue(SlirpNamespaceTest.run(10, "sh", "-c", "command -v dhclient")
                .code() == 0, "needs dhclient (Debian's isc-dhcp-client)");
        String id = UUID.randomUUID().toString().substring(0, 6);
        try (Guest guest = new Guest("d" + id);
                EthernetPort sw = EthernetPorts.open(guest.vnl());
                EthernetPort port = EthernetPorts.open("slirp://")) {
            SlirpPort slirp = (SlirpPort) port;
            java.nio.file.Path out = guest.dir.resolve("dhclient.out");
            java.nio.file.Path script = guest.dir.resolve("dhclient.sh");
            java.nio.file.Files.writeString(script, "#!/bin/sh\necho \"$reason dns=$new_dhcp6_name_servers\" >> "
                    + out + "\nexit 0\n");
            script.toFile().setExecutable(true);
            Cable cable = Cable.join(slirp, sw);
            Process dhclient = null;
            try {
                // dhclient sends from the link-local address: wait until DAD has passed
                Result ll = new Result(1, "");
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (System.nanoTime() < deadline) {
                    ll = guest.sh(10, "ip -6 addr show dev tap0 scope link");
                    if (ll.out().contains("inet6 fe80::") && !ll.out().contains("tentative")) {
                        break;
                    }
                    Thread.sleep(200);
                }
                assertThat(ll.out()).as(ll.out()).contains("inet6 fe80::").doesNotContain("tentative");
                dhclient = new ProcessBuilder("ip", "netns", "exec", guest.ns, "dhclient", "-6", "-S", "-d", "-v",
                        "-lf", guest.dir.resolve("leases6").toString(), "-pf", guest.dir.resolve("pid6").toString(),
                        "-sf", script.toString(), "tap0").redirectErrorStream(true)
                        .redirectOutput(guest.dir.resolve("dhclient.log").toFile()).start();
                String got = "";
                deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
                while (!got.contains("dns=fd00::3") && System.nanoTime() < deadline && dhclient.isAlive()) {
                    Thread.sleep(200);
                    got = java.nio.file.Files.exists(out) ? java.nio.file.Files.readString(out) : "";
                }
                String log = java.nio.file.Files.readString(guest.dir.resolve("dhclient.log"));
                assertThat(got).as("dhclient's script: %s%nlog:%n%s", got, log).contains("dns=fd00::3");
                assertThat(slirp.counters().dhcp6Replies.sum()).isPositive();
            } finally {
                if (dhclient != null) {
                    dhclient.descendants().forEach(ProcessHandle::destroyForcibly);
                    dhclient.destroyForcibly();
                    dhclient.waitFor(10, TimeUnit.SECONDS);
                }
                cable.close();
            }
        }
    }
}
