package dev.besworker.reliability;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The folders of one test scenario (jobs, data, output) and the job definitions in it, written
 * against services the test started itself: the emulator over HTTP and Azurite (directly or
 * through a {@link TcpProxy}).
 */
final class Scenario {

    static final String WORKSPACE = "0123456789abcdef0123456789abcdef";
    static final String SERVICE = "fedcba9876543210fedcba9876543210";
    static final String CONTAINER = "bes-staging";

    private static final Pattern STARTED = Pattern.compile("execution (\\d+): STARTED of (\\S+)");

    final Path root;
    final Path jobsDir;
    final Path dataDir;
    final Path outputDir;

    Scenario(Path root) throws IOException {
        this.root = root;
        this.jobsDir = Files.createDirectories(root.resolve("jobs"));
        this.dataDir = Files.createDirectories(root.resolve("data"));
        this.outputDir = root.resolve("out");
    }

    /**
     * A fresh folder for a test class under {@code target/reliability-it}, kept after the run so
     * that the logs and files of a failed scenario can be read.
     */
    static Path workDir(Class<?> testClass) throws IOException {
        Path dir = Path.of("target/reliability-it", testClass.getSimpleName()).toAbsolutePath();
        if (Files.exists(dir)) {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
        return Files.createDirectories(dir);
    }

    /** A definition of the Feature Hashing service on {@code endpoint}, with quick polls and retries. */
    Definition definition(String name, String endpoint, String apiKey, String connectionString) {
        return new Definition(name, endpoint, apiKey, connectionString, outputDir.resolve(name));
    }

    /**
     * A deterministic CSV of book reviews (ReviewId, Col2, Rating) of {@code bytes} or a little
     * more: big inputs for transfers long enough to interrupt.
     */
    static Path reviews(Path file, long bytes) throws IOException {
        String[] words = ("this is a good day the book was long and the ending sad but I loved every page of it "
                + "naïve café déjà vu plot characters world-building dense never confusing").split(" ");
        java.util.Random random = new java.util.Random(42);
        long written = 0;
        try (java.io.BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            out.write("ReviewId,Col2,Rating\n");
            for (int row = 1; written < bytes; row++) {
                StringBuilder text = new StringBuilder();
                int count = 8 + random.nextInt(30);
                for (int i = 0; i < count; i++) {
                    text.append(i == 0 ? "" : " ").append(words[random.nextInt(words.length)]);
                }
                String line = "R" + row + ",\"" + text + "\"," + (1 + random.nextInt(5)) + "\n";
                out.write(line);
                written += line.getBytes(StandardCharsets.UTF_8).length;
            }
        }
        return file;
    }

    /** The worker's log file of this scenario's data folder. */
    Path log() {
        return dataDir.resolve("logs/bes-worker.log");
    }

    String logText() {
        try {
            return Files.exists(log()) ? Files.readString(log(), StandardCharsets.UTF_8) : "";
        }
        catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
    }

    /** The newest execution id the log shows started for the definition, or -1. */
    long startedExecution(String definition) {
        Matcher matcher = STARTED.matcher(logText());
        long id = -1;
        while (matcher.find()) {
            if (matcher.group(2).equals(definition)) {
                id = Long.parseLong(matcher.group(1));
            }
        }
        return id;
    }

    /** A job definition file, written by {@link #write(Path)}. */
    static final class Definition {
        final String name;
        String endpoint;
        String apiKey;
        String connectionString;
        Path outputDir;
        String retry = "{max-attempts: 4, initial-backoff: 50ms, max-backoff: 200ms, budget: 10s}";
        String requestTimeout = "10s";
        String poll = "{initial-interval: 100ms, max-interval: 300ms, timeout: 2m}";
        String credentialsToBes = "sas";
        String maxRecordSize;

        Definition(String name, String endpoint, String apiKey, String connectionString, Path outputDir) {
            this.name = name;
            this.endpoint = endpoint;
            this.apiKey = apiKey;
            this.connectionString = connectionString;
            this.outputDir = outputDir;
        }

        Definition retry(String value) {
            retry = value;
            return this;
        }

        Definition requestTimeout(String value) {
            requestTimeout = value;
            return this;
        }

        Definition poll(String value) {
            poll = value;
            return this;
        }

        Definition credentialsToBes(String value) {
            credentialsToBes = value;
            return this;
        }

        Definition apiKey(String value) {
            apiKey = value;
            return this;
        }

        Definition maxRecordSize(String value) {
            maxRecordSize = value;
            return this;
        }

        List<String> lines() {
            List<String> lines = new ArrayList<>();
            lines.add("bes:");
            lines.add("  endpoint: " + endpoint);
            lines.add("  workspace: " + WORKSPACE);
            lines.add("  service: " + SERVICE);
            if (apiKey != null) {
                lines.add("  api-key: \"" + apiKey + "\"");
            }
            lines.add("  retry: " + retry);
            lines.add("  request-timeout: " + requestTimeout);
            lines.add("input:");
            lines.add("  name: input1");
            lines.add("  required-columns: [Col2]");
            if (maxRecordSize != null) {
                lines.add("  max-record-size: " + maxRecordSize);
            }
            lines.add("outputs: [output1]");
            lines.add("storage:");
            lines.add("  connection-string: \"" + connectionString + "\"");
            lines.add("  container: " + CONTAINER);
            lines.add("  credentials-to-bes: " + credentialsToBes);
            lines.add("poll: " + poll);
            lines.add("output-dir: \"" + outputDir + "\"");
            return lines;
        }

        /** Writes {@code <jobsDir>/<name>.yml}; returns the file. */
        Path write(Path jobsDir) throws IOException {
            return Files.write(jobsDir.resolve(name + ".yml"), lines(), StandardCharsets.UTF_8);
        }

        /** The final output path of an input file name's stem. */
        Path output(String stem) {
            return outputDir.resolve(stem + ".output1.csv");
        }
    }
}
