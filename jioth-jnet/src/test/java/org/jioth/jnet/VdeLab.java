package org.jioth.jnet;

import static org.jioth.jnet.KernelPeers.run;
import org.jioth.testkit.SwitchControl;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jioth.jnet.KernelPeers.Result;

/**
 * A small VDE network for kernel-peer tests, made of Debian's tools: {@code vde_switch}es in a
 * temporary directory, {@code wirefilter}s joining two of them (loss, delay, duplication), and
 * network namespaces whose tap {@code vde_plug} plugs into a switch, addressed inside the
 * namespace only. Closing stops every process it started (by its handle) and deletes the
 * namespaces and the directory.
 */
final class VdeLab implements AutoCloseable {
    private static final long START_SECONDS = 60;

    private final String id = UUID.randomUUID().toString().substring(0, 6);
    private final Path dir;
    private final List<Process> processes = new ArrayList<>();
    private final List<String> namespaces = new ArrayList<>();

    VdeLab() throws IOException {
        dir = Files.createTempDirectory("jnet-vdelab-");
    }

    /** Why the lab cannot run here, or null when it can. */
    static String unavailable(boolean wirefilter) throws IOException, InterruptedException {
        if (!"root".equals(System.getProperty("user.name"))) {
            return "needs root to create network namespaces";
        }
        if (!Files.exists(Path.of("/dev/net/tun"))) {
            return "needs /dev/net/tun";
        }
        List<String> tools = new ArrayList<>(List.of("ip", "vde_switch", "vde_plug"));
        if (wirefilter) {
            tools.add("wirefilter");
        }
        for (String tool : tools) {
            if (run(10, "sh", "-c", "command -v " + tool).code() != 0) {
                return "needs " + tool + " (Debian packages vde2, iproute2)";
            }
        }
        return null;
    }

    /** A {@code vde_switch} serving a new directory (its console on stdin, held open); its directory. */
    Path vdeSwitch(String name) throws IOException, InterruptedException {
        Path sw = dir.resolve(name);
        Process p = start(List.of("vde_switch", "-s", sw.toString()));
        awaitOrFail(() -> SwitchControl.listening(sw), p, "vde_switch -s " + sw);
        return sw;
    }

    /** The directory of the switch {@link #vdeSwitch} made under {@code name}. */
    Path switchDir(String name) {
        return dir.resolve(name);
    }

    /**
     * {@code wirefilter -v LEFT:RIGHT OPTIONS}, e.g. {@code -l 5 -d 5+3 -D 1}: the options apply to
     * both directions. Returns once it says it is starting and both switches see its port.
     */
    void wirefilter(Path left, Path right, String... options) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("wirefilter", "-v", left + ":" + right));
        cmd.addAll(List.of(options));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        processes.add(p);
        CompletableFuture<String> starting = new CompletableFuture<>();
        Thread.ofVirtual().name("wirefilter-out").start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.contains("starting")) {
                        starting.complete(line);
                    }
                }
            } catch (IOException e) {
                // gone
            }
            starting.complete(null);
        });
        try {
            if (starting.get(START_SECONDS, TimeUnit.SECONDS) == null) {
                throw new IOException("wirefilter exited before starting: " + cmd);
            }
        } catch (Exception e) {
            throw e instanceof IOException io ? io : new IOException("wirefilter did not start: " + cmd, e);
        }
    }

    /**
     * A namespace whose tap ({@code vde_plug tap://T vde://SWITCH} run inside it) carries
     * {@code address}/24 and is up, as is its loopback; the namespace's name.
     */
    String kernelPeer(Path sw, String address) throws IOException, InterruptedException {
        String tap = "jl" + id + namespaces.size();
        String ns = namespace();
        Process p = start(List.of("ip", "netns", "exec", ns, "vde_plug", "tap://" + tap, "vde://" + sw));
        awaitOrFail(() -> run(10, "ip", "-n", ns, "link", "show", tap).code() == 0, p, "vde_plug tap://" + tap);
        ok(run(10, "ip", "-n", ns, "addr", "add", address + "/24", "dev", tap));
        ok(run(10, "ip", "-n", ns, "link", "set", tap, "up"));
        return ns;
    }

    /** An empty namespace (loopback up), deleted at close; its name. */
    String namespace() throws IOException, InterruptedException {
        String ns = "jlab-" + id + "-" + namespaces.size();
        ok(run(10, "ip", "netns", "add", ns));
        namespaces.add(ns);
        ok(run(10, "ip", "-n", ns, "link", "set", "lo", "up"));
        return ns;
    }

    /** A veth pair between two namespaces, {@code a}/24 in the first, {@code b}/24 in the second, both up. */
    void veth(String nsA, String a, String nsB, String b) throws IOException, InterruptedException {
        String ea = "jva" + id;
        String eb = "jvb" + id;
        ok(run(10, "ip", "-n", nsA, "link", "add", ea, "type", "veth", "peer", "name", eb, "netns", nsB));
        ok(run(10, "ip", "-n", nsA, "addr", "add", a + "/24", "dev", ea));
        ok(run(10, "ip", "-n", nsB, "addr", "add", b + "/24", "dev", eb));
        ok(run(10, "ip", "-n", nsA, "link", "set", ea, "up"));
        ok(run(10, "ip", "-n", nsB, "link", "set", eb, "up"));
    }

    private Process start(List<String> cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        processes.add(p); // stdin stays open: vde_switch's console, and it ends the process at close
        return p;
    }

    private interface Check {
        boolean ok() throws IOException, InterruptedException;
    }

    private static void awaitOrFail(Check check, Process p, String what) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_SECONDS);
        while (!check.ok()) {
            if (!p.isAlive()) {
                throw new IOException(what + " exited (" + p.exitValue() + ")");
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IOException(what + " not ready within " + START_SECONDS + " s");
            }
            Thread.sleep(20);
        }
    }

    private static void ok(Result r) throws IOException {
        if (r.code() != 0) {
            throw new IOException(r.out());
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        for (Process p : processes.reversed()) {
            p.destroy();
        }
        for (Process p : processes) {
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
        for (String ns : namespaces) {
            run(10, "ip", "netns", "del", ns);
        }
        try (var files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
