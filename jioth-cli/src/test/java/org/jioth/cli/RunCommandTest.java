package org.jioth.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.jioth.run.RunAgent;
import org.jioth.testkit.ChildProcess;
import org.jioth.testkit.SwitchNamespace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ioth run} as a user runs it: the JDK's own web server ({@code -m jdk.httpserver}) on a jnet
 * stack serves a file to curl in a Linux namespace on the same vde_switch, byte-exact; a plain
 * java.net.Socket program reaches a socat server there; a stack that cannot be made stops before
 * the program with status 125; the program's status is ioth run's.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class RunCommandTest {

    private static List<String> ioth(String... args) {
        return ChildProcess.javaCommand(Main.class, args);
    }

    @Test
    void jwebserverOnJnetServesCurlInANamespace(@TempDir Path dir) throws Exception {
        String why = SwitchNamespace.missing("curl");
        assumeTrue(why == null, why);
        Path www = Files.createDirectories(dir.resolve("www"));
        byte[] blob = new byte[1_500_000];
        new SplittableRandom(14).nextBytes(blob);
        Files.write(www.resolve("blob.bin"), blob);
        try (SwitchNamespace net = SwitchNamespace.start(dir, "192.168.250.1/24")) {
            Process server = new ProcessBuilder(ioth("run", "jnet", "vde://" + net.switchDir(),
                    "--conf", "eth,ip=192.168.250.50/24", "--", "-m", "jdk.httpserver",
                    "-b", "0.0.0.0", "-p", "8000", "-d", www.toString()))
                    .redirectErrorStream(true).redirectOutput(dir.resolve("server.log").toFile()).start();
            try {
                // jwebserver prints its banner once it listens: then curl needs no retries for a slow start
                long ready = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (!Files.readString(dir.resolve("server.log")).contains("Serving ") && System.nanoTime() < ready
                        && server.isAlive()) {
                    Thread.sleep(50);
                }
                Path got = dir.resolve("got.bin");
                ChildProcess.Result curl = null;
                for (int attempt = 0; attempt < 30 && (curl == null || curl.exitCode() != 0); attempt++) {
                    if (attempt > 0) {
                        Thread.sleep(500); // the server JVM is still starting
                    }
                    curl = net.exec(60, "curl", "-sS", "-m", "30", "-o", got.toString(), "http://192.168.250.50:8000/blob.bin");
                }
                String log = Files.readString(dir.resolve("server.log"));
                assertThat(curl.exitCode()).as("curl: %s%nserver log:%n%s", curl.output(), log).isZero();
                // the server logs the request after answering it
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (!log.contains("GET /blob.bin") && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                    log = Files.readString(dir.resolve("server.log"));
                }
                assertThat(Files.readAllBytes(got)).as("the file curl fetched").isEqualTo(blob);
                assertThat(log).contains("Serving " + www).contains("\"GET /blob.bin HTTP/1.1\" 200");
            } finally {
                server.descendants().forEach(ProcessHandle::destroyForcibly);
                server.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void aPlainSocketProgramReachesAServerInTheNamespace(@TempDir Path dir) throws Exception {
        String why = SwitchNamespace.missing("socat");
        assumeTrue(why == null, why);
        try (SwitchNamespace net = SwitchNamespace.start(dir, "192.168.250.1/24")) {
            net.spawn("socat.log", "socat", "TCP4-LISTEN:7000,reuseaddr,fork", "SYSTEM:'read l; echo \"socat got: $l\"'");
            // socat listening first: then the program needs no retries for a slow start
            assertThat(org.jioth.testkit.Eventually.holds(() -> net.exec(20, "ss", "-Hltn", "sport = :7000").output()
                    .contains(":7000"))).as("socat listens: %s", net.log("socat.log")).isTrue();
            List<String> cmd = new ArrayList<>(ioth("run", "jnet", "vde://" + net.switchDir(),
                    "--conf", "eth,ip=192.168.250.51/24", "--hosts", "peer=192.168.250.1", "--",
                    "-cp", System.getProperty("java.class.path"), PlainSocketClient.class.getName(), "peer", "7000", "7"));
            ChildProcess.Result r = null;
            for (int attempt = 0; attempt < 10 && (r == null || !r.output().contains("answer:")); attempt++) {
                if (attempt > 0) {
                    Thread.sleep(500); // socat is still starting
                }
                r = ChildProcess.run(cmd, 60);
            }
            assertThat(r.output()).as(r.output()).contains("answer: socat got: hello from a plain socket (local 192.168.250.51)");
            assertThat(r.exitCode()).as("the program's exit status is ioth run's").isEqualTo(7);
        }
    }

    @Test
    void stacksBuiltOnTheJdksChannelsDoNotWaitOnThemselves() throws Exception {
        // kernel wraps SelectorProvider.provider(); vdestack,jdk opens every socket on a thread of its own
        ChildProcess.Result k = ChildProcess.run(ioth("run", "kernel", "--", "-cp", System.getProperty("java.class.path"),
                OpenOneChannel.class.getName()), 60);
        assertThat(k.output()).as(k.output()).contains("opened sun.nio.ch.SocketChannelImpl");
        boolean vdestackJdk = "root".equals(System.getProperty("user.name")) && Files.exists(Path.of("/dev/net/tun"))
                && ChildProcess.works("unshare", "--user", "--map-root-user", "--net", "true");
        assumeTrue(vdestackJdk, "vdestack,jdk needs root, /dev/net/tun and unshare");
        ChildProcess.Result v = ChildProcess.run(ioth("run", "vdestack,jdk", "null://", "--", "-cp",
                System.getProperty("java.class.path"), OpenOneChannel.class.getName()), 60);
        assertThat(v.output()).as(v.output()).contains("opened sun.nio.ch.SocketChannelImpl");
        assertThat(v.exitCode()).isZero();
    }

    @Test
    void aStackThatCannotBeMadeFailsBeforeTheProgram(@TempDir Path dir) throws Exception {
        ChildProcess.Result r = ChildProcess.run(ioth("run", "jnet", "vde://" + dir.resolve("no-switch"), "--", "-cp",
                System.getProperty("java.class.path"), PlainSocketClient.class.getName(), "peer", "7000", "0"), 60);
        assertThat(r.exitCode()).as(r.output()).isEqualTo(RunAgent.STACK_FAILED);
        assertThat(r.output()).contains("ioth run: cannot make the JVM-wide stack").contains("no-switch")
                .doesNotContain("answer:");
    }

    @Test
    void badArgumentsAreRefusedBeforeAnyJvmStarts() throws Exception {
        assertThat(ChildProcess.run(ioth("run", "jnet", "null://"), 60).output()).contains("nothing to run");
        ChildProcess.Result r = ChildProcess.run(ioth("run", "jnet", "null://", "--conf", "eth,frobnicate", "--", "-version"), 60);
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.output()).contains("unknown option 'frobnicate'");
        assertThat(ChildProcess.run(ioth("run", "jnet", "--hosts", "x", "--", "-version"), 60).output())
                .contains("bad entry 'x'");
    }
}
