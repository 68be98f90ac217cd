package org.jioth.jnet;

import static org.assertj.core.api.Assertions.assertThat;
import org.jioth.testkit.SwitchControl;
import static org.jioth.jnet.TestNet.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jioth.IfAddr;
import org.jioth.jnet.loop.Counter;
import org.jioth.testkit.ChildProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11, links that come back: two jnet stacks on {@code vde://} of a switch that is killed (by
 * PID) and started again at the same path. The carrier goes down (flags, counters, health), the
 * ports reconnect by themselves, the carrier comes back, and a TCP connection opened before the
 * outage still echoes after it. Run against Debian's {@code vde_switch} and against our hosted
 * {@code switch://} in a child JVM ({@code ioth switch}).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LinkComesBackTest {
    @TempDir
    Path dir;
    final List<Process> switches = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (Process p : switches) {
            p.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
        }
    }

    @Test
    void debianVdeSwitchKilledAndRestarted() throws Exception {
        assumeTrue(ChildProcess.works("sh", "-c", "command -v vde_switch"), "vde_switch (Debian vde-switch) is not installed");
        Path sw = dir.resolve("sw");
        outageSurvived(sw, () -> start(new ProcessBuilder("vde_switch", "-s", sw.toString())));
    }

    @Test
    void ourHostedSwitchKilledAndRestarted() throws Exception {
        Path sw = dir.resolve("sw");
        outageSurvived(sw, () -> start(new ProcessBuilder(
                ChildProcess.javaCommand(HostedSwitchMain.class, sw.toString()))));
    }

    private Process start(ProcessBuilder pb) {
        try {
            Process p = pb.redirectErrorStream(true).redirectOutput(dir.resolve("switch-" + switches.size() + ".log").toFile())
                    .start();
            switches.add(p);
            return p;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private void outageSurvived(Path sw, Supplier<Process> startSwitch) throws Exception {
        Process first = startSwitch.get();
        assertThat(await(() -> SwitchControl.listening(sw))).as("switch control socket").isTrue();
        JnetStack a = JnetStack.builder().options("seed=1").vnl("vde0:vde://" + sw).build();
        JnetStack b = JnetStack.builder().options("seed=2").vnl("vde0:vde://" + sw).build();
        try {
            configure(a, "192.168.250.1");
            configure(b, "192.168.250.2");
            TestNet.Connected tcp = TestNet.connected(a, b, "192.168.250.2", 7);
            SocketChannel c = tcp.client();
            SocketChannel s = tcp.server();
            echo(c, s, "before");

            first.destroyForcibly(); // by PID: the switch is gone
            first.waitFor(20, TimeUnit.SECONDS);
            assertThat(await(() -> a.counter(Counter.LINK_CARRIER_DOWN) == 1)).as("carrier down counted").isTrue();
            assertThat(await(() -> !a.health().linksDown().isEmpty())).isTrue();
            assertThat(a.health().linksDown()).containsExactly("vde0");
            assertThat(a.health().isAlive()).isTrue();
            assertThat(running(a)).as("IFF_RUNNING while the switch is gone").isFalse();
            assertThat(a.neighbour("vde0", InetAddress.ofLiteral("192.168.250.2"))).as("neighbours flushed").isEmpty();
            // the first connection is gone: what the port counted so far must stay and keep growing
            java.util.Map<String, Long> down = a.statistics();

            // a killed switch leaves its files behind: vde_switch reuses the directory, switch:// wants a new one
            try (var files = Files.walk(sw)) {
                for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(f);
                }
            }
            startSwitch.get();
            for (JnetStack x : List.of(a, b)) {
                assertThat(await(() -> x.counter(Counter.LINK_CARRIER_UP) == 1)).as("carrier up again").isTrue();
                assertThat(x.health().linksDown()).isEmpty();
                assertThat(running(x)).isTrue();
            }
            for (String counter : List.of("Port.FramesOut", "Port.FramesIn")) {
                assertThat(a.statistics().get(counter)).as("%s never goes back", counter).isGreaterThanOrEqualTo(down.get(counter));
            }
            echo(c, s, "after the outage"); // the connection survived
            // a port counts a frame once its system call returned: wait for the counts, the peer may be faster
            assertThat(await(() -> grew(a, down, "Port.FramesOut") && grew(a, down, "Port.FramesIn")))
                    .as("frames of the new connection counted on top of the first one's: %s then %s", ports(down), ports(a.statistics()))
                    .isTrue();
            s.close();
            c.close();
            tcp.listener().close();
        } finally {
            a.sockets().closeAll();
            b.sockets().closeAll();
            a.close();
            b.close();
        }
    }

    private static void configure(JnetStack s, String address) throws IOException {
        int i = s.config().ifNameToIndex("vde0");
        s.config().linkSetUpDown(i, true);
        s.config().ipAddrAdd(InetAddress.ofLiteral(address), 24, i);
    }

    private static boolean grew(JnetStack s, java.util.Map<String, Long> before, String counter) {
        return s.statistics().get(counter) > before.get(counter);
    }

    private static java.util.Map<String, Long> ports(java.util.Map<String, Long> statistics) {
        java.util.Map<String, Long> m = new java.util.TreeMap<>(statistics);
        m.keySet().removeIf(k -> !k.startsWith("Port."));
        return m;
    }

    private static boolean running(JnetStack s) throws IOException {
        for (IfAddr a : s.config().interfaces()) {
            if (a.name().equals("vde0") && a.address() == null) {
                return (a.flags() & IfAddr.IFF_RUNNING) != 0;
            }
        }
        throw new AssertionError("no vde0");
    }

    private static void echo(SocketChannel c, SocketChannel s, String text) throws IOException {
        byte[] want = text.getBytes();
        c.write(ByteBuffer.wrap(want));
        ByteBuffer got = ByteBuffer.allocate(want.length);
        while (got.hasRemaining()) {
            if (s.read(got) < 0) {
                throw new IOException("EOF");
            }
        }
        assertThat(got.array()).isEqualTo(want);
    }

    /** {@code switch://DIR} hosted in a child JVM until it is killed. */
    public static final class HostedSwitchMain {
        public static void main(String[] args) throws Exception {
            try (org.jioth.vde.EthernetPort p = org.jioth.vde.EthernetPorts.open("switch://" + args[0])) {
                Thread.sleep(Long.MAX_VALUE);
            }
        }
    }
}
