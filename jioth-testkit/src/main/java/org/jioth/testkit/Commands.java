package org.jioth.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/** Runs the shell-level commands of kernel-peer tests ({@code ip}, {@code ip netns exec ...}). */
public final class Commands {
    /** What a command printed (stdout and stderr together) and its exit code; -1 after a timeout. */
    public record Result(int code, String out) { }

    private Commands() {
    }

    /**
     * Runs {@code cmd} with stdin closed, for at most {@code seconds}; on timeout kills it and its
     * children (code -1). A plain {@code ip} command (not {@code ip netns exec}) never waits for
     * anything, so its bound only guards a hang: at least 60 s, which a loaded machine cannot trip.
     */
    public static Result run(int seconds, String... cmd) throws IOException, InterruptedException {
        boolean ip = cmd[0].equals("ip") && !Arrays.asList(cmd).contains("exec");
        long limit = ip ? Math.max(seconds, 60) : seconds;
        // the output goes to a file, not a pipe: a command writing more than a pipe holds would
        // block until the timeout
        Path log = Files.createTempFile("jioth-run-", ".log");
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            p.getOutputStream().close();
            if (!p.waitFor(limit, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly); // timeout's child outlives it
                p.destroyForcibly();
                return new Result(-1, String.join(" ", cmd) + ": timed out");
            }
            NamespaceLedger.noteIfMade(Arrays.asList(cmd), p.exitValue());
            return new Result(p.exitValue(), new String(Files.readAllBytes(log), StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
