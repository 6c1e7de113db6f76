package dev.besworker.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.TreeMap;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Drives the emulator's admin API ({@code /_emulator}) from every test: counters, faults, behaviours, jobs. */
public final class EmulatorAdmin {

    /** Reads the admin API's answers (and tests' other JSON). */
    public static final JsonMapper JSON = JsonMapper.builder().build();

    private final URI base;
    private final HttpClient http = HttpClient.newHttpClient();

    public EmulatorAdmin(URI emulatorBase) {
        this.base = emulatorBase;
    }

    /** Clears jobs, counters, faults and behaviours. */
    public void reset() {
        send("POST", "/_emulator/reset", "{}");
    }

    /** The counters: submits, submitsByInput, starts, statusCalls, deletes, requests, jobs, ... */
    public JsonNode counters() {
        return JSON.readTree(send("GET", "/_emulator/counters", null));
    }

    public long counter(String name) {
        return counters().path(name).asLong();
    }

    /** How many calls of one operation (submit, start, status, delete) arrived, faulted or not. */
    public long requests(String operation) {
        return counters().path("requests").path(operation).asLong();
    }

    /** Submits per input blob whose relative location contains {@code fragment}. */
    public Map<String, Long> submitsByInput(String fragment) {
        Map<String, Long> out = new TreeMap<>();
        counters().path("submitsByInput").properties().forEach(e -> {
            if (e.getKey().contains(fragment)) {
                out.put(e.getKey(), e.getValue().asLong());
            }
        });
        return out;
    }

    /** The state of every job the emulator holds, by id. */
    public Map<String, String> jobs() {
        Map<String, String> out = new TreeMap<>();
        counters().path("jobs").properties().forEach(e -> out.put(e.getKey(), e.getValue().asString()));
        return out;
    }

    /** Makes the next submitted jobs behave as described (JSON object or list). */
    public void behaviour(String json) {
        send("POST", "/_emulator/behaviour", json);
    }

    /** Adds fault rules (JSON object or list). */
    public void faults(String json) {
        send("POST", "/_emulator/faults", json);
    }

    public void clearFaults() {
        send("DELETE", "/_emulator/faults", null);
    }

    /** The active fault rules with their seen/fired counts. */
    public JsonNode faultRules() {
        return JSON.readTree(send("GET", "/_emulator/faults", null)).path("faults");
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
