package org.jioth.vde.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import org.jioth.linux.netns.NetNamespace;

/**
 * A network namespace made by the test ({@code ip netns add}), removed on close, with its loopback
 * up and multicast routed to it. {@link #call} runs code on a fresh platform thread moved into the
 * namespace, so sockets it opens live there. Skips (assumption) when not root or ip is missing.
 */
public final class TestNetns implements AutoCloseable {
    public final String name;

    private TestNetns(String name) {
        this.name = name;
    }

    public static TestNetns create() throws Exception {
        return create("jioth-");
    }

    /** A namespace named {@code prefix} plus a random suffix (so parallel runs never collide). */
    public static TestNetns create(String prefix) throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root to create a network namespace");
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/ip")) || Files.isExecutable(Path.of("/sbin/ip")),
                "needs iproute2 (ip)");
        String name = prefix + UUID.randomUUID().toString().substring(0, 8);
        Result r = run("ip", "netns", "add", name);
        assumeTrue(r.code == 0, "cannot create a network namespace: " + r.output);
        org.jioth.testkit.NamespaceLedger.record(name);
        TestNetns ns = new TestNetns(name);
        try {
            ns.ip("link", "set", "lo", "up");
            ns.ip("link", "set", "lo", "multicast", "on");
            ns.ip("route", "add", "224.0.0.0/4", "dev", "lo");
        } catch (Exception e) {
            ns.close();
            throw e;
        }
        return ns;
    }

    /** Runs {@code ip ARGS} inside the namespace; fails the test on a non-zero exit. */
    public String ip(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("ip", "-n", name));
        cmd.addAll(List.of(args));
        Result r = run(cmd.toArray(String[]::new));
        if (r.code != 0) {
            throw new IOException(String.join(" ", cmd) + " failed (" + r.code + "): " + r.output);
        }
        return r.output;
    }

    /**
     * Adds a veth pair v0/v1 inside the namespace, v0 with fd00::1/64 (no DAD wait): IPv6
     * multicast is not looped back on lo, but it is on a real device with multicast loopback on.
     */
    public void addVethPair() throws Exception {
        ip("link", "add", "v0", "type", "veth", "peer", "name", "v1");
        ip("addr", "add", "fd00::1/64", "dev", "v0", "nodad");
        // An IPv4 address too: the JDK lists IPv4 interfaces by ioctl (this namespace) but IPv6 ones
        // from /proc/self/net (the process's namespace), so a v6-only v0 would be invisible to a thread here.
        ip("addr", "add", "192.168.250.1/24", "dev", "v0");
        ip("link", "set", "v0", "up");
        ip("link", "set", "v1", "up");
        // the kernel brings the pair up and adds the multicast route in its own time: a send before
        // that fails (seen once in 17 repeated runs under load)
        boolean ready = Await.until(() -> {
            try {
                return ip("-o", "link", "show", "v0").contains("state UP")
                        && ip("-6", "route", "show", "table", "all", "dev", "v0").contains("ff00::/8");
            } catch (Exception e) {
                return false;
            }
        }, java.time.Duration.ofSeconds(60));
        if (!ready) {
            throw new IOException("v0 not up with its multicast route after 60 s: " + ip("-o", "link", "show", "v0"));
        }
    }

    /** The command line prefix that runs a program inside the namespace. */
    public List<String> exec(String... command) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", name));
        cmd.addAll(List.of(command));
        return cmd;
    }

    /** Runs {@code body} on a new platform thread that has entered the namespace. */
    public <T> T call(Callable<T> body) throws Exception {
        FutureTask<T> task = new FutureTask<>(() -> {
            NetNamespace.enter(Path.of("/var/run/netns", name));
            return body.call();
        });
        Thread t = Thread.ofPlatform().name("in-netns-" + name).start(task);
        try {
            return task.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception ex) {
                throw ex;
            }
            throw e;
        } finally {
            t.join(5_000);
        }
    }

    @Override
    public void close() throws Exception {
        run("ip", "netns", "del", name);
    }

    public record Result(int code, String output) {
    }

    public static Result run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", cmd) + " did not finish in 30 s");
        }
        return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }
}
