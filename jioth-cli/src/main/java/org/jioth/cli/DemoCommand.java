package org.jioth.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import org.jioth.Ioth;
import org.jioth.IothStack;
import org.jioth.PluginInfo;
import org.jioth.bench.TcpProbes;
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
                    long[] rtt = TcpProbes.roundTripNanos(c, roundTrips);
                    out.printf("%nround trip (1 byte, %d times): median %.1f us, p99 %.1f us%n",
                            roundTrips, TcpProbes.percentileMicros(rtt, 50), TcpProbes.percentileMicros(rtt, 99));
                }
                try (SocketChannel c = connect(s, at)) {
                    double gbps = TcpProbes.echoGigabitsPerSecond(c, (long) megabytes << 20);
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
        TcpProbes.writeFully(c, ByteBuffer.wrap(data));
        ByteBuffer back = ByteBuffer.allocate(data.length);
        TcpProbes.readFully(c, back);
        return new String(back.array(), StandardCharsets.UTF_8);
    }
}
