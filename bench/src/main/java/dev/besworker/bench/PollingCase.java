package dev.besworker.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Case 4: one remote job that runs {@code pollJob} (the emulator's {@code --job-duration}), run
 * by the worker with its default poll settings, and beside it the same job polled every second
 * the way the walkthrough sample does. Status calls are counted per job at the proxy; the notice
 * delay is the time from the job's end (the emulator's watcher, every 100 ms) to the first status
 * answer that says Finished. Runs in the background while the other cases run.
 */
final class PollingCase implements AutoCloseable {

    private final Env env;
    private Emulator emulator;
    private Proxy proxy;
    private Proc worker;
    private Path dir;
    private Thread everySecond;
    private volatile String baselineJob;
    private volatile Throwable baselineFailure;

    PollingCase(Env env) {
        this.env = env;
    }

    /** Starts the worker run and the every-second poller; returns at once. */
    void start() throws Exception {
        dir = env.work.resolve("poll");
        Files.createDirectories(dir);
        emulator = Emulator.start(env.jar, env.logs, "emulator-poll", env.options.pollJob());
        emulator.watch(Duration.ofMillis(100));
        proxy = Proxy.start(emulator.uri());
        Path input = dir.resolve("reviews.csv");
        new DataGen(env.root.resolve("sample-data/book-reviews.csv")).write(input, 10_240, 7);
        Worker definitions = env.worker.withJobs(dir.resolve("jobs"));
        definitions.define("poll", proxy.uri(), env.connectionString, "bench-poll", dir.resolve("out"), null);
        Env.log("4 polling: a " + env.options.pollJob().toMinutes() + "-minute job, worker with default poll settings, "
                + "in the background");
        worker = definitions.start("poll", input, dir.resolve("data"), env.logs.resolve("poll-worker"), List.of());

        String container = "bench-poll";
        var blobs = env.container(container);
        blobs.getBlobClient("baseline/reviews.csv").uploadFromFile(input.toString(), true);
        everySecond = new Thread(() -> {
            try {
                pollEverySecond(container);
            }
            catch (Throwable ex) {
                baselineFailure = ex;
            }
        }, "poll-every-second");
        everySecond.setDaemon(true);
        everySecond.start();
    }

    /** The walkthrough's loop: submit, start, status every second until the job ends. */
    private void pollEverySecond(String container) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        String service = proxy.uri() + "/workspaces/0123456789abcdef0123456789abcdef/services/fedcba9876543210fedcba9876543210";
        String base = env.blobEndpoint + "/";
        String body = "{\"Inputs\":{\"input1\":{\"BaseLocation\":\"" + base + "\",\"RelativeLocation\":\"" + container
                + "/baseline/reviews.csv\",\"SasBlobToken\":\"?" + env.sas(container, "baseline/reviews.csv", false)
                + "\"}},\"Outputs\":{\"output1\":{\"BaseLocation\":\"" + base + "\",\"RelativeLocation\":\"" + container
                + "/baseline/out.csv\",\"SasBlobToken\":\"?" + env.sas(container, "baseline/out.csv", true)
                + "\"}},\"GlobalParameters\":{}}";
        String jobId = http.send(request(service + "/jobs").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString()).body().replace("\"", "").trim();
        baselineJob = jobId;
        http.send(request(service + "/jobs/" + jobId + "/start").POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.discarding());
        while (true) {
            String status = http.send(request(service + "/jobs/" + jobId).GET().build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            if (status.contains("\"Finished\"") || status.contains("\"Failed\"") || status.contains("\"Cancelled\"")) {
                return;
            }
            Thread.sleep(1000);
        }
    }

    private static HttpRequest.Builder request(String url) {
        return HttpRequest.newBuilder(URI.create(url + "?api-version=2.0"))
                .header("Authorization", "Bearer " + Emulator.API_KEY).header("Content-Type", "application/json");
    }

    /** Waits for both and adds the figures. */
    void finish() throws Exception {
        String area = "4 polling " + env.options.pollJob().toMinutes() + "-min job";
        Proc.Result result = worker.await(env.options.pollJob().plusMinutes(10));
        Worker.Run run = env.worker.withJobs(dir.resolve("jobs"))
                .finish(result, dir.resolve("data"), env.logs.resolve("poll-worker"));
        everySecond.join(Duration.ofMinutes(2).toMillis());
        if (baselineFailure != null) {
            throw new IOException("the every-second poller failed", baselineFailure);
        }
        Figures worker = figures(run.besJobId());
        Figures baseline = figures(baselineJob);
        env.table.add(area, "status calls (worker, default poll settings)", Long.toString(worker.calls),
                "polling every 1 s", Long.toString(baseline.calls), Table.ratio((double) worker.calls / baseline.calls),
                "≤ 25", worker.calls <= 25);
        env.table.add(area, "job end → worker noticed", Table.seconds(worker.delay), "polling every 1 s",
                Table.seconds(baseline.delay), "", "≤ 60 s", worker.delay <= 60);
        env.table.info(area, "  remote job duration (start call → Finished)", Table.seconds(worker.duration));
        Env.log(String.format(Locale.ROOT, "%s: worker %d calls, noticed after %.1f s; every-second %d calls, %.1f s",
                area, worker.calls, worker.delay, baseline.calls, baseline.delay));
    }

    private record Figures(long calls, double delay, double duration) {
    }

    private Figures figures(String jobId) throws IOException {
        List<Proxy.Entry> entries = proxy.ofJob(jobId);
        long calls = entries.stream().filter(Proxy.Entry::isStatusCall).count();
        Proxy.Entry start = entries.stream().filter(Proxy.Entry::isStart).findFirst()
                .orElseThrow(() -> new IOException("no start call for job " + jobId));
        Long finished = emulator.firstSeen(jobId, "Finished");
        Proxy.Entry noticed = entries.stream().filter(e -> e.isStatusCall() && "Finished".equals(e.statusCode()))
                .findFirst().orElseThrow(() -> new IOException("job " + jobId + " was never seen Finished"));
        if (finished == null) {
            throw new IOException("the watcher never saw job " + jobId + " Finished");
        }
        return new Figures(calls, Math.max(0, (noticed.arrivedNanos() - finished) / 1e9),
                (finished - start.arrivedNanos()) / 1e9);
    }

    @Override
    public void close() throws IOException {
        if (worker != null && worker.process().isAlive()) {
            worker.kill();
        }
        if (proxy != null) {
            proxy.close();
        }
        if (emulator != null) {
            emulator.close();
        }
        if (!env.options.keep()) {
            env.dropContainer("bench-poll");
            if (dir != null) {
                Env.delete(dir);
            }
        }
    }
}
