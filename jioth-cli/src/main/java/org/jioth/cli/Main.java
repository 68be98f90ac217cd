package org.jioth.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code ioth}: runs jioth's example programs, lists plug-ins, joins and records virtual networks. */
@Command(name = "ioth", mixinStandardHelpOptions = true, version = "ioth 0.1.0",
        description = "The Internet of Threads for Java: user-space TCP/IP stacks on virtual networks.",
        subcommands = {DemoCommand.class, ServerCommand.class, ClientCommand.class, StacksCommand.class,
                PlugCommand.class, SwitchCommand.class, CaptureCommand.class, BenchCommand.class, RunCommand.class,
                CommandLine.HelpCommand.class})
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code (for tests). */
    public static int run(String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("ioth " + cmd.getCommandName() + ": " + e.getMessage());
            return 1;
        });
        return cl.execute(args);
    }
}
