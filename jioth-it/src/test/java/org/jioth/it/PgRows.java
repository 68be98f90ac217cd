package org.jioth.it;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;

/** The PgJDBC workload: a table, rows with text and bytea inserted in batches, read back and compared. */
final class PgRows {
    static final int ROWS = 10_000;

    private PgRows() {
    }

    /** Creates {@code jioth_rows}, inserts {@code rows} rows, reads them back; returns how many matched (throws on the first that does not). */
    static int writeAndReadBack(Connection db, int rows) throws SQLException {
        try (Statement st = db.createStatement()) {
            st.execute("create table jioth_rows (id integer primary key, label text not null, payload bytea not null)");
        }
        db.setAutoCommit(false);
        try (PreparedStatement insert = db.prepareStatement("insert into jioth_rows (id, label, payload) values (?, ?, ?)")) {
            for (int i = 0; i < rows; i++) {
                insert.setInt(1, i);
                insert.setString(2, label(i));
                insert.setBytes(3, payload(i));
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
                if (id != seen || !rs.getString(2).equals(label(id)) || !Arrays.equals(rs.getBytes(3), payload(id))) {
                    throw new AssertionError("row " + seen + " came back as id " + id + " label " + rs.getString(2)
                            + " payload of " + rs.getBytes(3).length + " bytes");
                }
                seen++;
            }
        }
        return seen;
    }

    /** Text with multi-byte characters, so the encoding is exercised too. */
    static String label(int i) {
        return "row " + i + " — ünïcødé ✓";
    }

    static byte[] payload(int i) {
        return Bytes.random(i % 300, i);
    }
}
