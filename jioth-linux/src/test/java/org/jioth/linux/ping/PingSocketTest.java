package org.jioth.linux.ping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jioth.linux.ErrnoException;
import org.jioth.linux.netns.NetNamespace;
import org.jioth.testkit.Commands;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Unprivileged ICMP echo sockets against the kernel of a network namespace the test makes, where
 * it sets {@code ping_group_range} (a per-namespace setting; the host's is left alone). Every call
 * runs on one thread that entered the namespace. Needs root to make the namespace; skips otherwise.
 */
class PingSocketTest {
    private String ns;
    private ExecutorService inside;

    @BeforeEach
    void setUp() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root to create a network namespace");
        ns = "pingsock-" + UUID.randomUUID().toString().substring(0, 6);
        Commands.Result made = Commands.run(10, "ip", "netns", "add", ns);
        assumeTrue(made.code() == 0, "cannot create a namespace: " + made.out());
        ok(Commands.run(10, "ip", "-n", ns, "link", "set", "lo", "up"));
        // nothing answers there: the route makes the echo leave, no reply ever comes
        ok(Commands.run(10, "ip", "-n", ns, "route", "add", "198.51.100.0/24", "dev", "lo"));
        inside = Executors.newSingleThreadExecutor(r -> new Thread(r, "in " + ns));
        call(() -> {
            NetNamespace.enter(Path.of("/var/run/netns", ns));
            return null;
        });
    }

    @AfterEach
    void tearDown() throws Exception {
        if (inside != null) {
            inside.shutdownNow();
        }
        if (ns != null) {
            Commands.run(10, "ip", "netns", "del", ns);
        }
    }

    static void ok(Commands.Result r) {
        assertThat(r.code()).as(r.out()).isZero();
    }

    private <T> T call(Callable<T> c) throws Exception {
        try {
            return inside.submit(c).get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception x ? x : e;
        }
    }

    private void pingGroups(String range) throws Exception {
        ok(Commands.run(10, "ip", "netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv4.ping_group_range=" + range));
    }

    @Test
    void echoesAreAnsweredWithTheirDataAndAnUnansweredOneTimesOut() throws Exception {
        pingGroups("0 2147483647");
        byte[] data = "jioth ping".getBytes(StandardCharsets.US_ASCII);
        assertThat(call(() -> {
            try (PingSocket s = PingSocket.open(false)) {
                return s.echo(InetAddress.ofLiteral("127.0.0.1"), 7, data, 30_000)
                        && s.echo(InetAddress.ofLiteral("127.0.0.1"), 8, new byte[0], 30_000);
            }
        })).isTrue();
        assertThat(call(() -> {
            try (PingSocket s = PingSocket.open(true)) {
                return s.echo(InetAddress.ofLiteral("::1"), 65535, data, 30_000);
            }
        })).isTrue();
        assertThat(call(() -> {
            try (PingSocket s = PingSocket.open(false)) {
                return s.echo(InetAddress.ofLiteral("198.51.100.9"), 1, data, 200);
            }
        })).as("no reply within the timeout").isFalse();
    }

    @Test
    void outsideThePingGroupRangeOpenFailsWithEaccesNamingTheSetting() throws Exception {
        pingGroups("1 0");
        assertThat(PingSocket.rawAllowed(false)).as("root may open raw ICMP sockets").isTrue();
        assertThat(PingSocket.rawAllowed(true)).as("and raw ICMPv6 ones").isTrue();
        assertThatThrownBy(() -> call(() -> PingSocket.open(true))).isInstanceOfSatisfying(ErrnoException.class,
                e -> {
                    assertThat(e.errno()).isEqualTo(PingSocket.EACCES);
                    assertThat(e.getMessage()).contains("ping_group_range");
                });
    }

    @Test
    void theWrongFamilyOrTooMuchDataIsRefusedBeforeAnythingIsSent() throws Exception {
        pingGroups("0 2147483647");
        call(() -> {
            try (PingSocket s = PingSocket.open(false)) {
                assertThatThrownBy(() -> s.echo(InetAddress.ofLiteral("::1"), 1, new byte[1], 100))
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot reach");
                assertThatThrownBy(() -> s.echo(InetAddress.ofLiteral("127.0.0.1"), 1,
                        new byte[PingSocket.MAX_DATA + 1], 100)).isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("at most");
            }
            return null;
        });
    }
}
