package org.jioth.it;

import java.sql.Connection;
import java.sql.DriverManager;

/** An ordinary PgJDBC program (plain java.net sockets, no socket factory): args JDBC-URL; prints how many rows came back intact. */
public final class PgJdbcMain {
    private PgJdbcMain() {
    }

    public static void main(String[] args) throws Exception {
        try (Connection db = DriverManager.getConnection(args[0])) {
            System.out.println("verified " + PgRows.writeAndReadBack(db, PgRows.ROWS) + " rows");
        }
    }
}
