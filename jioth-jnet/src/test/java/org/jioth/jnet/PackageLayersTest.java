package org.jioth.jnet;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps jnet's package layers (docs/architecture.md, "jnet's packages"): the protocol packages
 * never reach up into the stack facade (the root package {@code org.jioth.jnet}), and the packages
 * below them (the loop, memory, time and wire formats) never reach up into a protocol package.
 * It reads the main sources: any import or qualified name of a type counts, comments do not.
 */
class PackageLayersTest {
    private static final Path SOURCES = Path.of("src/main/java/org/jioth/jnet");
    /** The root package: the stack facade, its options and configuration. */
    private static final String ROOT = "";
    /** Everything a package may use inside jnet besides itself; a package not listed here fails. */
    private static final Map<String, Set<String>> ALLOWED = Map.ofEntries(
            Map.entry("time", Set.of()),
            Map.entry("wire", Set.of()),
            Map.entry("mem", Set.of("time")),
            Map.entry("loop", Set.of("time", "mem")),
            Map.entry("link", Set.of("loop", "time", "mem", "wire")),
            Map.entry("ip", Set.of("link", "loop", "time", "mem", "wire")),
            Map.entry("udp", Set.of("ip", "link", "loop", "time", "mem", "wire")),
            Map.entry("tcp", Set.of("ip", "link", "loop", "time", "mem", "wire")),
            // ICMP hands errors to the transports, so it sits above them
            Map.entry("icmp", Set.of("tcp", "udp", "ip", "link", "loop", "time", "mem", "wire")),
            // the channels are the stack's API: they may use the facade
            Map.entry("nio", Set.of(ROOT, "tcp", "udp", "icmp", "ip", "link", "loop", "time", "mem", "wire")));
    /** A type named with its package: {@code org.jioth.jnet[.pkg...].Type} or a wildcard import. */
    private static final Pattern REFERENCE = Pattern.compile("\\borg\\.jioth\\.jnet((?:\\.[a-z][a-z0-9_]*)*)\\.(?:[A-Z]|\\*)");
    private static final Pattern COMMENT = Pattern.compile("/\\*.*?\\*/|//[^\\n]*", Pattern.DOTALL);

    @Test
    void everyPackageUsesOnlyTheLayersBelowIt() throws IOException {
        assertThat(SOURCES).as("jnet's main sources (tests run in the module's directory)").isDirectory();
        List<String> violations = new ArrayList<>();
        Set<String> packages = new TreeSet<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                Path dir = SOURCES.relativize(f).getParent();
                if (dir == null) {
                    continue; // the facade itself may use everything
                }
                String pkg = dir.getName(0).toString();
                packages.add(pkg);
                for (String used : packagesUsed(Files.readString(f))) {
                    if (!used.equals(pkg) && !ALLOWED.getOrDefault(pkg, Set.of()).contains(used)) {
                        violations.add(SOURCES.relativize(f) + " uses " + name(used));
                    }
                }
            }
        }
        assertThat(packages).as("every package has its place in ALLOWED").isSubsetOf(ALLOWED.keySet());
        assertThat(violations).as("references that go up a layer").isEmpty();
    }

    @Test
    void protocolPackagesDoNotUseTheFacade() throws IOException {
        for (String pkg : List.of("link", "ip", "icmp", "udp", "tcp", "loop", "mem", "time", "wire")) {
            assertThat(ALLOWED.get(pkg)).as(pkg).doesNotContain(ROOT);
        }
    }

    @Test
    void theScannerSeesImportsAndQualifiedNamesButNotComments() {
        String source = """
                package org.jioth.jnet.tcp;
                import org.jioth.jnet.JnetStack;
                import org.jioth.jnet.loop.Counter;
                import org.jioth.jnet.*;
                /** See {@link org.jioth.jnet.udp.UdpLayer}. */
                class X { org.jioth.jnet.ip.Ipv4Layer.Path p; // org.jioth.jnet.nio.Foo
                  org.jioth.jnet.loop.StackLoop loop; }
                """;
        assertThat(packagesUsed(source)).containsExactlyInAnyOrder(ROOT, "loop", "ip");
    }

    /** The jnet packages {@code source} names types of, by their first name below org.jioth.jnet. */
    static Set<String> packagesUsed(String source) {
        Set<String> used = new TreeSet<>();
        Matcher m = REFERENCE.matcher(COMMENT.matcher(source).replaceAll(" "));
        while (m.find()) {
            String sub = m.group(1);
            if (sub.isEmpty()) {
                used.add(ROOT);
            } else {
                int dot = sub.indexOf('.', 1);
                used.add(dot < 0 ? sub.substring(1) : sub.substring(1, dot));
            }
        }
        return used;
    }

    private static String name(String pkg) {
        return pkg.isEmpty() ? "the root package org.jioth.jnet" : "org.jioth.jnet." + pkg;
    }
}
