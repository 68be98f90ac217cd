package org.jioth.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import org.jioth.Ioth;
import org.jioth.bench.BenchTable;
import org.jioth.bench.KernelPeerBench;
import org.jioth.bench.MemoryBench;
import org.jioth.bench.StackBench;
import org.jioth.bench.VdeBench;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ioth bench}: macro benchmarks; results are printed, nothing is asserted. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Run benchmarks and print the results.",
        subcommands = {BenchCommand.Vde.class, BenchCommand.Stack.class, BenchCommand.Memory.class})
final class BenchCommand {

    /** Files the results also go to (besides the Markdown table on stdout). */
    static final class Output {
        @Option(names = "--csv", paramLabel = "FILE", description = "also write the results as CSV")
        Path csv;

        @Option(names = "--json", paramLabel = "FILE", description = "also write the results as JSON (an array of objects)")
        Path json;

        @Option(names = "--svg", paramLabel = "FILE", description = "also write a bar chart (SVG) of the main figure")
        Path svg;

        void write(BenchTable table, String title, String value, List<String> label) throws java.io.IOException {
            save(csv, table.csv());
            save(json, table.json());
            if (svg != null) {
                save(svg, table.svg(title, value, label));
            }
        }

        private static void save(Path file, String text) throws java.io.IOException {
            if (file != null) {
                java.nio.file.Files.writeString(file, text, java.nio.charset.StandardCharsets.UTF_8);
                System.err.println("wrote " + file);
            }
        }
    }

    /** {@code ioth bench vde}: frame forwarding through our switch, vde_switch and the in-JVM node. */
    @Command(name = "vde", mixinStandardHelpOptions = true,
            description = {"Frames/s, Gbit/s and loss through our switch:// (a child JVM), Debian's vde_switch and "
                    + "an in-JVM switch node, with jioth vde:// and vde_plug clients; frames are counted at the receiver.",
                    "Progress goes to stderr, a Markdown table to stdout."})
    static final class Vde implements Callable<Integer> {
        @Mixin
        Output output;

        @Option(names = "--seconds", defaultValue = "3", description = "Measured time per case and size (default ${DEFAULT-VALUE}).")
        double seconds;

        @Option(names = "--warmup", defaultValue = "1", description = "Unreported warm-up per case and size, seconds (default ${DEFAULT-VALUE}).")
        double warmup;

        @Option(names = "--max-frames", defaultValue = "50000000", description = "At most this many frames per run (default ${DEFAULT-VALUE}).")
        long maxFrames;

        @Option(names = "--sizes", split = ",", defaultValue = "64,1514", description = "Frame sizes in bytes (default ${DEFAULT-VALUE}).")
        List<Integer> sizes;

        @Option(names = "--cases", split = ",",
                description = "Cases to run (default all): in-jvm, switch-jioth, switch-vdeplug, vde_switch-jioth, vde_switch-vdeplug.")
        List<String> cases;

        @Override
        public Integer call() throws Exception {
            Set<VdeBench.Case> selected = EnumSet.noneOf(VdeBench.Case.class);
            if (cases == null || cases.isEmpty()) {
                selected.addAll(EnumSet.allOf(VdeBench.Case.class));
            } else {
                for (String id : cases) {
                    selected.add(VdeBench.Case.byId(id.trim()));
                }
            }
            VdeBench.Options options = new VdeBench.Options(selected, sizes, millis(seconds), millis(warmup), maxFrames);
            List<VdeBench.Result> results = new VdeBench(options, System.err).run();
            VdeBench.printTable(results, System.out);
            output.write(VdeBench.table(results), "ioth bench vde", "frames_per_s", List.of("network", "clients", "frame_bytes"));
            return 0;
        }

        static Duration millis(double seconds) {
            return Duration.ofMillis(Math.round(seconds * 1000));
        }
    }

    /** {@code ioth bench stack}: TCP on stack plug-ins, with the kernel over loopback as the reference. */
    @Command(name = "stack", mixinStandardHelpOptions = true,
            description = {"TCP between two stacks of each plug-in on one network (192.168.250.50 -> .51): bulk "
                    + "throughput one way, 1-byte round trip (median, p99) and connections/s; the kernel plug-in over "
                    + "127.0.0.1 is measured in the same run and every figure is given as a ratio to it. A stack that "
                    + "is not installed or cannot be set up is skipped with the reason. On vde_switch-2proc every "
                    + "cross-process row is also divided by the kernel's over the same vde_switch.",
                    "Progress goes to stderr, a Markdown table to stdout."})
    static final class Stack implements Callable<Integer> {
        @Mixin
        Output output;

        @Option(names = "--stacks", split = ",(?![a-z0-9]+=)", defaultValue = "kernel,vdestack,jnet",
                description = "Plug-ins to measure (default ${DEFAULT-VALUE}), each a stack spec with its options, e.g. jnet,cc=bbr; the kernel reference is always measured.")
        List<String> stacks;

        @Option(names = "--network", split = ",", defaultValue = "injvm",
                description = "Networks for the two stacks (default ${DEFAULT-VALUE}): injvm (our switch:// in this JVM), "
                        + "vde_switch (Debian's, started by the bench), vde_switch-2proc (the same, with each server stack in "
                        + "a child JVM, and the kernel measured in two network namespaces whose taps vde_plug puts on that "
                        + "switch: needs root), vde_switch-kernel (each stack against the Linux kernel in a namespace on "
                        + "Debian's vde_switch, beside the kernel against itself: five jobs per pair, ratios to the kernel "
                        + "pair; needs root), or a VNL such as vde:///tmp/sw; comma-separated for several.")
        List<String> networks;

        @Option(names = "--impair", split = ",", description = "With vde_switch-kernel: also measure through wirefilter "
                + "(Debian vde2) joining two vde_switches, at each of these loss percentages (each way), with 5±3 ms delay "
                + "and 1 %% duplication each way; e.g. 1,5.")
        List<Double> impair = List.of();

        @Option(names = "--kernel-cc", description = "With vde_switch-kernel: the kernel peers' TCP congestion control "
                + "(set on their routes, ip route ... congctl, e.g. cubic); default: what a new namespace gets from the host.")
        String kernelCc;

        @Option(names = "--seconds", defaultValue = "3", description = "Time bound of each measurement (default ${DEFAULT-VALUE}).")
        double seconds;

        @Option(names = "--megabytes", defaultValue = "1024", description = "At most this many MiB of bulk data (default ${DEFAULT-VALUE}).")
        long megabytes;

        @Option(names = "--round-trips", defaultValue = "20000", description = "At most this many round trips (default ${DEFAULT-VALUE}).")
        int roundTrips;

        @Option(names = "--connections", defaultValue = "20000", description = "At most this many connections (default ${DEFAULT-VALUE}).")
        int connections;

        @Option(names = "--ipv6", description = "Also measure each stack pair of this JVM over IPv6 (fd00:250::50 -> ::51),"
                + " a row beside its IPv4 one (network column suffixed ' IPv6').")
        boolean ipv6;

        @Option(names = "--warmup", defaultValue = "2",
                description = "Seconds each measurement first runs unreported, so the code is compiled when it counts (default ${DEFAULT-VALUE}; 0: none).")
        double warmup;

        @Override
        public Integer call() throws Exception {
            // A program that may load any plug-in: the CLI declares itself GPL, as the seed programs do.
            Ioth.setLicense("SPDX-License-Identifier: GPL-2.0-or-later");
            List<String> nets = networks.stream().map(String::strip).toList();
            List<String> stackNets = nets.stream().filter(n -> !n.equals(KernelPeerBench.NETWORK)).toList();
            List<String> names = stacks.stream().map(String::strip).toList();
            if (!stackNets.isEmpty()) {
                StackBench.Options options = new StackBench.Options(names, stackNets, Vde.millis(seconds), megabytes << 20,
                        roundTrips, connections, Vde.millis(warmup));
                List<StackBench.Row> rows = new StackBench(options, System.err).ipv6(ipv6).run();
                StackBench.printTable(rows, System.out);
                output.write(StackBench.table(rows), "ioth bench stack", "bulk_gbit_per_s", List.of("stack", "network"));
            }
            if (stackNets.size() < nets.size()) {
                // the kernel-peer rows have their own Markdown table (--csv/--json/--svg cover the rows above only)
                for (String stack : names.stream().filter(n -> !n.equals(Ioth.KERNEL)).toList()) {
                    KernelPeerBench.Options options = new KernelPeerBench.Options(stack, impair, Vde.millis(seconds),
                            megabytes << 20, roundTrips, connections, Vde.millis(warmup), kernelCc);
                    if (!stackNets.isEmpty()) {
                        System.out.println();
                    }
                    KernelPeerBench.printTable(new KernelPeerBench(options, System.err).run(), System.out);
                }
            }
            return 0;
        }
    }

    /** {@code ioth bench memory}: what idle jnet stacks cost in heap, creation time and CPU. */
    @Command(name = "memory", mixinStandardHelpOptions = true,
            description = {"Creates many jnet stacks, each with one interface (address, link up) on an in-JVM switch, "
                    + "and prints the retained heap per stack, the time to create them and the CPU the idle JVM uses. "
                    + "Give the heap to fit with IOTH_JAVA_OPTS, e.g. IOTH_JAVA_OPTS=-Xmx1g.",
                    "Progress goes to stderr, a Markdown table to stdout."})
    static final class Memory implements Callable<Integer> {
        @Option(names = "--stacks", defaultValue = "10000", description = "Stacks to create (default ${DEFAULT-VALUE}).")
        int stacks;

        @Option(names = "--per-switch", defaultValue = "100",
                description = "Stacks on each in-JVM switch (default ${DEFAULT-VALUE}); their gratuitous ARPs reach each other.")
        int perSwitch;

        @Option(names = "--idle-seconds", defaultValue = "10", description = "Idle time measured (default ${DEFAULT-VALUE}).")
        int idleSeconds;

        @Option(names = "--connections", defaultValue = "0",
                description = "Instead: open this many idle connections between two stacks and print the heap per connection.")
        int connections;

        @Option(names = "--scale", defaultValue = "0",
                description = "Instead: this many connections on one server stack (client stacks of 25,000 each), echoed by one "
                        + "selector thread: the heap per idle connection, then every connection echoing at once.")
        int scale;

        @Option(names = "--no-echo-round", description = "With --scale: skip the round where every connection echoes at once.")
        boolean noEchoRound;

        @Option(names = "--server-options", defaultValue = "",
                description = "With --scale: extra jnet options of the server stack, e.g. membudget=2g.")
        String serverOptions;

        @Override
        public Integer call() throws Exception {
            if (scale > 0) {
                org.jioth.bench.ConnectionScaleBench.print(
                        new org.jioth.bench.ConnectionScaleBench(serverOptions, System.err).run(scale, !noEchoRound), System.out);
                return 0;
            }
            if (connections > 0) {
                MemoryBench.print(new MemoryBench(new MemoryBench.Options(1, perSwitch, Duration.ofSeconds(idleSeconds)),
                        System.err).connections(connections), System.out);
                return 0;
            }
            MemoryBench.Result r = new MemoryBench(new MemoryBench.Options(stacks, perSwitch, Duration.ofSeconds(idleSeconds)),
                    System.err).run();
            MemoryBench.print(r, System.out);
            return 0;
        }
    }
}
