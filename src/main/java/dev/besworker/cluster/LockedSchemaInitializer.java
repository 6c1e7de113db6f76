package dev.besworker.cluster;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

import javax.sql.DataSource;

import org.springframework.boot.jdbc.autoconfigure.ApplicationDataSourceScriptDatabaseInitializer;
import org.springframework.boot.sql.autoconfigure.init.SqlInitializationProperties;
import org.springframework.dao.DataAccessResourceFailureException;

/**
 * Boot's schema initialization ({@code spring.sql.init.*}), one worker at a time on PostgreSQL.
 * Workers that start together against a new database would otherwise run the same
 * {@code CREATE TABLE IF NOT EXISTS} at the same moment, which PostgreSQL does not make safe (the
 * loser fails on a unique violation in {@code pg_type} and the worker does not start). A
 * session-level advisory lock, held on a connection of its own while the scripts run, queues the
 * others; they then find the tables there. Written here because Boot's initializer has no hook
 * for it; other databases (H2 is one machine) run the scripts as Boot does.
 */
final class LockedSchemaInitializer extends ApplicationDataSourceScriptDatabaseInitializer {

    /** The advisory lock's key: "bes-wkr" in ASCII, so that it does not collide with others by chance. */
    private static final long LOCK_KEY = 0x6265732d776b72L;

    LockedSchemaInitializer(DataSource dataSource, SqlInitializationProperties properties) {
        super(dataSource, properties);
    }

    @Override
    protected void runScripts(Scripts scripts) {
        underSchemaLock(getDataSource(), () -> super.runScripts(scripts));
    }

    /**
     * Runs {@code work} holding the schema lock on PostgreSQL, as it is on other databases: the one
     * lock of every script that creates the job repository's tables (this one's and Spring Batch's,
     * {@link BatchSchemaInitializer}).
     */
    static void underSchemaLock(DataSource dataSource, Runnable work) {
        try (Connection connection = dataSource.getConnection()) {
            if (!"PostgreSQL".equals(connection.getMetaData().getDatabaseProductName())) {
                work.run();
                return;
            }
            execute(connection, "SELECT pg_advisory_lock(" + LOCK_KEY + ")");
            try {
                work.run();
            }
            finally {
                execute(connection, "SELECT pg_advisory_unlock(" + LOCK_KEY + ")");
            }
        }
        catch (SQLException ex) {
            throw new DataAccessResourceFailureException("could not take the schema lock of the job repository", ex);
        }
    }

    private static void execute(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
