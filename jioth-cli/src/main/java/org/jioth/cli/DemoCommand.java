package org.jioth.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.Callable;
import org.jioth.Ioth;
import org.jioth.IothStack;
import org.jioth.PluginInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The main job: in one JVM, an echo server and a client on a stack, a few echoed lines, then a
 * round-trip and throughput figure. Needs no switch and no privilege.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Echo server and client on a stack in this JVM, then round-trip and throughput figures.")
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--stack", defaultValue = "kernel", description = "stack plug-in (default ${DEFAULT-VALUE})")
    String stack;

    @Option(names = "--round-trips", defaultValue = "2000", description = "1-byte round trips to time (default ${DEFAULT-VALUE})")
    int roundTrips;

    @Option(names = "--megabytes", defaultValue = "64", description = "MiB to push through the echo (default ${DEFAULT-VALUE})")
    int megabytes;

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        out.println("jioth demo: stacks are plug-ins; this JVM found:");
        for (PluginInfo p : Ioth.plugins()) {
            out.println("  " + p.name() + "  " + p.license().orElse("-") + "  " + p.description());
        }
        InetAddress loopback = InetAddress.ofLiteral("127.0.0.1");
        try (IothStack s = Ioth.newStack(stack)) {
            out.println();
            out.println("On stack '" + s + "': the seed's echo server and a client, in this JVM.");
            try (EchoServer server = new EchoServer(s, new InetSocketAddress(loopback, 0), out, true).start();
                 SocketChannel client = connect(s, server.localAddress())) {
                for (String line : new String[] {"hello from jioth\n", "the Internet of Threads\n", "bye\n"}) {
                    String echoed = echo(client, line);
                    out.print("client got back: " + echoed);
                    out.flush();
                }
            }
            waitForLogLines();
            try (EchoServer quiet = new EchoServer(s, new InetSocketAddress(loopback, 0), out, false).start()) {
                InetSocketAddress at = quiet.localAddress();
                try (SocketChannel c = connect(s, at)) {
                    double[] rtt = roundTrips(c, roundTrips);
                    out.printf("%nround trip (1 byte, %d times): median %.1f us, p99 %.1f us%n",
                            roundTrips, rtt[0], rtt[1]);
                }
                try (SocketChannel c = connect(s, at)) {
                    double gbps = throughput(c, (long) megabytes << 20);
                    out.printf("throughput (%d MiB echoed): %.2f Gbit/s each way%n", megabytes, gbps);
                }
            }
            out.println();
            out.println("Next: run the same server on a stack of its own, e.g. in a private namespace:");
            out.println("  unshare -rn sh -c 'ip link set lo up; ip link add vde0 type dummy || ip link add vde0 type bridge; ./ioth server kernel & sleep 3; ./ioth client kernel'");
            out.println("and see ./ioth --help for the other commands.");
        }
        return 0;
    }

    private static SocketChannel connect(IothStack s, InetSocketAddress to) throws IOException {
        SocketChannel c = s.provider().openSocketChannel();
        try {
            c.connect(to);
            return c;
        } catch (IOException e) {
            c.close();
            throw e;
        }
    }

    private static void waitForLogLines() throws InterruptedException {
        // The server logs "close conn" from its own thread; give it a moment so the output reads in order.
        Thread.sleep(100);
    }

    private static String echo(SocketChannel c, String line) throws IOException {
        byte[] data = line.getBytes(StandardCharsets.UTF_8);
        writeFully(c, ByteBuffer.wrap(data));
        ByteBuffer back = ByteBuffer.allocate(data.length);
        readFully(c, back);
        return new String(back.array(), StandardCharsets.UTF_8);
    }

    /** Median and 99th percentile of 1-byte round trips, in microseconds. */
    static double[] roundTrips(SocketChannel c, int n) throws IOException {
        ByteBuffer one = ByteBuffer.allocateDirect(1);
        long[] ns = new long[n];
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            one.clear().put((byte) i).flip();
            writeFully(c, one);
            one.clear();
            readFully(c, one);
            ns[i] = System.nanoTime() - t0;
        }
        Arrays.sort(ns);
        return new double[] {ns[n / 2] / 1000.0, ns[Math.min(n - 1, n * 99 / 100)] / 1000.0};
    }

    /** Pushes {@code bytes} through the echo and reads them back; Gbit/s in one direction. */
    static double throughput(SocketChannel c, long bytes) throws Exception {
        Thread writer = Thread.ofVirtual().start(() -> {
            ByteBuffer chunk = ByteBuffer.allocateDirect(64 * 1024);
            long left = bytes;
            try {
                while (left > 0) {
                    chunk.clear().limit((int) Math.min(chunk.capacity(), left));
                    left -= chunk.remaining();
                    writeFully(c, chunk);
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        long t0 = System.nanoTime();
        ByteBuffer in = ByteBuffer.allocateDirect(64 * 1024);
        long got = 0;
        while (got < bytes) {
            int n = c.read(in.clear());
            if (n < 0) {
                throw new IOException("echo closed after " + got + " of " + bytes + " bytes");
            }
            got += n;
        }
        long elapsed = System.nanoTime() - t0;
        writer.join();
        return bytes * 8.0 / elapsed;
    }

    static void writeFully(SocketChannel c, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            c.write(b);
        }
    }

    static void readFully(SocketChannel c, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            if (c.read(b) < 0) {
                throw new IOException("connection closed early");
            }
        }
    }
}
