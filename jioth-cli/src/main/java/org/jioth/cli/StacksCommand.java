package org.jioth.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.jioth.Ioth;
import org.jioth.PluginInfo;
import picocli.CommandLine.Command;

/** Lists the stack plug-ins found, their licences and where they came from. */
@Command(name = "stacks", mixinStandardHelpOptions = true, description = "List the stack plug-ins found.")
final class StacksCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        var out = System.out;
        out.printf("%-18s %-28s %-10s %s%n", "NAME", "LICENCE", "LOADING", "FROM");
        for (PluginInfo p : Ioth.plugins()) {
            String names = p.aliases().isEmpty() ? p.name() : p.name() + " (" + String.join(", ", p.aliases()) + ")";
            out.printf("%-18s %-28s %-10s %s%n", names, p.license().orElse("-"),
                    p.reentrant() ? "shared" : "per-stack", p.origin());
            if (!p.description().isEmpty()) {
                out.printf("%-18s %s%n", "", p.description());
            }
        }
        out.println();
        out.println("Plug-in directories searched (ioth_NAME-r.jar shared, ioth_NAME.jar one class loader per stack):");
        for (Path d : Ioth.pluginDirectories()) {
            out.println("  " + d);
        }
        out.println("then the class path.");
        return 0;
    }
}
