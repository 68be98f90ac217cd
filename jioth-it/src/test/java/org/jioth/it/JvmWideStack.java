package org.jioth.it;

import java.util.ArrayList;
import java.util.List;
import org.jioth.testkit.ChildProcess;

/**
 * The command line of an unmodified program in a child JVM whose every NIO channel is a channel of
 * one jnet stack on the test's switch: jioth-run's JVM-wide provider configured by {@code -D} flags
 * alone (no agent, no change to the program), as {@code docs/recipes.md} shows.
 */
final class JvmWideStack {
    private JvmWideStack() {
    }

    /**
     * {@code java} with the provider and a jnet stack at {@code VdeNet.NET + host}/24 on {@code net}'s
     * switch, then the test class path, then {@code program} (a main class and its arguments, or
     * {@code -m module ...}). {@code hosts} is {@code ioth.hosts} ({@code name=addr;...}) or empty.
     */
    static List<String> java(VdeNet net, int host, String hosts, String... program) {
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<String> cmd = new ArrayList<>(List.of(java,
                "--enable-native-access=ALL-UNNAMED",
                "--add-modules=jdk.net",
                "-Djava.nio.channels.spi.SelectorProvider=org.jioth.run.StackSelectorProvider",
                "-Dioth.stack=jnet",
                "-Dioth.vnl=" + net.vnl(),
                "-Dioth.conf=eth,ip=" + VdeNet.NET + host + "/24"));
        if (!hosts.isEmpty()) {
            cmd.add("-Dioth.hosts=" + hosts);
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path")));
        cmd.addAll(List.of(program));
        return cmd;
    }

    /** Whether this JDK has {@code jdk.httpserver} (jwebserver's module). */
    static boolean hasHttpServerModule() {
        return ModuleLayer.boot().findModule("jdk.httpserver").isPresent()
                || ChildProcess.works(ProcessHandle.current().info().command().orElseThrow(), "--describe-module", "jdk.httpserver");
    }
}
