package org.jioth.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.jioth.testkit.ChildProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Smoke tests of {@code ioth bench stack} on small sizes: every measurement produces a figure and
 * the table has its rows. Speed is printed by the benchmark, never asserted here.
 */
class StackBenchTest {
    private static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);

    private static StackBench.Options small(List<String> stacks, List<String> networks) {
        return new StackBench.Options(stacks, networks, Duration.ofSeconds(1), 4L << 20, 300, 100, Duration.ZERO);
    }

    private static String table(List<StackBench.Row> rows) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StackBench.printTable(rows, new PrintStream(out, true, StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    @Timeout(120)
    void kernelReferenceMeasuresAllThreeOverLoopback() throws Exception {
        List<StackBench.Row> rows = new StackBench(small(List.of("kernel"), List.of("injvm")), QUIET).run();
        assertThat(rows).hasSize(1);
        StackBench.Row k = rows.getFirst();
        assertThat(k.note()).isEmpty();
        assertThat(k.bulk().bytes()).isPositive().isLessThanOrEqualTo(4L << 20);
        assertThat(k.roundTrips().count()).isBetween(1, 300);
        assertThat(k.roundTrips().p99Micros()).isGreaterThanOrEqualTo(k.roundTrips().medianMicros());
        assertThat(k.connections().count()).isBetween(1, 100);
        assertThat(table(rows)).contains("| stack | network | bulk Gbit/s | × kernel |")
                .containsPattern("\\| kernel \\| loopback 127\\.0\\.0\\.1 \\| [\\d.]+ \\| 1\\.00 \\| [\\d.]+ \\(\\d+\\) \\| 1\\.00 \\| [\\d,]+ \\| 1\\.00 \\|");
    }

    @Test
    @Timeout(180)
    void vdestackOnTheInJvmSwitchGetsARowWithRatios() throws Exception {
        assumeTrue(Files.isReadable(Path.of("/dev/net/tun")), "/dev/net/tun is missing: vdestack cannot make its tap");
        assumeTrue(ChildProcess.works("unshare", "--user", "--map-root-user", "--net", "true"),
                "unprivileged user+net namespaces are disabled: vdestack cannot run");
        List<StackBench.Row> rows = new StackBench(small(List.of("kernel", "vdestack"), List.of("injvm")), QUIET).run();
        assertThat(rows).extracting(StackBench.Row::stack).containsExactly("kernel", "vdestack");
        StackBench.Row v = rows.get(1);
        assertThat(v.note()).as("vdestack row").isEmpty();
        assertThat(v.bulk().bytes()).isPositive();
        assertThat(v.roundTrips().count()).isPositive();
        assertThat(v.connections().count()).isPositive();
        assertThat(table(rows)).containsPattern("\\| vdestack \\| our switch:// in this JVM \\| [\\d.]+ \\| [\\d.]+ \\|");
    }

    @Test
    @Timeout(60)
    void aStackThatIsNotInstalledIsSkippedWithTheReason() throws Exception {
        List<StackBench.Row> rows = new StackBench(
                new StackBench.Options(List.of("no-such-stack"), List.of("injvm"), Duration.ofMillis(200), 1 << 20, 10, 10, Duration.ZERO),
                QUIET).run();
        assertThat(rows).hasSize(2);
        StackBench.Row skipped = rows.get(1);
        assertThat(skipped.measured()).isFalse();
        assertThat(skipped.note()).startsWith("skipped: ").contains("no-such-stack");
        assertThat(table(rows)).contains("| no-such-stack | our switch:// in this JVM | – | – |");
    }

    /**
     * The cross-process mode on Debian's vde_switch: jnet with its server stack in a child JVM, and
     * the kernel in two namespaces whose taps vde_plug puts on the same switch (root only; without
     * it that row must say why it was skipped). Tiny sizes; each measurement is bounded by the
     * bench's watchdog and the child's lifetime, and the test by a separate-thread timeout.
     */
    @Test
    @Timeout(value = 300, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void crossProcessJnetRowAndTheKernelOverVdeAnchor() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/vde_switch")), "needs Debian's vde_switch (package vde-switch)");
        List<StackBench.Row> rows = new StackBench(new StackBench.Options(List.of("kernel", "jnet"),
                List.of("vde_switch-2proc"), Duration.ofSeconds(1), 1L << 20, 100, 20, Duration.ofMillis(200)), QUIET).run();
        assertThat(rows).extracting(StackBench.Row::stack).containsExactly("kernel", "kernel", "jnet");
        StackBench.Row anchor = rows.get(1);
        assertThat(anchor.isVdeAnchor()).isTrue();
        if (KernelOverVde.unavailable() == null) {
            assertThat(anchor.note()).as("kernel-over-VDE row").isEmpty();
            assertThat(anchor.bulk().bytes()).isPositive();
            assertThat(anchor.roundTrips().count()).isPositive();
            assertThat(anchor.connections().count()).isPositive();
        } else {
            assertThat(anchor.note()).startsWith("skipped: ").contains(KernelOverVde.unavailable());
        }
        StackBench.Row jnet = rows.get(2);
        assertThat(jnet.note()).as("jnet cross-process row").isEmpty();
        assertThat(jnet.network()).isEqualTo("vde_switch, server stack in a child JVM");
        assertThat(jnet.bulk().bytes()).isPositive().isLessThanOrEqualTo(1L << 20);
        assertThat(jnet.roundTrips().count()).isBetween(1, 100);
        assertThat(jnet.connections().count()).isBetween(1, 20);
        String table = table(rows);
        assertThat(table).containsPattern("\\| jnet \\| vde_switch, server stack in a child JVM \\| [\\d.]+ \\|");
        if (anchor.measured()) {
            assertThat(table).containsPattern("\\| kernel \\| 2 namespaces, taps on vde_switch \\| [\\d.]+ \\|")
                    .contains("bulk × kernel-over-VDE (target ≥ 2)")
                    .containsPattern("\\| jnet \\| vde_switch, server stack in a child JVM \\| [\\d.]+ \\| [\\d.]+ \\| [\\d.]+ \\|\\n");
        }
    }

    @Test
    void anUnknownNetworkIsRefusedBeforeAnythingRuns() {
        assertThatThrownBy(() -> small(List.of("kernel"), List.of("ethernet-over-pigeons")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("injvm").hasMessageContaining("vde_switch");
    }
}
