package dev.besworker.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import dev.besworker.embedded.AzuriteProcess;
import dev.besworker.emulator.BesEmulator;
import dev.besworker.emulator.EmulatorSettings;

/**
 * Issue 9's figures, for several {@code serve} workers on one PostgreSQL database and one inbox
 * (bench/cluster.sh, or bench/run.sh --cluster): for 1, 2 and 3 workers, the time 500 small files
 * dropped at once take through the inbox (files per minute), then the idle load each worker puts
 * on the database (transactions per second from {@code pg_stat_database}: xact_commit +
 * xact_rollback over 30 s, divided by the workers; every autocommitted statement is one), and,
 * with 2 workers, the take-over time after kill -9 of the worker polling a BES job: from the kill
 * to the survivor's claim of the file, and to its polling the same BES job again.
 * <p>
 * Workers run with the shipped defaults (heartbeat 5 s, lease 30 s = six heartbeats, scan 5 s)
 * unless {@code --lease 10s} is given (heartbeat a fifth of it, scan a fifth). Not in {@code mvn verify}.
 */
public final class ClusterBench {

    private static final String SERVER = "jdbc:postgresql://127.0.0.1:5432/";
    private static final String KEY = "cluster-bench-key-0123456789";
    private static final Path JAR = Path.of("target/bes-worker.jar").toAbsolutePath();

    private final Path work;
    private final String database;
    private final AzuriteProcess azurite;
    private final BesEmulator emulator;
    private final Duration lease;
    private final List<String> report = new ArrayList<>() {
        @Override
        public boolean add(String line) {
            System.out.println(line); // at once: a long run stopped early keeps what it measured
            return super.add(line);
        }
    };

    private ClusterBench(Path work, Duration lease, Duration jobDuration) throws Exception {
        this.work = work;
        this.lease = lease;
        this.database = "scaleout_bench_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        sql("postgres", "CREATE DATABASE " + database);
        this.azurite = AzuriteProcess.start(null);
        this.emulator = BesEmulator.start(EmulatorSettings.defaults().withApiKey(KEY).withAdmin(true)
                .withJobDuration(jobDuration).withMaxConcurrentJobs(100));
    }

    public static void main(String[] args) throws Exception {
        int files = 500;
        Duration lease = null;
        List<Integer> counts = List.of(1, 2, 3);
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--files" -> files = Integer.parseInt(args[++i]);
                case "--lease" -> lease = Duration.parse("PT" + args[++i].toUpperCase(Locale.ROOT));
                case "--workers" -> counts = Stream.of(args[++i].split(",")).map(Integer::valueOf).toList();
                default -> throw new IllegalArgumentException("usage: ClusterBench [--files N] [--lease 10s] "
                        + "[--workers 1,2,3]");
            }
        }
        Path work = Files.createDirectories(Path.of("target/bench/cluster").toAbsolutePath());
        ClusterBench bench = new ClusterBench(work, lease, Duration.ofMillis(200));
        try {
            for (int n : counts) {
                bench.round(n, files);
            }
        }
        finally {
            bench.close();
        }
        System.out.println();
        System.out.println("| case | figure |");
        System.out.println("|---|---|");
        bench.report.forEach(System.out::println);
        Files.write(work.resolve("results.md"), bench.report, StandardCharsets.UTF_8);
    }

    /** One round with {@code n} workers: throughput, idle load, and with 2 workers the take-over. */
    private void round(int n, int files) throws Exception {
        Path dir = work.resolve("w" + n + "-" + System.currentTimeMillis());
        Path jobs = Files.createDirectories(dir.resolve("jobs"));
        String definition = "small" + n;
        Path inbox = dir.resolve("inbox");
        define(jobs, definition, inbox, dir.resolve("out"));
        List<Proc> workers = new ArrayList<>();
        try {
            for (int i = 1; i <= n; i++) {
                workers.add(startWorker("worker-" + i, dir, jobs));
            }
            for (Proc worker : workers) {
                worker.awaitLog("serve: ready", Duration.ofMinutes(2));
            }
            // warm-up: one file through the inbox
            Path staging = Files.createDirectories(dir.resolve("staging"));
            drop(staging, inbox, "warm-up.csv", "warm");
            awaitDone(inbox, 1, Duration.ofMinutes(2));

            // idle: after the warm-up's run has ended and before the files, with the shipped inbox poll interval
            Thread.sleep(5_000);
            long before = transactions();
            Thread.sleep(30_000);
            long after = transactions();
            report.add(String.format(Locale.ROOT, "| idle database load, %d worker(s) | %.2f transactions/s per worker "
                    + "(%d over 30 s) |", n, (after - before - 1) / 30.0 / n, after - before - 1));

            List<String> names = new ArrayList<>();
            for (int i = 1; i <= files; i++) {
                String name = "f" + i + ".csv";
                write(staging.resolve(name), "file " + i + " of round " + n);
                names.add(name);
            }
            double loadBefore = loadAverage();
            long start = System.nanoTime();
            for (String name : names) {
                Files.move(staging.resolve(name), inbox.resolve(name), StandardCopyOption.ATOMIC_MOVE);
            }
            awaitDone(inbox, files + 1, Duration.ofMinutes(30));
            double minutes = (System.nanoTime() - start) / 60e9;
            long failed = count(inbox.resolve("failed"));
            StringBuilder shares = new StringBuilder();
            for (Proc worker : workers) {
                shares.append(shares.isEmpty() ? "" : "/").append(worker.count("inbox " + definition + ": claimed"));
            }
            report.add(String.format(Locale.ROOT, "| %d small files, %d worker(s) | %.0f files/min (%.1f s; %d failed;"
                    + " claimed per worker %s; load average %.1f before, %.1f after) |", files, n, files / minutes,
                    minutes * 60, failed, shares, loadBefore, loadAverage()));

            if (n == 2) {
                takeOver(workers, inbox, staging, definition);
            }
        }
        finally {
            workers.forEach(Proc::close);
        }
    }

    /** kill -9 of the worker polling a long BES job; how long until the other takes the file and polls the job again. */
    private void takeOver(List<Proc> workers, Path inbox, Path staging, String definition) throws Exception {
        emulatorAdmin("behaviour", "{\"jobDurationMillis\":180000,\"times\":1}");
        drop(staging, inbox, "long.csv", "long job");
        Proc polling = null;
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (polling == null && System.nanoTime() < deadline) {
            for (Proc worker : workers) {
                if (worker.log().contains("inbox " + definition + ": claimed long.csv")
                        && worker.count("-> RUNNING") > 0 && worker.log().lastIndexOf("-> RUNNING")
                        > worker.log().lastIndexOf("claimed long.csv")) {
                    polling = worker;
                }
            }
            Thread.sleep(50);
        }
        if (polling == null) {
            throw new IllegalStateException("no worker polled the long job");
        }
        Proc killedOne = polling;
        Proc survivor = workers.stream().filter(w -> w != killedOne).findFirst().orElseThrow();
        int resumedBefore = survivor.count("was submitted earlier");
        long killed = System.nanoTime();
        polling.kill();
        survivor.awaitLog("long.csv was claimed by worker", Duration.ofMinutes(3));
        double claimed = (System.nanoTime() - killed) / 1e9;
        // the restarted execution finds the job it recorded and polls it again, without submitting anew
        long resumeDeadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (survivor.count("was submitted earlier") <= resumedBefore && System.nanoTime() < resumeDeadline) {
            Thread.sleep(50);
        }
        double polls = (System.nanoTime() - killed) / 1e9;
        String settings = lease == null ? "defaults: heartbeat 5 s, lease 30 s, scan 5 s"
                : "lease " + lease.toSeconds() + " s, heartbeat " + lease.dividedBy(5).toMillis() + " ms, scan "
                        + lease.dividedBy(5).toMillis() + " ms";
        report.add(String.format(Locale.ROOT, "| take-over after kill -9 (%s) | file claimed by the survivor after "
                + "%.1f s; its execution restarted at the recorded BES job (not submitted again) after %.1f s |",
                settings, claimed, polls));
    }

    private void define(Path jobs, String name, Path inbox, Path out) throws IOException {
        String yaml = """
                bes:
                  endpoint: %s
                  workspace: 0123456789abcdef0123456789abcdef
                  service: fedcba9876543210fedcba9876543210
                  api-key: %s
                input:
                  name: input1
                  required-columns: [Col2]
                outputs: [output1]
                storage:
                  connection-string: "%s"
                  container: bench-%s
                  credentials-to-bes: connection-string
                poll: {initial-interval: 200ms, max-interval: 1s}
                output-dir: %s
                inbox: {dir: %s, pattern: "*.csv", settle: 200ms}
                """.formatted(emulator.baseUri(), KEY, azurite.connectionString(), name, out, inbox);
        Files.writeString(jobs.resolve(name + ".yml"), yaml, StandardCharsets.UTF_8);
        Files.createDirectories(inbox);
    }

    private static void drop(Path staging, Path inbox, String name, String tag) throws IOException {
        write(staging.resolve(name), tag);
        Files.move(staging.resolve(name), inbox.resolve(name), StandardCopyOption.ATOMIC_MOVE);
    }

    private static void write(Path file, String tag) throws IOException {
        StringBuilder text = new StringBuilder("ReviewId,Col2,Rating\n");
        for (int i = 1; i <= 20; i++) {
            text.append(i).append(",\"").append(tag).append(" review ").append(i).append(" is a good day\",4\n");
        }
        Files.writeString(file, text.toString(), StandardCharsets.UTF_8);
    }

    private static void awaitDone(Path inbox, int files, Duration atMost) throws Exception {
        long deadline = System.nanoTime() + atMost.toNanos();
        while (count(inbox.resolve("done")) + count(inbox.resolve("failed")) < files) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("only " + count(inbox.resolve("done")) + " of " + files + " done");
            }
            Thread.sleep(100);
        }
    }

    private static long count(Path folder) throws IOException {
        if (!Files.isDirectory(folder)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(f -> f.toString().endsWith(".csv")).count();
        }
    }

    /** The machine's one-minute load average, to read the figures by (all workers share its cores). */
    private static double loadAverage() throws IOException {
        return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
    }

    private long transactions() throws SQLException, InterruptedException {
        try (Connection connection = DriverManager.getConnection(SERVER + "postgres", "postgres", "");
                Statement statement = connection.createStatement()) {
            // the statistics reach pg_stat_database within a second or so
            Thread.sleep(1500);
            try (ResultSet rs = statement.executeQuery("SELECT xact_commit + xact_rollback FROM pg_stat_database "
                    + "WHERE datname = '" + database + "'")) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private void emulatorAdmin(String path, String json) throws Exception {
        var request = java.net.http.HttpRequest.newBuilder(emulator.baseUri().resolve("/_emulator/" + path))
                .header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(json)).build();
        java.net.http.HttpClient.newHttpClient().send(request, java.net.http.HttpResponse.BodyHandlers.discarding());
    }

    private static void sql(String db, String statement) throws SQLException {
        try (Connection connection = DriverManager.getConnection(SERVER + db, "postgres", "");
                Statement s = connection.createStatement()) {
            s.execute(statement);
        }
    }

    private void close() throws SQLException {
        emulator.close();
        azurite.close();
        sql("postgres", "DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
    }

    /** Starts serve with the shipped defaults (or the --lease ones) on the bench's database. */
    private Proc startWorker(String name, Path dir, Path jobs) throws IOException {
        Path data = Files.createDirectories(dir.resolve("data-" + name));
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-XX:+UseSerialGC"));
        if (lease != null) {
            Duration fifth = lease.dividedBy(5);
            command.addAll(List.of("-Dbesworker.cluster.lease-duration=" + lease.toMillis() + "ms",
                    "-Dbesworker.heartbeat-interval=" + fifth.toMillis() + "ms",
                    "-Dbesworker.cluster.scan-interval=" + fifth.toMillis() + "ms"));
        }
        command.addAll(List.of("-Dbesworker.inbox-poll-interval=200ms", "-jar", JAR.toString(), "--jobs-dir",
                jobs.toString(), "--data-dir", data.toString(), "serve", "--http-port", "-1"));
        Path log = dir.resolve(name + ".log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("SPRING_DATASOURCE_URL", SERVER + database);
        builder.environment().put("SPRING_DATASOURCE_USERNAME", "postgres");
        builder.environment().put("SPRING_DATASOURCE_PASSWORD", "");
        return new Proc(builder.start(), log);
    }

    /** One serve worker process. */
    private final class Proc implements AutoCloseable {
        private final Process process;
        private final Path log;

        private Proc(Process process, Path log) {
            this.process = process;
            this.log = log;
        }


        String log() {
            try {
                return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
            }
            catch (IOException ex) {
                return "";
            }
        }

        int count(String text) {
            return (int) log().lines().filter(line -> line.contains(text)).count();
        }

        void awaitLog(String text, Duration atMost) throws InterruptedException {
            long deadline = System.nanoTime() + atMost.toNanos();
            while (!log().contains(text)) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("no '" + text + "' in " + log);
                }
                Thread.sleep(50);
            }
        }

        boolean isAlive() {
            return process.isAlive();
        }

        void kill() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor();
        }

        @Override
        public void close() {
            process.destroy();
            try {
                if (!process.waitFor(40, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
