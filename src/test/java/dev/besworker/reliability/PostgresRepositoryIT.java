package dev.besworker.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.besworker.embedded.AzuriteProcess;
import dev.besworker.emulator.BesEmulator;
import dev.besworker.emulator.EmulatorSettings;
import dev.besworker.reliability.Scenario.Definition;
import dev.besworker.reliability.WorkerJvm.Result;
import dev.besworker.reliability.WorkerJvm.Running;
import dev.besworker.support.EmulatorAdmin;

/**
 * The job repository on PostgreSQL by configuration alone ({@code SPRING_DATASOURCE_*} in the
 * environment): the schemas are created, a run killed while polling is recovered through the
 * owner table and restarted to completion, all in a fresh schema of the local server's
 * {@code test} database (127.0.0.1:5432, trust authentication), dropped afterwards.
 */
class PostgresRepositoryIT {

    private static final String SERVER = "jdbc:postgresql://127.0.0.1:5432/test";
    private static final String KEY = "postgres-test-key";

    private static String user;
    private static String schema;
    private static AzuriteProcess azurite;
    private static BesEmulator emulator;
    private static EmulatorAdmin admin;

    @BeforeAll
    static void createSchemaAndStartServices() throws Exception {
        user = connectableUser();
        schema = "bes_worker_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection connection = DriverManager.getConnection(SERVER, user, "");
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE SCHEMA " + schema);
        }
        azurite = AzuriteProcess.start(null);
        emulator = BesEmulator.start(EmulatorSettings.defaults().withApiKey(KEY).withAdmin(true));
        admin = new EmulatorAdmin(emulator.baseUri());
    }

    @AfterAll
    static void dropSchemaAndStopServices() throws Exception {
        if (emulator != null) {
            emulator.close();
        }
        if (azurite != null) {
            azurite.close();
        }
        if (schema != null) {
            try (Connection connection = DriverManager.getConnection(SERVER, user, "");
                    Statement statement = connection.createStatement()) {
                statement.execute("DROP SCHEMA " + schema + " CASCADE");
            }
        }
    }

    @Test
    void runKilledWhilePolling_isRecoveredAndRestartedToCompletion_onPostgres() throws Exception {
        // given: the worker pointed at PostgreSQL by its environment only
        Scenario scenario = new Scenario(Scenario.workDir(PostgresRepositoryIT.class));
        Definition definition = scenario.definition("reviews", emulator.baseUri().toString(), KEY,
                azurite.connectionString());
        definition.write(scenario.jobsDir);
        Path input = Files.copy(Path.of("sample-data/book-reviews.csv"), scenario.root.resolve("book-reviews.csv"));
        String url = SERVER + "?currentSchema=" + schema;
        WorkerJvm worker = new WorkerJvm(scenario).env("SPRING_DATASOURCE_URL", url)
                .env("SPRING_DATASOURCE_USERNAME", user).env("SPRING_DATASOURCE_PASSWORD", "");
        admin.behaviour("{\"jobDurationMillis\":3000}");

        // when: killed while polling, then restarted
        Running run = worker.start("run", "reviews", "--input", input.toString());
        try {
            await().atMost(Duration.ofSeconds(90)).until(() -> admin.counter("statusCalls") >= 2 || !run.isAlive());
            assertThat(run.isAlive()).as("the run is polling: %s", run.stderrSoFar()).isTrue();
            run.kill();
        }
        finally {
            run.destroyIfAlive();
        }
        long id = scenario.startedExecution("reviews");
        Repository repository = Repository.of(url, user);
        assertThat(repository.status(id)).as("left behind by the killed worker").isEqualTo("STARTED");
        assertThat(repository.ownerRows(id)).isEqualTo(1);
        Result restart = worker.run("restart", Long.toString(id));

        // then
        assertThat(restart.exitCode()).as(restart.toString()).isZero();
        assertThat(scenario.logText()).contains("execution " + id + " was left STARTED by process " + run.pid())
                .contains("which is gone; recovering it");
        assertThat(repository.status(id)).as("recovered").isEqualTo("FAILED");
        assertThat(repository.newestStatus()).as("the restart").isEqualTo("COMPLETED");
        assertThat(repository.ownerRows(id)).isZero();
        assertThat(definition.output("book-reviews")).isNotEmptyFile();
        assertThat(admin.counter("submits")).isEqualTo(1);
        assertThat(tables()).contains("batch_job_execution", "batch_step_execution", "batch_job_execution_context",
                "bes_worker_owner");
        assertThat(scenario.dataDir.resolve("repository")).as("no H2 file was used").doesNotExist();
    }

    private static List<String> tables() throws SQLException {
        try (Connection connection = DriverManager.getConnection(SERVER, user, "");
                var query = connection.prepareStatement(
                        "SELECT table_name FROM information_schema.tables WHERE table_schema = ?")) {
            query.setString(1, schema);
            try (var rs = query.executeQuery()) {
                List<String> names = new java.util.ArrayList<>();
                while (rs.next()) {
                    names.add(rs.getString(1).toLowerCase(Locale.ROOT));
                }
                return names;
            }
        }
    }

    /** postgres, else root: whichever the local server lets in without a password. */
    private static String connectableUser() {
        SQLException last = null;
        for (String candidate : List.of("postgres", "root")) {
            try (Connection ignored = DriverManager.getConnection(SERVER, candidate, "")) {
                return candidate;
            }
            catch (SQLException ex) {
                last = ex;
            }
        }
        throw new IllegalStateException("no PostgreSQL at 127.0.0.1:5432 with database test and trust authentication "
                + "for postgres or root: " + (last == null ? "" : last.getMessage()));
    }
}
