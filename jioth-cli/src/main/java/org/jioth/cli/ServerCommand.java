package org.jioth.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.jioth.IothStack;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** libioth's iothtest_server: a TCP echo server on a stack, a virtual thread per connection. */
@Command(name = "server", mixinStandardHelpOptions = true,
        description = {"TCP echo server on a stack (libioth's iothtest_server).",
                "Configures IFNAME up with each ADDR (IPv4 and/or IPv6) and a default route per family, listens on"
                        + " PORT (on :: when the stack is dual-stack, so both families), echoes every connection"
                        + " and every UDP datagram,"
                        + " and prints 'listening on ADDR:PORT (...)' once it accepts. The seed's log lines"
                        + " (new conn, GOT:, close conn) are printed; GOT: lines stop after --log-bytes of data"
                        + " per connection, and --quiet drops them."})
final class ServerCommand implements Callable<Integer> {
    static final String DEFAULT_ADDRESS = "192.168.250.50/24";

    @Mixin
    SeedOptions seed;

    @Option(names = {"-q", "--quiet"}, description = "no GOT: lines (connections are still logged)")
    boolean quiet;

    @Option(names = "--log-bytes", defaultValue = "65536", paramLabel = "BYTES",
            description = "GOT: lines stop after this much data per connection (default ${DEFAULT-VALUE})")
    long logBytes;

    @Option(names = "--stats", description = "print the stack's statistics() on exit (also on Ctrl-C and SIGTERM),"
            + " and whenever the server gets SIGUSR1")
    boolean stats;

    @Override
    public Integer call() throws IOException {
        PrintStream out = System.out;
        PrintStream err = System.err;
        IothStack s = seed.openConfigured("server", DEFAULT_ADDRESS, err);
        if (s == null) {
            return 1;
        }
        Thread statsHook = stats ? new Thread(() -> printStatistics(s, out), "ioth-server-stats") : null;
        try {
            EchoServer server;
            try {
                server = new EchoServer(s, new InetSocketAddress(seed.port), out, true).dataLogLimit(quiet ? 0 : logBytes);
            } catch (IOException e) {
                err.println("bind: " + e.getMessage());
                return 1;
            }
            UdpEcho udp;
            try {
                udp = new UdpEcho(s, new InetSocketAddress(seed.port), quiet ? null : out);
            } catch (IOException e) {
                err.println("bind udp: " + e.getMessage());
                server.close();
                return 1;
            }
            if (statsHook != null) {
                // before the ready line: a script that signals as soon as it reads that line must find
                // the handler in place (SIGUSR1's default action ends the process)
                Runtime.getRuntime().addShutdownHook(statsHook);
                printOnSignal(s, out);
            }
            out.println("listening on " + readyAddress(s) + ":" + server.localAddress().getPort() + " (" + seed.describe(s) + ")");
            out.flush();
            LinkWatcher.start(s, "server", err);
            server.acceptLoop();
            server.close();
            udp.close();
            return StackOpener.exitCode(s, "server", err);
        } finally {
            if (statsHook != null) {
                try {
                    Runtime.getRuntime().removeShutdownHook(statsHook);
                    printStatistics(s, out);
                } catch (IllegalStateException shuttingDown) {
                    // the hook prints them
                }
            }
            s.closeForcibly();
        }
    }

    private String readyAddress(IothStack s) {
        if (seed.loopbackOnly) {
            return InetAddress.getLoopbackAddress().getHostAddress();
        }
        if (seed.conf != null) {
            InetAddress got = SeedOptions.firstAddress(s, seed.ifname);
            return got == null ? "0.0.0.0" : got.getHostAddress();
        }
        return seed.network(DEFAULT_ADDRESS).firstAddressText();
    }

    /**
     * {@code kill -USR1 PID} prints the statistics of a running server (SIGQUIT would be the
     * natural signal, but HotSpot keeps it for its thread dump).
     */
    private static void printOnSignal(IothStack s, PrintStream out) {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("USR1"), sig -> printStatistics(s, out));
        } catch (IllegalArgumentException | UnsupportedOperationException taken) {
            System.getLogger(ServerCommand.class.getName()).log(System.Logger.Level.DEBUG,
                    "no SIGUSR1 handler: " + taken.getMessage());
        }
    }

    static void printStatistics(IothStack s, PrintStream out) {
        Map<String, Long> st = new TreeMap<>(s.statistics());
        out.println("statistics of " + s.name() + (st.isEmpty() ? ": none kept by this plug-in" : ":"));
        st.forEach((k, v) -> out.println("  " + k + " " + v));
        out.flush();
    }
}
