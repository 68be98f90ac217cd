package org.jioth.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A real peer for interop tests: Debian's {@code vde_switch -s DIR} and a Linux network namespace
 * (made here, removed by {@link #close()} even after a failure) whose tap {@code vde_plug} joins to
 * the switch, with one IPv4 address on it. Needs root, {@code /dev/net/tun}, {@code ip},
 * {@code vde_switch} and {@code vde_plug}: {@link #missing()} says which is absent, for an assumption.
 */
public final class SwitchNamespace implements AutoCloseable {
    private final Path dir;
    private final Path sw;
    private final String ns;
    private final String tap;
    private final List<Process> processes = new ArrayList<>();

    private SwitchNamespace(Path dir) {
        this.dir = dir;
        this.sw = dir.resolve("sw");
        String id = UUID.randomUUID().toString().substring(0, 6);
        this.ns = "jtk-" + id;
        this.tap = "jt" + id;
    }

    /** Why this machine cannot host one (null when it can). */
    public static String missing(String... tools) {
        if (!"root".equals(System.getProperty("user.name"))) {
            return "needs root to create a network namespace";
        }
        if (!Files.exists(Path.of("/dev/net/tun"))) {
            return "needs /dev/net/tun";
        }
        List<String> all = new ArrayList<>(List.of("ip", "vde_switch", "vde_plug"));
        all.addAll(List.of(tools));
        for (String t : all) {
            if (!ChildProcess.works("sh", "-c", "command -v " + t)) {
                return "needs " + t + " (Debian package; .ci/run installs it)";
            }
        }
        return null;
    }

    /**
     * Starts a switch in {@code dir}/sw and a namespace on it whose tap has {@code cidr} (e.g.
     * {@code 192.168.250.1/24}) and is up, with {@code lo} up.
     */
    public static SwitchNamespace start(Path dir, String cidr) throws IOException, InterruptedException {
        SwitchNamespace s = new SwitchNamespace(dir);
        try {
            s.startSwitch();
            s.startNamespace(cidr);
            return s;
        } catch (IOException | InterruptedException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    private void startSwitch() throws IOException, InterruptedException {
        // stdin stays open (a pipe): vde_switch runs until it is killed
        start(new ProcessBuilder("vde_switch", "-s", sw.toString()), "vde_switch.log");
        await(() -> Files.exists(sw.resolve("ctl")), "vde_switch's control socket in " + sw);
    }

    private void startNamespace(String cidr) throws IOException, InterruptedException {
        check(ChildProcess.run(List.of("ip", "netns", "add", ns), 20), "ip netns add " + ns);
        start(new ProcessBuilder("ip", "netns", "exec", ns, "vde_plug", "tap://" + tap, "vde://" + sw), "vde_plug.log");
        await(() -> ChildProcess.works("ip", "-n", ns, "link", "show", tap), "vde_plug's tap " + tap + " in " + ns);
        check(ChildProcess.run(List.of("ip", "-n", ns, "addr", "add", cidr, "dev", tap), 20), "address " + cidr);
        check(ChildProcess.run(List.of("ip", "-n", ns, "link", "set", tap, "up"), 20), "tap up");
        check(ChildProcess.run(List.of("ip", "-n", ns, "link", "set", "lo", "up"), 20), "lo up");
    }

    /** The switch directory, for {@code vde://} VNLs. */
    public Path switchDir() {
        return sw;
    }

    /** The name of the namespace's tap (the switch port the kernel sees). */
    public String tap() {
        return tap;
    }

    /** The namespace's name. */
    public String namespace() {
        return ns;
    }

    /** Runs {@code cmd} inside the namespace to completion (killed after {@code seconds}). */
    public ChildProcess.Result exec(long seconds, String... cmd) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        full.addAll(List.of(cmd));
        return ChildProcess.run(full, seconds);
    }

    /** Starts {@code cmd} inside the namespace in the background (stopped by {@link #close()}); output to {@code log} in the directory. */
    public Process spawn(String log, String... cmd) throws IOException {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        full.addAll(List.of(cmd));
        return start(new ProcessBuilder(full), log);
    }

    /** What a log file of this helper holds now. */
    public String log(String name) {
        try {
            return Files.readString(dir.resolve(name), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no " + name + ": " + e + ")";
        }
    }

    /**
     * Waits until log file {@code name} contains {@code text} (a peer announcing it listens), up to
     * {@link Eventually#DEADLINE}; true when it does.
     */
    public boolean awaitLog(String name, String text) throws InterruptedException {
        return Eventually.holds(() -> log(name).contains(text));
    }

    private Process start(ProcessBuilder pb, String log) throws IOException {
        Process p = pb.redirectErrorStream(true).redirectOutput(dir.resolve(log).toFile()).start();
        processes.add(p);
        return p;
    }

    private static void check(ChildProcess.Result r, String what) throws IOException {
        if (r.exitCode() != 0) {
            throw new IOException(what + " failed: " + r.output());
        }
    }

    private interface Condition {
        boolean holds();
    }

    private static void await(Condition c, String what) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!c.holds()) {
            if (System.nanoTime() > deadline) {
                throw new IOException("gave up waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    /** Stops every process started here (by their PIDs, with their children) and removes the namespace. */
    @Override
    public void close() throws IOException, InterruptedException {
        for (Process p : processes.reversed()) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
        }
        processes.clear();
        ChildProcess.run(List.of("ip", "netns", "del", ns), 20);
    }
}
