package org.jioth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@code ioth bench vde} as the user runs it, on a short in-JVM case (figures printed, not asserted). */
class BenchCommandTest {

    @Test
    void benchVdePrintsATableRowPerCaseAndSize() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int rc;
        try {
            rc = Main.run("bench", "vde", "--cases", "in-jvm", "--sizes", "64,1514", "--seconds", "0.2", "--warmup", "0",
                    "--max-frames", "20000");
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        assertThat(rc).as(err.toString(StandardCharsets.UTF_8)).isZero();
        String table = out.toString(StandardCharsets.UTF_8);
        assertThat(table).contains("| network | clients | frame (bytes) | sent | delivered | loss | frames/s | Gbit/s |")
                .containsPattern("\\| in-JVM EthernetNode switch \\| 2 NodePorts \\| 64 \\| [\\d,]+ \\| [\\d,]+ \\| 0.00 % \\|")
                .contains("| 1514 |");
    }

    @Test
    void anUnknownCaseIsAnError() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream oldErr = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int rc;
        try {
            rc = Main.run("bench", "vde", "--cases", "warp-drive");
        } finally {
            System.setErr(oldErr);
        }
        assertThat(rc).isNotZero();
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown case 'warp-drive'", "in-jvm");
    }
}
