package org.jioth.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The benchmark's machinery on short runs: frames are counted at the receiver and sent frames are
 * accounted for. Rates are printed by the benchmark, never asserted here.
 */
class VdeBenchTest {

    @Test
    void inJvmRunDeliversEverySentFrameAndPrintsARow() throws Exception {
        VdeBench.Options o = new VdeBench.Options(EnumSet.of(VdeBench.Case.IN_JVM), List.of(64, 1514),
                Duration.ofMillis(200), Duration.ZERO, 100_000);
        List<VdeBench.Result> results = new VdeBench(o, new PrintStream(new ByteArrayOutputStream())).run();
        assertThat(results).hasSize(2);
        for (VdeBench.Result r : results) {
            assertThat(r.skipped()).isNull();
            assertThat(r.sent()).isPositive().isLessThanOrEqualTo(100_000);
            assertThat(r.delivered()).as("the in-JVM switch loses nothing").isEqualTo(r.sent());
        }
        ByteArrayOutputStream table = new ByteArrayOutputStream();
        VdeBench.printTable(results, new PrintStream(table, true, StandardCharsets.UTF_8));
        assertThat(table.toString(StandardCharsets.UTF_8)).contains("| in-JVM EthernetNode switch | 2 NodePorts | 64 |",
                "| in-JVM EthernetNode switch | 2 NodePorts | 1514 |");
    }

    @Test
    void ourSwitchProcessForwardsBetweenTwoVdeClients() throws Exception {
        VdeBench.Options o = new VdeBench.Options(EnumSet.of(VdeBench.Case.OUR_SWITCH_JIOTH), List.of(64),
                Duration.ofMillis(300), Duration.ZERO, 20_000);
        List<VdeBench.Result> results = new VdeBench(o, new PrintStream(new ByteArrayOutputStream())).run();
        VdeBench.Result r = results.getFirst();
        assertThat(r.sent()).isPositive();
        assertThat(r.delivered()).isPositive().isLessThanOrEqualTo(r.sent());
    }

    @Test
    void unknownCaseNamesTheKnownOnes() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> VdeBench.Case.byId("nope"))
                .hasMessageContaining("in-jvm").hasMessageContaining("vde_switch-vdeplug");
    }
}
