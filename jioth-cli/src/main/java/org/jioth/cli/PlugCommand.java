package org.jioth.cli;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.jioth.vde.Cable;
import org.jioth.vde.EthernetPort;
import org.jioth.vde.stream.StreamPort;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code vde_plug} in Java: a cable between two VNLs, or one VNL on stdin/stdout in the stream format. */
@Command(name = "plug", mixinStandardHelpOptions = true,
        description = {"Join two virtual networks, as vde_plug VNL1 VNL2 does: every frame one side receives is sent"
                + " on the other, until either side ends or the command is interrupted.",
                "With one VNL, join it to standard input/output in vde_plug's stream format (each frame as a"
                + " 2-byte big-endian length and the frame), exactly as vde_plug VNL does."})
final class PlugCommand implements Callable<Integer> {
    static final Duration POLL = Duration.ofMillis(100);

    @Parameters(index = "0", paramLabel = "VNL1", description = "a network, e.g. vde:///tmp/sw, switch:///tmp/sw2, ptp:///tmp/link")
    String first;

    @Parameters(index = "1", arity = "0..1", paramLabel = "VNL2", description = "the other network (default: stdin/stdout)")
    String second;

    @Option(names = {"-v", "--verbose"}, description = "print each port's counters on exit (on stderr)")
    boolean verbose;

    @Override
    public Integer call() throws InterruptedException {
        PrintStream err = System.err;
        EthernetPort a = PortSession.open("plug", first, err);
        if (a == null) {
            return 1;
        }
        EthernetPort b = second == null
                ? StreamPort.open("stdio", new FileInputStream(FileDescriptor.in), new FileOutputStream(FileDescriptor.out))
                : PortSession.open("plug", second, err);
        if (b == null) {
            PortSession.close(a, false, err);
            return 1;
        }
        return run(a, b, verbose, err, null);
    }

    /** Joins {@code a} and {@code b} until one ends or the session stops; closes both. */
    static int run(EthernetPort a, EthernetPort b, boolean verbose, PrintStream err,
            java.util.function.Consumer<PortSession> started)
            throws InterruptedException {
        PortSession session = new PortSession();
        try (Cable cable = Cable.join(a, b)) {
            if (started != null) {
                started.accept(session);
            }
            if (cable.awaitEnd(session.stopSignal(), POLL) && verbose) {
                err.println("ioth plug: " + (a.hasEnded() ? a.description() : b.description()) + " ended");
            }
        } finally {
            PortSession.close(b, verbose, err);
            PortSession.close(a, verbose, err);
            session.close();
        }
        return 0;
    }
}
