package org.jioth.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.jioth.Ioth;
import org.jioth.IothStack;
import org.jioth.vde.EthernetPort;
import org.jioth.vde.EthernetPorts;

/**
 * Many connections on one jnet stack (issue 11's targets: 10,000 concurrent connections each
 * echoing, 100,000 idle as the stretch). One server stack; client stacks (one per 25,000
 * connections: a stack's ephemeral ports are shared by all its connections) on the same in-JVM
 * switch; the server echoes on one thread through one selector, as an event-driven server would.
 * Phase 1 opens the connections from 64 client threads, each echoing 16 bytes once; after three
 * idle seconds (idle rings are given back) the retained heap of both ends is measured. Phase 2 has
 * every connection echo 16 bytes again, all at once, and counts the echoes that came back.
 */
public final class ConnectionScaleBench {
    /** Connections one client stack opens at most (its ephemeral range is 28,232 ports). */
    static final int PER_CLIENT = 25_000;
    private static final int WORKERS = 64;

    /** The figures of a run. */
    public record Result(int connections, int opened, int clients, long maxHeap, double bytesPerConnection,
            Duration openTime, int echoed, Duration echoTime, long serverBudgetUsed, long serverBudgetLimit,
            long ringDrops, long retransmits, String load) { }

    private final PrintStream progress;
    private final String serverOptions;

    /** {@code serverOptions}: extra jnet options of the server stack (e.g. {@code membudget=2g}), or "". */
    public ConnectionScaleBench(String serverOptions, PrintStream progress) {
        this.serverOptions = serverOptions;
        this.progress = progress;
    }

    public Result run(int n) throws Exception {
        return run(n, true);
    }

    /** {@code echoRound} false: only phase 1 (open, echo once, measure idle), for the largest counts. */
    public Result run(int n, boolean echoRound) throws Exception {
        MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
        Path base = Files.createTempDirectory("jioth-connbench");
        Path dir = base.resolve("sw");
        int clients = (n + PER_CLIENT - 1) / PER_CLIENT;
        List<IothStack> stacks = new ArrayList<>();
        List<SocketChannel> clientChannels = Collections.synchronizedList(new ArrayList<>(n));
        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
        try (EthernetPort sw = EthernetPorts.open("switch://" + dir)) {
            IothStack server = Ioth.newStack("jnet,seed=1,maxconnections=" + (n + 16)
                    + (serverOptions.isBlank() ? "" : "," + serverOptions), "vde0:vde://" + dir);
            stacks.add(server);
            configure(server, 1);
            for (int k = 0; k < clients; k++) {
                IothStack c = Ioth.newStack("jnet,seed=" + (2 + k) + ",maxconnections=" + (PER_CLIENT + 16),
                        "vde0:vde://" + dir);
                stacks.add(c);
                configure(c, 2 + k);
            }
            ServerSocketChannel ss = server.provider().openServerSocketChannel();
            ss.bind(new InetSocketAddress("0.0.0.0", 7), 4096);
            ss.configureBlocking(false);
            SelectorEcho echo = new SelectorEcho(server.provider().openSelector(), ss);
            Thread echoThread = Thread.ofPlatform().name("bench-echo").daemon().start(echo);

            long before = RetainedHeap.settled(mem);
            long t0 = System.nanoTime();
            AtomicInteger opened = new AtomicInteger();
            List<Future<?>> work = new ArrayList<>();
            for (int w = 0; w < WORKERS; w++) {
                int worker = w;
                work.add(pool.submit(() -> {
                    ByteBuffer msg = ByteBuffer.allocate(16);
                    ByteBuffer back = ByteBuffer.allocate(16);
                    for (int i = worker; i < n; i += WORKERS) {
                        IothStack client = stacks.get(1 + i / PER_CLIENT);
                        try {
                            SocketChannel c = client.provider().openSocketChannel();
                            c.connect(new InetSocketAddress("10.0.0.1", 7));
                            clientChannels.add(c);
                            if (echo(c, msg, back)) {
                                int o = opened.incrementAndGet();
                                if (o % 10_000 == 0) {
                                    progress.printf("  %d connections%n", o);
                                }
                            }
                        } catch (IOException e) {
                            progress.println("  connection " + i + ": " + e);
                            return null;
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : work) {
                f.get();
            }
            Duration openTime = Duration.ofNanos(System.nanoTime() - t0);
            Thread.sleep(3000); // idle rings are given back after one to two seconds
            long after = RetainedHeap.settled(mem);
            progress.printf("  %d open%s%n", opened.get(), echoRound ? "; every connection echoes once more, all at once" : "");

            long t1 = System.nanoTime();
            AtomicInteger echoed = new AtomicInteger();
            List<SocketChannel> all = List.copyOf(clientChannels);
            work.clear();
            for (int w = 0; w < (echoRound ? WORKERS : 0); w++) {
                int worker = w;
                work.add(pool.submit(() -> {
                    ByteBuffer msg = ByteBuffer.allocate(16);
                    ByteBuffer back = ByteBuffer.allocate(16);
                    // write on all of this worker's connections first, then read: all in flight at once
                    for (int i = worker; i < all.size(); i += WORKERS) {
                        all.get(i).write(msg.clear());
                    }
                    for (int i = worker; i < all.size(); i += WORKERS) {
                        back.clear();
                        while (back.hasRemaining() && all.get(i).read(back) >= 0) {
                            // the echo
                        }
                        if (!back.hasRemaining()) {
                            echoed.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : work) {
                f.get();
            }
            Duration echoTime = Duration.ofNanos(System.nanoTime() - t1);
            Map<String, Long> st = server.statistics();
            long ringDrops = 0;
            long retransmits = 0;
            for (IothStack s : stacks) {
                Map<String, Long> m = s.statistics();
                ringDrops += m.getOrDefault("Eth.InDropQueueFull", 0L);
                retransmits += m.getOrDefault("Tcp.RetransSegs", 0L);
            }
            com.sun.management.OperatingSystemMXBean os =
                    (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            Result r = new Result(n, opened.get(), clients, Runtime.getRuntime().maxMemory(),
                    (after - before) / (double) Math.max(1, opened.get()), openTime, echoed.get(), echoTime,
                    st.getOrDefault("Mem.Used", -1L), st.getOrDefault("Mem.Limit", -1L), ringDrops, retransmits,
                    String.format("%.2f", os.getSystemLoadAverage()));
            for (SocketChannel c : all) {
                c.close();
            }
            echo.stop();
            echoThread.join(10_000);
            ss.close();
            return r;
        } finally {
            pool.shutdownNow();
            for (IothStack s : stacks) {
                s.closeForcibly();
            }
            Files.deleteIfExists(base);
        }
    }

    private static boolean echo(SocketChannel c, ByteBuffer msg, ByteBuffer back) throws IOException {
        c.write(msg.clear());
        back.clear();
        while (back.hasRemaining() && c.read(back) >= 0) {
            // the echo
        }
        return !back.hasRemaining();
    }

    /** One thread, one selector: accepts and echoes every connection of the server stack. */
    private static final class SelectorEcho implements Runnable {
        private final Selector selector;
        private final ServerSocketChannel listener;
        private volatile boolean stopped;

        SelectorEcho(Selector selector, ServerSocketChannel listener) throws IOException {
            this.selector = selector;
            this.listener = listener;
            listener.register(selector, SelectionKey.OP_ACCEPT);
        }

        void stop() {
            stopped = true;
            selector.wakeup();
        }

        @Override
        public void run() {
            ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
            try {
                while (!stopped) {
                    selector.select(1000);
                    for (SelectionKey k : selector.selectedKeys()) {
                        if (!k.isValid()) {
                            continue;
                        }
                        if (k.isAcceptable()) {
                            SocketChannel c;
                            while ((c = listener.accept()) != null) {
                                c.configureBlocking(false);
                                c.register(selector, SelectionKey.OP_READ);
                            }
                        } else if (k.isReadable()) {
                            SocketChannel c = (SocketChannel) k.channel();
                            try {
                                int r = c.read(buf.clear());
                                if (r < 0) {
                                    c.close();
                                } else {
                                    buf.flip();
                                    c.write(buf); // 16-byte echoes always fit the send buffer
                                }
                            } catch (IOException e) {
                                c.close();
                            }
                        }
                    }
                    selector.selectedKeys().clear();
                }
                selector.close();
            } catch (IOException e) {
                System.err.println("bench echo: " + e);
            }
        }
    }

    private static void configure(IothStack s, int host) throws IOException {
        int index = s.ifNameToIndex("vde0");
        s.ipAddrAdd(InetAddress.getByAddress(new byte[] {10, 0, 0, (byte) host}), 8, index);
        s.linkSetUpDown(index, true);
    }

    public static void print(Result r, PrintStream out) {
        out.println("| connections | client stacks | max heap | opened (echoed once) in | retained heap per connection, both ends"
                + " | per end | echoed at once | in | server budget used / limit | receive-ring drops, retransmissions (all stacks) | load avg |");
        out.println("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        out.printf("| %d of %d | %d | %d MiB | %.2f s | %.2f KiB | %.2f KiB | %d | %.2f s | %.1f / %.0f MiB | %d, %d | %s |%n",
                r.opened(), r.connections(), r.clients(), r.maxHeap() >> 20, r.openTime().toMillis() / 1000.0,
                r.bytesPerConnection() / 1024, r.bytesPerConnection() / 2048, r.echoed(), r.echoTime().toMillis() / 1000.0,
                r.serverBudgetUsed() / 1048576.0, r.serverBudgetLimit() / 1048576.0, r.ringDrops(), r.retransmits(), r.load());
    }

    /** {@code java -cp ... org.jioth.bench.ConnectionScaleBench [connections] [server options]}. */
    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        String opts = args.length > 1 ? args[1] : "";
        print(new ConnectionScaleBench(opts, System.err).run(n), System.out);
    }
}
