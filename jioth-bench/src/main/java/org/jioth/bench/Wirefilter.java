package org.jioth.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Debian's {@code wirefilter -v LEFT:RIGHT} (package vde2) joining two switches, with loss, delay
 * and duplication applied to both directions. Closing stops it (its stdin ends, then by its handle).
 */
final class Wirefilter implements AutoCloseable {
    private final Process process;

    private Wirefilter(Process process) {
        this.process = process;
    }

    static boolean installed() {
        return Files.isExecutable(Path.of("/usr/bin/wirefilter"));
    }

    /**
     * {@code lossPercent} % loss, {@code delayMillis}±{@code jitterMillis} ms delay and
     * {@code dupPercent} % duplication each way; returns once wirefilter says it is starting.
     */
    static Wirefilter start(Path left, Path right, double lossPercent, int delayMillis, int jitterMillis, double dupPercent)
            throws IOException {
        List<String> cmd = new ArrayList<>(List.of("wirefilter", "-v", left + ":" + right, "-l", fmt(lossPercent), "-d",
                delayMillis + "+" + jitterMillis, "-D", fmt(dupPercent)));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        CompletableFuture<Boolean> starting = new CompletableFuture<>();
        Thread.ofVirtual().name("wirefilter-out").start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.contains("starting")) {
                        starting.complete(true);
                    }
                }
            } catch (IOException e) {
                // gone
            }
            starting.complete(false);
        });
        Wirefilter w = new Wirefilter(p);
        try {
            if (!starting.get(20, TimeUnit.SECONDS)) {
                throw new IOException("wirefilter exited before starting: " + String.join(" ", cmd));
            }
            return w;
        } catch (IOException e) {
            w.close();
            throw e;
        } catch (Exception e) {
            w.close();
            throw new IOException("wirefilter did not start: " + String.join(" ", cmd), e);
        }
    }

    private static String fmt(double x) {
        return x == Math.rint(x) ? Long.toString((long) x) : Double.toString(x);
    }

    @Override
    public void close() {
        try {
            process.getOutputStream().close();
        } catch (IOException e) {
            // gone already
        }
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
