package dev.besworker.cluster;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

import dev.besworker.embedded.AzuriteProcess;
import dev.besworker.emulator.BesEmulator;
import dev.besworker.emulator.EmulatorSettings;
import dev.besworker.support.EmulatorAdmin;
import dev.besworker.support.InboxDefinition;

/**
 * What the multi-host tests share: a fresh PostgreSQL database per test class (on the machine's
 * server, 127.0.0.1:5432, user postgres, trust authentication), one Azurite and one BES emulator
 * (whose counters tell how often BES was asked to do what), and per test a jobs folder, an inbox
 * and an output folder that every worker shares, as they would on shared storage.
 */
abstract class ClusterHarness {

    static final String SERVER = "jdbc:postgresql://127.0.0.1:5432/";
    static final String USER = "postgres";
    static final String API_KEY = "cluster-test-key-0123456789";
    /** The lease of the workers in these tests: short, so that take-overs are quick. */
    static final Duration LEASE = Duration.ofSeconds(4);

    static String database;
    static AzuriteProcess azurite;
    static BesEmulator emulator;
    static EmulatorAdmin admin;

    @TempDir
    Path root;
    Path jobsDir;
    private final List<HostWorker> workers = new ArrayList<>();

    @BeforeAll
    static void databaseAndServices() throws Exception {
        HostWorker.requireUnshare();
        database = "scaleout_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection connection = DriverManager.getConnection(SERVER + "postgres", USER, "");
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + database);
        }
        azurite = AzuriteProcess.start(null);
        emulator = BesEmulator.start(EmulatorSettings.defaults().withApiKey(API_KEY).withAdmin(true)
                .withJobDuration(Duration.ofMillis(500)));
        admin = new EmulatorAdmin(emulator.baseUri());
    }

    @AfterAll
    static void dropDatabaseAndStopServices() throws Exception {
        if (emulator != null) {
            emulator.close();
        }
        if (azurite != null) {
            azurite.close();
        }
        if (database != null) {
            try (Connection connection = DriverManager.getConnection(SERVER + "postgres", USER, "");
                    Statement statement = connection.createStatement()) {
                statement.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
            }
        }
    }

    @BeforeEach
    void folders() throws IOException {
        jobsDir = Files.createDirectories(root.resolve("jobs"));
        admin.reset();
    }

    @AfterEach
    void stopWorkers(TestInfo test) throws IOException {
        workers.forEach(HostWorker::close);
        // Kept for a look after a failure: the temporary folder goes with the test.
        Path logs = Files.createDirectories(Path.of("target", "cluster-it", test.getTestMethod().map(m -> m.getName())
                .orElse("test")));
        for (HostWorker worker : workers) {
            Files.writeString(logs.resolve(worker.host() + ".log"), worker.logAndConsole(), StandardCharsets.UTF_8);
        }
        workers.clear();
    }

    /** The settings every worker gets; {@code extra} adds or overrides. */
    Map<String, String> settings(Map<String, String> extra) {
        Map<String, String> all = new HashMap<>();
        all.put("besworker.inbox-poll-interval", "200ms");
        all.put("besworker.heartbeat-interval", "500ms");
        all.put("besworker.stop-timeout", "10s");
        all.put("besworker.cluster.scan-interval", "1s");
        all.put("besworker.cluster.lease-duration", LEASE.toMillis() + "ms");
        all.putAll(extra);
        return all;
    }

    /** Starts a worker as host {@code host} and waits until it is ready. */
    HostWorker worker(String host, Map<String, String> extra) {
        return start(host, extra).awaitReady(Duration.ofMinutes(2));
    }

    /** Starts workers with the common settings all at once (quicker), and waits until each is ready. */
    List<HostWorker> workers(String... hosts) {
        List<HostWorker> started = Stream.of(hosts).map(host -> start(host, Map.of())).toList();
        started.forEach(worker -> worker.awaitReady(Duration.ofMinutes(2)));
        return started;
    }

    private HostWorker start(String host, Map<String, String> extra) {
        HostWorker worker = HostWorker.start(host, root, jobsDir, settings(extra), Map.of(
                "SPRING_DATASOURCE_URL", SERVER + database, "SPRING_DATASOURCE_USERNAME", USER,
                "SPRING_DATASOURCE_PASSWORD", ""));
        workers.add(worker);
        return worker;
    }

    /** Writes jobs/NAME.yml against this class's emulator and Azurite, with a shared inbox; {@code extra} is appended. */
    void definition(String name, String extra) throws IOException {
        new InboxDefinition(emulator.baseUri(), API_KEY, azurite.connectionString(), "cluster-",
                "{initial-interval: 200ms, max-interval: 500ms, timeout: 5m}")
                .write(jobsDir, name, inbox(name), output(name), Duration.ofMillis(300), extra);
    }

    Path inbox(String definition) {
        return root.resolve("inbox").resolve(definition);
    }

    Path output(String definition) {
        return root.resolve("out").resolve(definition);
    }

    /** Drops a CSV whose content is unique to {@code tag}, written aside and renamed in, as users should. */
    void drop(String definition, String name, String tag) throws IOException {
        StringBuilder text = new StringBuilder("ReviewId,Col2,Rating\n");
        for (int i = 1; i <= 5; i++) {
            text.append(i).append(",\"").append(tag).append(" review ").append(i).append(" is a good day\",4\n");
        }
        Path inbox = Files.createDirectories(inbox(definition));
        Path temp = inbox.resolve("." + name + ".tmp");
        Files.writeString(temp, text.toString(), StandardCharsets.UTF_8);
        Files.move(temp, inbox.resolve(name));
    }

    /** Regular files in a folder, by name. */
    static List<String> names(Path folder) {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(Files::isRegularFile).map(f -> f.getFileName().toString()).sorted().toList();
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    static void awaitFiles(Path folder, int count, Duration atMost) {
        await().atMost(atMost).pollInterval(Duration.ofMillis(200)).until(() -> names(folder).size() >= count);
    }

    /** Rows of a query on the test's database, each as a list of strings. */
    static List<List<String>> query(String sql, Object... arguments) {
        try (Connection connection = DriverManager.getConnection(SERVER + database, USER, "");
                PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < arguments.length; i++) {
                statement.setObject(i + 1, arguments[i]);
            }
            try (ResultSet rs = statement.executeQuery()) {
                List<List<String>> rows = new ArrayList<>();
                int columns = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    List<String> row = new ArrayList<>();
                    for (int c = 1; c <= columns; c++) {
                        row.add(rs.getString(c));
                    }
                    rows.add(row);
                }
                return rows;
            }
        }
        catch (SQLException ex) {
            throw new IllegalStateException(ex);
        }
    }

    /** How many BES jobs the emulator started, and how often each staged input was submitted. */
    static long starts() {
        return admin.counter("starts");
    }

    static Map<String, Long> submitsByInput() {
        Map<String, Long> counts = new HashMap<>();
        admin.counters().path("submitsByInput").properties().forEach(e -> counts.put(e.getKey(), e.getValue().asLong()));
        return counts;
    }

    /** Executions of a definition by status. */
    static Map<String, Long> statuses(String definition) {
        Map<String, Long> counts = new HashMap<>();
        query("""
                SELECT e.STATUS FROM BATCH_JOB_EXECUTION e JOIN BATCH_JOB_EXECUTION_PARAMS p
                  ON p.JOB_EXECUTION_ID = e.JOB_EXECUTION_ID
                WHERE p.PARAMETER_NAME = 'definition' AND p.PARAMETER_VALUE = ?
                """, definition).forEach(row -> counts.merge(row.get(0), 1L, Long::sum));
        return counts;
    }

    /** How many times a line containing {@code text} appears in the worker's log. */
    static long lines(HostWorker worker, String text) {
        return worker.log().lines().filter(line -> line.contains(text)).count();
    }
}
