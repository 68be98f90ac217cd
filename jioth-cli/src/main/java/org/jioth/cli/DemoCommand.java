package org.jioth.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.jioth.vde.EthernetPort;
import org.jioth.vde.EthernetPorts;
import org.jioth.Ioth;
import org.jioth.IothStack;
import org.jioth.PluginInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The main job: in one JVM, a switch, an echo server stack and a client stack (jnet by default),
 * a few echoed lines, then round-trip and throughput figures, and how to join the same switch
 * from another terminal. With {@code --stack kernel} it runs on the host stack over loopback.
 * Needs no external switch and no privilege.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Hosts a switch, runs the seed's echo server and a client on two stacks in this JVM,"
                + " then prints round-trip and throughput figures. Needs no external switch and no privilege.")
final class DemoCommand implements Callable<Integer> {
    private static final int PORT = 5000;
    private static final long THROUGHPUT_LIMIT_MILLIS = 60_000;

    @Option(names = "--stack", defaultValue = "jnet",
            description = "stack plug-in (default ${DEFAULT-VALUE}); 'kernel' runs over the host's loopback")
    String stack;

    @Option(names = "--round-trips", defaultValue = "2000", description = "1-byte round trips to time (default ${DEFAULT-VALUE})")
    int roundTrips;

    @Option(names = "--megabytes", defaultValue = "64", description = "MiB to push through the echo (default ${DEFAULT-VALUE})")
    int megabytes;

    @Option(names = "--linger", defaultValue = "0", paramLabel = "SECONDS",
            description = "keep the switch and the echo server up this long afterwards, for others to join")
    int lingerSeconds;

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        out.println("jioth demo: stacks are plug-ins; this JVM found:");
        for (PluginInfo p : Ioth.plugins()) {
            out.println("  " + p.name() + "  " + p.license().orElse("-") + "  " + p.description());
        }
        return Ioth.KERNEL.equals(stack) ? kernelDemo(out) : switchDemo(out);
    }

    /** Two stacks of the chosen plug-in on a switch this JVM hosts. */
    private int switchDemo(PrintStream out) throws Exception {
        Ioth.setLicense("GPL-2.0-or-later"); // as the seed programs: any plug-in's licence allows it
        Path base = Files.createTempDirectory("jioth-demo-");
        Path dir = base.resolve("sw");
        String vnl = "vde://" + dir;
        try (EthernetPort host = EthernetPorts.open("switch://" + dir)) {
            out.println();
            out.println("Hosting a switch at " + dir + "; two '" + stack + "' stacks join it with " + vnl);
            IothStack server = Ioth.newStack(stack, vnl);
            IothStack client = null;
            try {
                SeedNetwork.parse("vde0", "192.168.250.50/24", "192.168.250.1").apply(server, System.err);
                client = Ioth.newStack(stack, vnl);
                SeedNetwork.parse("vde0", "192.168.250.51/24", "192.168.250.1").apply(client, System.err);
                InetSocketAddress at = new InetSocketAddress(InetAddress.ofLiteral("192.168.250.50"), PORT);
                try (EchoServer echo = new EchoServer(server, new InetSocketAddress(PORT), out, true).start();
                     EchoServer quiet = new EchoServer(server, new InetSocketAddress(PORT + 1), out, false).start()) {
                    out.println("server 192.168.250.50:" + PORT + ", client 192.168.250.51");
                    exchange(out, client, at);
                    measure(out, client, new InetSocketAddress(at.getAddress(), PORT + 1));
                    out.println();
                    out.println("Join the same network from another terminal while a demo runs (./ioth demo --linger 120):");
                    out.println("  ./ioth client " + stack + " " + vnl + " --addr 192.168.250.52/24   (type lines, see them echoed)");
                    out.println("  vde_plug " + vnl + " ...   (Debian's vdeplug; e.g. vde_plug " + vnl + " tap://tap0 as root)");
                    linger(out);
                }
            } finally {
                if (client != null) {
                    client.closeForcibly();
                }
                server.closeForcibly();
            }
        } finally {
            Files.deleteIfExists(dir);
            Files.deleteIfExists(base);
        }
        return 0;
    }

    /** One kernel stack, server and client over 127.0.0.1. */
    private int kernelDemo(PrintStream out) throws Exception {
        InetAddress loopback = InetAddress.ofLiteral("127.0.0.1");
        try (IothStack s = Ioth.newStack(stack)) {
            out.println();
            out.println("On stack '" + s + "': the seed's echo server and a client over loopback, in this JVM.");
            try (EchoServer server = new EchoServer(s, new InetSocketAddress(loopback, 0), out, true).start();
                 EchoServer quiet = new EchoServer(s, new InetSocketAddress(loopback, 0), out, false).start()) {
                exchange(out, s, server.localAddress());
                measure(out, s, quiet.localAddress());
            }
            out.println();
            out.println("Next: the same server on a stack of its own, e.g. in a private namespace:");
            out.println("  unshare -rn sh -c 'ip link set lo up; ip link add vde0 type dummy || ip link add vde0 type bridge; "
                    + "./ioth server kernel & sleep 3; ./ioth client kernel'");
        }
        return 0;
    }

    private static void exchange(PrintStream out, IothStack client, InetSocketAddress at) throws Exception {
        try (SocketChannel c = connect(client, at)) {
            for (String line : new String[] {"hello from jioth\n", "the Internet of Threads\n", "bye\n"}) {
                out.print("client got back: " + echo(c, line));
                out.flush();
            }
        }
        waitForLogLines();
    }

    /** Round trips and throughput on fresh connections to a quiet echo server. */
    private void measure(PrintStream out, IothStack client, InetSocketAddress at) throws Exception {
        try (SocketChannel c = connect(client, at)) {
            long[] rtt = DemoProbes.roundTripNanos(c, roundTrips);
            out.printf("%nround trip (1 byte, %d times): median %.1f us, p99 %.1f us%n",
                    roundTrips, DemoProbes.percentileMicros(rtt, 50), DemoProbes.percentileMicros(rtt, 99));
        }
        try (SocketChannel c = connect(client, at)) {
            // A demo must never hang: if the echo makes no headway in time, closing the channel
            // ends the measurement and the demo says so.
            Thread watchdog = Thread.ofVirtual().unstarted(() -> {
                try {
                    Thread.sleep(THROUGHPUT_LIMIT_MILLIS);
                    c.close();
                } catch (InterruptedException | IOException e) {
                    // finished in time, or already closed
                }
            });
            watchdog.start();
            try {
                double gbps = DemoProbes.echoGigabitsPerSecond(c, (long) megabytes << 20);
                out.printf("throughput (%d MiB echoed): %.2f Gbit/s each way%n", megabytes, gbps);
            } catch (IOException e) {
                if (c.isOpen()) {
                    throw e;
                }
                throw new IOException("the throughput measurement made no progress in "
                        + THROUGHPUT_LIMIT_MILLIS / 1000 + " s and was stopped", e);
            } finally {
                watchdog.interrupt();
            }
        }
        waitForLogLines();
    }

    private void linger(PrintStream out) throws InterruptedException {
        if (lingerSeconds > 0) {
            out.println("(the switch and the echo server stay up for " + lingerSeconds + " s)");
            Thread.sleep(lingerSeconds * 1000L);
        }
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
        DemoProbes.writeFully(c, ByteBuffer.wrap(data));
        ByteBuffer back = ByteBuffer.allocate(data.length);
        DemoProbes.readFully(c, back);
        return new String(back.array(), StandardCharsets.UTF_8);
    }
}
