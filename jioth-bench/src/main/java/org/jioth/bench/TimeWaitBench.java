package org.jioth.bench;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jioth.Ioth;
import org.jioth.IothStack;
import org.jioth.vde.EthernetPort;
import org.jioth.vde.EthernetPorts;

/**
 * What connections left in TIME_WAIT cost (lane timewait): two jnet stacks on an in-JVM switch,
 * connections opened one after the other, each echoing 16 bytes; the server closes first, so
 * every connection leaves a TIME_WAIT guard on the server (2MSL = 60 s, at most 8192). Prints
 * the retained heap per guard (heap after a full GC once {@code guards} connections are in
 * TIME_WAIT, minus the heap before, divided by their number), then the connections/s of a churn
 * of {@code churn} more connections (the table full, the oldest guards evicted), the young GC
 * time it took and the committed heap at its end.
 * {@code java -cp … org.jioth.bench.TimeWaitBench [guards] [churn]}.
 */
public final class TimeWaitBench {
    private TimeWaitBench() {
    }

    public static void main(String[] args) throws Exception {
        int guards = args.length > 0 ? Integer.parseInt(args[0]) : 8000;
        int churn = args.length > 1 ? Integer.parseInt(args[1]) : 20000;
        MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
        Path base = Files.createTempDirectory("jioth-twbench");
        Path dir = base.resolve("sw");
        try (EthernetPort sw = EthernetPorts.open("switch://" + dir);
                IothStack server = Ioth.newStack("jnet,seed=1", "vde0:vde://" + dir);
                IothStack client = Ioth.newStack("jnet,seed=2", "vde0:vde://" + dir)) {
            configure(server, 1);
            configure(client, 2);
            ServerSocketChannel ss = server.provider().openServerSocketChannel();
            ss.bind(new InetSocketAddress("0.0.0.0", 7), 4096);
            Thread acceptor = Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        SocketChannel c = ss.accept();
                        Thread.ofVirtual().start(() -> echoAndClose(c));
                    }
                } catch (IOException e) {
                    // the listener closed: done
                }
            });
            run(client, 200); // warm-up (ARP, JIT); these guards are in "before"
            long before = settledHeap(mem);
            run(client, guards);
            Thread.sleep(500);
            long after = settledHeap(mem);
            System.out.printf("TIME_WAIT guards: %d, retained heap per connection closed into TIME_WAIT: %.0f bytes%n",
                    guards, (after - before) / (double) guards);
            long gcBefore = youngGcMillis();
            long t0 = System.nanoTime();
            run(client, churn);
            double secs = (System.nanoTime() - t0) / 1e9;
            long gc = youngGcMillis() - gcBefore;
            System.out.printf("churn: %d connections in %.2f s = %.0f connections/s; GC time %d ms; committed heap %d MiB;"
                    + " used after full GC %d MiB%n", churn, secs, churn / secs, gc,
                    mem.getHeapMemoryUsage().getCommitted() >> 20, settledHeap(mem) >> 20);
            System.out.printf("load average %.2f%n", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
            ss.close();
            acceptor.join();
        } finally {
            Files.deleteIfExists(base);
        }
    }

    /** {@code n} connections, one after the other: connect, 16 bytes there and back, the server's FIN, close. */
    private static void run(IothStack client, int n) throws IOException {
        ByteBuffer msg = ByteBuffer.allocate(16);
        ByteBuffer back = ByteBuffer.allocate(17);
        for (int i = 0; i < n; i++) {
            try (SocketChannel c = client.provider().openSocketChannel()) {
                c.connect(new InetSocketAddress("10.0.0.1", 7));
                c.write(msg.clear());
                back.clear();
                while (c.read(back) >= 0) {
                    // the echo, then the server's FIN
                }
            }
        }
    }

    private static void echoAndClose(SocketChannel c) {
        try (c) {
            ByteBuffer b = ByteBuffer.allocate(16);
            while (b.hasRemaining() && c.read(b) >= 0) {
                // the client's 16 bytes
            }
            c.write(b.flip());
        } catch (IOException e) {
            // a failed echo shows as a stuck client
        }
    }

    private static long youngGcMillis() {
        long t = 0;
        for (GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) {
            t += Math.max(0, b.getCollectionTime());
        }
        return t;
    }

    private static long settledHeap(MemoryMXBean mem) throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return mem.getHeapMemoryUsage().getUsed();
    }

    private static void configure(IothStack s, int host) throws IOException {
        int index = s.ifNameToIndex("vde0");
        s.ipAddrAdd(InetAddress.getByAddress(new byte[] {10, 0, 0, (byte) host}), 8, index);
        s.linkSetUpDown(index, true);
    }
}
