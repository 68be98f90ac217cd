package org.jioth.jnet;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import org.jioth.linux.netns.NetNamespace;

/** What the kernel interop tests share: commands run to completion, and code run inside a test namespace. */
final class KernelPeers {
    record Result(int code, String out) { }

    private KernelPeers() {
    }

    /** Runs {@code body} on a platform thread moved into the named namespace ({@code ip netns add}). */
    static <T> T inNamespace(String ns, Callable<T> body) throws Exception {
        FutureTask<T> task = new FutureTask<>(() -> {
            NetNamespace.enter(Path.of("/var/run/netns", ns));
            return body.call();
        });
        Thread t = Thread.ofPlatform().name("in-" + ns).start(task);
        try {
            return task.get(30, TimeUnit.SECONDS);
        } finally {
            t.join(5_000);
        }
    }

    static void ok(Result r) {
        assertThat(r.code()).as(r.out()).isZero();
    }

    /** Runs {@code cmd} with stdin closed; on timeout kills it and its children (code -1). */
    static Result run(int seconds, String... cmd) throws IOException, InterruptedException {
        // an ip command (not ip netns exec) never waits for anything: its bound only guards a hang,
        // and a loaded machine must not trip it
        boolean ip = cmd[0].equals("ip") && !java.util.Arrays.asList(cmd).contains("exec");
        long limit = ip ? Math.max(seconds, 60) : seconds;
        // the output goes to a file, not a pipe: a command writing more than a pipe holds would
        // block until the timeout
        java.nio.file.Path log = java.nio.file.Files.createTempFile("jioth-run-", ".log");
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            p.getOutputStream().close();
            if (!p.waitFor(limit, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly); // timeout's child outlives it
                p.destroyForcibly();
                return new Result(-1, String.join(" ", cmd) + ": timed out");
            }
            return new Result(p.exitValue(), new String(java.nio.file.Files.readAllBytes(log), StandardCharsets.UTF_8));
        } finally {
            java.nio.file.Files.deleteIfExists(log);
        }
    }
}
