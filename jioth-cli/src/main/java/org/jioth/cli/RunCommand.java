package org.jioth.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.jioth.conf.IothConf;
import org.jioth.run.Launcher;
import org.jioth.run.RunSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ioth run STACK [VNL...] [--conf CONF] -- JAVA_ARGS...}: runs an unmodified Java program
 * in a new JVM of the same JDK whose channels, java.net sockets and name lookups all go through one
 * stack (jioth-run's provider, agent and resolver). The child's exit status is returned.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Runs an unmodified Java program on a stack: java [JAVA_ARGS] in a new JVM of this JDK"
                + " whose NIO channels, java.net sockets and name lookups go through STACK on the VNLs.",
                "JAVA_ARGS come after --: a main class with -cp, -jar APP.jar, or -m MODULE[/CLASS].",
                "Example: ioth run jnet vde:///tmp/sw --conf eth,ip=192.168.250.50/24 -- -m jdk.httpserver -b 0.0.0.0",
                "Without --conf the interfaces stay down and the program sees only lo. The stack is made"
                        + " before the program starts; if it cannot be (no switch, bad VNL, bad CONF) the reason"
                        + " is printed and the exit status is 125. Otherwise the exit status is the program's."})
final class RunCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "STACK [VNL...] -- JAVA_ARGS", arity = "1..*",
            description = "plug-in name (optionally name,options), one interface per VNL, then -- and the java arguments")
    List<String> words;

    @Option(names = "--conf", paramLabel = "CONF", defaultValue = "",
            description = "iothconf string applied to the stack, e.g. eth,ip=192.168.250.50/24,gw=192.168.250.1")
    String conf;

    @Option(names = "--hosts", paramLabel = "NAME=ADDR[;NAME=ADDR...]",
            description = "static names for the program's lookups (repeatable)")
    List<String> hosts = new ArrayList<>();

    @Option(names = "--resolver", paramLabel = "static|host", defaultValue = "static",
            description = "names not in --hosts: 'static' fails them (default; nothing leaves the stack),"
                    + " 'host' asks the host's resolver over the host's network")
    String resolver;

    @Option(names = {"-v", "--verbose"}, description = "print the java command line and a line when the stack is ready")
    boolean verbose;

    @Override
    public Integer call() throws IOException, InterruptedException {
        PrintStream err = System.err;
        List<String> original = spec.commandLine().getParseResult().originalArgs();
        int dashes = original.indexOf("--");
        int javaCount = dashes < 0 ? 0 : original.size() - dashes - 1;
        if (javaCount == 0) {
            err.println("ioth run: nothing to run: put the java arguments after --, e.g. ioth run jnet VNL --conf ... -- -cp app.jar Main");
            return 2;
        }
        List<String> javaArgs = words.subList(words.size() - javaCount, words.size());
        List<String> before = words.subList(0, words.size() - javaCount);
        if (before.isEmpty()) {
            err.println("ioth run: give the STACK (e.g. jnet) before --");
            return 2;
        }
        RunSettings settings;
        try {
            IothConf.parse(conf); // fail fast here; the child applies it
            settings = new RunSettings(before.get(0), before.subList(1, before.size()), conf, hostMap(),
                    RunSettings.parseResolver(resolver));
        } catch (IllegalArgumentException e) {
            err.println("ioth run: " + e.getMessage());
            return 2;
        }
        Path agent = Files.createTempFile("ioth-run-agent-", ".jar");
        try {
            Launcher.writeAgentJar(agent, Launcher.jiothClassPath());
            List<String> cmd = new ArrayList<>();
            cmd.add(Launcher.javaExecutable());
            cmd.addAll(Launcher.jvmOptions(settings, agent, verbose));
            cmd.addAll(javaArgs);
            if (verbose) {
                err.println("ioth run: " + String.join(" ", cmd));
            }
            Process child = new ProcessBuilder(cmd).inheritIO().start();
            // SIGTERM/SIGINT to ioth run reach the program too; Ctrl-C already reaches the whole process group.
            Thread forward = new Thread(() -> stop(child), "ioth-run-stop");
            Runtime.getRuntime().addShutdownHook(forward);
            int status = child.waitFor();
            try {
                Runtime.getRuntime().removeShutdownHook(forward);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running already
            }
            return status;
        } finally {
            Files.deleteIfExists(agent);
        }
    }

    private static void stop(Process child) {
        if (!child.isAlive()) {
            return;
        }
        child.destroy();
        try {
            if (!child.waitFor(10, TimeUnit.SECONDS)) {
                child.destroyForcibly();
            }
        } catch (InterruptedException e) {
            child.destroyForcibly();
        }
    }

    private Map<String, List<java.net.InetAddress>> hostMap() {
        Map<String, List<java.net.InetAddress>> out = new LinkedHashMap<>();
        for (String h : hosts) {
            RunSettings.parseHosts(h).forEach((k, v) -> out.computeIfAbsent(k, x -> new ArrayList<>()).addAll(v));
        }
        return out;
    }
}
