package org.jioth.cli;

import static org.assertj.core.api.Assertions.assertThat;
import org.jioth.testkit.SwitchControl;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jioth.testkit.ChildProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code ioth server vdestack vde://…} and {@code ioth client vdestack vde://…} across Debian's vde_switch. */
class VdestackSeedProgramsTest {

    @Test
    @Timeout(240)
    void serverAndClientOnVdestacksAcrossARealVdeSwitch(@TempDir Path dir) throws Exception {
        assumeTrue(ChildProcess.works("sh", "-c", "command -v vde_switch"), "vde_switch (Debian vde-switch) is not installed");
        assumeTrue(ChildProcess.works("unshare", "--user", "--map-root-user", "--net", "true"),
                "unprivileged user+net namespaces are disabled: vdestack cannot run");
        Path sw = dir.resolve("sw");
        Process vdeSwitch = new ProcessBuilder("vde_switch", "-s", sw.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("switch.log").toFile()).start(); // stdin stays open: the switch keeps running
        Process server = null;
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!SwitchControl.listening(sw) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(sw.resolve("ctl")).as("vde_switch control socket").exists();
            server = new ProcessBuilder(ChildProcess.javaCommand(Main.class, "server", "vdestack", "vde://" + sw))
                    .redirectErrorStream(true).redirectOutput(dir.resolve("server.log").toFile()).start();
            // its ready line first: the clients then need no retries for a slow start
            long ready = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.readString(dir.resolve("server.log")).contains("listening on") && System.nanoTime() < ready
                    && server.isAlive()) {
                Thread.sleep(50);
            }
            assertThat(Files.readString(dir.resolve("server.log"))).as("the server's ready line").contains("listening on");
            String out = "";
            for (int attempt = 0; attempt < 20 && !out.contains("second line"); attempt++) {
                List<String> client = new ArrayList<>(List.of("sh", "-c",
                        "printf 'hello jioth\\nsecond line\\n' | " + String.join(" ", quoted(ChildProcess.javaCommand(Main.class,
                                "client", "vdestack", "vde://" + sw)))));
                out = ChildProcess.run(client, 60).output();
                if (!out.contains("second line")) {
                    Thread.sleep(500); // the server's stack is still starting
                }
            }
            server.destroy();
            server.waitFor(20, TimeUnit.SECONDS);
            String log = Files.readString(dir.resolve("server.log"));
            assertThat(out).as("client output; server log:%n%s", log).contains("hello jioth\nsecond line\n");
            assertThat(log).containsPattern("new conn \\d+ tid \\d+").containsPattern("tid \\d+ GOT: hello jioth");
        } finally {
            if (server != null) {
                server.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
            }
            vdeSwitch.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
        }
    }

    @Test
    void stacksListsVdestack() {
        java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
        java.io.PrintStream old = System.out;
        System.setOut(new java.io.PrintStream(buf, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            assertThat(Main.run("stacks")).isZero();
        } finally {
            System.setOut(old);
        }
        assertThat(buf.toString(java.nio.charset.StandardCharsets.UTF_8)).contains("vdestack", "LGPL-2.1-or-later");
    }

    private static List<String> quoted(List<String> words) {
        return words.stream().map(w -> "'" + w.replace("'", "'\\''") + "'").toList();
    }

}
