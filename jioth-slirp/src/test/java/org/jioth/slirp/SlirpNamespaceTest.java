package org.jioth.slirp;

import static org.assertj.core.api.Assertions.assertThat;
import org.jioth.testkit.SwitchControl;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.jioth.vde.Cable;
import org.jioth.vde.EthernetPort;
import org.jioth.vde.EthernetPorts;
import org.junit.jupiter.api.Test;

/**
 * slirp:// with a real guest: a network namespace made by the test whose tap belongs to Debian's
 * vde_switch (run inside the namespace), and a slirp port opened here and cabled to that switch.
 * The guest's kernel and busybox tools get an address by DHCP, resolve a name from the host's
 * /etc/hosts through 10.0.2.3, fetch 64 MiB from an HTTP server on the host's 127.0.0.1 through
 * 10.0.2.2, echo UDP the same way, ping the gateway and the host's own address, and serve host
 * clients through hostfwd rules (TCP and UDP). Needs root,
 * iproute2, vde_switch, udhcpc, busybox, socat and ping; skips otherwise.
 */
class SlirpNamespaceTest {
    static final long BODY = 64L << 20;

    record Result(int code, String out) { }

    static Result run(int seconds, String... cmd) throws IOException, InterruptedException {
        org.jioth.testkit.Commands.Result r = org.jioth.testkit.Commands.run(seconds, cmd);
        return new Result(r.code(), r.out());
    }

    static void ok(Result r) {
        assertThat(r.code()).as(r.out()).isZero();
    }

    static void assumeTools() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root to create a network namespace");
        assumeTrue(Files.exists(Path.of("/dev/net/tun")), "needs /dev/net/tun");
        for (String tool : List.of("ip", "vde_switch", "udhcpc", "busybox", "socat", "sha256sum", "ping")) {
            assumeTrue(run(10, "sh", "-c", "command -v " + tool).code() == 0, "needs " + tool);
        }
    }

    /** A namespace with vde_switch holding its tap, the guest configured by DHCP through {@code slirp}. */
    static final class Guest implements AutoCloseable {
        final String ns;
        final Path dir;
        private final Process vdeSwitch;

        Guest(String id) throws Exception {
            ns = "slirp-" + id;
            dir = Files.createTempDirectory("slirp-test-");
            Result made = run(10, "ip", "netns", "add", ns);
            assumeTrue(made.code() == 0, "cannot create a namespace: " + made.out());
            vdeSwitch = new ProcessBuilder("ip", "netns", "exec", ns, "vde_switch", "-s", dir.resolve("sw").toString(),
                    "-t", "tap0").redirectErrorStream(true).redirectOutput(dir.resolve("switch.log").toFile())
                    .redirectInput(ProcessBuilder.Redirect.PIPE).start(); // stdin kept open: the console
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!SwitchControl.listening(dir.resolve("sw")) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(dir.resolve("sw").resolve("ctl")).as("vde_switch control socket").exists();
            ok(run(10, "ip", "-n", ns, "link", "set", "lo", "up"));
            ok(run(10, "ip", "-n", ns, "link", "set", "tap0", "up"));
        }

        String vnl() {
            return "vde://" + dir.resolve("sw");
        }

        Result sh(int seconds, String script) throws IOException, InterruptedException {
            return run(seconds, "ip", "netns", "exec", ns, "sh", "-c", script);
        }

        /** Runs udhcpc with a script that configures only the tap (never the host's resolv.conf). */
        Result dhcp() throws IOException, InterruptedException {
            Path script = dir.resolve("udhcpc.sh");
            Files.writeString(script, """
                    #!/bin/sh
                    case "$1" in
                      bound|renew)
                        ip addr flush dev "$interface"
                        ip addr add "$ip/${mask:-24}" dev "$interface"
                        [ -n "$router" ] && ip route replace default via "$router" dev "$interface"
                        echo "lease ip=$ip mask=$mask router=$router dns=$dns lease=$lease" ;;
                    esac
                    exit 0
                    """);
            script.toFile().setExecutable(true);
            return sh(60, "udhcpc -i tap0 -f -q -n -t 5 -T 2 -s " + script);
        }

        @Override
        public void close() throws Exception {
            vdeSwitch.descendants().forEach(ProcessHandle::destroyForcibly);
            vdeSwitch.destroyForcibly();
            vdeSwitch.waitFor(10, TimeUnit.SECONDS);
            run(10, "ip", "netns", "del", ns);
            try (var s = Files.walk(dir)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void dhcpDnsTcpUdpAndHostfwdWithALinuxGuest() throws Exception {
        assumeTools();
        String id = UUID.randomUUID().toString().substring(0, 6);
        try (Guest guest = new Guest(id);
                HostServers.Http http = new HostServers.Http(BODY);
                HostServers.UdpEcho echo = new HostServers.UdpEcho();
                EthernetPort sw = EthernetPorts.open(guest.vnl());
                EthernetPort port = EthernetPorts.open("slirp:///hostfwd=tcp:127.0.0.1:0-:8080,udp:127.0.0.1:0-:9053")) {
            SlirpPort slirp = (SlirpPort) port;
            Cable cable = Cable.join(slirp, sw);
            try {
                Result lease = guest.dhcp();
                ok(lease);
                assertThat(lease.out()).contains("lease ip=10.0.2.15 mask=24 router=10.0.2.2 dns=10.0.2.3");
                assertThat(slirp.counters().dhcpLeases.sum()).isEqualTo(1);

                Result dns = guest.sh(30, "busybox nslookup localhost 10.0.2.3");
                assertThat(dns.out()).as(dns.out()).contains("127.0.0.1");
                assertThat(slirp.counters().dnsQueries.sum()).isPositive();

                String expected = HostServers.sha256(BODY);
                Result fetch = guest.sh(300, "busybox wget -q -O - http://10.0.2.2:" + http.port() + "/data | sha256sum");
                ok(fetch);
                assertThat(fetch.out()).startsWith(expected);
                // the splice counts a chunk after writing it toward the guest, so the guest may be done first
                assertThat(SlirpGatewayTest.eventually(() -> slirp.counters().bytesIn.sum() >= BODY))
                        .as("bytesIn %d", slirp.counters().bytesIn.sum()).isTrue();

                ok(guest.sh(30, "ping -c 2 -W 5 10.0.2.2"));
                java.util.Optional<java.net.InetAddress> own = SlirpGatewayTest.ownAddress();
                if (own.isPresent()) { // the host's own address, still this machine: an echo through the host
                    ok(guest.sh(30, "ping -c 2 -W 5 " + own.get().getHostAddress()));
                    // the proxy counts a reply after handing it to the gateway, so the ping may end first
                    assertThat(SlirpGatewayTest.eventually(() -> slirp.counters().icmpEchoReplies.sum() >= 2))
                            .as("icmpEchoReplies %d", slirp.counters().icmpEchoReplies.sum()).isTrue();
                }

                Result udp = guest.sh(30, "echo ping-over-udp | socat -t 3 - UDP4:10.0.2.2:" + echo.port());
                ok(udp);
                assertThat(udp.out()).contains("ping-over-udp");

                Process server = new ProcessBuilder("ip", "netns", "exec", guest.ns, "timeout", "60", "socat",
                        "TCP4-LISTEN:8080,reuseaddr", "SYSTEM:echo hello-from-the-guest").redirectErrorStream(true)
                        .start();
                try {
                    InetSocketAddress fwd = slirp.hostForwardAddresses().getFirst();
                    String got = "";
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                    while (!got.contains("hello-from-the-guest") && System.nanoTime() < deadline) {
                        got = readAll(fwd); // socat may not listen yet: the guest resets, we retry
                        if (!got.contains("hello")) {
                            Thread.sleep(100);
                        }
                    }
                    assertThat(got).contains("hello-from-the-guest");
                } finally {
                    server.descendants().forEach(ProcessHandle::destroyForcibly);
                    server.destroyForcibly();
                }
                Process udpServer = new ProcessBuilder("ip", "netns", "exec", guest.ns, "timeout", "60", "socat",
                        "UDP4-LISTEN:9053,reuseaddr", "EXEC:cat").redirectErrorStream(true).start();
                try (DatagramChannel client = DatagramChannel.open()) {
                    client.connect(slirp.hostForwardAddresses().get(1));
                    client.configureBlocking(false);
                    ByteBuffer in = ByteBuffer.allocate(100);
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                    while (in.position() == 0 && System.nanoTime() < deadline) {
                        client.write(ByteBuffer.wrap("udp-through-hostfwd".getBytes(StandardCharsets.US_ASCII)));
                        Thread.sleep(200); // socat may not listen yet: send again
                        try {
                            client.read(in);
                        } catch (java.net.PortUnreachableException e) {
                            // not yet
                        }
                    }
                    assertThat(new String(in.array(), 0, in.position(), StandardCharsets.US_ASCII))
                            .startsWith("udp-through-hostfwd");
                } finally {
                    udpServer.descendants().forEach(ProcessHandle::destroyForcibly);
                    udpServer.destroyForcibly();
                }
            } finally {
                cable.close();
            }
            System.out.println("slirp counters: " + slirp.counters());
            assertThat(slirp.counters().tcpFlowsOpened.sum()).isGreaterThanOrEqualTo(2);
        }
    }

    private static String readAll(InetSocketAddress to) {
        try (SocketChannel c = SocketChannel.open(to)) {
            ByteBuffer b = ByteBuffer.allocate(1024);
            while (c.read(b) >= 0 && b.hasRemaining()) {
                // until the guest closes
            }
            return new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            return "";
        }
    }
}
