package org.jioth.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jioth.Ioth;
import org.jioth.bench.TcpMeasurements.Bulk;
import org.jioth.bench.TcpMeasurements.Churn;
import org.jioth.bench.TcpMeasurements.RoundTrips;

/**
 * TCP figures for any stack plug-in, with the kernel's in the same run as the reference: for each
 * stack and network, two stacks of the plug-in on the network (client 192.168.250.50, server .51)
 * measure bulk throughput one way, 1-byte round trips and connections/s; the kernel plug-in does
 * the same over 127.0.0.1. A stack that is not installed or cannot be set up is reported as
 * skipped with the reason. Figures are printed as a Markdown table, never asserted.
 */
public final class StackBench {
    /** The reference row's network. */
    static final String LOOPBACK = "loopback 127.0.0.1";

    /** What to measure and the bounds of each measurement (time and count). */
    public record Options(List<String> stacks, List<String> networks, Duration time, long maxBulkBytes,
            int maxRoundTrips, int maxConnections) {
        public Options {
            stacks = List.copyOf(stacks);
            networks = List.copyOf(networks);
            if (time.isNegative() || time.isZero() || maxBulkBytes < 1 || maxRoundTrips < 1 || maxConnections < 1) {
                throw new IllegalArgumentException("time and counts must be positive");
            }
            if (networks.isEmpty()) {
                throw new IllegalArgumentException("no network given");
            }
            networks.forEach(BenchNetwork::check);
        }

        /**
         * kernel, vdestack and jnet on the in-JVM switch; 3 s, 1 GiB (the kernel moves 256 MiB over
         * loopback in about 0.1 s, too short to read), 20,000 round trips, 20,000 connections (the
         * kernel's loopback churn stays well inside the ephemeral port range).
         */
        public static Options defaults() {
            return new Options(List.of("kernel", "vdestack", "jnet"), List.of(BenchNetwork.IN_JVM), Duration.ofSeconds(3),
                    1L << 30, 20_000, 20_000);
        }
    }

    /**
     * One table row. A measurement that failed is null and its error is in {@code note}; a row
     * whose stacks could not be made has only the note.
     */
    public record Row(String stack, String network, Bulk bulk, RoundTrips roundTrips, Churn connections, String note) {
        public boolean measured() {
            return bulk != null || roundTrips != null || connections != null;
        }

        public boolean isReference() {
            return stack.equals(Ioth.KERNEL) && network.equals(LOOPBACK);
        }
    }

    private final Options options;
    private final PrintStream log;

    public StackBench(Options options, PrintStream log) {
        this.options = options;
        this.log = log;
    }

    public static void main(String[] args) throws Exception {
        printTable(new StackBench(Options.defaults(), System.err).run(), System.out);
    }

    /** The kernel reference first, then every other stack on every network. */
    public List<Row> run() throws InterruptedException {
        List<Row> rows = new ArrayList<>();
        rows.add(reference());
        Set<String> others = new LinkedHashSet<>(options.stacks());
        others.remove(Ioth.KERNEL);
        if (others.isEmpty()) {
            return rows;
        }
        for (String net : options.networks()) {
            BenchNetwork network;
            try {
                network = BenchNetwork.open(net);
            } catch (IOException | RuntimeException e) {
                log.printf("network %s: cannot start: %s%n", net, reason(e));
                for (String s : others) {
                    rows.add(new Row(s, net, null, null, null, "skipped: network " + net + ": " + reason(e)));
                }
                continue;
            }
            try (network) {
                for (String s : others) {
                    rows.add(onNetwork(s, network));
                }
            } catch (IOException e) {
                log.printf("network %s: closing: %s%n", net, reason(e));
            }
        }
        return rows;
    }

    private Row reference() throws InterruptedException {
        log.printf("kernel over %s (the reference)%n", LOOPBACK);
        try (StackPair pair = StackPair.kernelLoopback()) {
            return measure(Ioth.KERNEL, LOOPBACK, pair);
        } catch (IOException | RuntimeException e) {
            log.printf("kernel: %s%n", reason(e));
            return new Row(Ioth.KERNEL, LOOPBACK, null, null, null, "skipped: " + reason(e));
        }
    }

    private Row onNetwork(String stack, BenchNetwork network) throws InterruptedException {
        log.printf("%s over %s (%s)%n", stack, network.description(), network.vnl());
        StackPair pair;
        try {
            pair = StackPair.onNetwork(stack, network.vnl());
        } catch (IOException | RuntimeException e) {
            log.printf("%s: skipped: %s%n", stack, reason(e));
            return new Row(stack, network.description(), null, null, null, "skipped: " + reason(e));
        }
        try (pair) {
            return measure(stack, network.description(), pair);
        } catch (IOException e) {
            log.printf("%s: closing the stacks: %s%n", stack, reason(e));
            return new Row(stack, network.description(), null, null, null, "failed: " + reason(e));
        }
    }

    /** The three measurements, each on its own: one failing leaves the others' figures. */
    private Row measure(String stack, String network, StackPair pair) throws InterruptedException {
        TcpMeasurements m = new TcpMeasurements(pair.client.provider(), pair.server.provider(), pair.serverAddress,
                options.time());
        List<String> problems = new ArrayList<>();
        Bulk bulk = null;
        RoundTrips rtt = null;
        Churn churn = null;
        try {
            bulk = m.bulk(options.maxBulkBytes());
            log.printf(Locale.ROOT, "  bulk: %.3f Gbit/s (%d MiB in %.2f s)%n", bulk.gigabitsPerSecond(), bulk.bytes() >> 20,
                    bulk.seconds());
        } catch (IOException | RuntimeException e) {
            problems.add("bulk: " + reason(e));
        }
        try {
            rtt = m.roundTrips(options.maxRoundTrips());
            log.printf(Locale.ROOT, "  round trip: median %.1f us, p99 %.1f us (%d)%n", rtt.medianMicros(), rtt.p99Micros(),
                    rtt.count());
        } catch (IOException | RuntimeException e) {
            problems.add("round trips: " + reason(e));
        }
        try {
            churn = m.connections(options.maxConnections());
            log.printf(Locale.ROOT, "  connections: %.0f /s (%d in %.2f s)%n", churn.perSecond(), churn.count(), churn.seconds());
        } catch (IOException | RuntimeException e) {
            problems.add("connections: " + reason(e));
        }
        problems.forEach(p -> log.println("  failed: " + p));
        return new Row(stack, network, bulk, rtt, churn, problems.isEmpty() ? "" : "failed: " + String.join("; ", problems));
    }

    /** The first line of the message (a missing plug-in's message goes on to list where it looked). */
    static String reason(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int nl = m.indexOf('\n');
        return (nl < 0 ? m : m.substring(0, nl)).replace('|', '/').strip();
    }

    /** A Markdown table of {@code rows}, with each figure's ratio to the kernel reference's. */
    public static void printTable(List<Row> rows, PrintStream out) {
        Row k = rows.stream().filter(Row::isReference).findFirst().orElse(null);
        out.println("| stack | network | bulk Gbit/s | × kernel | 1-byte RTT median (p99) µs | × kernel | connections/s | × kernel | measured | note |");
        out.println("|---|---|---:|---:|---:|---:|---:|---:|---|---|");
        for (Row r : rows) {
            String bulk = r.bulk() == null ? "–" : f("%.3f", r.bulk().gigabitsPerSecond());
            String bulkRatio = r.bulk() == null || k == null || k.bulk() == null ? "–"
                    : ratio(r.bulk().gigabitsPerSecond() / k.bulk().gigabitsPerSecond());
            String rtt = r.roundTrips() == null ? "–"
                    : f("%.1f (%.0f)", r.roundTrips().medianMicros(), r.roundTrips().p99Micros());
            String rttRatio = r.roundTrips() == null || k == null || k.roundTrips() == null ? "–"
                    : ratio(r.roundTrips().medianMicros() / k.roundTrips().medianMicros());
            String conn = r.connections() == null ? "–" : f("%,.0f", r.connections().perSecond());
            String connRatio = r.connections() == null || k == null || k.connections() == null ? "–"
                    : ratio(r.connections().perSecond() / k.connections().perSecond());
            out.printf("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n", r.stack(), r.network(), bulk, bulkRatio, rtt,
                    rttRatio, conn, connRatio, counts(r), firstSentence(r.note()));
        }
        out.println();
        out.println("× kernel: the figure divided by the kernel's over loopback (for round trips, above 1 is slower).");
    }

    /** Notes are cut to their first sentence in the table; the log has them whole. */
    static String firstSentence(String note) {
        int end = note.indexOf(". ");
        return end < 0 ? note : note.substring(0, end + 1);
    }

    private static String counts(Row r) {
        if (!r.measured()) {
            return "";
        }
        List<String> c = new ArrayList<>();
        if (r.bulk() != null) {
            c.add(f("%,d MiB / %.1f s", r.bulk().bytes() >> 20, r.bulk().seconds()));
        }
        if (r.roundTrips() != null) {
            c.add(f("%,d RTs", r.roundTrips().count()));
        }
        if (r.connections() != null) {
            c.add(f("%,d conns / %.1f s", r.connections().count(), r.connections().seconds()));
        }
        return String.join(", ", c);
    }

    private static String ratio(double x) {
        return x >= 10 ? f("%.0f", x) : x >= 0.1 ? f("%.2f", x) : f("%.3f", x);
    }

    private static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
