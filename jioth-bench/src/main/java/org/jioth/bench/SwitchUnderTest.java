package org.jioth.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jioth.vde.EthernetNode;
import org.jioth.vde.EthernetPorts;

/** The network a case forwards through: our switch, vde_switch, or an in-JVM node. */
abstract sealed class SwitchUnderTest implements AutoCloseable {
    /** The kinds of client a case uses. */
    enum Clients {
        /** Our {@code vde://} port in this JVM (or a node port for the in-JVM network). */
        JIOTH,
        /** Debian's {@code vde_plug} in stream mode. */
        VDE_PLUG
    }

    abstract Endpoint endpoint(Clients kind, String name) throws IOException;

    @Override
    public abstract void close() throws IOException;

    /** Two {@link org.jioth.vde.NodePort}s on an {@link EthernetNode} switch: no sockets at all. */
    static final class InJvm extends SwitchUnderTest {
        private final EthernetNode node = EthernetNode.newSwitch();

        @Override
        Endpoint endpoint(Clients kind, String name) {
            if (kind != Clients.JIOTH) {
                throw new IllegalArgumentException("the in-JVM node takes in-JVM ports only");
            }
            return new PortEndpoint(node.attach(name));
        }

        @Override
        public void close() {
            node.close();
        }
    }

    /** A switch in another process serving a directory: ours (a child JVM) or vde_switch. */
    static final class External extends SwitchUnderTest {
        private final Path base;
        private final Path dir;
        private final Process process;
        private final VdeSwitchConsole console;

        private External(Path base, Path dir, Process process) {
            this(base, dir, process, null);
        }

        private External(Path base, Path dir, Process process, VdeSwitchConsole console) {
            this.base = base;
            this.dir = dir;
            this.process = process;
            this.console = console;
        }

        /** vde_switch's management console (its port counters), or null for our own switch. */
        VdeSwitchConsole console() {
            return console;
        }

        /** Our {@code switch://DIR} hosted by a child JVM running {@link SwitchHost}. */
        static External ours() throws IOException {
            Path base = Files.createTempDirectory("jioth-bench-");
            Path dir = base.resolve("sw");
            String java = ProcessHandle.current().info().command()
                    .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED"));
            // e.g. -Djioth.bench.switchJavaOptions=-XX:StartFlightRecording=filename=sw.jfr to profile the switch
            String extra = System.getProperty("jioth.bench.switchJavaOptions", "").trim();
            if (!extra.isEmpty()) {
                cmd.addAll(List.of(extra.split("\\s+")));
            }
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), SwitchHost.class.getName(), dir.toString()));
            Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            External sw = new External(base, dir, p);
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                String line;
                while ((line = out.readLine()) != null && !line.equals("ready")) {
                    System.err.println("switch host: " + line); // JVM notices, e.g. a flight recording
                }
                if (line == null) {
                    throw new IOException("the switch host exited before serving " + dir);
                }
            } catch (IOException e) {
                sw.close();
                throw e;
            }
            return sw;
        }

        /** Debian's {@code vde_switch -s DIR} in the foreground (its console stdin held open). */
        static External vdeSwitch() throws IOException {
            Path base = Files.createTempDirectory("jioth-bench-");
            Path dir = base.resolve("sw");
            Path mgmt = base.resolve("mgmt");
            Process p = new ProcessBuilder("vde_switch", "-s", dir.toString(), "-M", mgmt.toString())
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            External sw = new External(base, dir, p, new VdeSwitchConsole(mgmt));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!Files.exists(dir.resolve("ctl"))) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    sw.close();
                    throw new IOException("vde_switch did not create " + dir.resolve("ctl"));
                }
                sleep(10);
            }
            return sw;
        }

        /** The directory the switch serves. */
        Path dir() {
            return dir;
        }

        /** The VNL a client of this switch opens. */
        String vnl() {
            return "vde://" + dir;
        }

        static boolean vdeSwitchInstalled() {
            return Files.isExecutable(Path.of("/usr/bin/vde_switch"));
        }

        @Override
        Endpoint endpoint(Clients kind, String name) throws IOException {
            return switch (kind) {
                case JIOTH -> new PortEndpoint(EthernetPorts.open("vde://" + dir));
                case VDE_PLUG -> new PlugEndpoint("vde://" + dir, name);
            };
        }

        @Override
        public void close() throws IOException {
            try {
                process.getOutputStream().close(); // stdin EOF: the switch host closes its switch
            } catch (IOException e) {
                // gone already
            }
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroy();
                    if (!process.waitFor(10, TimeUnit.SECONDS)) {
                        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                    }
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
            if (Files.exists(base)) {
                try (var s = Files.walk(base)) {
                    for (Path x : s.sorted(Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(x);
                    }
                }
            }
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
