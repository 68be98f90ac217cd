package org.jioth.it;

import static org.junit.jupiter.api.Assumptions.assumeTrue;
import org.jioth.testkit.SwitchControl;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.jioth.Ioth;
import org.jioth.IothStack;
import org.jioth.testkit.ChildProcess;

/**
 * The network every matrix test runs on: Debian's {@code vde_switch} in a directory of the test,
 * jnet stacks plugged into it, and Linux network namespaces made by the test whose tap
 * {@code vde_plug} joins to the same switch, so the peers are real programs on the kernel's stack.
 * {@link #close()} stops every process it started by its PID (and the children of that PID),
 * closes the stacks, removes the namespaces and stops the switch, whatever happened before.
 */
final class VdeNet implements AutoCloseable {
    /** The prefix every address here is in; it exists only on this switch and in these namespaces. */
    static final String NET = "192.168.250.";

    private final Path dir;
    private final Path sw;
    private final List<Process> processes = new CopyOnWriteArrayList<>();
    private final List<String> namespaces = new CopyOnWriteArrayList<>();
    private final List<IothStack> stacks = new CopyOnWriteArrayList<>();
    private Process switchProcess;
    /** Stops everything even when the test JVM is ended before {@link #close()} (a fork timeout). */
    private final Thread cleanupHook = new Thread(this::cleanUp, "jioth-it-cleanup");
    private boolean cleaned;
    private String isolated;

    private VdeNet(Path dir) {
        this.dir = dir;
        this.sw = dir.resolve("sw");
        Runtime.getRuntime().addShutdownHook(cleanupHook);
    }

    /** Skips the test (with the reason) unless root, /dev/net/tun, ip, vde_switch, vde_plug and {@code tools} are here. */
    static void assumeKernelPeers(String... tools) {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root to create network namespaces");
        assumeTrue(Files.exists(Path.of("/dev/net/tun")), "needs /dev/net/tun for the namespace's tap");
        List<String> all = new ArrayList<>(List.of("ip", "vde_switch", "vde_plug"));
        all.addAll(List.of(tools));
        for (String tool : all) {
            assumeTrue(onPath(tool), tool + " is not installed (.ci/run installs it)");
        }
    }

    /** Skips the test unless Debian's vde_switch is here (stacks only, no namespace). */
    static void assumeSwitch() {
        assumeTrue(onPath("vde_switch"), "vde_switch is not installed (Debian vde-switch; .ci/run installs it)");
    }

    static boolean onPath(String tool) {
        return ChildProcess.works("sh", "-c", "command -v " + tool);
    }

    /** Starts {@code vde_switch -s DIR/sw}; the caller closes the result. */
    static VdeNet start(Path dir) throws Exception {
        VdeNet net = new VdeNet(dir);
        try {
            // stdin stays an open pipe: vde_switch runs until it is killed
            net.switchProcess = new ProcessBuilder("vde_switch", "-s", net.sw.toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("vde_switch.log").toFile()).start();
            if (!await(() -> SwitchControl.listening(net.sw))) {
                throw new IOException("vde_switch made no control socket: " + net.log("vde_switch.log"));
            }
            return net;
        } catch (Exception e) {
            net.close();
            throw e;
        }
    }

    /** The VNL of the switch, for {@code Ioth.newStack}. */
    String vnl() {
        return "vde://" + sw;
    }

    Path dir() {
        return dir;
    }

    /** A jnet stack on the switch: {@code vde0} up with {@code NET + host}/24. */
    IothStack jnet(int host) throws IOException {
        IothStack s = Ioth.newStack("jnet", vnl());
        stacks.add(s);
        int vde0 = s.ifNameToIndex("vde0");
        s.linkSetUpDown(vde0, true);
        s.ipAddrAdd(InetAddress.ofLiteral(NET + host), 24, vde0);
        return s;
    }

    /** A namespace whose tap is on the switch, with {@code NET + host}/24 and {@code lo} up; returns its name. */
    String namespace(int host) throws Exception {
        String id = UUID.randomUUID().toString().substring(0, 6);
        String ns = "jit-" + id;
        String tap = "jit" + id;
        ChildProcess.Result made = ChildProcess.run(List.of("ip", "netns", "add", ns), 10);
        assumeTrue(made.exitCode() == 0, "cannot create a network namespace: " + made.output());
        namespaces.add(ns);
        start(ns, "vde_plug-" + ns + ".log", "vde_plug", "tap://" + tap, vnl());
        if (!await(() -> succeeds("ip", "-n", ns, "link", "show", tap))) {
            throw new IOException("vde_plug made no " + tap + " in " + ns + ": " + log("vde_plug-" + ns + ".log"));
        }
        must("ip", "-n", ns, "addr", "add", NET + host + "/24", "dev", tap);
        must("ip", "-n", ns, "link", "set", tap, "up");
        must("ip", "-n", ns, "link", "set", "lo", "up");
        return ns;
    }

    /**
     * A namespace with only {@code lo}: a child JVM on a jnet stack runs in it, so nothing it opens
     * can leave through the host's routes if a socket escaped the stack (the switch's AF_UNIX
     * sockets are paths, reachable from every network namespace). Made once per net.
     */
    synchronized String isolated() throws Exception {
        if (isolated == null) {
            String ns = "jiti-" + UUID.randomUUID().toString().substring(0, 6);
            ChildProcess.Result made = ChildProcess.run(List.of("ip", "netns", "add", ns), 10);
            assumeTrue(made.exitCode() == 0, "cannot create a network namespace: " + made.output());
            namespaces.add(ns);
            must("ip", "-n", ns, "link", "set", "lo", "up");
            isolated = ns;
        }
        return isolated;
    }

    /** Starts {@code cmd} in namespace {@code ns} ({@code ip netns exec} execs it: same PID), output to {@code log}. */
    Process start(String ns, String log, String... cmd) throws IOException {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        full.addAll(List.of(cmd));
        Process p = new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(dir.resolve(log).toFile()).start();
        processes.add(p);
        return p;
    }

    /** Starts {@code cmd} (a child JVM on a stack of the switch) in the {@link #isolated()} namespace, output to {@code log}. */
    Process spawn(String log, List<String> cmd) throws Exception {
        return start(isolated(), log, cmd.toArray(String[]::new));
    }

    /** Runs {@code cmd} (a child JVM on a stack of the switch) to completion in the {@link #isolated()} namespace. */
    ChildProcess.Result runIsolated(int seconds, List<String> cmd) throws Exception {
        return run(isolated(), seconds, cmd.toArray(String[]::new));
    }

    /** Waits up to 60 s for {@code text} in {@code log}, or for the process writing it to end; true once seen. */
    boolean awaitLog(String log, String text, Process writer) throws InterruptedException {
        return await(() -> log(log).contains(text) || !writer.isAlive()) && log(log).contains(text);
    }

    /** Runs {@code cmd} in namespace {@code ns} to completion (killed with its children after {@code seconds}). */
    ChildProcess.Result run(String ns, int seconds, String... cmd) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        full.addAll(List.of(cmd));
        return ChildProcess.run(full, seconds);
    }

    /** The text of a log file this net wrote, or why there is none. */
    String log(String name) {
        try {
            return Files.readString(dir.resolve(name), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no " + name + ": " + e + ")";
        }
    }

    /** Waits up to 60 s for a TCP listener on {@code port} in {@code ns} (ss), true once there is one. */
    boolean awaitListening(String ns, int port) throws InterruptedException {
        return await(() -> {
            try {
                return run(ns, 10, "ss", "-Hltn", "sport = :" + port).output().contains(":" + port);
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        });
    }

    /** Polls {@code condition} for up to 60 s: peers (postgres, redis, a child JVM) start slowly on a loaded machine. */
    static boolean await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(50);
        }
        return condition.getAsBoolean();
    }

    private static boolean succeeds(String... cmd) {
        try {
            return ChildProcess.run(List.of(cmd), 10).exitCode() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    static void must(String... cmd) throws IOException, InterruptedException {
        ChildProcess.Result r = ChildProcess.run(List.of(cmd), 20);
        if (r.exitCode() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed (" + r.exitCode() + "): " + r.output());
        }
    }

    /** Stops by PID: SIGTERM, then SIGKILL after 10 s; the children of the PID (runuser, sh) likewise. */
    static void stop(Process p) {
        List<ProcessHandle> children = p.descendants().toList();
        p.destroy();
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        children.forEach(ProcessHandle::destroyForcibly);
    }

    @Override
    public void close() {
        cleanUp();
        try {
            Runtime.getRuntime().removeShutdownHook(cleanupHook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook runs or ran
        }
    }

    private synchronized void cleanUp() {
        if (cleaned) {
            return;
        }
        cleaned = true;
        for (Process p : processes.reversed()) {
            stop(p);
        }
        for (IothStack s : stacks) {
            try {
                s.closeForcibly();
            } catch (IOException | RuntimeException e) {
                System.getLogger(VdeNet.class.getName()).log(System.Logger.Level.WARNING, "closing " + s, e);
            }
        }
        for (String ns : namespaces) {
            if (!succeeds("ip", "netns", "del", ns)) {
                System.getLogger(VdeNet.class.getName()).log(System.Logger.Level.WARNING, "could not remove namespace " + ns);
            }
        }
        if (switchProcess != null) {
            stop(switchProcess);
        }
    }
}
