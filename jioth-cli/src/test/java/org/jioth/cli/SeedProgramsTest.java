package org.jioth.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.jioth.testkit.ChildProcess;
import org.junit.jupiter.api.Test;

/** The seed's server and client, as the user runs them. */
class SeedProgramsTest {

    @Test
    void serverAndClientEchoOnTheKernelPluginInAPrivateNamespace() throws Exception {
        assumeTrue(ChildProcess.works("unshare", "-rn", "true"),
                "'unshare -rn true' failed: unprivileged user+net namespaces are not available here");
        String java = String.join(" ", quoted(ChildProcess.javaCommand(Main.class)));
        // One namespace holds both programs, as `vdens` would: vde0 carries both seed addresses.
        String script = String.join("\n",
                "set -u",
                "ip link set lo up",
                "ip link add vde0 type dummy 2>/dev/null || ip link add vde0 type bridge",
                java + " server kernel > server.log 2>&1 & server=$!",
                "trap 'kill $server 2>/dev/null' EXIT", // never leave the server behind, even on failure
                // waits for conditions, up to 60 s each: a JVM starts slowly on a loaded machine
                "for i in $(seq 1 600); do grep -qs ':1388 ' /proc/net/tcp /proc/net/tcp6 && break; sleep 0.1; done",
                "printf 'hello jioth\\nsecond line\\n' | " + java + " client kernel",
                "echo client-exit=$?",
                "for i in $(seq 1 600); do grep -q 'close conn' server.log && break; sleep 0.1; done",
                "kill $server; wait $server",
                "echo '--- server log'",
                "cat server.log");
        List<String> cmd = new ArrayList<>(List.of("unshare", "-rn", "sh", "-c",
                "d=$(mktemp -d) && cd \"$d\" && (" + script + "); rc=$?; rm -rf \"$d\"; exit $rc"));
        ChildProcess.Result r = ChildProcess.run(cmd, 120);
        String out = r.output();
        assertThat(out).as(out).contains("hello jioth\nsecond line\n", "client-exit=0");
        String server = out.substring(out.indexOf("--- server log"));
        assertThat(server).as(out).containsPattern("new conn 1 tid \\d+")
                .containsPattern("tid \\d+ GOT: hello jioth")
                .containsPattern("close conn 1 tid \\d+");
    }

    @Test
    void stacksListsTheKernelPluginWithItsLicence() {
        String out = capture("stacks");
        assertThat(out).contains("kernel", "LGPL-2.1-or-later", "class path", ".ioth");
    }

    @Test
    void unknownStackIsReportedLikeTheSeedsPerror() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream old = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int rc;
        try {
            rc = Main.run("server", "nosuchstack", "vde:///tmp/none");
        } finally {
            System.setErr(old);
        }
        assertThat(rc).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("net_setup:", "nosuchstack", "kernel");
    }

    @Test
    void demoEchoesAndPrintsFigures() {
        String out = capture("demo", "--round-trips", "200", "--megabytes", "4");
        assertThat(out).contains("client got back: hello from jioth", "GOT: bye", "round trip", "Gbit/s");
    }

    private static String capture(String... args) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream old = System.out;
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            assertThat(Main.run(args)).isZero();
        } finally {
            System.setOut(old);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    private static List<String> quoted(List<String> words) {
        return words.stream().map(w -> "'" + w.replace("'", "'\\''") + "'").toList();
    }
}
