package dev.besworker.web;

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
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.besworker.serve.Serve;
import dev.besworker.support.WorkerFixture;

/**
 * What the console tests share: a real Azurite and BES emulator (one per test class), and a
 * real {@code serve} over HTTP on a free port with an inbox definition and two users, alice
 * (operator) and victor (viewer). Requests go over real HTTP.
 */
abstract class ConsoleTestSupport {

    static final String OPERATOR = "alice";
    static final String OPERATOR_PASSWORD = "alice-password-1";
    static final String VIEWER = "victor";
    static final String VIEWER_PASSWORD = "victor-password-1";
    static final String DEFINITION = "reviews";
    static final JsonMapper JSON = JsonMapper.builder().build();
    static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    static WorkerFixture fixture;
    static Serve serve;
    static URI base;

    /** Starts the services and serve; {@code properties} are added to serve's (e.g. users). */
    static void startServe(Map<String, String> properties) throws IOException {
        fixture = new WorkerFixture();
        fixture.definition(DEFINITION, "inbox: {dir: " + inbox() + ", pattern: \"*.csv\", settle: 200ms}");
        Map<String, String> all = new HashMap<>();
        all.put("besworker.inbox-poll-interval", "100ms");
        all.put("besworker.heartbeat-interval", "1s");
        all.put("besworker.stop-timeout", "10s");
        all.putAll(properties);
        serve = Serve.start(new Serve.Options(fixture.jobsDir, fixture.dataDir, 0, "bes-worker", all));
        base = URI.create("http://127.0.0.1:" + serve.httpPort());
    }

    /** alice (operator) and victor (viewer), with {noop} passwords. */
    static Map<String, String> twoUsers() {
        return Map.of("besworker.console.users.alice.password", "{noop}" + OPERATOR_PASSWORD,
                "besworker.console.users.alice.roles", "OPERATOR",
                "besworker.console.users.victor.password", "{noop}" + VIEWER_PASSWORD,
                "besworker.console.users.victor.roles", "VIEWER");
    }

    @AfterAll
    static void stopServe() {
        if (serve != null) {
            serve.shutdown();
        }
        if (fixture != null) {
            fixture.close();
        }
    }

    static Path inbox() {
        return fixture.root.resolve("inbox");
    }

    /** Drops a file into the inbox while BES fails its jobs once; returns the FAILED execution's id. */
    static long failedInboxRun(String fileName) throws IOException {
        fixture.admin.reset();
        fixture.admin.behaviour("{\"outcome\":\"fail\",\"failDetails\":\"Module: Reader; Error 1000: the canary"
                + " column is missing\",\"times\":1}");
        Path input = fixture.input(fileName, "a fine day");
        Path failed = inbox().resolve("failed").resolve(fileName);
        Files.move(input, inbox().resolve(fileName));
        // the file moves first, its report follows
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(failed.resolveSibling(fileName + ".error.txt")));
        return executionOfFailedFile(failed);
    }

    static long executionOfFailedFile(Path failed) throws IOException {
        String report = Files.readString(failed.resolveSibling(failed.getFileName() + ".error.txt"));
        return Long.parseLong(report.lines().filter(l -> l.startsWith("execution:")).findFirst().orElseThrow()
                .replaceAll("execution:\\s+(\\d+).*", "$1"));
    }

    static HttpResponse<String> get(String path, String user, String password) {
        return send(request(path, user, password).GET().build());
    }

    static HttpResponse<String> post(String path, String user, String password) {
        return send(request(path, user, password).POST(HttpRequest.BodyPublishers.noBody()).build());
    }

    static HttpRequest.Builder request(String path, String user, String password) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30));
        if (user != null) {
            request.header("Authorization", "Basic " + Base64.getEncoder()
                    .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
        }
        return request;
    }

    static HttpResponse<String> send(HttpRequest request) {
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    static JsonNode json(HttpResponse<String> response) {
        return JSON.readTree(response.body());
    }

    /** The status of an execution, read through the API as the operator. */
    static String status(long executionId) {
        return json(get("/api/executions/" + executionId, OPERATOR, OPERATOR_PASSWORD)).at("/summary/status")
                .asString();
    }

    static long count(Path folder) throws IOException {
        if (!Files.isDirectory(folder)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(Files::isRegularFile).count();
        }
    }
}
