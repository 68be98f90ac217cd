package org.jioth.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jioth.testkit.ChildProcess;
import org.jioth.testkit.SwitchNamespace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ioth server jnet --addr 192.168.250.50/24 --addr fd00::50/64} as a user runs it (a child
 * JVM) on Debian's vde_switch: the Linux kernel of a namespace on the same switch reaches its TCP
 * echo over IPv6 and IPv4 (one dual-stack listener on {@code ::}) and its UDP echo over IPv6, and
 * {@code ioth client jnet --addr fd00::51/64 --server fd00::50} talks to it over IPv6.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class JnetServerDualStackTest {
    @TempDir
    Path dir;

    @Test
    void kernelAndJnetClientsReachTheServerOverBothFamilies() throws Exception {
        String missing = SwitchNamespace.missing("socat");
        assumeTrue(missing == null, missing);
        try (SwitchNamespace net = SwitchNamespace.start(dir, "192.168.250.1/24")) {
            ok(net.exec(10, "ip", "-6", "addr", "add", "fd00::1/64", "dev", net.tap(), "nodad"));
            Path log = dir.resolve("server.log");
            Process server = new ProcessBuilder(ChildProcess.javaCommand(Main.class, "server", "jnet",
                    "vde://" + net.switchDir(), "--addr", "192.168.250.50/24", "--addr", "fd00::50/64",
                    "--gateway", "192.168.250.1", "--gateway", "fd00::1"))
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (!read(log).contains("listening on") && System.nanoTime() < deadline && server.isAlive()) {
                    Thread.sleep(100);
                }
                assertThat(read(log)).contains("listening on 192.168.250.50:5000");
                ChildProcess.Result six = null;
                for (int i = 0; i < 20 && (six == null || !six.output().contains("over six")); i++) {
                    six = net.exec(60, "sh", "-c", "printf 'over six\\n' | socat -t 20 - TCP6:[fd00::50]:5000");
                }
                assertThat(six.output()).as(read(log)).contains("over six");
                ChildProcess.Result four = net.exec(60, "sh", "-c",
                        "printf 'over four\\n' | socat -t 20 - TCP4:192.168.250.50:5000");
                assertThat(four.output()).as(read(log)).contains("over four");
                ChildProcess.Result udp = net.exec(30, "sh", "-c",
                        "printf 'udp six\\n' | socat -T 5 - UDP6:[fd00::50]:5000");
                assertThat(udp.output()).as(read(log)).contains("udp six");
                assertThat(read(log)).contains("GOT: over six").contains("GOT: over four");
                List<String> client = List.of("sh", "-c", "printf 'jnet six\\n' | " + String.join(" ",
                        quoted(ChildProcess.javaCommand(Main.class, "client", "jnet", "vde://" + net.switchDir(),
                                "--addr", "fd00::51/64", "--server", "fd00::50"))));
                String out = ChildProcess.run(client, 90).output();
                assertThat(out).as(read(log)).contains("jnet six");
            } finally {
                server.descendants().forEach(ProcessHandle::destroyForcibly);
                server.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
            }
        }
    }

    private static void ok(ChildProcess.Result r) {
        assertThat(r.exitCode()).as(r.output()).isZero();
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private static List<String> quoted(List<String> words) {
        return words.stream().map(w -> "'" + w.replace("'", "'\\''") + "'").toList();
    }
}
