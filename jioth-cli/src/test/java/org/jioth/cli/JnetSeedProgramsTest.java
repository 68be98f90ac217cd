package org.jioth.cli;

import static org.assertj.core.api.Assertions.assertThat;
import org.jioth.testkit.SwitchControl;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.jioth.testkit.ChildProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ioth server jnet vde://DIR} as the user runs it (a child JVM), on Debian's
 * {@code vde_switch -s DIR}: reached by {@code ioth client jnet vde://DIR}, and by the Linux
 * kernel of a network namespace made by the test, whose tap {@code vde_plug} joins to the same
 * switch (ping, then socat). The server's seed log lines are checked each time.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class JnetSeedProgramsTest {
    static final String SERVER = "192.168.250.50";
    static final String KERNEL = "192.168.250.1";

    @TempDir
    Path dir;
    Path sw;
    final List<Process> processes = new ArrayList<>();
    String ns;

    @BeforeEach
    void startSwitch() throws Exception {
        assumeTrue(ChildProcess.works("sh", "-c", "command -v vde_switch"), "vde_switch (Debian vde-switch) is not installed");
        sw = dir.resolve("sw");
        // stdin stays open (a pipe): vde_switch keeps running until it is killed
        start(new ProcessBuilder("vde_switch", "-s", sw.toString()), "switch.log");
        assertThat(await(() -> SwitchControl.listening(sw))).as("vde_switch control socket").isTrue();
    }

    @AfterEach
    void stopEverything() throws Exception {
        for (Process p : processes.reversed()) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
        }
        if (ns != null) {
            run(20, "ip", "netns", "del", ns);
        }
    }

    @Test
    void serverAndClientOnJnetAcrossARealVdeSwitch() throws Exception {
        startServer();
        String out = "";
        for (int attempt = 0; attempt < 20 && !out.contains("second line"); attempt++) {
            List<String> client = List.of("sh", "-c", "printf 'hello jioth\\nsecond line\\n' | "
                    + String.join(" ", quoted(ChildProcess.javaCommand(Main.class, "client", "jnet", "vde://" + sw))));
            out = ChildProcess.run(client, 60).output();
            if (!out.contains("second line")) {
                Thread.sleep(500); // the server's stack is still starting
            }
        }
        String log = awaitServerLog("close conn");
        assertThat(out).as("client output; server log:%n%s", log).contains("hello jioth\nsecond line\n");
        assertThat(log).containsPattern("new conn \\d+ tid \\d+")
                .containsPattern("tid \\d+ GOT: hello jioth")
                .containsPattern("close conn \\d+ tid \\d+");
    }

    @Test
    void kernelNamespaceOnTheSameSwitchPingsAndTalksToTheServer() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root to create a network namespace");
        assumeTrue(Files.exists(Path.of("/dev/net/tun")), "needs /dev/net/tun");
        for (String tool : List.of("ip", "vde_plug", "ping", "socat")) {
            assumeTrue(ChildProcess.works("sh", "-c", "command -v " + tool), "needs " + tool);
        }
        String id = UUID.randomUUID().toString().substring(0, 6);
        String name = "jsp-" + id;
        String tap = "js" + id;
        Result made = run(10, "ip", "netns", "add", name);
        assumeTrue(made.code == 0, "cannot create a namespace: " + made.out);
        ns = name;
        start(new ProcessBuilder("ip", "netns", "exec", ns, "vde_plug", "tap://" + tap, "vde://" + sw), "vde_plug.log");
        assertThat(await(() -> ok("ip", "-n", ns, "link", "show", tap)))
                .as("vde_plug made %s in %s: %s", tap, ns, readLog("vde_plug.log")).isTrue();
        expectOk(run(10, "ip", "-n", ns, "addr", "add", KERNEL + "/24", "dev", tap));
        expectOk(run(10, "ip", "-n", ns, "link", "set", tap, "up"));
        expectOk(run(10, "ip", "-n", ns, "link", "set", "lo", "up"));
        startServer();

        // (a) the kernel pings the jnet stack (ARP both ways through vde_switch)
        Result ping = null;
        for (int attempt = 0; attempt < 30 && (ping == null || ping.code != 0); attempt++) {
            ping = run(20, "ip", "netns", "exec", ns, "ping", "-c", "1", "-W", "2", SERVER);
        }
        assertThat(ping.code).as("ping %s from %s: %s%nserver log:%n%s", SERVER, ns, ping.out, readLog("server.log")).isZero();
        assertThat(ping.out).contains("1 received");

        // (b) TCP from the kernel: socat sends two lines, half-closes, prints the echo until the server closes
        Result talk = null;
        for (int attempt = 0; attempt < 20 && (talk == null || !talk.out.contains("from the kernel 2")); attempt++) {
            if (attempt > 0) {
                Thread.sleep(500); // the server is not listening yet
            }
            talk = run(60, "ip", "netns", "exec", ns, "sh", "-c",
                    "printf 'from the kernel 1\\nfrom the kernel 2\\n' | socat -t 20 - TCP4:" + SERVER + ":5000");
        }
        String log = awaitServerLog("close conn");
        assertThat(talk.out).as("socat output; server log:%n%s", log).contains("from the kernel 1\nfrom the kernel 2\n");
        assertThat(log).containsPattern("new conn \\d+ tid \\d+")
                .containsPattern("tid \\d+ GOT: from the kernel 1")
                .containsPattern("close conn \\d+ tid \\d+");

        // (c) the same with the namespace's nc (OpenBSD netcat: -N half-closes after end of input)
        if (ChildProcess.works("sh", "-c", "nc -h 2>&1 | grep -q 'OpenBSD netcat'")) {
            Result nc = run(60, "ip", "netns", "exec", ns, "sh", "-c",
                    "printf 'from nc 1\\nfrom nc 2\\n' | nc -N -w 20 " + SERVER + " 5000");
            String ncLog = awaitServerLog("from nc 2");
            assertThat(nc.out).as("nc output; server log:%n%s", ncLog).contains("from nc 1\nfrom nc 2\n");
            assertThat(ncLog).containsPattern("tid \\d+ GOT: from nc 1");
        } else {
            System.out.println("JnetSeedProgramsTest: OpenBSD nc not installed; the nc step was skipped");
        }
    }

    /** Starts {@code ioth server jnet} and waits for its ready line: the clients then need no retries for a slow start. */
    private void startServer() throws IOException, InterruptedException {
        start(new ProcessBuilder(ChildProcess.javaCommand(Main.class, "server", "jnet", "vde://" + sw)), "server.log");
        assertThat(await(() -> readLog("server.log").contains("listening on")))
                .as("the server's ready line: %s", readLog("server.log")).isTrue();
    }

    /** The server's log once it contains {@code text} (or after 60 s, whatever it holds). */
    private String awaitServerLog(String text) throws Exception {
        await(() -> readLog("server.log").contains(text));
        return readLog("server.log");
    }

    private void start(ProcessBuilder pb, String log) throws IOException {
        processes.add(pb.redirectErrorStream(true).redirectOutput(dir.resolve(log).toFile()).start());
    }

    private String readLog(String name) {
        try {
            return Files.readString(dir.resolve(name), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no " + name + ": " + e + ")";
        }
    }

    private static boolean await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60); // a bound only: a loaded machine starts JVMs slowly
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(50);
        }
        return condition.getAsBoolean();
    }

    private record Result(int code, String out) { }

    private static boolean ok(String... cmd) {
        try {
            return run(10, cmd).code == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void expectOk(Result r) {
        assertThat(r.code).as(r.out).isZero();
    }

    private static Result run(int seconds, String... cmd) throws IOException, InterruptedException {
        // an ip command (not ip netns exec) waits for nothing: its bound only guards a hang
        boolean ip = cmd[0].equals("ip") && !List.of(cmd).contains("exec");
        ChildProcess.Result r = ChildProcess.run(List.of(cmd), ip ? Math.max(seconds, 60) : seconds);
        return new Result(r.exitCode(), r.output());
    }

    private static List<String> quoted(List<String> words) {
        return words.stream().map(w -> "'" + w.replace("'", "'\\''") + "'").toList();
    }
}
