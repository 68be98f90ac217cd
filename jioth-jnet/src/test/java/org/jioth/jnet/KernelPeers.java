package org.jioth.jnet;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
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
        org.jioth.testkit.Commands.Result r = org.jioth.testkit.Commands.run(seconds, cmd);
        return new Result(r.code(), r.out());
    }
}
