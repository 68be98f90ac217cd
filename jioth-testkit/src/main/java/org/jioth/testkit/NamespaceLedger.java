package org.jioth.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Writes down every network namespace a test made ({@code ip netns add NAME} that succeeded) in
 * {@code target/jioth-test-netns.txt} of the module under test. Tests remove their namespaces
 * themselves, even when they fail; this list is for what they cannot: a test JVM killed or crashed
 * leaves its namespaces behind, and {@code .ci/run} removes those named here (and only those, so a
 * CI run never touches a namespace it did not make).
 */
public final class NamespaceLedger {
    /** The list, relative to the module directory (the test JVM's working directory). */
    public static final Path FILE = Path.of("target", "jioth-test-netns.txt");

    private NamespaceLedger() {
    }

    /** Records the namespace {@code command} made, if it is a successful {@code ip netns add NAME}. */
    public static void noteIfMade(List<String> command, int exitCode) {
        if (exitCode == 0 && command.size() == 4 && command.get(0).equals("ip")
                && command.get(1).equals("netns") && command.get(2).equals("add")) {
            record(command.get(3));
        }
    }

    /** Appends {@code namespace} to the list. A failure to write costs only the safety net: ignored. */
    public static synchronized void record(String namespace) {
        try {
            Files.createDirectories(FILE.toAbsolutePath().getParent());
            Files.writeString(FILE, namespace + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
        } catch (IOException e) {
            System.getLogger(NamespaceLedger.class.getName()).log(System.Logger.Level.WARNING,
                    "cannot record test namespace " + namespace + " in " + FILE.toAbsolutePath(), e);
        }
    }
}
