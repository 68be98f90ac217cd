package org.jioth.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jioth.bench.TcpMeasurements.Bulk;
import org.jioth.bench.TcpMeasurements.Churn;
import org.jioth.bench.TcpMeasurements.RoundTrips;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The kernel-peer bench: it runs against real kernel peers; its table divides each row by the kernel pair on its own path. */
class KernelPeerBenchTest {
    /** The clean path, small bounds: three rows, every job measured (figures not checked). */
    @Test
    @Timeout(value = 170, unit = TimeUnit.SECONDS)
    void jnetAgainstKernelPeersOnVdeSwitchMeasuresEveryJob() {
        String missing = KernelPeerBench.unavailable(false);
        assumeTrue(missing == null, missing);
        KernelPeerBench.Options o = new KernelPeerBench.Options("jnet", List.of(), Duration.ofSeconds(1), 4L << 20, 300, 100,
                Duration.ZERO);
        List<KernelPeerBench.Row> rows = new KernelPeerBench(o, System.err).run();
        assertThat(rows).extracting(KernelPeerBench.Row::pair).containsExactly(KernelPeerBench.KERNEL_PAIR,
                "kernel client → jnet server", "jnet client → kernel server");
        for (KernelPeerBench.Row r : rows) {
            assertThat(r.note()).as(r.pair()).isEmpty();
            assertThat(List.of(r.up(), r.down(), r.echo(), r.rtt(), r.churn())).as(r.pair()).doesNotContainNull();
        }
    }

    @Test
    void ratiosAreToTheKernelPairOnTheSamePath() {
        List<KernelPeerBench.Row> rows = List.of(
                new KernelPeerBench.Row(KernelPeerBench.KERNEL_PAIR, "vde_switch", new Bulk(100_000_000, 1),
                        new Bulk(50_000_000, 1), new Bulk(40_000_000, 1), new RoundTrips(10, 50, 90), new Churn(2000, 1), ""),
                new KernelPeerBench.Row("kernel client → jnet server", "vde_switch", new Bulk(200_000_000, 1),
                        new Bulk(25_000_000, 1), null, new RoundTrips(10, 25, 80), new Churn(1000, 1), "failed: echo streaming: x"),
                new KernelPeerBench.Row(KernelPeerBench.KERNEL_PAIR, "wirefilter 5 % loss", new Bulk(10_000_000, 1),
                        new Bulk(10_000_000, 1), new Bulk(10_000_000, 1), new RoundTrips(10, 10_000, 20_000), new Churn(5, 1), ""),
                new KernelPeerBench.Row("jnet client → kernel server", "wirefilter 5 % loss", new Bulk(1_000_000, 1),
                        new Bulk(10_000_000, 1), new Bulk(500_000, 1), new RoundTrips(10, 15_000, 30_000), new Churn(5, 1), ""));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        KernelPeerBench.printTable(rows, new PrintStream(out, true, StandardCharsets.UTF_8));
        String table = out.toString(StandardCharsets.UTF_8);
        assertThat(table).contains("| kernel client → jnet server | vde_switch | 200.0 | 2.00 | 25.0 | 0.50 | – | – | 25.0 (80) | 0.50"
                + " | 1,000 | 0.50 | failed: echo streaming: x |");
        assertThat(table).contains("| jnet client → kernel server | wirefilter 5 % loss | 1.0 | 0.10 | 10.0 | 1.00 | 0.5 | 0.050"
                + " | 15000.0 (30000) | 1.50 | 5 | 1.00 |  |");
        assertThat(table).contains("| kernel client → kernel server | vde_switch | 100.0 |  | 50.0 |  | 40.0 |  |");
    }
}
