package org.jioth.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.jioth.testkit.ChildProcess;
import org.junit.jupiter.api.Test;

/** The seed programs and the demo on the pure-Java stack: TCP end to end through jnet. */
class JnetCliTest {

    @Test
    void demoRunsOnJnet() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream old = System.out;
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            assertThat(Main.run("demo", "--stack", "jnet", "--round-trips", "200", "--megabytes", "4")).isZero();
        } finally {
            System.setOut(old);
        }
        assertThat(buf.toString(StandardCharsets.UTF_8))
                .contains("two 'jnet' stacks join it", "client got back: hello from jioth", "GOT: bye", "Gbit/s",
                        "ioth client jnet vde://");
    }

    @Test
    void jnetServerAndClientEchoThroughVdeSwitch() throws Exception {
        assumeTrue(ChildProcess.works("sh", "-c", "command -v vde_switch"), "needs Debian's vde_switch");
        String java = String.join(" ", ChildProcess.javaCommand(Main.class).stream()
                .map(w -> "'" + w.replace("'", "'\\''") + "'").toList());
        String script = String.join("\n",
                "set -u",
                "vde_switch -s \"$d/sw\" -d -p \"$d/sw.pid\" || exit 1",
                "for i in $(seq 1 600); do [ -S \"$d/sw/ctl\" ] && break; sleep 0.1; done", // up to 60 s: a loaded machine
                java + " server jnet vde://$d/sw > server.log 2>&1 &",
                "server=$!",
                "trap 'kill $server 2>/dev/null; kill \"$(cat \"$d/sw.pid\")\" 2>/dev/null' EXIT", // never leave them behind
                // the client's SYNs are retransmitted until the server's stack answers; a RST
                // (stack up, not listening yet) ends a try, so try a few times
                "rc=1",
                "for i in $(seq 1 10); do",
                "  (sleep 1; printf 'hello jnet\\nsecond line\\n'; sleep 2) | timeout 60 " + java
                        + " client jnet vde://$d/sw > client.out 2>&1 && { rc=0; break; }",
                "  sleep 1",
                "done",
                "echo client-exit=$rc",
                "cat client.out",
                // the server logs the close after the client saw its echo: wait for it (up to 60 s)
                "for i in $(seq 1 600); do grep -q 'close conn' server.log && break; sleep 0.1; done",
                "kill $server; wait $server",
                "echo '--- server log'",
                "cat server.log");
        ChildProcess.Result r = ChildProcess.run(List.of("sh", "-c",
                "d=$(mktemp -d) && cd \"$d\" && (" + script + "); rc=$?; rm -rf \"$d\"; exit $rc"), 300);
        String out = r.output();
        assertThat(out).as(out).contains("hello jnet\nsecond line\n", "client-exit=0");
        String server = out.substring(out.indexOf("--- server log"));
        assertThat(server).as(out).containsPattern("new conn 1 tid \\d+")
                .containsPattern("tid \\d+ GOT: hello jnet")
                .containsPattern("close conn 1 tid \\d+");
    }
}
