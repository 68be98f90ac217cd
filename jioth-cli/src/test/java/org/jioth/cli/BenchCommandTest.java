package org.jioth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ioth bench vde} as the user runs it, on a short in-JVM case (figures printed, not asserted). */
class BenchCommandTest {

    @Test
    void benchVdePrintsATableRowPerCaseAndSize(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int rc;
        try {
            rc = Main.run("bench", "vde", "--cases", "in-jvm", "--sizes", "64,1514", "--seconds", "0.2", "--warmup", "0",
                    "--max-frames", "20000", "--csv", dir.resolve("r.csv").toString(), "--json",
                    dir.resolve("r.json").toString(), "--svg", dir.resolve("r.svg").toString());
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        assertThat(rc).as(err.toString(StandardCharsets.UTF_8)).isZero();
        String table = out.toString(StandardCharsets.UTF_8);
        assertThat(table).contains("| network | clients | frame (bytes) | sent | delivered | loss | frames/s | Gbit/s |")
                .containsPattern("\\| in-JVM EthernetNode switch \\| 2 NodePorts \\| 64 \\| [\\d,]+ \\| [\\d,]+ \\| 0.00 % \\|")
                .contains("| 1514 |");
        assertThat(Files.readAllLines(dir.resolve("r.csv"))).hasSize(3).first().asString()
                .startsWith("network,clients,frame_bytes,sent,delivered");
        assertThat(Files.readString(dir.resolve("r.json"))).startsWith("[\n  {\"network\": \"in-JVM EthernetNode switch\"")
                .contains("\"frame_bytes\": 1514");
        assertThat(Files.readString(dir.resolve("r.svg"))).startsWith("<svg").contains("<rect").endsWith("</svg>\n");
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

    @Test
    void benchStackPrintsTheKernelReferenceAndSkipsAStackThatIsNotThere() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int rc;
        try {
            rc = Main.run("bench", "stack", "--stacks", "kernel,warp-drive", "--network", "injvm", "--seconds", "1",
                    "--megabytes", "4", "--round-trips", "200", "--connections", "50");
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        assertThat(rc).as(err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("| stack | network | bulk Gbit/s | × kernel |")
                .containsPattern("\\| kernel \\| loopback 127\\.0\\.0\\.1 \\| [\\d.]+ \\| 1\\.00 \\|")
                .containsPattern("\\| warp-drive \\| our switch:// in this JVM \\| – .*\\| skipped: .*warp-drive");
    }

    /** --stacks takes stack specs: a comma before key=value belongs to the spec (jnet,cc=bbr). */
    @Test
    void stacksAreSpecsWithOptions() {
        BenchCommand.Stack stack = new BenchCommand.Stack();
        new picocli.CommandLine(stack).parseArgs("--stacks", "kernel,jnet,cc=bbr,jnet,cc=cubic,seed=3,vdestack");
        assertThat(stack.stacks).containsExactly("kernel", "jnet,cc=bbr", "jnet,cc=cubic,seed=3", "vdestack");
    }
}
