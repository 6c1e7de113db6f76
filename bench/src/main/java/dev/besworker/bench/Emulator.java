package dev.besworker.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The BES emulator as a child process ({@code java -jar bes-worker.jar emulator --admin}), with
 * its admin counters and a watcher that notes when each job is first seen in each state (the
 * emulator keeps no times; the watcher's interval bounds the error).
 */
final class Emulator implements AutoCloseable {

    static final String API_KEY = "bench-emulator-key";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Process process;
    private final URI uri;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final Map<String, Map<String, Long>> firstSeen = new ConcurrentHashMap<>();
    private volatile Thread watcher;

    private Emulator(Process process, URI uri) {
        this.process = process;
        this.uri = uri;
    }

    /** Starts one; {@code jobDuration} null: jobs take as long as their work. */
    static Emulator start(Path jar, Path logDir, String name, Duration jobDuration) throws IOException {
        List<String> command = new ArrayList<>(List.of(Proc.java(), "-Xmx512m", "-jar", jar.toString(),
                "--data-dir", logDir.resolve(name).toString(), "emulator", "--port", "0", "--admin", "--api-key", API_KEY));
        if (jobDuration != null) {
            command.add("--job-duration");
            command.add(jobDuration.toString()); // ISO-8601 (PT10M): the option takes no "10m"
        }
        Process process = new ProcessBuilder(command).redirectError(logDir.resolve(name + ".err").toFile()).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = out.readLine()) != null) {
            if (line.startsWith("BES emulator listening on ")) {
                Emulator emulator = new Emulator(process, URI.create(line.substring("BES emulator listening on ".length()).trim()));
                Thread drain = new Thread(() -> {
                    try {
                        while (out.readLine() != null) {
                            // keep the pipe empty
                        }
                    }
                    catch (IOException ignored) {
                        // ended
                    }
                }, "emulator-stdout");
                drain.setDaemon(true);
                drain.start();
                return emulator;
            }
        }
        throw new IOException("the emulator ended before it listened; see " + logDir.resolve(name + ".err"));
    }

    URI uri() {
        return uri;
    }

    long pid() {
        return process.pid();
    }

    /** GET /_emulator/counters. */
    JsonNode counters() throws IOException, InterruptedException {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri.resolve("/_emulator/counters")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(response.body());
    }

    void reset() throws IOException, InterruptedException {
        client.send(HttpRequest.newBuilder(uri.resolve("/_emulator/reset")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.discarding());
        firstSeen.clear();
    }

    /** Starts noting job states every {@code interval}. */
    void watch(Duration interval) {
        Thread thread = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    long now = System.nanoTime();
                    JsonNode jobs = counters().get("jobs");
                    if (jobs != null) {
                        for (var field : jobs.properties()) {
                            firstSeen.computeIfAbsent(field.getKey(), k -> new ConcurrentHashMap<>())
                                    .putIfAbsent(field.getValue().asString(), now);
                        }
                    }
                    Thread.sleep(interval.toMillis());
                }
                catch (InterruptedException ex) {
                    return;
                }
                catch (IOException | RuntimeException ex) {
                    try {
                        Thread.sleep(interval.toMillis());
                    }
                    catch (InterruptedException stop) {
                        return;
                    }
                }
            }
        }, "emulator-watcher");
        thread.setDaemon(true);
        thread.start();
        watcher = thread;
    }

    /** When the watcher first saw {@code jobId} in {@code state} (nanoTime), or null. */
    Long firstSeen(String jobId, String state) {
        Map<String, Long> states = firstSeen.get(jobId.toLowerCase());
        return states == null ? null : states.get(state);
    }

    /** Waits until the watcher saw the job in {@code state}; null when it did not within {@code limit}. */
    Long awaitSeen(String jobId, String state, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            Long seen = firstSeen(jobId, state);
            if (seen != null) {
                return seen;
            }
            Thread.sleep(20);
        }
        return null;
    }

    @Override
    public void close() {
        if (watcher != null) {
            watcher.interrupt();
        }
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }
}
