package org.jioth.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jioth.Ioth;
import org.jioth.IothStack;
import org.jioth.NetConfig;
import org.jioth.vde.EthernetPort;
import org.jioth.vde.EthernetPorts;

/**
 * What idle jnet stacks cost (issue 11): many stacks, each with one interface on an in-JVM switch
 * ({@code perSwitch} stacks on each: every stack's gratuitous ARP reaches all others, so one switch
 * for all would measure a broadcast storm growing with the square of the count),
 * an address and the link up, made through the public API ({@code jnet} on {@code vde://} of a
 * {@code switch://} hosted in this JVM, which it joins in memory). Prints the retained heap per stack (heap after a full GC, minus the
 * heap before, divided by the count), the time to create them, and the CPU the JVM spends while
 * they sit idle. Run it in the heap it is meant to fit: {@code IOTH_JAVA_OPTS=-Xmx1g ioth bench memory}.
 */
public final class MemoryBench {
    /** What to measure. */
    public record Options(int stacks, int perSwitch, Duration idle) { }

    /** The figures of one run. */
    public record Result(int stacks, int perSwitch, long maxHeap, double bytesPerStack, Duration created, Duration idle,
            double idleCpuShare, String load) { }

    private final Options options;
    private final PrintStream progress;

    public MemoryBench(Options options, PrintStream progress) {
        this.options = options;
        this.progress = progress;
    }

    public Result run() throws IOException, InterruptedException {
        MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
        List<IothStack> stacks = new ArrayList<>(options.stacks());
        List<EthernetPort> switches = new ArrayList<>();
        Path base = Files.createTempDirectory("jioth-membench");
        try {
            Path dir = null;
            long before = RetainedHeap.settled(mem);
            long t0 = System.nanoTime();
            for (int i = 0; i < options.stacks(); i++) {
                if (i % options.perSwitch() == 0) {
                    dir = base.resolve("sw" + switches.size());
                    switches.add(EthernetPorts.open("switch://" + dir));
                }
                IothStack s = Ioth.newStack("jnet,seed=" + i, "vde0:vde://" + dir);
                stacks.add(s);
                NetConfig c = s;
                int index = c.ifNameToIndex("vde0");
                c.ipAddrAdd(InetAddress.getByAddress(new byte[] {10, (byte) (i >> 16), (byte) (i >> 8), (byte) (i | 1)}),
                        8, index);
                c.linkSetUpDown(index, true);
                if ((i + 1) % 1000 == 0) {
                    progress.printf("  %d stacks%n", i + 1);
                }
            }
            Duration created = Duration.ofNanos(System.nanoTime() - t0);
            long after = RetainedHeap.settled(mem);
            double perStack = (after - before) / (double) options.stacks();
            progress.printf("  idle for %s%n", options.idle());
            com.sun.management.OperatingSystemMXBean os =
                    (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            long cpu0 = os.getProcessCpuTime();
            long w0 = System.nanoTime();
            Thread.sleep(options.idle().toMillis());
            double share = (os.getProcessCpuTime() - cpu0) / (double) (System.nanoTime() - w0);
            String load = String.format("%.2f", os.getSystemLoadAverage());
            return new Result(options.stacks(), options.perSwitch(), Runtime.getRuntime().maxMemory(), perStack, created, options.idle(),
                    share, load);
        } finally {
            for (IothStack s : stacks) {
                s.close();
            }
            for (EthernetPort p : switches) {
                p.close();
            }
            Files.deleteIfExists(base);
        }
    }

    /** The figures of a connections run. */
    public record ConnectionsResult(int connections, long maxHeap, double bytesPerConnection, Duration opened,
            String load) { }

    /**
     * Two jnet stacks on an in-JVM switch; {@code n} connections from one to the other, each
     * echoing 16 bytes once and then left open and idle. Prints the retained heap per connection
     * (both ends and both channels counted, divided by {@code n}) after the stacks gave back what
     * idle connections do not need.
     */
    public ConnectionsResult connections(int n) throws IOException, InterruptedException {
        MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
        Path base = Files.createTempDirectory("jioth-membench");
        Path dir = base.resolve("sw");
        List<java.nio.channels.SocketChannel> open = java.util.Collections.synchronizedList(new ArrayList<>(2 * n));
        try (EthernetPort sw = EthernetPorts.open("switch://" + dir);
                IothStack server = Ioth.newStack("jnet,seed=1,maxconnections=" + (n + 16), "vde0:vde://" + dir);
                IothStack client = Ioth.newStack("jnet,seed=2,maxconnections=" + (n + 16), "vde0:vde://" + dir)) {
            configure(server, 1);
            configure(client, 2);
            java.nio.channels.ServerSocketChannel ss = server.provider().openServerSocketChannel();
            ss.bind(new java.net.InetSocketAddress("0.0.0.0", 7), 4096);
            Thread acceptor = Thread.ofVirtual().start(() -> {
                try {
                    for (int i = 0; i < n; i++) {
                        java.nio.channels.SocketChannel c = ss.accept();
                        open.add(c);
                        Thread.ofVirtual().start(() -> echoOnce(c));
                    }
                } catch (IOException e) {
                    progress.println("  accept: " + e);
                }
            });
            long before = RetainedHeap.settled(mem);
            long t0 = System.nanoTime();
            ByteBuffer msg = ByteBuffer.allocate(16);
            for (int i = 0; i < n; i++) {
                java.nio.channels.SocketChannel c = client.provider().openSocketChannel();
                c.connect(new java.net.InetSocketAddress("10.0.0.1", 7));
                open.add(c);
                c.write(msg.clear());
                ByteBuffer back = ByteBuffer.allocate(16);
                while (back.hasRemaining() && c.read(back) >= 0) {
                    // echoed
                }
                if ((i + 1) % 1000 == 0) {
                    progress.printf("  %d connections%n", i + 1);
                }
            }
            Duration opened = Duration.ofNanos(System.nanoTime() - t0);
            acceptor.join();
            Thread.sleep(3000); // idle rings are given back after one to two seconds
            long after = RetainedHeap.settled(mem);
            com.sun.management.OperatingSystemMXBean os =
                    (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            ConnectionsResult r = new ConnectionsResult(n, Runtime.getRuntime().maxMemory(), (after - before) / (double) n,
                    opened, String.format("%.2f", os.getSystemLoadAverage()));
            for (java.nio.channels.SocketChannel c : open) {
                c.close();
            }
            ss.close();
            return r;
        } finally {
            Files.deleteIfExists(base);
        }
    }

    private static void echoOnce(java.nio.channels.SocketChannel c) {
        try {
            ByteBuffer b = ByteBuffer.allocate(16);
            while (b.hasRemaining() && c.read(b) >= 0) {
                // the client's 16 bytes
            }
            c.write(b.flip());
        } catch (IOException e) {
            // the bench reports what it measured; a failed echo shows as a stuck client
        }
    }

    private static void configure(IothStack s, int host) throws IOException {
        int index = s.ifNameToIndex("vde0");
        s.ipAddrAdd(InetAddress.getByAddress(new byte[] {10, 0, 0, (byte) host}), 8, index);
        s.linkSetUpDown(index, true);
    }

    public static void print(ConnectionsResult r, PrintStream out) {
        out.println("| connections (idle, after a 16-byte echo) | max heap | retained heap per connection (both ends) | opened in | load avg |");
        out.println("|---:|---:|---:|---:|---:|");
        out.printf("| %d | %d MiB | %.2f KiB | %.2f s | %s |%n", r.connections(), r.maxHeap() >> 20,
                r.bytesPerConnection() / 1024, r.opened().toMillis() / 1000.0, r.load());
    }

    public static void print(Result r, PrintStream out) {
        out.println("| stacks | per switch | max heap | retained heap per idle stack | created in | idle CPU (share of one core) | load avg |");
        out.println("|---:|---:|---:|---:|---:|---:|---:|");
        out.printf("| %d | %d | %d MiB | %.1f KiB | %.2f s | %.2f %% over %d s | %s |%n", r.stacks(), r.perSwitch(), r.maxHeap() >> 20,
                r.bytesPerStack() / 1024, r.created().toMillis() / 1000.0, 100 * r.idleCpuShare(), r.idle().toSeconds(),
                r.load());
    }

    /** {@code java -Xmx1g -cp ... org.jioth.bench.MemoryBench [stacks] [idle seconds]}. */
    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int idle = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        print(new MemoryBench(new Options(n, 100, Duration.ofSeconds(idle)), System.err).run(), System.out);
    }
}
