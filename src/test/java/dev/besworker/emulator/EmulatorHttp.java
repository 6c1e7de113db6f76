package dev.besworker.emulator;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A plain java.net.http caller of the emulator, as a worker would call it, for tests. */
final class EmulatorHttp {

    static final String WORKSPACE = "0123456789abcdef0123456789abcdef";
    static final String SERVICE = "fedcba9876543210fedcba9876543210";
    static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI base;
    private final String apiKey;

    EmulatorHttp(URI base, String apiKey) {
        this.base = base;
        this.apiKey = apiKey;
    }

    /** {@code /workspaces/WS/services/SVC} + path. */
    static String service(String path) {
        return "/workspaces/" + WORKSPACE + "/services/" + SERVICE + path;
    }

    HttpResponse<String> call(String method, String pathAndQuery, String body) {
        return call(method, pathAndQuery, body, Map.of("Authorization", "Bearer " + apiKey));
    }

    HttpResponse<String> call(String method, String pathAndQuery, String body, Map<String, String> headers) {
        try {
            return send(method, pathAndQuery, body, headers, Duration.ofSeconds(30));
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    HttpResponse<String> send(String method, String pathAndQuery, String body, Map<String, String> headers, Duration timeout)
            throws IOException {
        HttpRequest.Builder builder = HttpRequest.newBuilder(base.resolve(pathAndQuery)).timeout(timeout)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            builder.header("Content-Type", "application/json");
        }
        headers.forEach(builder::header);
        try {
            return client.send(builder.build(), HttpResponse.BodyHandlers.ofString());
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IOException(ex);
        }
    }

    /** POST jobs; returns the raw response. */
    HttpResponse<String> submitRaw(String body) {
        return call("POST", service("/jobs?api-version=2.0"), body);
    }

    /** POST jobs; asserts 200 and returns the id without quotes. */
    String submit(String body) {
        HttpResponse<String> response = submitRaw(body);
        if (response.statusCode() != 200) {
            throw new AssertionError("submit gave " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body()).asString();
    }

    HttpResponse<String> start(String jobId) {
        return call("POST", service("/jobs/" + jobId + "/start?api-version=2.0"), null);
    }

    HttpResponse<String> statusRaw(String jobId) {
        return call("GET", service("/jobs/" + jobId + "?api-version=2.0"), null);
    }

    JsonNode status(String jobId) {
        HttpResponse<String> response = statusRaw(jobId);
        if (response.statusCode() != 200) {
            throw new AssertionError("status gave " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }

    HttpResponse<String> delete(String jobId) {
        return call("DELETE", service("/jobs/" + jobId + "?api-version=2.0"), null);
    }

    /** Polls status until StatusCode is one of {@code states}; returns that status. */
    JsonNode awaitState(String jobId, Set<String> states) {
        AtomicReference<JsonNode> last = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(25)).until(() -> {
            JsonNode status = status(jobId);
            last.set(status);
            return states.contains(status.get("StatusCode").asString());
        });
        return last.get();
    }

    JsonNode awaitEnd(String jobId) {
        return awaitState(jobId, Set.of("Finished", "Failed", "Cancelled"));
    }

    /** An admin call; asserts 200. */
    JsonNode admin(String method, String path, String body) {
        HttpResponse<String> response = call(method, "/_emulator/" + path, body, Map.of());
        if (response.statusCode() != 200) {
            throw new AssertionError("admin " + path + " gave " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }

    JsonNode counters() {
        return admin("GET", "counters", null);
    }

    /** The error body's class and specific code, "class/code". */
    static String errorCodes(HttpResponse<String> response) {
        JsonNode error = JSON.readTree(response.body()).get("error");
        JsonNode details = error.get("details");
        return error.get("code").asString() + "/" + (details.isEmpty() ? "" : details.get(0).get("code").asString());
    }

    /** A GET of a plain URL (a result SAS URL) without any emulator headers. */
    HttpResponse<String> fetch(URI uri) {
        try {
            return client.send(HttpRequest.newBuilder(uri).GET().timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    /** BaseLocation + RelativeLocation + SasBlobToken of a status' result. */
    static URI resultUri(JsonNode status, String output) {
        JsonNode result = status.get("Results").get(output);
        return URI.create(result.get("BaseLocation").asString() + result.get("RelativeLocation").asString()
                + result.get("SasBlobToken").asString());
    }
}
