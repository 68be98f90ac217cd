package org.jioth.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jioth.linux.netns.NetNamespace;

/**
 * The kernel-over-VDE anchor: two network namespaces made here, each with a tap that Debian's
 * {@code vde_plug tap://TAP vde://DIR} creates inside it and plugs into the same switch, the
 * client tap with 192.168.250.50/24 and the server's with .51/24 (inside the namespaces only:
 * nothing touches the host's interfaces). Closing stops the plugs and deletes both namespaces;
 * a shutdown hook does the same if the JVM exits first. Needs root, ip and vde_plug.
 */
final class KernelOverVde implements AutoCloseable {
    private static final long COMMAND_SECONDS = 20;

    final String clientNs;
    final String serverNs;
    private final List<Process> plugs = new ArrayList<>();
    private final Thread cleanupHook = new Thread(this::cleanUp, "bench-netns-cleanup");
    private boolean cleaned;

    private KernelOverVde(String id) {
        clientNs = "jioth-bench-" + id + "-c";
        serverNs = "jioth-bench-" + id + "-s";
    }

    /** Why the anchor cannot run here, or null when it can. */
    static String unavailable() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return "needs root to create network namespaces";
        }
        for (String tool : List.of("ip", "vde_plug")) {
            if (!onPath(tool)) {
                return tool + " is not installed";
            }
        }
        if (!Files.exists(Path.of("/dev/net/tun"))) {
            return "/dev/net/tun is missing";
        }
        return null;
    }

    /** Both namespaces, plugged into {@code switchDir} and configured; ready to measure. */
    static KernelOverVde create(Path switchDir) throws IOException {
        return create(switchDir, switchDir);
    }

    /** The client's namespace on {@code clientSwitch}, the server's on {@code serverSwitch} (e.g. joined by a wirefilter). */
    static KernelOverVde create(Path clientSwitch, Path serverSwitch) throws IOException {
        String id = UUID.randomUUID().toString().substring(0, 6);
        KernelOverVde k = new KernelOverVde(id);
        Runtime.getRuntime().addShutdownHook(k.cleanupHook);
        try {
            k.plug(k.clientNs, "jbc" + id, StackPair.CLIENT.getHostAddress(), clientSwitch);
            k.plug(k.serverNs, "jbs" + id, StackPair.SERVER.getHostAddress(), serverSwitch);
            return k;
        } catch (IOException | RuntimeException e) {
            k.close();
            throw e;
        }
    }

    private void plug(String ns, String tap, String address, Path switchDir) throws IOException {
        run("ip", "netns", "add", ns);
        run("ip", "-n", ns, "link", "set", "lo", "up");
        Process p = new ProcessBuilder("ip", "netns", "exec", ns, "vde_plug", "tap://" + tap, "vde://" + switchDir)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        plugs.add(p);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(COMMAND_SECONDS);
        while (!succeeds("ip", "-n", ns, "link", "show", tap)) {
            if (!p.isAlive()) {
                throw new IOException("vde_plug tap://" + tap + " exited (" + p.exitValue() + ") in " + ns);
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IOException("vde_plug did not make " + tap + " in " + ns + " within " + COMMAND_SECONDS + " s");
            }
            SwitchUnderTest.sleep(20);
        }
        run("ip", "-n", ns, "addr", "add", address + "/24", "dev", tap);
        run("ip", "-n", ns, "link", "set", tap, "up");
    }

    /** The command prefix that runs a program in the server's namespace. */
    List<String> inServerNs() {
        return List.of("ip", "netns", "exec", serverNs);
    }

    /**
     * Runs {@code body} on a new platform thread moved into the client's namespace, so the kernel
     * sockets it opens live there; waits at most {@code limitSeconds}.
     */
    <T> T inClientNs(Callable<T> body, long limitSeconds) throws Exception {
        FutureTask<T> task = new FutureTask<>(() -> {
            NetNamespace.enter(Path.of("/var/run/netns", clientNs));
            return body.call();
        });
        Thread t = Thread.ofPlatform().name("bench-in-" + clientNs).start(task);
        try {
            return task.get(limitSeconds, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception ex ? ex : e;
        } catch (TimeoutException e) {
            t.interrupt();
            throw new IOException("the kernel client did not finish within " + limitSeconds + " s");
        }
    }

    @Override
    public void close() {
        cleanUp();
        try {
            Runtime.getRuntime().removeShutdownHook(cleanupHook);
        } catch (IllegalStateException e) {
            // shutting down: the hook is running or ran
        }
    }

    private synchronized void cleanUp() {
        if (cleaned) {
            return;
        }
        cleaned = true;
        for (Process p : plugs) {
            p.destroy();
        }
        for (Process p : plugs) {
            try {
                if (!p.waitFor(5, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        for (String ns : List.of(clientNs, serverNs)) {
            try {
                if (Files.exists(Path.of("/var/run/netns", ns))) {
                    run("ip", "netns", "del", ns);
                }
            } catch (IOException e) {
                System.err.println("bench: could not delete network namespace " + ns + ": " + e.getMessage());
            }
        }
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return Files.isExecutable(Path.of("/usr/sbin", tool)) || Files.isExecutable(Path.of("/sbin", tool));
    }

    private static boolean succeeds(String... cmd) throws IOException {
        return exec(cmd).isEmpty();
    }

    private static void run(String... cmd) throws IOException {
        String failure = exec(cmd).orElse(null);
        if (failure != null) {
            throw new IOException(failure);
        }
    }

    /** Runs {@code cmd} bounded in time; empty on success, else what went wrong. */
    private static Optional<String> exec(String... cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        try {
            if (!p.waitFor(COMMAND_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return Optional.of(String.join(" ", cmd) + " did not finish in " + COMMAND_SECONDS + " s");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + String.join(" ", cmd), e);
        }
        if (p.exitValue() == 0) {
            return Optional.empty();
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        return Optional.of(String.join(" ", cmd) + " failed (" + p.exitValue() + "): " + out);
    }
}
