package dev.besworker.serve;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.besworker.embedded.AzuriteProcess;
import dev.besworker.emulator.BesEmulator;
import dev.besworker.emulator.EmulatorSettings;
import dev.besworker.ops.ExecutionReports;
import dev.besworker.ops.ExecutionReports.ExecutionSummary;
import dev.besworker.support.InboxDefinition;

/**
 * What the serve tests share: a real Azurite and the BES emulator over HTTP (one of each per test
 * class), a fresh jobs folder, data folder and inboxes per test, and helpers to write definitions
 * and CSV files and to start {@link Serve} in-process.
 */
abstract class ServeTestSupport {

    static final String API_KEY = "serve-test-key-0123456789";
    static final JsonMapper JSON = JsonMapper.builder().build();

    static AzuriteProcess azurite;
    static BesEmulator emulator;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path root;

    Path jobsDir;
    Path dataDir;
    private final List<Serve> started = new ArrayList<>();

    @BeforeAll
    static void services() throws IOException {
        azurite = AzuriteProcess.start(null);
        emulator = BesEmulator.start(EmulatorSettings.defaults().withAdmin(true).withApiKey(API_KEY)
                .withJobDuration(Duration.ofMillis(200)));
    }

    @AfterAll
    static void stopServices() {
        if (emulator != null) {
            emulator.close();
        }
        if (azurite != null) {
            azurite.close();
        }
    }

    @BeforeEach
    void folders() throws IOException {
        jobsDir = Files.createDirectories(root.resolve("jobs"));
        dataDir = Files.createDirectories(root.resolve("data"));
        admin("POST", "reset", null);
    }

    @AfterEach
    void stopServes() {
        started.forEach(Serve::shutdown);
    }

    /** Writes jobs/NAME.yml against this class's emulator and Azurite, with an inbox; {@code extra} is appended. */
    void definition(String name, Duration settle, String extra) throws IOException {
        new InboxDefinition(emulator.baseUri(), API_KEY, azurite.connectionString(), "serve-",
                "{initial-interval: 100ms, max-interval: 300ms, timeout: 2m}")
                .write(jobsDir, name, inbox(name), output(name), settle, extra);
    }

    Path inbox(String definition) {
        return root.resolve("inbox").resolve(definition);
    }

    Path output(String definition) {
        return root.resolve("out").resolve(definition);
    }

    /** Starts serve without HTTP; {@code properties} are besworker.* and Spring settings. */
    Serve serve(Map<String, String> properties) throws IOException {
        return serve(-1, properties);
    }

    Serve serve(int httpPort, Map<String, String> properties) throws IOException {
        Map<String, String> all = new HashMap<>();
        all.put("besworker.inbox-poll-interval", "100ms");
        all.put("besworker.heartbeat-interval", "1s");
        all.put("besworker.stop-timeout", "10s");
        all.putAll(properties);
        Serve serve = Serve.start(new Serve.Options(jobsDir, dataDir, httpPort, "bes-worker", all));
        started.add(serve);
        return serve;
    }

    /** A CSV of the sample's shape whose content is unique to {@code tag}. */
    static String csv(String tag, int rows) {
        StringBuilder text = new StringBuilder("ReviewId,Col2,Rating\n");
        for (int i = 1; i <= rows; i++) {
            text.append(i).append(",\"").append(tag).append(" review ").append(i).append(" is a good day\",4\n");
        }
        return text.toString();
    }

    static void write(Path file, String content) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, content, StandardCharsets.UTF_8);
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
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

    /** Data rows of a CSV (lines after the header). */
    static long dataRows(Path csv) {
        try (Stream<String> lines = Files.lines(csv)) {
            return lines.count() - 1;
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    static void awaitFiles(Path folder, int count, Duration atMost) {
        await().atMost(atMost).pollInterval(Duration.ofMillis(100)).until(() -> names(folder).size() >= count);
    }

    static List<ExecutionSummary> executions(Serve serve, String definition) {
        return serve.bean(ExecutionReports.class).list(definition, null, 1000);
    }

    /** The emulator's admin API. */
    static JsonNode admin(String method, String path, String body) {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(emulator.baseUri().resolve("/_emulator/" + path))
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(body));
            if (body != null) {
                request.header("Content-Type", "application/json");
            }
            HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new AssertionError("emulator admin " + path + " gave " + response.statusCode() + ": "
                        + response.body());
            }
            return JSON.readTree(response.body());
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    static int submits() {
        return admin("GET", "counters", null).get("submits").asInt();
    }

    static URI uri(String text) {
        return URI.create(text);
    }
}
