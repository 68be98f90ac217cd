package org.jioth.cli;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import org.jioth.bench.VdeBench;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ioth bench}: macro benchmarks; results are printed, nothing is asserted. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Run benchmarks and print the results.",
        subcommands = BenchCommand.Vde.class)
final class BenchCommand {

    /** {@code ioth bench vde}: frame forwarding through our switch, vde_switch and the in-JVM node. */
    @Command(name = "vde", mixinStandardHelpOptions = true,
            description = {"Frames/s, Gbit/s and loss through our switch:// (a child JVM), Debian's vde_switch and "
                    + "an in-JVM switch node, with jioth vde:// and vde_plug clients; frames are counted at the receiver.",
                    "Progress goes to stderr, a Markdown table to stdout."})
    static final class Vde implements Callable<Integer> {
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
            return 0;
        }

        private static Duration millis(double seconds) {
            return Duration.ofMillis(Math.round(seconds * 1000));
        }
    }
}
