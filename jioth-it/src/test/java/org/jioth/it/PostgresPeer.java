package org.jioth.it;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.jioth.testkit.ChildProcess;

/**
 * A real PostgreSQL (Debian's {@code postgresql}) for a test: {@code initdb} into a temporary
 * directory owned by user {@code postgres}, trust authentication for the test net, the server
 * started as {@code postgres} in a namespace of a {@link VdeNet} (which stops it by PID), listening
 * on the namespace's address only. {@link #close()} removes the directory.
 */
final class PostgresPeer implements AutoCloseable {
    static final int PORT = 5432;

    private final Path pgDir;

    private PostgresPeer(Path pgDir) {
        this.pgDir = pgDir;
    }

    /** Skips the test unless PostgreSQL, its user and setpriv are installed. */
    static void assume() {
        assumeTrue(bin().isPresent(), "PostgreSQL is not installed (Debian postgresql: /usr/lib/postgresql/*/bin/initdb)");
        assumeTrue(ChildProcess.works("id", "postgres"), "there is no user postgres (Debian's postgresql package makes it)");
        assumeTrue(VdeNet.onPath("setpriv"), "setpriv (util-linux) is not installed");
    }

    /** The newest installed PostgreSQL's bin directory. */
    static Optional<Path> bin() {
        Path root = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(root)) {
            return Optional.empty();
        }
        try (Stream<Path> versions = Files.list(root)) {
            return versions.map(v -> v.resolve("bin"))
                    .filter(b -> Files.isExecutable(b.resolve("initdb")) && Files.isExecutable(b.resolve("postgres")))
                    .max(Comparator.comparing(b -> Integer.parseInt(b.getParent().getFileName().toString().replaceAll("\\D", "0"))));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** {@code cmd} as user postgres (setpriv execs it: the PID stays the program's). */
    private static List<String> asPostgres(String... cmd) {
        List<String> full = new ArrayList<>(List.of("setpriv", "--reuid=postgres", "--regid=postgres", "--clear-groups"));
        full.addAll(List.of(cmd));
        return full;
    }

    /** Creates a cluster and starts it in {@code ns} on {@code address}; returns once it listens. */
    static PostgresPeer start(VdeNet net, String ns, String address) throws Exception {
        Path bin = bin().orElseThrow();
        // @TempDir is private to root; this one belongs to postgres
        PostgresPeer peer = new PostgresPeer(Files.createTempDirectory("jioth-pg"));
        try {
            VdeNet.must("chown", "postgres:postgres", peer.pgDir.toString());
            Path data = peer.pgDir.resolve("data");
            List<String> initdb = new ArrayList<>(List.of("sh", "-c", "cd \"$1\" && shift && exec \"$@\"", "sh", peer.pgDir.toString()));
            initdb.addAll(asPostgres(bin.resolve("initdb").toString(), "-D", data.toString(), "-U", "postgres",
                    "--auth=trust", "--encoding=UTF8", "--no-sync"));
            ChildProcess.Result made = ChildProcess.run(initdb, 180);
            if (made.exitCode() != 0) {
                throw new IOException("initdb failed: " + made.output());
            }
            Files.writeString(data.resolve("pg_hba.conf"), "host all all " + VdeNet.NET + "0/24 trust\n",
                    StandardCharsets.UTF_8, StandardOpenOption.APPEND);
            List<String> postgres = asPostgres(bin.resolve("postgres").toString(), "-D", data.toString(),
                    "-p", String.valueOf(PORT), "-c", "listen_addresses=" + address, "-c", "unix_socket_directories=" + peer.pgDir,
                    "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "log_connections=on");
            net.start(ns, "postgres.log", postgres.toArray(String[]::new));
            if (!net.awaitListening(ns, PORT)) {
                throw new IOException("postgres does not listen: " + net.log("postgres.log"));
            }
            return peer;
        } catch (Exception e) {
            peer.close();
            throw e;
        }
    }

    /** Removes the cluster's directory; the server must have been stopped (VdeNet.close) first. */
    @Override
    public void close() throws IOException {
        try (Stream<Path> all = Files.walk(pgDir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
