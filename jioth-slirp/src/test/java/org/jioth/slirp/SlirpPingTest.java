package org.jioth.slirp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jioth.linux.ErrnoException;
import org.jioth.linux.netns.NetNamespace;
import org.jioth.linux.ping.PingSocket;
import org.jioth.testkit.Commands;
import org.junit.jupiter.api.Test;

/**
 * ICMP and ICMPv6 echo from a guest to outside addresses, carried by the host's unprivileged ICMP
 * echo sockets. The "outside" is a network namespace the test makes: addresses on its loopback,
 * and {@code ping_group_range} opened there (a per-namespace setting; the host's own is left as it
 * is), so the gateway's echo sockets are opened in it and the namespace's kernel answers. Without
 * such a socket (the host's {@code ping_group_range} excludes us) and without raw sockets (not
 * root), an echo to an outside address is not answered, and counted.
 */
class SlirpPingTest {
    static final InetAddress OUTSIDE6 = InetAddress.ofLiteral("fd77::1");
    static final InetAddress OUTSIDE4 = InetAddress.ofLiteral("198.51.100.7");

    /** A namespace with the two outside addresses on its loopback, where any group may open ICMP echo sockets. */
    static final class Outside implements AutoCloseable {
        final String ns = "slirpping-" + UUID.randomUUID().toString().substring(0, 6);
        /** The one thread that entered the namespace: sockets it opens live there. */
        private final ExecutorService inside = Executors.newSingleThreadExecutor(r -> new Thread(r, "in " + ns));

        Outside() throws Exception {
            Commands.Result made = Commands.run(10, "ip", "netns", "add", ns);
            assumeTrue(made.code() == 0, "cannot create a namespace: " + made.out());
            ok(Commands.run(10, "ip", "-n", ns, "link", "set", "lo", "up"));
            ok(Commands.run(10, "ip", "-n", ns, "addr", "add", OUTSIDE6.getHostAddress() + "/128", "dev", "lo",
                    "nodad"));
            ok(Commands.run(10, "ip", "-n", ns, "addr", "add", OUTSIDE4.getHostAddress() + "/32", "dev", "lo"));
            ok(Commands.run(10, "ip", "netns", "exec", ns, "sysctl", "-q", "-w",
                    "net.ipv4.ping_group_range=0 2147483647"));
            inside.submit(() -> {
                NetNamespace.enter(Path.of("/var/run/netns", ns));
                return null;
            }).get();
        }

        PingOpener opener() {
            return ipv6 -> {
                try {
                    return inside.submit(() -> PingSocket.open(ipv6)).get();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException();
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof IOException io) {
                        throw io;
                    }
                    throw new IllegalStateException(e.getCause());
                }
            };
        }

        @Override
        public void close() throws Exception {
            inside.shutdownNow();
            Commands.run(10, "ip", "netns", "del", ns);
        }
    }

    static void ok(Commands.Result r) {
        assertThat(r.code()).as(r.out()).isZero();
    }

    static SlirpPort slirp(String vnl, PingOpener pings) throws IOException {
        return SlirpPort.open(SlirpOptionsTest.parse(vnl), DnsServer.hostResolver(), pings);
    }

    @Test
    void echoesToOutsideAddressesGoThroughTheHostsPingSocketsBothFamilies() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root to create a network namespace");
        assumeTrue(Files.isDirectory(Path.of("/proc/sys/net/ipv6")), "the kernel has no IPv6");
        try (Outside outside = new Outside()) {
            SlirpPort port = slirp("slirp://", outside.opener());
            try (SlirpGatewayTest.Guest g6 = SlirpIpv6Test.autoconfGuest(port)) {
                assertThat(SlirpGatewayTest.eventually(() -> SlirpIpv6Test.slaacAddress(g6.stack().config())
                        .isPresent())).as("a SLAAC address from the gateway's router advertisement").isTrue();
                assertThat(g6.stack().ping(OUTSIDE6, Duration.ofSeconds(30))).isNotNull();
                // the proxy counts the reply after handing it to the gateway, so the ping may return first
                assertThat(SlirpGatewayTest.eventually(() -> port.counters().icmpEchoReplies.sum() == 1))
                        .as("%s", port.counters()).isTrue();
            }
            port.close();
            SlirpPort port4 = slirp("slirp://", outside.opener());
            try (SlirpGatewayTest.Guest g4 = SlirpGatewayTest.guest(port4)) {
                assertThat(g4.stack().ping(OUTSIDE4, Duration.ofSeconds(30))).isNotNull();
                assertThat(SlirpGatewayTest.eventually(() -> port4.counters().icmpEchoReplies.sum() == 1))
                        .as("%s", port4.counters()).isTrue();
                assertThat(port4.counters().icmpUnavailable.sum()).isZero();
            }
            port4.close();
        }
    }

    /** Neither an ICMP echo socket (ping_group_range) nor a raw one (not root). */
    static final PingOpener NO_ICMP = new PingOpener() {
        @Override
        public PingSocket open(boolean ipv6) throws IOException {
            throw new ErrnoException("socket", PingSocket.EACCES);
        }

        @Override
        public boolean rawAllowed(boolean ipv6) {
            return false;
        }
    };

    @Test
    void withoutAnIcmpSocketAnEchoToTheOutsideIsNotAnsweredButTheGatewayStillIs() throws Exception {
        PingOpener refused = NO_ICMP;
        SlirpPort port = slirp("slirp://", refused);
        try (SlirpGatewayTest.Guest g6 = SlirpIpv6Test.autoconfGuest(port)) {
            assertThat(SlirpGatewayTest.eventually(() -> SlirpIpv6Test.slaacAddress(g6.stack().config())
                    .isPresent())).as("a SLAAC address from the gateway's router advertisement").isTrue();
            assertThat(g6.stack().ping(SlirpIpv6Test.HOST6, Duration.ofSeconds(30))).isNotNull();
            // 2001:db8:: is the documentation prefix: nothing is sent, the socket is refused first
            assertThatThrownBy(() -> g6.stack().ping(InetAddress.ofLiteral("2001:db8::1"), Duration.ofMillis(500)))
                    .isInstanceOf(IOException.class);
            assertThat(SlirpGatewayTest.eventually(() -> port.counters().icmpUnavailable.sum() == 1))
                    .as("%s", port.counters()).isTrue();
            assertThat(port.counters().icmpEchoReplies.sum()).isZero();
        } finally {
            port.close();
        }
        SlirpPort port4 = slirp("slirp://", refused);
        try (SlirpGatewayTest.Guest g4 = SlirpGatewayTest.guest(port4)) {
            assertThat(g4.stack().ping(SlirpGatewayTest.GATEWAY, Duration.ofSeconds(30))).isNotNull();
            assertThatThrownBy(() -> g4.stack().ping(InetAddress.ofLiteral("203.0.113.9"), Duration.ofMillis(500)))
                    .isInstanceOf(IOException.class); // the documentation prefix; nothing is sent
            assertThat(SlirpGatewayTest.eventually(() -> port4.counters().icmpUnavailable.sum() == 1))
                    .as("%s", port4.counters()).isTrue();
        } finally {
            port4.close();
        }
    }

    @Test
    void restrictStopsIpv6EchoesBeforeTheHost() throws Exception {
        SlirpPort port = slirp("slirp:///restrict", ipv6 -> {
            throw new AssertionError("restrict must not open an echo socket");
        });
        try (SlirpGatewayTest.Guest g6 = SlirpIpv6Test.autoconfGuest(port)) {
            assertThat(SlirpGatewayTest.eventually(() -> SlirpIpv6Test.slaacAddress(g6.stack().config())
                    .isPresent())).isTrue();
            assertThatThrownBy(() -> g6.stack().ping(InetAddress.ofLiteral("2001:db8::1"), Duration.ofMillis(500)))
                    .isInstanceOf(IOException.class);
            assertThat(port.counters().icmpEchoes.sum()).isZero();
            assertThat(port.counters().foreignDropped.sum()).isPositive();
        } finally {
            port.close();
        }
    }
}
