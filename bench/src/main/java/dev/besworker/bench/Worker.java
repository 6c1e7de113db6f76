package dev.besworker.bench;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The worker under test as users run it: {@code java <jvm options> -jar target/bes-worker.jar},
 * with a jobs folder of definitions the harness writes and a data folder per case.
 */
final class Worker {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Pattern EXECUTION = Pattern.compile("execution (\\d+) (\\w+)");

    /** One step of an execution, with its times on this machine's clock. */
    record Step(String name, String status, LocalDateTime start, LocalDateTime end) {
        double seconds() {
            return start == null || end == null ? 0 : Duration.between(start, end).toNanos() / 1e9;
        }
    }

    /** A finished {@code run}. */
    record Run(Proc.Result process, long executionId, String status, List<Step> steps, LocalDateTime started,
            LocalDateTime ended, Map<String, String> context) {

        Step step(String name) {
            return steps.stream().filter(s -> s.name.equals(name)).findFirst().orElse(null);
        }

        String besJobId() {
            return context.get("bes.jobId");
        }
    }

    private final Path jar;
    private final Path jobsDir;
    private final List<String> jvmOptions;
    /** The launcher script ({@code target/bes-worker}) that runs {@link #jar}, or null for {@code java -jar}. */
    private final Path launcher;
    /** Environment variables added to the worker's (the JDK the launcher picks: JAVA_HOME). */
    private final Map<String, String> environment;

    Worker(Path jar, Path jobsDir, List<String> jvmOptions) {
        this(jar, jobsDir, jvmOptions, null, Map.of());
    }

    private Worker(Path jar, Path jobsDir, List<String> jvmOptions, Path launcher, Map<String, String> environment) {
        this.jar = jar;
        this.jobsDir = jobsDir;
        this.jvmOptions = List.copyOf(jvmOptions);
        this.launcher = launcher;
        this.environment = Map.copyOf(environment);
    }

    /** The worker as the README runs it: the build's launcher script beside {@code jar}. */
    static Worker launcher(Path jar, Path jobsDir) {
        return new Worker(jar, jobsDir, List.of(), jar.resolveSibling("bes-worker"), Map.of());
    }

    /** This worker with other definitions. */
    Worker withJobs(Path otherJobsDir) {
        return new Worker(jar, otherJobsDir, jvmOptions, launcher, environment);
    }

    /** This worker on the JDK in {@code javaHome} (the launcher runs {@code $JAVA_HOME/bin/java}). */
    Worker withJavaHome(Path javaHome) {
        return new Worker(jar, jobsDir, jvmOptions, launcher, Map.of("JAVA_HOME", javaHome.toString()));
    }

    /** How it is launched, for the log. */
    String launch() {
        return launcher != null ? launcher.toString() : "java " + String.join(" ", jvmOptions) + " -jar " + jar;
    }

    Path jar() {
        return jar;
    }

    Path jobsDir() {
        return jobsDir;
    }

    List<String> jvmOptions() {
        return jvmOptions;
    }

    /**
     * Writes {@code jobs/<name>.yml} for a service behind {@code endpoint} and the given storage.
     *
     * @param poll the {@code poll:} section's body, or null for the worker's defaults
     */
    void define(String name, URI endpoint, String connectionString, String container, Path outputDir, String poll)
            throws IOException {
        Files.createDirectories(jobsDir);
        String yaml = "bes:\n"
                + "  endpoint: " + endpoint + "\n"
                + "  workspace: 0123456789abcdef0123456789abcdef\n"
                + "  service: fedcba9876543210fedcba9876543210\n"
                + "  api-key: " + Emulator.API_KEY + "\n"
                + "input:\n"
                + "  name: input1\n"
                + "  required-columns: [Col2]\n"
                + "outputs: [output1]\n"
                + "storage:\n"
                + "  connection-string: \"" + connectionString + "\"\n"
                + "  container: " + container + "\n"
                + (poll == null ? "" : "poll: " + poll + "\n")
                + "output-dir: " + outputDir + "\n";
        Files.writeString(jobsDir.resolve(name + ".yml"), yaml, StandardCharsets.UTF_8);
    }

    /** Starts {@code run <definition> --input <file> --force} as a new JVM. */
    Proc start(String definition, Path input, Path dataDir, Path logPrefix, List<String> extraJvm) throws IOException {
        List<String> command = new ArrayList<>();
        if (launcher != null) {
            command.add(launcher.toString());
        }
        else {
            command.add(Proc.java());
            command.addAll(jvmOptions);
            command.addAll(extraJvm);
            command.addAll(List.of("-jar", jar.toString()));
        }
        command.addAll(List.of("--jobs-dir", jobsDir.toString(), "--data-dir",
                dataDir.toString(), "run", definition, "--input", input.toString(), "--force"));
        return Proc.start(command, dataDir.getParent(), logPrefix, environment);
    }

    /** Runs to the end and reads the execution back with {@code show --json}. */
    Run run(String definition, Path input, Path dataDir, Path logPrefix, Duration limit) throws IOException,
            InterruptedException {
        Proc proc = start(definition, input, dataDir, logPrefix, List.of());
        Proc.Result result = proc.await(limit);
        return finish(result, dataDir, logPrefix);
    }

    Run finish(Proc.Result result, Path dataDir, Path logPrefix) throws IOException, InterruptedException {
        Matcher matcher = EXECUTION.matcher(result.out());
        if (result.exitCode() != 0 || !matcher.find()) {
            throw new IOException("the worker run failed (exit " + result.exitCode() + "); see " + result.stderr()
                    + "\n" + tail(result.err()));
        }
        long id = Long.parseLong(matcher.group(1));
        List<String> command = new ArrayList<>(List.of(Proc.java(), "-XX:TieredStopAtLevel=1", "-jar", jar.toString(),
                "--jobs-dir", jobsDir.toString(), "--data-dir", dataDir.toString(), "show", "--json", Long.toString(id)));
        Proc.Result show = Proc.start(command, dataDir.getParent(), Path.of(logPrefix + "-show")).await(Duration.ofMinutes(2));
        if (show.exitCode() != 0) {
            throw new IOException("show --json failed; see " + show.stderr());
        }
        JsonNode detail = JSON.readTree(show.out());
        List<Step> steps = new ArrayList<>();
        for (JsonNode step : detail.get("steps")) {
            steps.add(new Step(step.get("name").asString(), step.get("status").asString(), time(step.get("startTime")),
                    time(step.get("endTime"))));
        }
        Map<String, String> context = new LinkedHashMap<>();
        detail.get("context").properties().forEach(e -> context.put(e.getKey(), e.getValue().asString()));
        JsonNode summary = detail.get("summary");
        return new Run(result, id, summary.get("status").asString(), steps, time(summary.get("startTime")),
                time(summary.get("endTime")), context);
    }

    private static LocalDateTime time(JsonNode node) {
        return node == null || node.isNull() ? null : LocalDateTime.parse(node.asString());
    }

    /** A wall-clock time of the job repository as a {@link System#nanoTime()} value of this JVM. */
    static long toNanos(LocalDateTime time) {
        long epochNanos = time.atZone(ZoneId.systemDefault()).toInstant().toEpochMilli() * 1_000_000L
                + time.getNano() % 1_000_000;
        long nowEpochNanos = System.currentTimeMillis() * 1_000_000L;
        return System.nanoTime() - (nowEpochNanos - epochNanos);
    }

    static String tail(String text) {
        String[] lines = text.split("\n");
        return String.join("\n", java.util.Arrays.asList(lines).subList(Math.max(0, lines.length - 15), lines.length));
    }
}
