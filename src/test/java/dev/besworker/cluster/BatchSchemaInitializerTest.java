package dev.besworker.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.batch.jdbc.autoconfigure.BatchJdbcProperties;
import org.springframework.boot.sql.init.DatabaseInitializationMode;
import org.springframework.jdbc.core.JdbcTemplate;

/** Spring Batch's tables are made once: a later start leaves no error behind, and a lost table comes back. */
class BatchSchemaInitializerTest {

    private static final String POSTGRES = "jdbc:postgresql://127.0.0.1:5432/";

    private static final List<String> SOME_OF_BATCH = List.of("BATCH_JOB_INSTANCE", "BATCH_STEP_EXECUTION_CONTEXT",
            "BATCH_JOB_EXECUTION_SEQ");

    @TempDir
    Path dir;

    @Test
    void aStartOnAnExistingRepository_leavesNoErrorInH2sTraceFile() throws Exception {
        try (HikariDataSource h2 = pool("jdbc:h2:file:" + dir.resolve("bes-worker"), "sa")) {
            // given: an H2 repository a first start made
            initialize(h2);
            assertThat(objects(h2)).containsAll(SOME_OF_BATCH);
            assertThat(trace()).isEmpty();

            // when: later starts
            initialize(h2);
            initialize(h2);

            // then: nothing failed, so H2 wrote no trace (Boot's own initializer leaves nine errors a start there)
            assertThat(trace()).isEmpty();
            assertThat(objects(h2)).containsAll(SOME_OF_BATCH);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = { "H2", "PostgreSQL" })
    void aTableOrSequenceThatWentMissing_isMadeAgainAtTheNextStart(String database) throws Exception {
        String postgres = "bes_schema_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        if ("PostgreSQL".equals(database)) {
            execute(DriverManager.getConnection(POSTGRES + "postgres", "postgres", ""), "CREATE DATABASE " + postgres);
        }
        try (HikariDataSource dataSource = "H2".equals(database)
                ? pool("jdbc:h2:file:" + dir.resolve("bes-worker"), "sa") : pool(POSTGRES + postgres, "postgres")) {
            // given: a repository a first start made, that then lost a table and a sequence
            initialize(dataSource);
            new JdbcTemplate(dataSource).execute("DROP TABLE BATCH_STEP_EXECUTION_CONTEXT");
            new JdbcTemplate(dataSource).execute("DROP SEQUENCE BATCH_JOB_EXECUTION_SEQ");
            assertThat(objects(dataSource)).doesNotContain("BATCH_STEP_EXECUTION_CONTEXT", "BATCH_JOB_EXECUTION_SEQ");

            // when
            initialize(dataSource);

            // then
            assertThat(objects(dataSource)).containsAll(SOME_OF_BATCH);
        }
        finally {
            if ("PostgreSQL".equals(database)) {
                execute(DriverManager.getConnection(POSTGRES + "postgres", "postgres", ""),
                        "DROP DATABASE IF EXISTS " + postgres + " WITH (FORCE)");
            }
        }
    }

    /** A connection pool as the worker's (H2 closes a database with its last connection). */
    private static HikariDataSource pool(String url, String user) {
        HikariDataSource pool = new HikariDataSource();
        pool.setJdbcUrl(url);
        pool.setUsername(user);
        pool.setPassword("");
        pool.setMaximumPoolSize(4);
        return pool;
    }

    /** What H2 wrote to its trace file (errors), or empty. */
    private String trace() throws java.io.IOException {
        Path trace = dir.resolve("bes-worker.trace.db");
        return java.nio.file.Files.exists(trace) ? java.nio.file.Files.readString(trace) : "";
    }

    /** One start's Spring Batch schema initialization, as the worker's context runs it. */
    private static void initialize(DataSource dataSource) {
        BatchJdbcProperties properties = new BatchJdbcProperties();
        properties.setInitializeSchema(DatabaseInitializationMode.ALWAYS);
        new BatchSchemaInitializer(dataSource, properties).initializeDatabase();
    }

    /** The tables and sequences of the current schema, upper-cased. */
    private static List<String> objects(DataSource dataSource) {
        JdbcTemplate jdbc = new JdbcTemplate(dataSource);
        return jdbc.queryForList("SELECT TABLE_NAME FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_SCHEMA = CURRENT_SCHEMA"
                + " UNION SELECT SEQUENCE_NAME FROM INFORMATION_SCHEMA.SEQUENCES WHERE SEQUENCE_SCHEMA = CURRENT_SCHEMA",
                String.class).stream().map(name -> name.toUpperCase(Locale.ROOT)).toList();
    }

    private static void execute(Connection connection, String sql) throws Exception {
        try (connection; Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
