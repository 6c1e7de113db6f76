package dev.besworker.reliability;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a worker's job repository directly over JDBC, as an operator's SQL client would: the
 * H2 file under a data folder (AUTO_SERVER, so a running worker keeps it), or any JDBC URL.
 */
final class Repository {

    private final String url;
    private final String user;

    private Repository(String url, String user) {
        this.url = url;
        this.user = user;
    }

    /** The H2 repository of a data folder, as the worker's default configuration names it. */
    static Repository h2(Path dataDir) {
        return new Repository("jdbc:h2:file:" + dataDir.toAbsolutePath().resolve("repository/bes-worker")
                + ";AUTO_SERVER=TRUE;IFEXISTS=TRUE", "sa");
    }

    static Repository of(String url, String user) {
        return new Repository(url, user);
    }

    Connection connect() throws SQLException {
        return DriverManager.getConnection(url, user, "");
    }

    /** The status of an execution (STARTED, STOPPED, FAILED, COMPLETED, ABANDONED...). */
    String status(long executionId) throws SQLException {
        try (Connection connection = connect();
                PreparedStatement query = connection.prepareStatement(
                        "SELECT STATUS FROM BATCH_JOB_EXECUTION WHERE JOB_EXECUTION_ID = ?")) {
            query.setLong(1, executionId);
            try (ResultSet rs = query.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    /** The status of the newest execution. */
    String newestStatus() throws SQLException {
        try (Connection connection = connect();
                PreparedStatement query = connection.prepareStatement(
                        "SELECT STATUS FROM BATCH_JOB_EXECUTION ORDER BY JOB_EXECUTION_ID DESC LIMIT 1");
                ResultSet rs = query.executeQuery()) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    /** Step name to status of an execution, in the order they ran. */
    Map<String, String> steps(long executionId) throws SQLException {
        Map<String, String> steps = new LinkedHashMap<>();
        try (Connection connection = connect();
                PreparedStatement query = connection.prepareStatement("SELECT STEP_NAME, STATUS FROM "
                        + "BATCH_STEP_EXECUTION WHERE JOB_EXECUTION_ID = ? ORDER BY STEP_EXECUTION_ID")) {
            query.setLong(1, executionId);
            try (ResultSet rs = query.executeQuery()) {
                while (rs.next()) {
                    steps.put(rs.getString(1), rs.getString(2));
                }
            }
        }
        return steps;
    }

    /** Rows of the owner table for an execution. */
    int ownerRows(long executionId) throws SQLException {
        try (Connection connection = connect();
                PreparedStatement query = connection.prepareStatement(
                        "SELECT COUNT(*) FROM BES_WORKER_OWNER WHERE JOB_EXECUTION_ID = ?")) {
            query.setLong(1, executionId);
            try (ResultSet rs = query.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    /**
     * Every text-like value of every table of the schema (the job repository's and the worker's
     * own), as "TABLE.COLUMN: value" lines: what a secret scan has to search.
     */
    List<String> dumpText(String schema) throws SQLException {
        List<String> values = new ArrayList<>();
        try (Connection connection = connect()) {
            DatabaseMetaData meta = connection.getMetaData();
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = meta.getTables(null, schema, "%", new String[] {"TABLE"})) {
                while (rs.next()) {
                    tables.add(rs.getString("TABLE_NAME"));
                }
            }
            for (String table : tables) {
                try (Statement statement = connection.createStatement();
                        ResultSet rs = statement.executeQuery("SELECT * FROM " + (schema == null ? "" : schema + ".")
                                + table)) {
                    int columns = rs.getMetaData().getColumnCount();
                    while (rs.next()) {
                        for (int i = 1; i <= columns; i++) {
                            int type = rs.getMetaData().getColumnType(i);
                            String value = switch (type) {
                                case Types.BLOB, Types.BINARY, Types.VARBINARY, Types.LONGVARBINARY -> {
                                    byte[] bytes = rs.getBytes(i);
                                    yield bytes == null ? null : new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
                                }
                                default -> rs.getString(i);
                            };
                            if (value != null) {
                                values.add(table + "." + rs.getMetaData().getColumnName(i) + ": " + value);
                            }
                        }
                    }
                }
            }
            if (tables.isEmpty()) {
                throw new IllegalStateException("no tables in schema " + schema + " of " + url);
            }
        }
        return values;
    }
}
