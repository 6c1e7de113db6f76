package dev.besworker.reliability;


import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs {@code target/bes-worker.jar} as a real JVM on a scenario's folders, the way an operator
 * or a scheduler does, so that it can be killed with SIGKILL or stopped with SIGTERM.
 */
final class WorkerJvm {

    static final Path JAR = Path.of("target/bes-worker.jar").toAbsolutePath();
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    /** The outcome of one command. */
    record Result(int exitCode, String stdout, String stderr) {

        String all() {
            return stdout + stderr;
        }

        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
        }
    }

    private final Scenario scenario;
    private final Map<String, String> environment = new LinkedHashMap<>();
    private final List<String> systemProperties = new ArrayList<>(List.of(
            // quick heartbeats so that a stop requested by another process is seen within a second
            "-Dbesworker.heartbeat-interval=500ms", "-Dbesworker.stop-timeout=20s"));
    private List<String> prefix = List.of();
    private Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    private Path jar = JAR;

    WorkerJvm(Scenario scenario) {
        this.scenario = scenario;
    }

    WorkerJvm env(String name, String value) {
        environment.put(name, value);
        return this;
    }

    WorkerJvm systemProperty(String nameAndValue) {
        systemProperties.add("-D" + nameAndValue);
        return this;
    }

    /** Runs the JVM through a command prefix, e.g. one that drops privileges. */
    WorkerJvm prefix(List<String> command, Path javaBinary, Path jarFile) {
        this.prefix = List.copyOf(command);
        this.java = javaBinary;
        this.jar = jarFile;
        return this;
    }

    /** Starts {@code bes-worker --jobs-dir J --data-dir D args...}. */
    Running start(String... args) {
        List<String> command = new ArrayList<>(prefix);
        command.add(java.toString());
        // quick start-up for short-lived command-line JVMs
        command.addAll(List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto", "-Xmx512m"));
        command.addAll(systemProperties);
        command.addAll(List.of("-jar", jar.toString(), "--jobs-dir", scenario.jobsDir.toString(), "--data-dir",
                scenario.dataDir.toString()));
        command.addAll(List.of(args));
        int n = SEQUENCE.incrementAndGet();
        Path stdout = scenario.root.resolve("jvm-" + n + ".out");
        Path stderr = scenario.root.resolve("jvm-" + n + ".err");
        ProcessBuilder builder = new ProcessBuilder(command).directory(scenario.root.toFile())
                .redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
        builder.environment().putAll(environment);
        try {
            return new Running(builder.start(), stdout, stderr);
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /** Runs a command to its end. */
    Result run(String... args) {
        return start(args).await(Duration.ofMinutes(2));
    }

    /** A started worker JVM. */
    static final class Running {
        final Process process;
        private final Path stdout;
        private final Path stderr;

        Running(Process process, Path stdout, Path stderr) {
            this.process = process;
            this.stdout = stdout;
            this.stderr = stderr;
        }

        long pid() {
            return process.pid();
        }

        /** SIGKILL: no shutdown hook, no finally block runs. */
        void kill() {
            process.destroyForcibly();
            try {
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the worker did not die");
                }
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }

        /** SIGTERM, as a service manager sends on shutdown. */
        void terminate() {
            process.destroy();
        }

        boolean isAlive() {
            return process.isAlive();
        }

        /** Waits for the end, at most {@code atMost}. */
        Result await(Duration atMost) {
            org.awaitility.Awaitility.await().atMost(atMost).pollInterval(Duration.ofMillis(100))
                    .until(() -> !process.isAlive());
            return result();
        }

        Result result() {
            try {
                return new Result(process.exitValue(), Files.readString(stdout, StandardCharsets.UTF_8),
                        Files.readString(stderr, StandardCharsets.UTF_8));
            }
            catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
        }

        String stderrSoFar() {
            try {
                return Files.readString(stderr, StandardCharsets.UTF_8);
            }
            catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
        }

        /** Kills it if a failed test left it running. */
        void destroyIfAlive() {
            if (process.isAlive()) {
                kill();
            }
        }
    }
}
