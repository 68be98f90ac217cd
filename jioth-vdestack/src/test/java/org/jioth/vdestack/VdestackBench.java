package org.jioth.vdestack;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.jioth.Ioth;
import org.jioth.IothStack;
import org.jioth.vde.EthernetPort;
import org.jioth.vde.EthernetPorts;

/**
 * Macro benchmark (a main, never a timed unit test): two vdestacks on one switch, measuring bulk
 * TCP throughput, 1-byte round trips and connections per second. The switch is ours in this JVM
 * ({@code switch://}) or, with {@code --vnl vde:///path}, any network both stacks can join (for
 * example a running Debian vde_switch).
 *
 * <pre>java --enable-native-access=ALL-UNNAMED -cp … org.jioth.vdestack.VdestackBench [--vnl VNL] [--megabytes N]</pre>
 */
public final class VdestackBench {
    private VdestackBench() {
    }

    public static void main(String[] args) throws Exception {
        String vnl = null;
        int megabytes = 512;
        int roundTrips = 20_000;
        int connections = 3_000;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--vnl" -> vnl = args[++i];
                case "--megabytes" -> megabytes = Integer.parseInt(args[++i]);
                case "--round-trips" -> roundTrips = Integer.parseInt(args[++i]);
                case "--connections" -> connections = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        Path dir = Files.createTempDirectory("jioth-vdestack-scenario-bench-");
        EthernetPort host = null;
        if (vnl == null) {
            host = EthernetPorts.open("switch://" + dir.resolve("sw"));
            vnl = "vde://" + dir.resolve("sw");
        }
        try (IothStack a = Ioth.newStack("vdestack", vnl); IothStack b = Ioth.newStack("vdestack", vnl)) {
            TwoStacksScenario.configure(a, TwoStacksScenario.A);
            TwoStacksScenario.configure(b, TwoStacksScenario.B);
            System.out.println("vdestack bench over " + vnl);
            bulk(a, b, megabytes);
            roundTrip(a, b, roundTrips);
            connectionsPerSecond(a, b, connections);
        } finally {
            if (host != null) {
                host.close();
            }
            Files.deleteIfExists(dir);
        }
    }

    static void bulk(IothStack a, IothStack b, int megabytes) throws Exception {
        try (ServerSocketChannel ss = b.provider().openServerSocketChannel()) {
            ss.bind(new InetSocketAddress(TwoStacksScenario.B, 6000));
            long total = (long) megabytes << 20;
            Thread sink = Thread.ofPlatform().start(() -> {
                try (SocketChannel c = ss.accept()) {
                    ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
                    while (c.read(buf.clear()) >= 0) {
                        // discard
                    }
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            try (SocketChannel c = a.provider().openSocketChannel()) {
                c.connect(new InetSocketAddress(TwoStacksScenario.B, 6000));
                ByteBuffer chunk = ByteBuffer.allocateDirect(1 << 20);
                // warm-up: 1/8 of the data, then the measured part
                for (long sent = 0; sent < total / 8; sent += chunk.capacity()) {
                    c.write(chunk.clear());
                }
                long t0 = System.nanoTime();
                for (long sent = 0; sent < total; sent += chunk.capacity()) {
                    c.write(chunk.clear());
                }
                c.shutdownOutput();
                sink.join();
                double secs = (System.nanoTime() - t0) / 1e9;
                System.out.printf("bulk: %d MB in %.2f s = %.2f Gbit/s%n", megabytes, secs, total * 8 / secs / 1e9);
            }
        }
    }

    static void roundTrip(IothStack a, IothStack b, int count) throws Exception {
        try (ServerSocketChannel ss = b.provider().openServerSocketChannel()) {
            ss.bind(new InetSocketAddress(TwoStacksScenario.B, 6001));
            Thread echo = Thread.ofPlatform().start(() -> {
                try (SocketChannel c = ss.accept()) {
                    c.setOption(StandardSocketOptions.TCP_NODELAY, true);
                    ByteBuffer one = ByteBuffer.allocateDirect(1);
                    while (c.read(one.clear()) > 0) {
                        c.write(one.flip());
                    }
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            try (SocketChannel c = a.provider().openSocketChannel()) {
                c.connect(new InetSocketAddress(TwoStacksScenario.B, 6001));
                c.setOption(StandardSocketOptions.TCP_NODELAY, true);
                ByteBuffer one = ByteBuffer.allocateDirect(1);
                long[] samples = new long[count];
                for (int i = -count / 10; i < count; i++) {
                    long t0 = System.nanoTime();
                    c.write(one.clear());
                    c.read(one.clear());
                    if (i >= 0) {
                        samples[i] = System.nanoTime() - t0;
                    }
                }
                Arrays.sort(samples);
                System.out.printf("1-byte round trip: median %.1f us, p99 %.1f us (%d samples)%n",
                        samples[count / 2] / 1e3, samples[count * 99 / 100] / 1e3, count);
            }
            echo.join();
        }
    }

    static void connectionsPerSecond(IothStack a, IothStack b, int count) throws Exception {
        try (ServerSocketChannel ss = b.provider().openServerSocketChannel()) {
            ss.bind(new InetSocketAddress(TwoStacksScenario.B, 6002), 512);
            Thread acceptor = Thread.ofPlatform().start(() -> {
                try {
                    for (int i = 0; i < count + count / 10; i++) {
                        ss.accept().close();
                    }
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            long t0 = 0;
            for (int i = -count / 10; i < count; i++) {
                if (i == 0) {
                    t0 = System.nanoTime();
                }
                try (SocketChannel c = a.provider().openSocketChannel()) {
                    c.connect(new InetSocketAddress(TwoStacksScenario.B, 6002));
                }
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            acceptor.join();
            System.out.printf("connections: %d in %.2f s = %.0f conn/s (socket made by the helper, connect, close)%n",
                    count, secs, count / secs);
        }
    }
}
