package org.jioth.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.time.Duration;
import org.jioth.Ioth;
import org.jioth.IothStack;

/**
 * The server side of a cross-process {@link StackBench} row, run as a child JVM by
 * {@link PeerProcess}: opens one stack, configures {@code vde0}, runs {@link TcpServers} and
 * prints {@code ready SINK ECHO CHURN} (the three ports) on stdout. It serves until its stdin ends
 * (the bench closed it, or died) or its lifetime passes, whichever is first, then exits.
 *
 * <p>Arguments: {@code STACK VNL ADDRESS/PREFIX LIFETIME_SECONDS [LICENSE]}. With VNL {@code -}
 * the stack is opened without a network and left unconfigured: the kernel stack in a network
 * namespace the bench set up, listening on ADDRESS.
 *
 * <p>A line {@code stats} on stdin prints the stack's statistics (non-zero ones) on stderr, so a
 * lab script can read the receiver's counters between two runs.
 */
public final class StackPeer {
    private StackPeer() {
    }

    private static void serveUntilStdinEnds(IothStack stack) throws IOException {
        java.io.BufferedReader in = new java.io.BufferedReader(
                new java.io.InputStreamReader(System.in, java.nio.charset.StandardCharsets.US_ASCII));
        String line;
        while ((line = in.readLine()) != null) {
            if (line.strip().equals("stats")) {
                StringBuilder b = new StringBuilder("stats");
                new java.util.TreeMap<>(stack.statistics()).forEach((k, v) -> {
                    if (v != 0) {
                        b.append(' ').append(k).append('=').append(v);
                    }
                });
                System.err.println(b);
            }
        }
    }

    public static void main(String[] args) {
        PrintStream out = System.out;
        if (args.length < 4 || args.length > 5) {
            System.err.println("usage: StackPeer STACK VNL|- ADDRESS/PREFIX LIFETIME_SECONDS [LICENSE]");
            System.exit(2);
        }
        Duration lifetime = Duration.ofSeconds(Long.parseLong(args[3]));
        // bounded in time even if the bench neither closes stdin nor kills us
        Thread.ofPlatform().daemon().name("peer-lifetime").start(() -> {
            try {
                Thread.sleep(lifetime);
                System.err.println("stack peer: lifetime of " + lifetime.toSeconds() + " s over, exiting");
                Runtime.getRuntime().halt(3);
            } catch (InterruptedException e) {
                // not reached: nobody interrupts it
            }
        });
        if (args.length == 5) {
            Ioth.setLicense(args[4]);
        }
        String[] addr = args[2].split("/");
        int code = 0;
        IothStack stack = null;
        try {
            stack = open(args[0], args[1], InetAddress.ofLiteral(addr[0]), Integer.parseInt(addr[1]));
            try (TcpServers servers = TcpServers.start(stack.provider(), InetAddress.ofLiteral(addr[0]))) {
                out.println("ready " + servers.ports().format());
                out.flush();
                serveUntilStdinEnds(stack);
                if (servers.failure() != null) {
                    System.err.println("stack peer: a server failed: " + servers.failure());
                }
                String losses = LossCounters.of(stack).total();
                if (!losses.isEmpty()) {
                    System.err.println("server stack in all: " + losses + ", "
                            + stack.statistics().getOrDefault("Eth.InFrames", -1L) + " frames received");
                }
                PortCalls calls = PortCalls.of(stack);
                if (calls != null) {
                    System.err.println("server port in all: " + calls.since(null));
                }
            }
        } catch (IOException | RuntimeException e) {
            System.err.println("stack peer: " + e);
            out.println("failed " + StackBench.reason(e));
            out.flush();
            code = 1;
        } finally {
            if (stack != null) {
                try {
                    stack.closeForcibly();
                } catch (IOException | RuntimeException e) {
                    System.err.println("stack peer: closing the stack: " + e);
                }
            }
        }
        System.exit(code);
    }

    private static IothStack open(String spec, String vnl, InetAddress address, int prefix) throws IOException {
        if (vnl.equals("-")) {
            return Ioth.newStack(spec);
        }
        IothStack s = Ioth.newStack(spec, vnl);
        try {
            StackPair.configure(s, address, prefix);
            return s;
        } catch (IOException | RuntimeException e) {
            s.closeForcibly();
            throw e;
        }
    }
}
