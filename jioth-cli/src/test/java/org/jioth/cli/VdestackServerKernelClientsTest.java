package org.jioth.cli;

import static org.assertj.core.api.Assertions.assertThat;
import org.jioth.testkit.SwitchControl;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import org.jioth.linux.netns.NetNamespace;
import org.jioth.testkit.ChildProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ioth server vdestack vde://SW} against Linux clients: a namespace made by the test has a
 * tap on the same Debian {@code vde_switch} ({@code vde_plug} inside the namespace), and the test's
 * platform threads that entered it open the kernel's sockets. Clients that reset or close before
 * the server accepts must not end the server.
 *
 * <p>The SYN burst: 200 simultaneous connections to a backlog of 5, every one served and its echo
 * checked. The comparison with {@code ioth server kernel} and socat in other namespaces on the same
 * switch runs only with {@code -Djioth.synburst=true}: on a loaded machine those servers overflow
 * the accept queue, and Linux's SYN and retransmission back-off turns that into minutes and, past
 * the SYN cookies' lifetime, resets (docs/benchmarks.md, "SYN burst"). Needs root, vde_switch,
 * vde_plug, ip, and unprivileged user namespaces; skips otherwise.
 */
class VdestackServerKernelClientsTest {
    private static final String CLIENT_ADDR = "192.168.250.1";
    private static final String VDESTACK_ADDR = "192.168.250.50";
    private static final String KERNEL_ADDR = "192.168.250.62";
    private static final String SOCAT_ADDR = "192.168.250.63";
    private static final int PORT = 5000;

    @TempDir
    Path dir;
    private Process vdeSwitch;
    private final List<Process> processes = new ArrayList<>();
    private final List<String> namespaces = new ArrayList<>();
    private Path sw;

    @BeforeEach
    void setUp() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root to create network namespaces");
        for (String tool : List.of("vde_switch", "vde_plug", "ip")) {
            assumeTrue(ChildProcess.works("sh", "-c", "command -v " + tool), tool + " is not installed");
        }
        assumeTrue(ChildProcess.works("unshare", "--user", "--map-root-user", "--net", "true"),
                "unprivileged user+net namespaces are disabled: vdestack cannot run");
        assumeTrue(Files.exists(Path.of("/dev/net/tun")), "needs /dev/net/tun");
        sw = dir.resolve("sw");
        vdeSwitch = new ProcessBuilder("vde_switch", "-s", sw.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("switch.log").toFile()).start(); // stdin stays open: the switch keeps running
        await(() -> SwitchControl.listening(sw), "vde_switch control socket");
    }

    @AfterEach
    void tearDown() throws Exception {
        for (Process p : processes.reversed()) {
            p.destroy();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
            }
        }
        for (String ns : namespaces) {
            ChildProcess.run(List.of("ip", "netns", "del", ns), 20);
        }
        if (vdeSwitch != null) {
            vdeSwitch.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
        }
    }

    @Test
    @Timeout(300)
    void clientsThatResetOrCloseBeforeTheAcceptDoNotStopTheServer() throws Exception {
        String client = namespaceOnSwitch("vc", CLIENT_ADDR);
        Process server = startServer("vdestack", null, "vde://" + sw);
        InetSocketAddress to = new InetSocketAddress(VDESTACK_ADDR, PORT);
        awaitEcho(client, to);
        inNamespace(client, () -> {
            for (int i = 0; i < 40; i++) {
                SocketChannel c = SocketChannel.open();
                try {
                    c.socket().connect(to, 10_000);
                } catch (IOException e) {
                    c.close();
                    throw new AssertionError("connection " + i + " after " + i / 2 + " resets failed (" + e
                            + "); server alive: " + server.isAlive() + "; server log:\n" + log("vdestack"), e);
                }
                if (i % 2 == 0) {
                    c.setOption(StandardSocketOptions.SO_LINGER, 0); // close sends RST
                } else {
                    c.write(ByteBuffer.wrap("bye\n".getBytes(StandardCharsets.US_ASCII)));
                }
                c.close();
            }
            return null;
        });
        for (int i = 0; i < 3; i++) {
            String line = "after resets " + i + "\n";
            assertThat(inNamespace(client, () -> echo(to, line)))
                    .as("server log:%n%s", log("vdestack")).isTrue();
        }
        assertThat(server.isAlive()).as("the server is still running; log:%n%s", log("vdestack")).isTrue();
    }

    /**
     * 2 x 100 connections at once to a backlog of 5, every one served (echo checked, no reset, no
     * end of stream). Reliable since {@link org.jioth.vdestack} paces frames to the acceptor (its
     * AcceptPacer); without it the namespace's kernel dropped most of the burst (docs/benchmarks.md).
     */
    @Test
    @Timeout(180)
    void twoHundredSimultaneousConnectionsToABacklogOfFiveAreAllServed() throws Exception {
        String client = namespaceOnSwitch("vc", CLIENT_ADDR);
        startServer("vdestack", null, "vde://" + sw);
        InetSocketAddress vdestack = new InetSocketAddress(VDESTACK_ADDR, PORT);
        awaitEcho(client, vdestack);
        Burst v = burst(client, vdestack, 100);
        System.out.printf("syn burst, vdestack: 2 clients x 100 connections, backlog 5: %s%n", v);
        assertThat(v.failures()).as("every connection served; server log:%n%s", log("vdestack")).isEmpty();
        assertThat(v.served()).isEqualTo(200);
    }

    /**
     * The measurement (with {@code -Djioth.synburst=true}): the same burst, {@code
     * -Djioth.synburst.rounds} times (2), against {@code ioth server vdestack}, {@code ioth server
     * kernel} in a second namespace, and socat (a C server forking per connection) in a third, all on
     * the same switch; the vdestack server's pacer counters at the end.
     */
    @Test
    @Timeout(1800)
    void synBurstAgainstVdestackTheNamespacesKernelAndSocat() throws Exception {
        assumeTrue(Boolean.getBoolean("jioth.synburst"), "a measurement: run with -Djioth.synburst=true"
                + " (the kernel references overflow a backlog of 5 on a loaded machine; docs/benchmarks.md, SYN burst)");
        assumeTrue(ChildProcess.works("sh", "-c", "command -v socat"), "socat is not installed");
        int rounds = Integer.getInteger("jioth.synburst.rounds", 2);
        String client = namespaceOnSwitch("vc", CLIENT_ADDR);
        Process server = startServer("vdestack", null, "--stats", "vde://" + sw);
        InetSocketAddress vdestack = new InetSocketAddress(VDESTACK_ADDR, PORT);
        InetSocketAddress kernel = new InetSocketAddress(KERNEL_ADDR, PORT);
        InetSocketAddress socat = new InetSocketAddress(SOCAT_ADDR, PORT);
        startServer("kernel", namespaceOnSwitch("vk", null), "--ifname", "tap0", "--addr", KERNEL_ADDR + "/24");
        String socatHost = namespaceOnSwitch("vs", SOCAT_ADDR);
        processes.add(new ProcessBuilder("ip", "netns", "exec", socatHost, "socat",
                "TCP-LISTEN:" + PORT + ",backlog=5,reuseaddr,fork", "PIPE").redirectErrorStream(true)
                .redirectOutput(dir.resolve("socat.log").toFile()).start());
        awaitEcho(client, kernel);
        awaitEcho(client, socat);
        awaitEcho(client, vdestack);
        Map<String, List<Burst>> results = new TreeMap<>();
        for (int round = 1; round <= rounds; round++) {
            for (Map.Entry<String, InetSocketAddress> s : List.of(Map.entry("vdestack", vdestack), Map.entry("kernel", kernel),
                    Map.entry("socat", socat))) {
                Burst b = burst(client, s.getValue(), 400);
                System.out.printf("syn burst round %d, %s: 2 clients x 100 connections, backlog 5: %s (load %s)%n",
                        round, s.getKey(), b, Files.readString(Path.of("/proc/loadavg")).strip());
                results.computeIfAbsent(s.getKey(), k -> new ArrayList<>()).add(b);
            }
        }
        ChildProcess.run(List.of("kill", "-USR1", Long.toString(server.pid())), 10); // --stats: the pacer's counters
        Thread.sleep(500);
        log("vdestack").lines().filter(l -> l.contains("acceptPacer")).forEach(System.out::println);
        assertThat(results.get("vdestack")).as("vdestack: every connection served in every round; server log:%n%s",
                log("vdestack")).allMatch(b -> b.failures().isEmpty() && b.served() == 200);
    }

    /** What a burst did: connections served (echo checked), per-error counts, and each client's time. */
    record Burst(int served, Map<String, Integer> failures, double[] seconds) {
        @Override
        public String toString() {
            return served + " served, failures " + failures + ", client times " + Arrays.toString(seconds) + " s";
        }
    }

    /** Two clients in {@code ns}, each opening 100 connections at once, each sending a line and checking its echo. */
    private static Burst burst(String ns, InetSocketAddress to, int budgetSeconds) throws Exception {
        List<FutureTask<BurstClient>> clients = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            int id = i;
            FutureTask<BurstClient> task = new FutureTask<>(() -> {
                NetNamespace.enter(Path.of("/var/run/netns", ns));
                BurstClient c = new BurstClient(id, to, 100);
                c.run(TimeUnit.SECONDS.toNanos(budgetSeconds));
                return c;
            });
            clients.add(task);
            threads.add(Thread.ofPlatform().name("burst-" + i).unstarted(task));
        }
        threads.forEach(Thread::start);
        int served = 0;
        Map<String, Integer> failures = new TreeMap<>();
        double[] seconds = new double[clients.size()];
        for (int i = 0; i < clients.size(); i++) {
            BurstClient c = clients.get(i).get(budgetSeconds + 100L, TimeUnit.SECONDS);
            served += c.served;
            c.failures.forEach((k, v) -> failures.merge(k, v, Integer::sum));
            seconds[i] = Math.round(c.nanos / 1e6) / 1e3;
        }
        return new Burst(served, failures, seconds);
    }

    /** One client: non-blocking connects all issued at once, then a selector drives every connection. */
    private static final class BurstClient {
        final int id;
        final InetSocketAddress to;
        final int count;
        int served;
        final Map<String, Integer> failures = new TreeMap<>();
        long nanos;

        BurstClient(int id, InetSocketAddress to, int count) {
            this.id = id;
            this.to = to;
            this.count = count;
        }

        private record Conn(ByteBuffer out, ByteBuffer in) {
        }

        void run(long budgetNanos) throws IOException {
            long start = System.nanoTime();
            int open = 0;
            try (Selector sel = Selector.open()) {
                for (int i = 0; i < count; i++) {
                    SocketChannel c = SocketChannel.open();
                    c.configureBlocking(false);
                    byte[] line = ("client " + id + " connection " + i + "\n").getBytes(StandardCharsets.US_ASCII);
                    Conn conn = new Conn(ByteBuffer.wrap(line), ByteBuffer.allocate(line.length));
                    int ops = c.connect(to) ? SelectionKey.OP_WRITE : SelectionKey.OP_CONNECT;
                    c.register(sel, ops, conn);
                    open++;
                }
                while (open > 0 && System.nanoTime() - start < budgetNanos) {
                    sel.select(1000);
                    for (SelectionKey k : sel.selectedKeys()) {
                        SocketChannel c = (SocketChannel) k.channel();
                        Conn conn = (Conn) k.attachment();
                        try {
                            if (k.isConnectable()) {
                                c.finishConnect();
                                k.interestOps(SelectionKey.OP_WRITE);
                            } else if (k.isWritable()) {
                                c.write(conn.out);
                                if (!conn.out.hasRemaining()) {
                                    k.interestOps(SelectionKey.OP_READ);
                                }
                            } else if (k.isReadable()) {
                                if (c.read(conn.in) < 0) {
                                    throw new IOException("end of stream before the echo");
                                }
                                if (!conn.in.hasRemaining()) {
                                    if (!Arrays.equals(conn.in.array(), conn.out.array())) {
                                        throw new IOException("wrong echo");
                                    }
                                    served++;
                                    open--;
                                    c.close();
                                }
                            }
                        } catch (IOException e) {
                            failures.merge(e.getClass().getSimpleName() + ": " + e.getMessage(), 1, Integer::sum);
                            open--;
                            c.close();
                        }
                    }
                    sel.selectedKeys().clear();
                }
                if (open > 0) {
                    failures.put("no answer within the budget", open);
                    for (SelectionKey k : sel.keys()) {
                        k.channel().close();
                    }
                }
            }
            nanos = System.nanoTime() - start;
        }
    }

    /**
     * A namespace with a tap {@code tap0} plugged into the switch by vde_plug; {@code addr} (when not
     * null) on it. The tap of a server's namespace is configured by {@code ioth server kernel}.
     */
    private String namespaceOnSwitch(String prefix, String addr) throws Exception {
        String ns = "jioth-" + prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        ChildProcess.Result made = ChildProcess.run(List.of("ip", "netns", "add", ns), 20);
        assumeTrue(made.exitCode() == 0, "cannot create a network namespace: " + made.output());
        namespaces.add(ns);
        ip(ns, "link", "set", "lo", "up");
        processes.add(new ProcessBuilder("ip", "netns", "exec", ns, "vde_plug", "vde://" + sw, "tap://tap0")
                .redirectErrorStream(true).redirectOutput(dir.resolve("plug-" + ns + ".log").toFile()).start());
        await(() -> ChildProcess.works("ip", "-n", ns, "link", "show", "tap0"), "tap0 in " + ns);
        if (addr != null) {
            ip(ns, "addr", "add", addr + "/24", "dev", "tap0");
            ip(ns, "link", "set", "tap0", "up");
        }
        return ns;
    }

    private static void ip(String ns, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("ip", "-n", ns));
        cmd.addAll(List.of(args));
        ChildProcess.Result r = ChildProcess.run(cmd, 20);
        assertThat(r.exitCode()).as("%s: %s", cmd, r.output()).isZero();
    }

    /** {@code ioth server STACK ARGS} (in namespace {@code ns} when not null), its output in DIR/server-STACK.log. */
    private Process startServer(String stack, String ns, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        if (ns != null) {
            cmd.addAll(List.of("ip", "netns", "exec", ns));
        }
        List<String> serverArgs = new ArrayList<>(List.of("server", stack));
        serverArgs.addAll(List.of(args));
        cmd.addAll(ChildProcess.javaCommand(Main.class, serverArgs.toArray(String[]::new)));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("server-" + stack + ".log").toFile()).start();
        processes.add(p);
        return p;
    }

    private String log(String stack) {
        try {
            return Files.readString(dir.resolve("server-" + stack + ".log"));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** Waits until the server echoes (its stack and helper take a few seconds to start). */
    private void awaitEcho(String ns, InetSocketAddress to) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (true) {
            try {
                if (inNamespace(ns, () -> echo(to, "ready?\n"))) {
                    return;
                }
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("no echo from " + to + " within 120 s", e);
                }
            }
            Thread.sleep(250);
        }
    }

    /** One connection: sends {@code text}, true when the same bytes come back. */
    private static boolean echo(InetSocketAddress to, String text) throws IOException {
        byte[] out = text.getBytes(StandardCharsets.US_ASCII);
        try (SocketChannel c = SocketChannel.open()) {
            c.socket().connect(to, 5000);
            c.socket().setSoTimeout(20_000);
            c.socket().getOutputStream().write(out);
            byte[] in = c.socket().getInputStream().readNBytes(out.length);
            return Arrays.equals(in, out);
        }
    }

    private static <T> T inNamespace(String ns, Callable<T> body) throws Exception {
        FutureTask<T> task = new FutureTask<>(() -> {
            NetNamespace.enter(Path.of("/var/run/netns", ns));
            return body.call();
        });
        Thread t = Thread.ofPlatform().name("in-" + ns).start(task);
        try {
            return task.get(120, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception ex) {
                throw ex;
            }
            throw e;
        } finally {
            t.join(5_000);
        }
    }

    private static void await(Callable<Boolean> condition, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.call()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + " not ready within 30 s");
            }
            Thread.sleep(50);
        }
    }
}
