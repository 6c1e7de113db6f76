package dev.besworker.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Case 3: many small files dropped into an inbox at once and scored by {@code serve}, the way a
 * user runs it: files per minute end to end and the median orchestration overhead per run.
 * <p>
 * The harness writes a definition with {@code inbox: {dir, pattern: "*.csv", settle: 200ms}} and
 * {@code max-concurrent-jobs: <concurrency>}, pointing at this case's own emulator behind a
 * recording proxy and at the shared Azurite, and starts {@code serve} as a child JVM with the
 * recommended JVM set-up ({@link Env#worker}), its own jobs and data folders,
 * {@code besworker.max-concurrent-jobs=<concurrency>} and a 200 ms inbox scan (as system
 * properties: the command line takes no {@code --besworker.*} options). It waits for serve's
 * "ready" line. The files are generated into a staging folder on the same disk; one warm-up file
 * is dropped and scored first, then all files are moved into the inbox at once (atomic renames)
 * and the clock runs from the first move until the last file has reached {@code done/} or
 * {@code failed/} (a file's modification time in {@code done/} is the time serve finished it;
 * 20 minutes at most). Serve is then stopped with SIGTERM, and the executions are read back with
 * one {@code list --json}.
 * <p>
 * Figures: files per minute = files scored / (last one done − drop). A run's orchestration
 * overhead is its execution's wall time in the job repository (start → end) minus its BES job
 * time (the start call at the proxy → the emulator's watcher seeing the job Finished, every
 * 25 ms); the median is reported. Beside it, from serve's log, each file's claim → {@code done/}
 * time minus the same job time: that adds validating and pre-staging the file (before its
 * execution starts) and the moves around it.
 */
final class SmallFilesCase {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String DEFINITION = "small";
    private static final Duration SETTLE = Duration.ofMillis(200);
    private static final Duration INBOX_POLL = Duration.ofMillis(200);
    private static final Duration LIMIT = Duration.ofMinutes(20);
    private static final Pattern CLAIMED = Pattern.compile(
            "^(\\S+)\\s+INFO\\s+\\[[^\\]]*\\]\\s+\\S+\\s+inbox " + DEFINITION + ": claimed (\\S+)\\s*$");
    private static final Pattern SCORED = Pattern.compile(
            "^(\\S+)\\s+INFO\\s+\\[[^\\]]*\\]\\s+\\S+\\s+inbox " + DEFINITION + ": (\\S+) scored by execution \\d+;.*$");

    private final Env env;

    SmallFilesCase(Env env) {
        this.env = env;
    }

    /** Where the files ended and when; times are wall-clock instants. */
    record Drop(Instant dropped, Instant moved, Map<String, Instant> done, Map<String, Instant> failed) {
    }

    /** One execution as {@code list --json} tells it. */
    private record Execution(String file, String status, LocalDateTime start, LocalDateTime end, String jobId) {
        double seconds() {
            return start == null || end == null ? Double.NaN : Duration.between(start, end).toNanos() / 1e9;
        }
    }

    void run() throws Exception {
        int files = env.options.smallFiles();
        int size = env.options.smallSize();
        int concurrency = env.options.concurrency();
        String area = "3 small files";
        Path dir = env.work.resolve("small");
        Path staging = dir.resolve("staging");
        Path inbox = dir.resolve("inbox");
        Path dataDir = dir.resolve("data");
        Path jobsDir = dir.resolve("jobs");
        Path outDir = dir.resolve("out");
        Files.createDirectories(staging);
        String container = "bench-small";
        try (Emulator emulator = Emulator.start(env.jar, env.logs, "emulator-small", null);
                Proxy proxy = Proxy.start(emulator.uri())) {
            emulator.watch(Duration.ofMillis(25));
            DataGen gen = new DataGen(env.root.resolve("sample-data/book-reviews.csv"));
            List<String> names = new ArrayList<>();
            for (int i = 0; i < files; i++) {
                String name = String.format(Locale.ROOT, "reviews-%04d.csv", i);
                gen.write(staging.resolve(name), size, 1000 + i);
                names.add(name);
            }
            String warmUp = "warm-up.csv";
            gen.write(staging.resolve(warmUp), size, 999);

            Worker worker = env.worker.withJobs(jobsDir);
            worker.define(DEFINITION, proxy.uri(), env.connectionString, container, outDir, null);
            Files.writeString(jobsDir.resolve(DEFINITION + ".yml"), "inbox: {dir: \"" + inbox + "\", pattern: \"*.csv\", "
                    + "settle: " + SETTLE.toMillis() + "ms}\nmax-concurrent-jobs: " + concurrency + "\n",
                    StandardCharsets.UTF_8, StandardOpenOption.APPEND);
            Env.log(area + ": " + files + " files of " + size + " bytes dropped into serve's inbox at once, concurrency "
                    + concurrency);

            Path serveLog = env.logs.resolve("small-serve");
            Proc serve = startServe(worker, jobsDir, dataDir, dir, serveLog, concurrency);
            Drop drop;
            Proc.Result served;
            try {
                awaitReady(serve, serveLog, concurrency);
                // One warm-up file so that the figures are about steady state, not class loading.
                Instant warmDrop = Instant.now();
                Files.move(staging.resolve(warmUp), inbox.resolve(warmUp), StandardCopyOption.ATOMIC_MOVE);
                Drop warm = awaitFinished(serve, serveLog, inbox, List.of(warmUp), warmDrop, warmDrop,
                        Duration.ofMinutes(3));
                if (warm == null || warm.done.isEmpty()) {
                    throw new IOException("the warm-up file was not scored: " + (warm == null ? "timed out"
                            : "it went to failed/; see " + inbox.resolve("failed").resolve(warmUp + ".error.txt")));
                }
                Env.log(String.format(Locale.ROOT, "%s: warm-up file done %.2f s after its drop", area,
                        Duration.between(warmDrop, warm.done.get(warmUp)).toNanos() / 1e9));

                Instant dropped = Instant.now();
                for (String name : names) {
                    Files.move(staging.resolve(name), inbox.resolve(name), StandardCopyOption.ATOMIC_MOVE);
                }
                Instant moved = Instant.now();
                drop = awaitFinished(serve, serveLog, inbox, names, dropped, moved, LIMIT);
            }
            finally {
                served = stop(serve, serveLog);
            }
            if (drop == null) {
                env.table.missing(area, files + " × " + size / 1024 + " KB, concurrency " + concurrency
                        + ": files per minute", "timed out after " + LIMIT.toMinutes() + " min", "≥ 300 /min");
                return;
            }
            report(area, files, size, concurrency, names, drop, served, worker, jobsDir, dataDir, dir, emulator, proxy);
        }
        finally {
            if (!env.options.keep()) {
                env.dropContainer(container);
                Env.delete(dir);
            }
        }
    }

    private void report(String area, int files, int size, int concurrency, List<String> names, Drop drop,
            Proc.Result served, Worker worker, Path jobsDir, Path dataDir, Path dir, Emulator emulator, Proxy proxy)
            throws Exception {
        Set<String> measured = new LinkedHashSet<>(names);
        long duplicates = drop.done.keySet().stream()
                .filter(n -> Files.exists(dir.resolve("inbox").resolve("done").resolve(n + ".duplicate.txt"))).count();
        long completed = drop.done.size() - duplicates;
        Instant last = drop.dropped;
        for (Instant t : drop.done.values()) {
            last = t.isAfter(last) ? t : last;
        }
        for (Instant t : drop.failed.values()) {
            last = t.isAfter(last) ? t : last;
        }
        double minutes = Duration.between(drop.dropped, last).toNanos() / 60e9;
        double perMinute = completed / minutes;

        // The BES side of every job, from the proxy's log and the emulator's watcher.
        Map<String, List<Proxy.Entry>> byJob = new HashMap<>();
        for (Proxy.Entry e : proxy.entries()) {
            if (e.jobId() != null) {
                byJob.computeIfAbsent(e.jobId(), k -> new ArrayList<>()).add(e);
            }
        }
        List<Execution> executions = list(worker, jobsDir, dataDir, dir, files + 10);
        Map<String, Double> jobTimes = new HashMap<>();
        List<Double> walls = new ArrayList<>();
        List<Double> jobs = new ArrayList<>();
        List<Double> overheads = new ArrayList<>();
        long statusCalls = 0;
        int withJob = 0;
        List<LocalDateTime[]> spans = new ArrayList<>();
        for (Execution execution : executions) {
            if (!measured.contains(execution.file) || !"COMPLETED".equals(execution.status)) {
                continue;
            }
            walls.add(execution.seconds());
            spans.add(new LocalDateTime[] { execution.start, execution.end });
            if (execution.jobId == null) {
                continue;
            }
            List<Proxy.Entry> entries = byJob.getOrDefault(execution.jobId.toLowerCase(Locale.ROOT), List.of());
            statusCalls += entries.stream().filter(Proxy.Entry::isStatusCall).count();
            withJob++;
            Proxy.Entry start = entries.stream().filter(Proxy.Entry::isStart).findFirst().orElse(null);
            Long finished = emulator.firstSeen(execution.jobId, "Finished");
            if (start != null && finished != null) {
                double job = Math.max(0, (finished - start.arrivedNanos()) / 1e9);
                jobs.add(job);
                jobTimes.put(execution.file, job);
                overheads.add(execution.seconds() - job);
            }
        }
        List<Double> claimToDone = new ArrayList<>();
        List<Double> claimOverheads = new ArrayList<>();
        Instant firstClaim = claimToDone(dataDir.resolve("logs/bes-worker.log"), measured, jobTimes, claimToDone,
                claimOverheads);

        env.table.add(area, files + " × " + size / 1024 + " KB, concurrency " + concurrency + ": files per minute",
                Table.rate(perMinute, "/min"), "", "", "", "≥ 300 /min", perMinute >= 300);
        env.table.add(area, "median orchestration overhead per run", Table.seconds(median(overheads)),
                "median BES job time", Table.seconds(median(jobs)), "", "", null);
        env.table.info(area, "  median / 90th percentile run wall time",
                Table.seconds(median(walls)) + " / " + Table.seconds(percentile(walls, 0.9)));
        env.table.info(area, "  claim → done/ per file (median); minus the BES job time",
                Table.seconds(median(claimToDone)) + "; " + Table.seconds(median(claimOverheads)));
        env.table.info(area, "  completed runs; status calls per run",
                completed + " of " + files + (drop.failed.isEmpty() ? "" : " (" + drop.failed.size() + " failed)")
                        + (duplicates == 0 ? "" : " (" + duplicates + " duplicates)") + "; "
                        + String.format(Locale.ROOT, "%.1f", statusCalls / (double) Math.max(1, withJob)));
        // issue 12's serve target (at most 400 MB with 8 runs in flight) holds for many small runs as for
        // case 7's few big ones; this case's churn is what grew serve's heap and C heap before ServeMemory
        env.table.add(area, "serve peak RSS, " + concurrency + " runs in flight", Table.mb(served.peakRssKb()),
                "before", "432–497 MB before serve kept its memory (6 runs, 2026-12-05)", "", "≤ 400 MB",
                served.peakRssKb() * 1024 <= 400_000_000L);
        env.table.info(area, "  how launched", "serve with an inbox, max-concurrent-jobs " + concurrency
                + ", serve's recommended JVM options");
        Env.log(String.format(Locale.ROOT, "%s: %d of %d in %.1f s = %.0f files/min (the drop took %.3f s, first claim "
                + "%.2f s after it); median wall %.2f s, median job %.3f s, median overhead %.2f s; claim → done median "
                + "%.2f s; at most %d executions at once; %d executions read back; serve exit %d, peak RSS %s",
                area, completed, files, minutes * 60, perMinute,
                Duration.between(drop.dropped, drop.moved).toNanos() / 1e9,
                firstClaim == null ? Double.NaN : Duration.between(drop.dropped, firstClaim).toNanos() / 1e9,
                median(walls), median(jobs), median(overheads), median(claimToDone), mostAtOnce(spans), walls.size(),
                served.exitCode(), Table.mb(served.peakRssKb())));
    }

    /** {@code java <serve's recommended options> -Dbesworker.max-concurrent-jobs=N ... -jar <jar> ... serve}. */
    private Proc startServe(Worker worker, Path jobsDir, Path dataDir, Path dir, Path logPrefix, int concurrency)
            throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Proc.java());
        command.addAll(Options.serveJvm(env.options.workerJvm()));
        command.add("-Dbesworker.max-concurrent-jobs=" + concurrency);
        command.add("-Dbesworker.inbox-poll-interval=" + INBOX_POLL.toMillis() + "ms");
        command.addAll(List.of("-jar", worker.jar().toString(), "--jobs-dir", jobsDir.toString(), "--data-dir",
                dataDir.toString(), "serve", "--http-port", "0"));
        return Proc.start(command, dir, logPrefix);
    }

    /** Waits for serve's "ready" line, and checks that it took the concurrency it was given. */
    private static void awaitReady(Proc serve, Path logPrefix, int concurrency) throws IOException, InterruptedException {
        awaitReady(serve, logPrefix, concurrency, DEFINITION);
    }

    /** Waits for serve's "ready" line with this concurrency and the inbox of {@code definition}. */
    static void awaitReady(Proc serve, Path logPrefix, int concurrency, String definition)
            throws IOException, InterruptedException {
        Path err = Path.of(logPrefix + ".err");
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (System.nanoTime() < deadline) {
            String log = Files.exists(err) ? Files.readString(err, StandardCharsets.UTF_8) : "";
            if (log.contains("serve: ready for data folder")) {
                if (!log.contains("at most " + concurrency + " run(s) at once")) {
                    throw new IOException("serve did not take max-concurrent-jobs " + concurrency + "; see " + err);
                }
                if (!log.contains("inbox(es) [" + definition + "]")) {
                    throw new IOException("serve does not watch the inbox of definition " + definition + "; see " + err);
                }
                Env.log("3 small files: serve is up after " + String.format(Locale.ROOT, "%.1f s",
                        (System.nanoTime() - serve.launchNanos()) / 1e9) + " (pid " + serve.pid() + ")");
                return;
            }
            if (!serve.process().isAlive()) {
                throw new IOException("serve ended (exit " + serve.process().exitValue() + ") before it was ready:\n"
                        + Worker.tail(log));
            }
            Thread.sleep(100);
        }
        throw new IOException("serve was not ready within 2 minutes; see " + err);
    }

    /**
     * Waits until every named file has reached {@code done/} or {@code failed/}; null after
     * {@code limit}, having said how far it got.
     */
    private static Drop awaitFinished(Proc serve, Path logPrefix, Path inbox, List<String> names, Instant dropped,
            Instant moved, Duration limit) throws IOException, InterruptedException {
        return awaitFinished(serve, logPrefix, inbox, names, dropped, moved, limit, true);
    }

    /** As above; {@code tell}: whether a time-out is logged. */
    static Drop awaitFinished(Proc serve, Path logPrefix, Path inbox, List<String> names, Instant dropped,
            Instant moved, Duration limit, boolean tell) throws IOException, InterruptedException {
        Path doneDir = inbox.resolve("done");
        Path failedDir = inbox.resolve("failed");
        Map<String, Instant> done = new HashMap<>();
        Map<String, Instant> failed = new HashMap<>();
        Set<String> wanted = new LinkedHashSet<>(names);
        long deadline = System.nanoTime() + limit.toNanos();
        while (done.size() + failed.size() < wanted.size()) {
            if (!serve.process().isAlive()) {
                throw new IOException("serve ended (exit " + serve.process().exitValue() + ") while " + left(wanted,
                        done, failed) + ":\n" + Worker.tail(Files.readString(Path.of(logPrefix + ".err"))));
            }
            if (System.nanoTime() > deadline) {
                if (!tell) {
                    return null;
                }
                Env.log("3 small files: timed out after " + limit.toMinutes() + " min: " + left(wanted, done, failed)
                        + " (" + count(inbox) + " still waiting in the inbox, " + count(inbox.resolve(".processing"))
                        + " in .processing/); see " + logPrefix + ".err");
                return null;
            }
            Thread.sleep(100);
            for (Path file : listing(doneDir)) {
                String name = file.getFileName().toString();
                if (wanted.contains(name) && !done.containsKey(name)) {
                    // Serve stamps a done file with the time it was done, just after the move: a file
                    // still bearing its older time is picked up on the next scan.
                    Instant stamped = Files.getLastModifiedTime(file).toInstant();
                    if (!stamped.isBefore(dropped)) {
                        done.put(name, stamped);
                    }
                }
            }
            for (Path file : listing(failedDir)) {
                String name = file.getFileName().toString();
                if (wanted.contains(name) && !failed.containsKey(name)) {
                    failed.put(name, Instant.now());
                    Env.log("3 small files: " + name + " failed; see " + failedDir.resolve(name + ".error.txt"));
                }
            }
        }
        return new Drop(dropped, moved, done, failed);
    }

    private static String left(Set<String> wanted, Map<String, Instant> done, Map<String, Instant> failed) {
        return (done.size() + failed.size()) + " of " + wanted.size() + " files had reached done/ or failed/";
    }

    private static List<Path> listing(Path folder) throws IOException {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(folder)) {
            return files.toList();
        }
    }

    private static long count(Path folder) throws IOException {
        return listing(folder).stream().filter(Files::isRegularFile).count();
    }

    /** SIGTERM, as systemd stops it; waits for its orderly shutdown (killed only if it hangs). */
    static Proc.Result stop(Proc serve, Path logPrefix) throws IOException, InterruptedException {
        serve.process().destroy();
        Proc.Result result = serve.await(Duration.ofSeconds(90));
        if (result.exitCode() != 0) {
            Env.log("3 small files: serve exited " + result.exitCode() + " after SIGTERM; see " + logPrefix + ".err");
        }
        return result;
    }

    /** The definition's executions, read back with one {@code list --json}. */
    private List<Execution> list(Worker worker, Path jobsDir, Path dataDir, Path dir, int limit)
            throws IOException, InterruptedException {
        List<String> command = List.of(Proc.java(), "-XX:TieredStopAtLevel=1", "-jar", worker.jar().toString(),
                "--jobs-dir", jobsDir.toString(), "--data-dir", dataDir.toString(), "list", "--definition", DEFINITION,
                "--limit", Integer.toString(limit), "--json");
        Path logPrefix = env.logs.resolve("small-list");
        Proc.Result result = Proc.start(command, dir, logPrefix).await(Duration.ofMinutes(3));
        if (result.exitCode() != 0) {
            throw new IOException("list --json failed (exit " + result.exitCode() + "); see " + result.stderr());
        }
        List<Execution> executions = new ArrayList<>();
        for (JsonNode detail : JSON.readTree(result.out())) {
            JsonNode summary = detail.get("summary");
            String input = text(summary.get("input"));
            executions.add(new Execution(input == null ? "" : Path.of(input).getFileName().toString(),
                    text(summary.get("status")), time(summary.get("startTime")), time(summary.get("endTime")),
                    text(summary.get("besJobId"))));
        }
        return executions;
    }

    /**
     * Each file's claim → done/ time from serve's log, and that minus its BES job time; returns
     * the first claim.
     */
    private static Instant claimToDone(Path log, Set<String> measured, Map<String, Double> jobTimes,
            List<Double> claimToDone, List<Double> overheads) throws IOException {
        if (!Files.exists(log)) {
            Env.log("3 small files: no serve log at " + log);
            return null;
        }
        Map<String, Instant> claimed = new HashMap<>();
        Instant first = null;
        for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
            Matcher claim = CLAIMED.matcher(line);
            if (claim.matches() && measured.contains(claim.group(2))) {
                Instant at = OffsetDateTime.parse(claim.group(1)).toInstant();
                claimed.put(claim.group(2), at);
                first = first == null || at.isBefore(first) ? at : first;
                continue;
            }
            Matcher scored = SCORED.matcher(line);
            if (scored.matches() && claimed.containsKey(scored.group(2))) {
                String name = scored.group(2);
                double seconds = Duration.between(claimed.get(name), OffsetDateTime.parse(scored.group(1)).toInstant())
                        .toNanos() / 1e9;
                claimToDone.add(seconds);
                Double job = jobTimes.get(name);
                if (job != null) {
                    overheads.add(seconds - job);
                }
            }
        }
        return first;
    }

    /** The most executions that overlapped in time. */
    private static int mostAtOnce(List<LocalDateTime[]> spans) {
        List<long[]> events = new ArrayList<>();
        for (LocalDateTime[] span : spans) {
            if (span[0] != null && span[1] != null) {
                events.add(new long[] { Worker.toNanos(span[0]), 1 });
                events.add(new long[] { Worker.toNanos(span[1]), -1 });
            }
        }
        events.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
        int now = 0;
        int most = 0;
        for (long[] event : events) {
            now += (int) event[1];
            most = Math.max(most, now);
        }
        return most;
    }

    private static String text(JsonNode node) {
        return node == null || node.isNull() ? null : node.asString();
    }

    private static LocalDateTime time(JsonNode node) {
        return node == null || node.isNull() ? null : LocalDateTime.parse(node.asString());
    }

    static double median(List<Double> values) {
        return percentile(values, 0.5);
    }

    static double percentile(List<Double> values, double p) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.floor(p * (sorted.size() - 1) + 0.5)));
    }
}
