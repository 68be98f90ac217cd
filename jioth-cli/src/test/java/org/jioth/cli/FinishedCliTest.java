package org.jioth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.jioth.Ioth;
import org.jioth.IothStack;
import org.jioth.testkit.ChildProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The ioth command's finish: clear refusals, the ready line, statistics on exit, a bounded log, progress figures. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FinishedCliTest {

    @Test
    void aServerWithoutItsInterfaceSaysWhatIsWrongAndExits() throws Exception {
        ChildProcess.Result r = ChildProcess.run(ChildProcess.javaCommand(Main.class, "server", "jnet"), 60);
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.output()).contains("ioth server: stack jnet has no interface vde0").contains("ENODEV")
                .contains("give a VNL").contains("--lo").doesNotContain("listening on");
    }

    @Test
    void aServerOnTheLoopbackPrintsItsReadyLineAndItsStatisticsOnSigusr1AndSigterm(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("server.log");
        Process p = new ProcessBuilder(ChildProcess.javaCommand(Main.class, "server", "jnet", "--lo", "--stats", "-p", "5055"))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.readString(log).contains("listening on") && System.nanoTime() < deadline && p.isAlive()) {
                Thread.sleep(50);
            }
            assertThat(Files.readString(log)).contains("listening on 127.0.0.1:5055 (jnet, loopback only)");
            // signalled as soon as the ready line is out: the server installs its handler before printing it
            ChildProcess.run(java.util.List.of("kill", "-USR1", Long.toString(p.pid())), 10);
            long printed = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.readString(log).contains("statistics of jnet:") && System.nanoTime() < printed && p.isAlive()) {
                Thread.sleep(50);
            }
            assertThat(p.isAlive()).as("SIGUSR1 prints, the server runs on: %s", Files.readString(log)).isTrue();
            assertThat(Files.readString(log)).contains("statistics of jnet:");
            p.destroy(); // SIGTERM
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            String text = Files.readString(log);
            assertThat(text.split("statistics of jnet:", -1)).as("printed on SIGUSR1 and on SIGTERM").hasSize(3);
            assertThat(text).containsPattern("Tcp.ActiveOpens \\d+");
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void aServerConfiguredByDhcpFromTheSlirpGatewayPrintsItsLeasedAddress(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("server.log");
        Process p = new ProcessBuilder(ChildProcess.javaCommand(Main.class, "server", "jnet", "slirp://", "--conf",
                "eth,dhcp", "-p", "5056")).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.readString(log).contains("listening on") && System.nanoTime() < deadline && p.isAlive()) {
                Thread.sleep(50);
            }
            assertThat(Files.readString(log)).contains("listening on 10.0.2.15:5056 (jnet, vde0 slirp://)");
        } finally {
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
        }
        ChildProcess.Result bad = ChildProcess.run(ChildProcess.javaCommand(Main.class, "server", "jnet", "null://",
                "--conf", "eth,nonsense"), 60);
        assertThat(bad.exitCode()).isEqualTo(1);
        assertThat(bad.output()).contains("--conf eth,nonsense").contains("unknown option 'nonsense'");
    }

    @Test
    void switchTakesTheVnlFormOrSaysAPathIsExpected() throws Exception {
        ChildProcess.Result r = ChildProcess.run(ChildProcess.javaCommand(Main.class, "switch", "tcp://somewhere"), 60);
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.output()).contains("expected a directory path such as /tmp/sw (or switch:///tmp/sw)");
    }

    @Test
    void helpTextsAreNotCutMidSentence() throws Exception {
        for (String cmd : new String[] {"demo", "plug", "switch", "capture"}) {
            String help = ChildProcess.run(ChildProcess.javaCommand(Main.class, cmd, "--help"), 60).output();
            // a short line that stops mid-sentence before a lower-case continuation was a
            // description cut by hand into array elements (picocli's own wrap fills the line)
            assertThat(help).as(help).doesNotContainPattern("(?m)^.{1,60}[a-z,]\\n[a-z]");
        }
    }

    @Test
    void theEchoLogStopsAfterItsLimitWhileTheEchoGoesOn() throws Exception {
        ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
        PrintStream log = new PrintStream(logBytes, true, StandardCharsets.UTF_8);
        try (IothStack stack = Ioth.newStack("jnet");
             EchoServer server = new EchoServer(stack, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), log, true)
                     .dataLogLimit(100).start();
             SocketChannel c = stack.provider().openSocketChannel()) {
            c.connect(server.localAddress());
            byte[] data = "x".repeat(5000).getBytes(StandardCharsets.US_ASCII);
            ByteBuffer out = ByteBuffer.wrap(data);
            while (out.hasRemaining()) {
                c.write(out);
            }
            c.shutdownOutput();
            ByteBuffer back = ByteBuffer.allocate(data.length + 1);
            while (c.read(back) >= 0) {
                // until the server closes
            }
            assertThat(back.position()).isEqualTo(data.length);
        }
        String text = logBytes.toString(StandardCharsets.UTF_8);
        assertThat(text).contains("GOT: x").contains("(after 100 bytes the rest is echoed, not logged)");
        assertThat(text.chars().filter(ch -> ch == 'x').count()).isEqualTo(100);
    }

    @Test
    void progressLineFigures() {
        assertThat(Progress.line(3 << 20, 2 << 20, 2_000_000_000L)).isEqualTo("sent 3.0 MiB, received 2.0 MiB, 1.0 MiB/s");
    }
}
