package org.jioth.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.concurrent.TimeUnit;
import org.jioth.IothStack;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * PgJDBC on a jnet stack, through its {@code socketFactory} connection property, against a real
 * PostgreSQL ({@link PostgresPeer}) in a Linux namespace on the same vde_switch: a table created,
 * 10,000 rows inserted in batches, and read back byte-exact ({@link PgRows}).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PgJdbcTest {
    static final String PEER = VdeNet.NET + 1;

    @TempDir
    Path dir;
    VdeNet net;
    PostgresPeer postgres;

    @BeforeEach
    void setUp() throws Exception {
        VdeNet.assumeKernelPeers("ss");
        PostgresPeer.assume();
        net = VdeNet.start(dir);
    }

    @AfterEach
    void tearDown() throws IOException {
        StackSocketFactory.unregister("pg");
        if (net != null) {
            net.close(); // stops postgres by its PID before its directory goes
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void pgJdbcOnJnetStoresAndReadsBackTenThousandRows() throws Exception {
        IothStack stack = net.jnet(50);
        String ns = net.namespace(1);
        postgres = PostgresPeer.start(net, ns, PEER);

        // --- recipe: PgJDBC on a stack ---
        StackSocketFactory.register("pg", stack);
        String url = "jdbc:postgresql://" + PEER + ":" + PostgresPeer.PORT + "/postgres?user=postgres&sslmode=disable&gssEncMode=disable"
                + "&socketFactory=" + StackSocketFactory.class.getName() + "&socketFactoryArg=pg";
        try (Connection db = DriverManager.getConnection(url)) {
            // --- end of recipe ---
            assertThat(PgRows.writeAndReadBack(db, PgRows.ROWS)).isEqualTo(PgRows.ROWS);
        }
        assertThat(stack.statistics().get("Tcp.ActiveOpens")).as("connections the driver opened on jnet").isPositive();
    }
}
