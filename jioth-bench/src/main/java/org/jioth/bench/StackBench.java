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
import org.jioth.IothStack;
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
    /** The kernel-over-VDE anchor row's network (on a {@code vde_switch-2proc} network). */
    static final String KERNEL_OVER_VDE = "2 namespaces, taps on vde_switch";
    /** The network column of a row whose server stack ran in a child JVM. */
    static final String CROSS_PROCESS = BenchNetwork.CROSS_PROCESS_DESCRIPTION;

    /** What to measure and the bounds of each measurement (time and count). */
    public record Options(List<String> stacks, List<String> networks, Duration time, long maxBulkBytes,
            int maxRoundTrips, int maxConnections, Duration warmup) {
        public Options {
            stacks = List.copyOf(stacks);
            networks = List.copyOf(networks);
            if (time.isNegative() || time.isZero() || maxBulkBytes < 1 || maxRoundTrips < 1 || maxConnections < 1) {
                throw new IllegalArgumentException("time and counts must be positive");
            }
            if (warmup.isNegative()) {
                throw new IllegalArgumentException("the warm-up cannot be negative");
            }
            if (networks.isEmpty()) {
                throw new IllegalArgumentException("no network given");
            }
            networks.forEach(BenchNetwork::check);
        }

        /**
         * kernel, vdestack and jnet on the in-JVM switch; 3 s, 1 GiB (the kernel moves 256 MiB over
         * loopback in about 0.1 s, too short to read), 20,000 round trips, 20,000 connections (the
         * kernel's loopback churn stays well inside the ephemeral port range); each measurement first
         * runs unreported for 2 s, so a JVM started for the row (a peer) is compiled when it counts.
         */
        public static Options defaults() {
            return new Options(List.of("kernel", "vdestack", "jnet"), List.of(BenchNetwork.IN_JVM), Duration.ofSeconds(3),
                    1L << 30, 20_000, 20_000, Duration.ofSeconds(2));
        }
    }

    /**
     * One table row. A measurement that failed is null and its error is in {@code note}; a row
     * whose stacks could not be made has only the note. {@code losses} tells what the client
     * stack's loss counters did during the bulk transfer (empty when it has none).
     */
    public record Row(String stack, String network, Bulk bulk, RoundTrips roundTrips, Churn connections, String note,
            String losses) {
        public Row(String stack, String network, Bulk bulk, RoundTrips roundTrips, Churn connections, String note) {
            this(stack, network, bulk, roundTrips, connections, note, "");
        }

        public boolean measured() {
            return bulk != null || roundTrips != null || connections != null;
        }

        public boolean isReference() {
            return stack.equals(Ioth.KERNEL) && network.equals(LOOPBACK);
        }

        /** The kernel in two namespaces whose taps are on the bench's vde_switch. */
        public boolean isVdeAnchor() {
            return stack.equals(Ioth.KERNEL) && network.equals(KERNEL_OVER_VDE);
        }
    }

    private final Options options;
    /** Also an IPv6 row after each in-JVM stack pair's IPv4 row. */
    private boolean ipv6;
    private final PrintStream log;

    public StackBench(Options options, PrintStream log) {
        this.options = options;
        this.log = log;
    }

    /**
     * Adds an IPv6 row (network column suffixed {@value #IPV6_SUFFIX}) after the IPv4 row of each
     * stack measured with both stacks in this JVM: the same measurements between fd00:250::50 and ::51.
     */
    public StackBench ipv6(boolean on) {
        this.ipv6 = on;
        return this;
    }

    static final String IPV6_SUFFIX = " IPv6";

    public static void main(String[] args) throws Exception {
        printTable(new StackBench(Options.defaults(), System.err).run(), System.out);
    }

    /** The kernel reference first, then every other stack on every network. */
    public List<Row> run() throws InterruptedException {
        List<Row> rows = new ArrayList<>();
        rows.add(reference());
        Set<String> others = new LinkedHashSet<>(options.stacks());
        boolean kernelOverVde = others.remove(Ioth.KERNEL);
        for (String net : options.networks()) {
            boolean twoProcesses = net.equals(BenchNetwork.VDE_SWITCH_2PROC);
            if (others.isEmpty() && !(twoProcesses && kernelOverVde)) {
                continue;
            }
            BenchNetwork network;
            try {
                network = BenchNetwork.open(net);
            } catch (IOException | RuntimeException e) {
                log.printf("network %s: cannot start: %s%n", net, reason(e));
                if (twoProcesses && kernelOverVde) {
                    rows.add(new Row(Ioth.KERNEL, KERNEL_OVER_VDE, null, null, null, "skipped: network " + net + ": " + reason(e)));
                }
                for (String s : others) {
                    rows.add(new Row(s, net, null, null, null, "skipped: network " + net + ": " + reason(e)));
                }
                continue;
            }
            try (network) {
                if (network.twoProcesses() && kernelOverVde) {
                    rows.add(kernelOverVde(network));
                }
                for (String s : others) {
                    rows.add(network.twoProcesses() ? crossProcess(s, network) : onNetwork(s, network, false));
                    if (ipv6 && !network.twoProcesses()) {
                        rows.add(onNetwork(s, network, true));
                    }
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
            return measureInJvm(Ioth.KERNEL, LOOPBACK, pair);
        } catch (IOException | RuntimeException e) {
            log.printf("kernel: %s%n", reason(e));
            return new Row(Ioth.KERNEL, LOOPBACK, null, null, null, "skipped: " + reason(e));
        }
    }

    private Row onNetwork(String stack, BenchNetwork network, boolean v6) throws InterruptedException {
        String where = network.description() + (v6 ? IPV6_SUFFIX : "");
        log.printf("%s over %s (%s)%n", stack, where, network.vnl());
        StackPair pair;
        try {
            pair = v6 ? StackPair.onNetwork6(stack, network.vnl()) : StackPair.onNetwork(stack, network.vnl());
        } catch (IOException | RuntimeException e) {
            log.printf("%s: skipped: %s%n", stack, reason(e));
            return new Row(stack, where, null, null, null, "skipped: " + reason(e));
        }
        try (pair) {
            return measureInJvm(stack, where, pair);
        } catch (IOException e) {
            log.printf("%s: closing the stacks: %s%n", stack, reason(e));
            return new Row(stack, where, null, null, null, "failed: " + reason(e));
        }
    }

    /** Both stacks in this JVM: the servers on the pair's server stack. */
    private Row measureInJvm(String stack, String network, StackPair pair) throws IOException {
        try (TcpServers servers = TcpServers.start(pair.server.provider(), pair.serverAddress)) {
            Row row = measure(stack, network, new TcpMeasurements(pair.client.provider(), pair.serverAddress, servers.ports(),
                    options.time()), pair.client, null);
            if (servers.failure() != null) {
                log.printf("  the servers met: %s%n", servers.failure());
            }
            return row;
        }
    }

    /** The server stack in a {@link StackPeer} child JVM, the client stack in this one, both on the network. */
    private Row crossProcess(String stack, BenchNetwork network) {
        log.printf("%s over %s (%s)%n", stack, network.description(), network.vnl());
        String where = network.description();
        try (PeerProcess peer = PeerProcess.start(List.of(), stack, network.vnl(), StackPair.SERVER.getHostAddress() + "/24",
                peerLifetime(), log)) {
            IothStack client = Ioth.newStack(stack, network.vnl());
            try {
                StackPair.configure(client, StackPair.CLIENT, 24);
                Row row = measure(stack, where, new TcpMeasurements(client.provider(), StackPair.SERVER, peer.ports(),
                        options.time()), client, network.console());
                if (network.console() != null) {
                    // against the server's own count of frames received, which the peer prints when it ends
                    log.printf("  vde_switch since the bulk transfer began: %s%n", network.console().portCounters());
                }
                return row;
            } finally {
                client.closeForcibly();
            }
        } catch (IOException | RuntimeException e) {
            log.printf("%s: skipped: %s%n", stack, reason(e));
            return new Row(stack, where, null, null, null, "skipped: " + reason(e));
        }
    }

    /**
     * The anchor: the kernel's TCP in two namespaces whose taps {@code vde_plug} puts on the
     * network's vde_switch; the server is a {@link StackPeer} child JVM in one namespace, the
     * client a thread of this JVM moved into the other.
     */
    private Row kernelOverVde(BenchNetwork network) {
        log.printf("kernel over %s (%s)%n", KERNEL_OVER_VDE, network.vnl());
        String missing = KernelOverVde.unavailable();
        if (missing != null) {
            log.printf("kernel: skipped: %s%n", missing);
            return new Row(Ioth.KERNEL, KERNEL_OVER_VDE, null, null, null, "skipped: " + missing);
        }
        try (KernelOverVde k = KernelOverVde.create(network.switchDir());
                PeerProcess peer = PeerProcess.start(k.inServerNs(), Ioth.KERNEL, "-",
                        StackPair.SERVER.getHostAddress() + "/24", peerLifetime(), log)) {
            IothStack client = Ioth.newStack(Ioth.KERNEL);
            try {
                return k.inClientNs(() -> measure(Ioth.KERNEL, KERNEL_OVER_VDE, new TcpMeasurements(client.provider(),
                        StackPair.SERVER, peer.ports(), options.time()), client, network.console()),
                        peerLifetime().toSeconds());
            } finally {
                client.closeForcibly();
            }
        } catch (Exception e) {
            log.printf("kernel: skipped: %s%n", reason(e));
            return new Row(Ioth.KERNEL, KERNEL_OVER_VDE, null, null, null, "skipped: " + reason(e));
        }
    }

    /** Long enough for a peer to serve all three measurements, each to its time limit. */
    private Duration peerLifetime() {
        return options.time().plus(options.warmup()).plus(TcpMeasurements.GRACE.multipliedBy(2)).multipliedBy(3)
                .plus(PeerProcess.READY_TIMEOUT);
    }

    /** The client stack's port calls and loop sleeps during one phase (jnet only), on the progress log. */
    private void logCalls(String phase, IothStack client, PortCalls before) {
        PortCalls now = before == null ? null : PortCalls.of(client);
        if (now != null) {
            log.println("  client port, " + phase + ": " + now.since(before));
        }
    }

    /** What held the client's sender back during the bulk transfer (jnet only), on the progress log. */
    private void logLimits(IothStack client, SendLimits before) {
        SendLimits now = before == null ? null : SendLimits.of(client);
        String held = now == null ? "" : now.since(before);
        if (!held.isEmpty()) {
            log.println("  client sender, bulk, held back by: " + held);
        }
    }

    /**
     * The three measurements, each on its own: one failing leaves the others' figures. The client
     * stack's loss counters during the bulk transfer (sender side) go into the row's note.
     */
    private Row measure(String stack, String network, TcpMeasurements m, IothStack client, VdeSwitchConsole sw) {
        List<String> problems = new ArrayList<>();
        Bulk bulk = null;
        RoundTrips rtt = null;
        Churn churn = null;
        String losses = "";
        warmUp(m);
        try {
            LossCounters before = LossCounters.of(client);
            PortCalls callsBefore = PortCalls.of(client);
            SendLimits limitsBefore = SendLimits.of(client);
            resetCounters(sw);
            bulk = m.bulk(options.maxBulkBytes());
            losses = LossCounters.of(client).since(before);
            log.printf(Locale.ROOT, "  bulk: %.3f Gbit/s (%d MiB in %.2f s)%s%n", bulk.gigabitsPerSecond(), bulk.bytes() >> 20,
                    bulk.seconds(), losses.isEmpty() ? "" : "; client: " + losses);
            logCalls("bulk", client, callsBefore);
            logLimits(client, limitsBefore);
            logCounters(sw);
        } catch (IOException | RuntimeException e) {
            problems.add("bulk: " + reason(e));
        }
        try {
            PortCalls callsBefore = PortCalls.of(client);
            rtt = m.roundTrips(options.maxRoundTrips());
            log.printf(Locale.ROOT, "  round trip: median %.1f us, p99 %.1f us (%d)%n", rtt.medianMicros(), rtt.p99Micros(),
                    rtt.count());
            logCalls("round trips (with the warm-up's)", client, callsBefore);
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
        return new Row(stack, network, bulk, rtt, churn, problems.isEmpty() ? "" : "failed: " + String.join("; ", problems),
                losses);
    }

    /**
     * Each measurement once for the warm-up time, unreported: the code paths (and a peer JVM
     * started just before the row) get compiled before the clock runs. A failure here is logged;
     * the measurement proper will meet and report it.
     */
    private void warmUp(TcpMeasurements m) {
        if (options.warmup().isZero()) {
            return;
        }
        TcpMeasurements w = m.withTime(options.warmup());
        try {
            w.bulk(Math.min(options.maxBulkBytes(), 256L << 20));
            w.roundTrips(Math.min(options.maxRoundTrips(), 5_000));
            w.connections(Math.min(options.maxConnections(), 2_000));
        } catch (IOException | RuntimeException e) {
            log.println("  warm-up: " + reason(e));
        }
    }

    private void resetCounters(VdeSwitchConsole sw) {
        if (sw != null) {
            try {
                sw.resetCounters();
            } catch (IOException | RuntimeException e) {
                log.printf("  vde_switch console: %s%n", reason(e));
            }
        }
    }

    /** vde_switch's port counters over the bulk transfer: a port's "in" not matched by the other's "out" was lost in the switch. */
    private void logCounters(VdeSwitchConsole sw) {
        if (sw != null) {
            try {
                log.printf("  vde_switch during bulk: %s%n", sw.portCounters());
            } catch (IOException | RuntimeException e) {
                log.printf("  vde_switch console: %s%n", reason(e));
            }
        }
    }

    /** The first line of the message (a missing plug-in's message goes on to list where it looked). */
    static String reason(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int nl = m.indexOf('\n');
        return (nl < 0 ? m : m.substring(0, nl)).replace('|', '/').strip();
    }

    /** The rows as data for CSV, JSON or a chart (figures as numbers, missing ones null). */
    public static BenchTable table(List<Row> rows) {
        List<List<Object>> out = new ArrayList<>();
        for (Row r : rows) {
            List<Object> v = new ArrayList<>();
            v.add(r.stack());
            v.add(r.network());
            v.add(r.bulk() == null ? null : r.bulk().gigabitsPerSecond());
            v.add(r.bulk() == null ? null : r.bulk().bytes());
            v.add(r.bulk() == null ? null : r.bulk().seconds());
            v.add(r.roundTrips() == null ? null : r.roundTrips().medianMicros());
            v.add(r.roundTrips() == null ? null : r.roundTrips().p99Micros());
            v.add(r.roundTrips() == null ? null : r.roundTrips().count());
            v.add(r.connections() == null ? null : r.connections().perSecond());
            v.add(r.connections() == null ? null : r.connections().count());
            v.add(r.note());
            v.add(r.losses());
            out.add(v);
        }
        return new BenchTable(List.of("stack", "network", "bulk_gbit_per_s", "bulk_bytes", "bulk_seconds",
                "rtt_median_us", "rtt_p99_us", "round_trips", "connections_per_s", "connections", "note", "losses"), out);
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
                    rttRatio, conn, connRatio, counts(r), noteColumn(r));
        }
        out.println();
        out.println("× kernel: the figure divided by the kernel's over loopback (for round trips, above 1 is slower).");
        printAgainstKernelOverVde(rows, out);
    }

    /**
     * When the kernel-over-VDE anchor was measured: every cross-process row divided by it, against
     * the targets (at least 2× its throughput, at most half its round trip).
     */
    private static void printAgainstKernelOverVde(List<Row> rows, PrintStream out) {
        Row a = rows.stream().filter(Row::isVdeAnchor).filter(Row::measured).findFirst().orElse(null);
        if (a == null) {
            return;
        }
        List<Row> compared = rows.stream()
                .filter(r -> r.measured() && !r.isVdeAnchor() && r.network().equals(CROSS_PROCESS)).toList();
        if (compared.isEmpty()) {
            return;
        }
        out.println();
        out.println("| stack | network | bulk × kernel-over-VDE (target ≥ 2) | RTT median × kernel-over-VDE (target ≤ 0.5) | connections/s × kernel-over-VDE |");
        out.println("|---|---|---:|---:|---:|");
        for (Row r : compared) {
            String bulk = r.bulk() == null || a.bulk() == null ? "–"
                    : ratio(r.bulk().gigabitsPerSecond() / a.bulk().gigabitsPerSecond());
            String rtt = r.roundTrips() == null || a.roundTrips() == null ? "–"
                    : ratio(r.roundTrips().medianMicros() / a.roundTrips().medianMicros());
            String conn = r.connections() == null || a.connections() == null ? "–"
                    : ratio(r.connections().perSecond() / a.connections().perSecond());
            out.printf("| %s | %s | %s | %s | %s |%n", r.stack(), r.network(), bulk, rtt, conn);
        }
        out.println();
        out.println("× kernel-over-VDE: the figure divided by the kernel's in two namespaces on the same vde_switch, same run.");
    }

    /** The note's first sentence, then the client's losses during the bulk transfer if any were counted. */
    private static String noteColumn(Row r) {
        String note = firstSentence(r.note());
        if (r.losses().isEmpty()) {
            return note;
        }
        return (note.isEmpty() ? "" : note + " ") + "bulk client: " + r.losses();
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
