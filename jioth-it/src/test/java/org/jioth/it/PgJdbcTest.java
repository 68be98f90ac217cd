package org.jioth.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jioth.IothStack;
import org.jioth.testkit.ChildProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * PgJDBC on a jnet stack, through its {@code socketFactory} connection property, against a real
 * PostgreSQL (Debian's {@code postgresql}) that the test creates with {@code initdb} in a
 * temporary directory and starts as user {@code postgres} in a Linux namespace on the same
 * vde_switch (listening on the namespace's address only, trust authentication for the test net):
 * a table created, 10,000 rows inserted in batches, and read back byte-exact.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PgJdbcTest {
    static final int PORT = 5432;
    static final String PEER = VdeNet.NET + 1;
    static final int ROWS = 10_000;

    @TempDir
    Path dir;
    VdeNet net;
    /** Owned by postgres: @TempDir is private to root. */
    Path pgDir;

    @BeforeEach
    void setUp() throws Exception {
        VdeNet.assumeKernelPeers("setpriv", "ss");
        assumeTrue(postgresBin().isPresent(), "PostgreSQL is not installed (Debian postgresql: /usr/lib/postgresql/*/bin/initdb)");
        assumeTrue(ChildProcess.works("id", "postgres"), "there is no user postgres (Debian's postgresql package makes it)");
        net = VdeNet.start(dir);
    }

    @AfterEach
    void tearDown() throws IOException {
        StackSocketFactory.unregister("pg");
        if (net != null) {
            net.close(); // stops postgres by its PID before its directory goes
        }
        if (pgDir != null) {
            try (Stream<Path> all = Files.walk(pgDir)) {
                for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** The newest installed PostgreSQL's bin directory. */
    static Optional<Path> postgresBin() {
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
    static List<String> asPostgres(String... cmd) {
        List<String> full = new java.util.ArrayList<>(List.of("setpriv", "--reuid=postgres", "--regid=postgres", "--clear-groups"));
        full.addAll(List.of(cmd));
        return full;
    }

    void startPostgres(String ns) throws Exception {
        Path bin = postgresBin().orElseThrow();
        pgDir = Files.createTempDirectory("jioth-pg");
        VdeNet.must("chown", "postgres:postgres", pgDir.toString());
        Path data = pgDir.resolve("data");
        List<String> initdb = new java.util.ArrayList<>(List.of("sh", "-c", "cd \"$1\" && shift && exec \"$@\"", "sh", pgDir.toString()));
        initdb.addAll(asPostgres(bin.resolve("initdb").toString(), "-D", data.toString(), "-U", "postgres",
                "--auth=trust", "--encoding=UTF8", "--no-sync"));
        ChildProcess.Result made = ChildProcess.run(initdb, 60);
        assertThat(made.exitCode()).as("initdb: %s", made.output()).isZero();
        Files.writeString(data.resolve("pg_hba.conf"), "host all all " + VdeNet.NET + "0/24 trust\n",
                StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
        List<String> postgres = asPostgres(bin.resolve("postgres").toString(), "-D", data.toString(),
                "-p", String.valueOf(PORT), "-c", "listen_addresses=" + PEER, "-c", "unix_socket_directories=" + pgDir,
                "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off");
        net.start(ns, "postgres.log", postgres.toArray(String[]::new));
        assertThat(net.awaitListening(ns, PORT)).as("postgres: %s", net.log("postgres.log")).isTrue();
    }

    @Test
    void pgJdbcOnJnetStoresAndReadsBackTenThousandRows() throws Exception {
        IothStack stack = net.jnet(50);
        String ns = net.namespace(1);
        startPostgres(ns);

        // --- recipe: PgJDBC on a stack ---
        StackSocketFactory.register("pg", stack);
        String url = "jdbc:postgresql://" + PEER + ":" + PORT + "/postgres?user=postgres&sslmode=disable&gssEncMode=disable"
                + "&socketFactory=" + StackSocketFactory.class.getName() + "&socketFactoryArg=pg";
        try (Connection db = DriverManager.getConnection(url)) {
            // --- end of recipe ---
            try (Statement st = db.createStatement()) {
                st.execute("create table jioth_rows (id integer primary key, label text not null, payload bytea not null)");
            }
            db.setAutoCommit(false);
            try (PreparedStatement insert = db.prepareStatement("insert into jioth_rows (id, label, payload) values (?, ?, ?)")) {
                for (int i = 0; i < ROWS; i++) {
                    insert.setInt(1, i);
                    insert.setString(2, label(i));
                    insert.setBytes(3, Bytes.random(i % 300, i));
                    insert.addBatch();
                    if (i % 1000 == 999) {
                        insert.executeBatch();
                    }
                }
                insert.executeBatch();
            }
            db.commit();
            int seen = 0;
            try (Statement st = db.createStatement();
                    ResultSet rs = st.executeQuery("select id, label, payload from jioth_rows order by id")) {
                while (rs.next()) {
                    int id = rs.getInt(1);
                    assertThat(id).isEqualTo(seen);
                    assertThat(rs.getString(2)).isEqualTo(label(id));
                    assertThat(rs.getBytes(3)).as("row %d", id).isEqualTo(Bytes.random(id % 300, id));
                    seen++;
                }
            }
            assertThat(seen).isEqualTo(ROWS);
        }
        assertThat(stack.statistics().get("Tcp.ActiveOpens")).as("connections the driver opened on jnet").isPositive();
    }

    /** Text with multi-byte characters, so the encoding is exercised too. */
    static String label(int i) {
        return "row " + i + " — ünïcødé ✓";
    }
}
