package org.jioth.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import org.jioth.vde.EthernetPort;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ioth switch PATH}: {@code ioth plug null:// switch://PATH}, a standalone switch. */
@Command(name = "switch", mixinStandardHelpOptions = true,
        description = "Run a VDE switch at directory PATH (ioth plug null:// switch://PATH). vde_plug vde://PATH,"
                + " vde_switch cables and ioth's vde://PATH join it. Runs until interrupted (Ctrl-C, SIGTERM), or"
                + " with --eof until end of standard input; the directory is removed on exit.")
final class SwitchCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "PATH",
            description = "switch directory (must not exist), optionally with options: /tmp/sw[mode=0660];"
                    + " the VNL forms switch:///tmp/sw and hub:///tmp/sw are accepted too")
    String path;

    @Option(names = "--hub", description = "a hub (every frame to every port) instead of a learning switch")
    boolean hub;

    @Option(names = "--eof", description = "also stop at end of standard input, as vde_switch in the foreground")
    boolean untilEof;

    @Option(names = {"-v", "--verbose"}, description = "print the counters of the switch's host port on exit")
    boolean verbose;

    @Override
    public Integer call() throws InterruptedException {
        PrintStream err = System.err;
        if (path.startsWith("switch://")) {
            path = path.substring("switch://".length());
        } else if (path.startsWith("hub://")) {
            path = path.substring("hub://".length());
            hub = true;
        } else if (path.contains("://")) {
            err.println("ioth switch: expected a directory path such as /tmp/sw (or switch:///tmp/sw), not the VNL " + path);
            return 2;
        }
        String vnl = (hub ? "hub://" : "switch://") + path;
        EthernetPort node = PortSession.open("switch", vnl, err);
        if (node == null) {
            return 1;
        }
        EthernetPort sink = PortSession.open("switch", "null://", err);
        String dir = path.contains("[") ? path.substring(0, path.indexOf('[')) : path;
        // the ready line once the session's exit hook is in place: SIGTERM right after it still
        // closes the switch and removes its directory
        return PlugCommand.run(sink, node, verbose, err, session -> {
            System.out.println("ioth switch: " + (hub ? "hub" : "switch") + " listening at " + dir
                    + " (control socket " + dir + "/ctl; join with vde://" + dir + ")");
            System.out.flush();
            if (untilEof) {
                stopAtEof(session);
            }
        });
    }

    /** Reads standard input to its end, then stops the session. */
    private static void stopAtEof(PortSession session) {
        Thread.ofPlatform().daemon().name("ioth-switch-stdin").start(() -> {
            try (InputStream in = System.in) {
                in.transferTo(java.io.OutputStream.nullOutputStream());
            } catch (IOException e) {
                // treat as end of input
            }
            session.requestStop();
        });
    }
}
