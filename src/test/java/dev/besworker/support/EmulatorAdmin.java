package dev.besworker.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Drives the emulator's admin API ({@code /_emulator}) from tests. */
public final class EmulatorAdmin {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final URI base;
    private final HttpClient http = HttpClient.newHttpClient();

    public EmulatorAdmin(URI emulatorBase) {
        this.base = emulatorBase;
    }

    /** Clears jobs, counters, faults and behaviours. */
    public void reset() {
        send("POST", "/_emulator/reset", "{}");
    }

    /** The counters: submits, submitsByInput, starts, statusCalls, deletes, jobs, ... */
    public JsonNode counters() {
        return JSON.readTree(send("GET", "/_emulator/counters", null));
    }

    public long counter(String name) {
        return counters().path(name).asLong();
    }

    /** Makes the next submitted jobs behave as described (JSON object or list). */
    public void behaviour(String json) {
        send("POST", "/_emulator/behaviour", json);
    }

    /** Adds fault rules (JSON object or list). */
    public void faults(String json) {
        send("POST", "/_emulator/faults", json);
    }

    private String send(String method, String path, String body) {
        try {
            HttpRequest request = HttpRequest.newBuilder(base.resolve(path))
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(body))
                    .header("Content-Type", "application/json").build();
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() >= 300) {
                throw new IllegalStateException(method + " " + path + " answered " + response.statusCode() + ": "
                        + response.body());
            }
            return response.body();
        }
        catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }
}
