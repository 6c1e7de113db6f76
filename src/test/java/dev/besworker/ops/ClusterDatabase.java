package dev.besworker.ops;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * A fresh PostgreSQL database of the machine's server (127.0.0.1:5432, trust authentication),
 * created for one test class and dropped after it.
 */
final class ClusterDatabase implements AutoCloseable {

    private static final String SERVER = "jdbc:postgresql://127.0.0.1:5432/";

    final String name = "cluster_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    final String user = "postgres";

    ClusterDatabase() throws SQLException {
        try (Connection connection = DriverManager.getConnection(SERVER + "postgres", user, "");
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + name);
        }
    }

    String url() {
        return SERVER + name;
    }

    Connection connect() throws SQLException {
        return DriverManager.getConnection(url(), user, "");
    }

    @Override
    public void close() throws SQLException {
        try (Connection connection = DriverManager.getConnection(SERVER + "postgres", user, "");
                Statement statement = connection.createStatement()) {
            statement.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        }
    }
}
