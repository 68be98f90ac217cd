package org.jioth.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import org.jioth.Ioth;
import org.jioth.IothStack;
import org.jioth.bench.TcpMeasurements.Bulk;
import org.jioth.bench.TcpMeasurements.Churn;
import org.jioth.bench.TcpMeasurements.RoundTrips;

/**
 * A stack plug-in (jnet) against the Linux kernel as its peer, with the kernel against itself on
 * the same path in the same run as the reference ({@code ioth bench stack --network
 * vde_switch-kernel}). The path: Debian's {@code vde_switch}, or with an impairment two of them
 * joined by {@code wirefilter} (loss %, 5±3 ms delay and 1 % duplication each way), clients on
 * the first, servers on the second. Kernel peers live in two network namespaces whose taps
 * {@code vde_plug} puts on the switches (client 192.168.250.50, server .51); the kernel server and
 * the stack's server (.52) are {@link StackPeer} child JVMs with the JDK's sockets or the stack's;
 * the kernel client is a thread of this JVM moved into its namespace, the stack's client (.53) a
 * stack of this JVM. Three rows per path: kernel → kernel, kernel client → stack server, stack
 * client → kernel server; five jobs each ({@link TcpMeasurements}), each bounded by time and count.
 */
public final class KernelPeerBench {
    public static final String NETWORK = "vde_switch-kernel";
    static final InetAddress STACK_SERVER = InetAddress.ofLiteral("192.168.250.52");
    static final InetAddress STACK_CLIENT = InetAddress.ofLiteral("192.168.250.53");
    static final int DELAY_MILLIS = 5;
    static final int JITTER_MILLIS = 3;
    static final double DUP_PERCENT = 1;

    /** What to run: the stack, the loss levels of the impaired paths (the clean path always comes first), the bounds. */
    public record Options(String stack, List<Double> lossPercents, Duration time, long maxBulkBytes, int maxRoundTrips,
            int maxConnections, Duration warmup) {
        public Options {
            lossPercents = List.copyOf(lossPercents);
            for (double p : lossPercents) {
                if (!(p >= 0 && p < 100)) {
                    throw new IllegalArgumentException("a loss of " + p + " % is not a percentage below 100");
                }
            }
        }
    }

    /** The five jobs' figures (a failed one is null, its reason in {@code note}). */
    public record Row(String pair, String path, Bulk up, Bulk down, Bulk echo, RoundTrips rtt, Churn churn, String note) {
        boolean isKernelPair() {
            return pair.equals(KERNEL_PAIR);
        }
    }

    static final String KERNEL_PAIR = "kernel client → kernel server";

    private final Options options;
    private final PrintStream log;

    public KernelPeerBench(Options options, PrintStream log) {
        this.options = options;
        this.log = log;
    }

    /** Why it cannot run here, or null. */
    static String unavailable(boolean impaired) {
        String missing = KernelOverVde.unavailable();
        if (missing != null) {
            return missing;
        }
        if (!SwitchUnderTest.External.vdeSwitchInstalled()) {
            return "vde_switch is not installed (Debian package vde-switch)";
        }
        if (impaired && !Wirefilter.installed()) {
            return "wirefilter is not installed (Debian package vde2)";
        }
        return null;
    }

    public List<Row> run() {
        List<Row> rows = new ArrayList<>();
        List<Double> levels = new ArrayList<>();
        levels.add(null);
        levels.addAll(options.lossPercents());
        for (Double loss : levels) {
            String path = loss == null ? "vde_switch"
                    : f("wirefilter %s %% loss, %d±%d ms, %s %% dup", fmt(loss), DELAY_MILLIS, JITTER_MILLIS, fmt(DUP_PERCENT));
            String missing = unavailable(loss != null);
            if (missing != null) {
                log.printf("%s: skipped: %s%n", path, missing);
                rows.add(new Row(KERNEL_PAIR, path, null, null, null, null, null, "skipped: " + missing));
                continue;
            }
            try {
                rows.addAll(onPath(path, loss));
            } catch (Exception e) {
                log.printf("%s: %s%n", path, StackBench.reason(e));
                rows.add(new Row(KERNEL_PAIR, path, null, null, null, null, null, "skipped: " + StackBench.reason(e)));
            }
        }
        return rows;
    }

    private List<Row> onPath(String path, Double loss) throws Exception {
        List<Row> rows = new ArrayList<>();
        try (SwitchUnderTest.External clientSide = SwitchUnderTest.External.vdeSwitch();
                SwitchUnderTest.External serverSide = loss == null ? null : SwitchUnderTest.External.vdeSwitch();
                Wirefilter wf = loss == null ? null
                        : Wirefilter.start(clientSide.dir(), serverSide.dir(), loss, DELAY_MILLIS, JITTER_MILLIS, DUP_PERCENT)) {
            Path serverSwitch = serverSide == null ? clientSide.dir() : serverSide.dir();
            try (KernelOverVde k = KernelOverVde.create(clientSide.dir(), serverSwitch);
                    PeerProcess kernelServer = PeerProcess.start(k.inServerNs(), Ioth.KERNEL, "-",
                            StackPair.SERVER.getHostAddress() + "/24", peerLifetime(), log)) {
                log.printf("%s: %s%n", path, KERNEL_PAIR);
                rows.add(kernelClient(k, KERNEL_PAIR, path, StackPair.SERVER, kernelServer.ports()));

                String stackServer = "kernel client → " + options.stack() + " server";
                log.printf("%s: %s%n", path, stackServer);
                try (PeerProcess peer = PeerProcess.start(List.of(), options.stack(), "vde://" + serverSwitch,
                        STACK_SERVER.getHostAddress() + "/24", peerLifetime(), log)) {
                    rows.add(kernelClient(k, stackServer, path, STACK_SERVER, peer.ports()));
                } catch (IOException | RuntimeException e) {
                    rows.add(new Row(stackServer, path, null, null, null, null, null, "skipped: " + StackBench.reason(e)));
                }

                String stackClient = options.stack() + " client → kernel server";
                log.printf("%s: %s%n", path, stackClient);
                IothStack client = null;
                try {
                    client = Ioth.newStack(options.stack(), "vde://" + clientSide.dir());
                    StackPair.configure(client, STACK_CLIENT, 24);
                    rows.add(measure(stackClient, path, new TcpMeasurements(client.provider(), StackPair.SERVER,
                            kernelServer.ports(), options.time())));
                } catch (IOException | RuntimeException e) {
                    rows.add(new Row(stackClient, path, null, null, null, null, null, "skipped: " + StackBench.reason(e)));
                } finally {
                    if (client != null) {
                        client.closeForcibly();
                    }
                }
            }
        }
        return rows;
    }

    private Row kernelClient(KernelOverVde k, String pair, String path, InetAddress server, TcpServers.Ports ports)
            throws Exception {
        IothStack client = Ioth.newStack(Ioth.KERNEL);
        try {
            return k.inClientNs(() -> measure(pair, path, new TcpMeasurements(client.provider(), server, ports, options.time())),
                    peerLifetime().toSeconds());
        } finally {
            client.closeForcibly();
        }
    }

    /** Long enough for a peer to serve the five jobs (and their warm-ups), each to its time limit and grace. */
    private Duration peerLifetime() {
        return options.time().plus(options.warmup()).plus(TcpMeasurements.GRACE.multipliedBy(2)).multipliedBy(5)
                .plus(PeerProcess.READY_TIMEOUT);
    }

    private interface Job<T> {
        T run(TcpMeasurements m) throws IOException;
    }

    /** The five jobs, each warmed up unreported first, each on its own: one failing leaves the others' figures. */
    private Row measure(String pair, String path, TcpMeasurements m) {
        List<String> problems = new ArrayList<>();
        long bulkMax = options.maxBulkBytes();
        Bulk up = job("bulk client → server", m, x -> x.bulk(bulkMax), problems);
        Bulk down = job("bulk server → client", m, x -> x.bulkFromServer(bulkMax), problems);
        Bulk echo = job("echo streaming", m, x -> x.echoStream(bulkMax), problems);
        RoundTrips rtt = job("round trips", m, x -> x.roundTrips(options.maxRoundTrips()), problems);
        Churn churn = job("connections", m, x -> x.connections(options.maxConnections()), problems);
        return new Row(pair, path, up, down, echo, rtt, churn, problems.isEmpty() ? "" : "failed: " + String.join("; ", problems));
    }

    private <T> T job(String name, TcpMeasurements m, Job<T> job, List<String> problems) {
        if (!options.warmup().isZero()) {
            try {
                job.run(m.withTime(options.warmup()));
            } catch (IOException | RuntimeException e) {
                log.printf("  warm-up of %s: %s%n", name, StackBench.reason(e));
            }
        }
        java.time.LocalTime start = java.time.LocalTime.now(java.time.ZoneOffset.UTC);
        try {
            T t = job.run(m);
            // the measured job's wall-clock window (UTC), to cut a flight recording of a peer by job
            log.printf("  %s: %s [%s-%s]%n", name, describe(t), start, java.time.LocalTime.now(java.time.ZoneOffset.UTC));
            return t;
        } catch (IOException | RuntimeException e) {
            log.printf("  %s: failed: %s%n", name, StackBench.reason(e));
            problems.add(name + ": " + StackBench.reason(e));
            return null;
        }
    }

    private static String describe(Object t) {
        return switch (t) {
            case Bulk b -> f("%.1f MB/s (%d MiB in %.2f s)", mbps(b), b.bytes() >> 20, b.seconds());
            case RoundTrips r -> f("median %.1f us, p99 %.1f us (%d)", r.medianMicros(), r.p99Micros(), r.count());
            case Churn c -> f("%.0f /s (%d in %.2f s)", c.perSecond(), c.count(), c.seconds());
            default -> String.valueOf(t);
        };
    }

    static double mbps(Bulk b) {
        return b.bytes() / b.seconds() / 1e6;
    }

    /** A Markdown table: every figure, and each non-kernel row's ratio to the kernel pair on the same path. */
    public static void printTable(List<Row> rows, PrintStream out) {
        out.println("| pair | path | bulk c→s MB/s | × k | bulk s→c MB/s | × k | echo streaming MB/s | × k"
                + " | 1-byte RTT median (p99) µs | × k | connections/s | × k | note |");
        out.println("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        for (Row r : rows) {
            Row k = rows.stream().filter(x -> x.isKernelPair() && x.path().equals(r.path())).findFirst().orElse(null);
            boolean ref = r.isKernelPair() || k == null;
            out.printf("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n", r.pair(), r.path(),
                    bulk(r.up()), ref ? "" : ratio(r.up(), k.up(), KernelPeerBench::mbps),
                    bulk(r.down()), ref ? "" : ratio(r.down(), k.down(), KernelPeerBench::mbps),
                    bulk(r.echo()), ref ? "" : ratio(r.echo(), k.echo(), KernelPeerBench::mbps),
                    r.rtt() == null ? "–" : f("%.1f (%.0f)", r.rtt().medianMicros(), r.rtt().p99Micros()),
                    ref ? "" : ratio(r.rtt(), k.rtt(), RoundTrips::medianMicros),
                    r.churn() == null ? "–" : f("%,.0f", r.churn().perSecond()),
                    ref ? "" : ratio(r.churn(), k.churn(), Churn::perSecond),
                    StackBench.firstSentence(r.note()));
        }
        out.println();
        out.println("× k: the figure divided by the kernel client → kernel server row's on the same path, same run"
                + " (above 1 is better, except for the round trip, where above 1 is slower).");
    }

    private static String bulk(Bulk b) {
        return b == null ? "–" : f("%.1f", mbps(b));
    }

    private static <T> String ratio(T x, T kernel, Function<T, Double> value) {
        if (x == null || kernel == null) {
            return "–";
        }
        double r = value.apply(x) / value.apply(kernel);
        return r >= 10 ? f("%.0f", r) : r >= 0.1 ? f("%.2f", r) : f("%.3f", r);
    }

    private static String fmt(double x) {
        return x == Math.rint(x) ? Long.toString((long) x) : Double.toString(x);
    }

    private static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
