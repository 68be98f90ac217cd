package org.jioth.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jioth.Ioth;

/**
 * A {@link StackPeer} child JVM (same class path as this one), optionally behind a command prefix
 * such as {@code ip netns exec NS}. Waits a bounded time for its ready line; closing it ends its
 * stdin, then destroys it if it has not exited within seconds. The child also exits by itself
 * when its lifetime passes, so nothing outlives a bench that was killed.
 */
final class PeerProcess implements AutoCloseable {
    /** How long a child JVM may take to start its stack and report ready. */
    static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    private final Process process;
    private final TcpServers.Ports ports;

    private PeerProcess(Process process, TcpServers.Ports ports) {
        this.process = process;
        this.ports = ports;
    }

    /**
     * Starts {@code StackPeer stack vnl address lifetime}; {@code vnl} {@code "-"} for a kernel
     * stack in the prefix's namespace. Child notices and errors go to {@code log}.
     */
    static PeerProcess start(List<String> prefix, String stack, String vnl, String addressSlashPrefix, Duration lifetime,
            PrintStream log) throws IOException {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add(javaCommand());
        cmd.add("--enable-native-access=ALL-UNNAMED");
        // e.g. -Djioth.bench.peerJavaOptions=-XX:StartFlightRecording=filename=peer.jfr to profile the peer
        String extra = System.getProperty("jioth.bench.peerJavaOptions", "").trim();
        if (!extra.isEmpty()) {
            cmd.addAll(List.of(extra.split("\\s+")));
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), StackPeer.class.getName(), stack, vnl,
                addressSlashPrefix, Long.toString(Math.max(1, lifetime.toSeconds()))));
        if (Ioth.license() != null) {
            cmd.add(Ioth.license());
        }
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.PIPE).start();
        Thread.ofVirtual().name("peer-stderr").start(() -> copyLines(p, log));
        CompletableFuture<String> ready = new CompletableFuture<>();
        Thread.ofVirtual().name("peer-stdout").start(() -> {
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                String line;
                while ((line = out.readLine()) != null) {
                    if (line.startsWith("ready ") || line.startsWith("failed ")) {
                        ready.complete(line);
                    } else {
                        log.println("  stack peer: " + line); // JVM notices, e.g. a flight recording
                    }
                }
                ready.complete(null);
            } catch (IOException e) {
                ready.completeExceptionally(e);
            }
        });
        try {
            String line = ready.get(READY_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            if (line == null) {
                throw new IOException("the stack peer exited before it was ready (exit " + exitCode(p) + ")");
            }
            if (line.startsWith("failed ")) {
                throw new IOException("the stack peer failed: " + line.substring("failed ".length()));
            }
            return new PeerProcess(p, TcpServers.Ports.parse(line.substring("ready ".length())));
        } catch (TimeoutException e) {
            stop(p);
            throw new IOException("the stack peer was not ready within " + READY_TIMEOUT.toSeconds() + " s");
        } catch (ExecutionException e) {
            stop(p);
            throw new IOException("reading the stack peer: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            stop(p);
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting the stack peer", e);
        } catch (IOException | RuntimeException e) {
            stop(p);
            throw e;
        }
    }

    TcpServers.Ports ports() {
        return ports;
    }

    @Override
    public void close() {
        stop(process);
    }

    private static void stop(Process p) {
        try {
            p.getOutputStream().close(); // stdin EOF: the peer closes its stack and exits
        } catch (IOException e) {
            // gone already
        }
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroy();
                if (!p.waitFor(5, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static String exitCode(Process p) {
        try {
            return p.waitFor(5, TimeUnit.SECONDS) ? Integer.toString(p.exitValue()) : "still running";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }

    private static void copyLines(Process p, PrintStream log) {
        try (BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = err.readLine()) != null) {
                log.println("  stack peer: " + line);
            }
        } catch (IOException e) {
            // the peer is gone
        }
    }

    static String javaCommand() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }
}
