package org.jioth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jioth.testkit.ChildProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11: SIGTERM ends {@code ioth server} and a connected {@code ioth client}. Each runs as a
 * child JVM (the server hosting {@code switch://DIR}, the client on {@code vde://DIR} with its stdin
 * held open) and gets SIGTERM by PID; it must exit on its own within a generous bound (a hang, not
 * a speed, is what this catches). The time each took is printed, not asserted.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class SigtermTest {
    private static final long EXIT_BOUND_SECONDS = 15;

    @Test
    void sigtermEndsAServerAndAConnectedClient(@TempDir Path dir) throws Exception {
        Path sw = dir.resolve("sw");
        Path serverLog = dir.resolve("server.log");
        Path clientLog = dir.resolve("client.log");
        Process server = new ProcessBuilder(ChildProcess.javaCommand(Main.class, "server", "jnet", "switch://" + sw,
                "-p", "5077")).redirectErrorStream(true).redirectOutput(serverLog.toFile()).start();
        Process client = null;
        try {
            awaitLine(serverLog, "listening on", server);
            for (int i = 0; i < 10 && client == null; i++) {
                Process c = new ProcessBuilder(ChildProcess.javaCommand(Main.class, "client", "jnet", "vde://" + sw,
                        "-p", "5077")).redirectErrorStream(true).redirectOutput(clientLog.toFile()).start();
                // connected once the server logs the connection; a refused try exits and is retried
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (c.isAlive() && !Files.readString(serverLog).contains("new conn") && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                if (c.isAlive() && Files.readString(serverLog).contains("new conn")) {
                    client = c;
                } else {
                    c.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
            assertThat(client).as("a client connected: %s", Files.readString(clientLog)).isNotNull();

            assertThat(terminate(client, "client")).as(Files.readString(clientLog)).isTrue();
            assertThat(server.isAlive()).isTrue();
            assertThat(terminate(server, "server")).as(Files.readString(serverLog)).isTrue();
        } finally {
            if (client != null) {
                client.destroyForcibly();
            }
            server.destroyForcibly();
            server.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Sends SIGTERM by PID; true when the process exited within the bound. */
    private static boolean terminate(Process p, String what) throws Exception {
        long start = System.nanoTime();
        ChildProcess.Result kill = ChildProcess.run(List.of("kill", "-TERM", Long.toString(p.pid())), 10);
        assertThat(kill.exitCode()).as(kill.output()).isZero();
        boolean exited = p.waitFor(EXIT_BOUND_SECONDS, TimeUnit.SECONDS);
        System.out.printf("ioth %s: exit %s %.0f ms after SIGTERM%n", what, exited ? p.exitValue() : "(none)",
                (System.nanoTime() - start) / 1e6);
        return exited;
    }

    private static void awaitLine(Path log, String text, Process p) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.readString(log).contains(text) && System.nanoTime() < deadline && p.isAlive()) {
            Thread.sleep(50);
        }
        assertThat(Files.readString(log)).contains(text);
    }
}
