package dev.besworker.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * One {@code serve} worker as if on its own machine: the built jar, run inside
 * {@code unshare --uts --pid --fork --kill-child --mount-proc} with its own host name (set inside
 * the namespace before java starts), so that every worker is pid 1 of its namespace and the
 * workers' host names differ (and do not resolve). Its own data folder (logs, lock); the
 * database, the jobs folder, the inboxes and the output folder are shared with the others.
 */
final class HostWorker implements AutoCloseable {

    static final Path JAR = Path.of("target/bes-worker.jar").toAbsolutePath();

    private final String host;
    private final Path dataDir;
    private final Process process;
    private final Path stdout;

    private HostWorker(String host, Path dataDir, Process process, Path stdout) {
        this.host = host;
        this.dataDir = dataDir;
        this.process = process;
        this.stdout = stdout;
    }

    /**
     * Starts {@code serve} as host {@code host}.
     *
     * @param properties system properties ({@code besworker.*}, Spring settings)
     * @param environment environment of the JVM (the data source)
     */
    static HostWorker start(String host, Path root, Path jobsDir, Map<String, String> properties,
            Map<String, String> environment) {
        requireUnshare();
        Path dataDir = root.resolve("data-" + host);
        try {
            Files.createDirectories(dataDir);
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        List<String> java = new ArrayList<>();
        java.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        java.addAll(List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto", "-Xmx384m"));
        properties.forEach((name, value) -> java.add("-D" + name + "=" + value));
        java.addAll(List.of("-jar", JAR.toString(), "--jobs-dir", jobsDir.toString(), "--data-dir", dataDir.toString(),
                "serve", "--http-port", "-1"));
        StringBuilder script = new StringBuilder("hostname ").append(host).append(" && exec");
        java.forEach(word -> script.append(' ').append(quote(word)));
        List<String> command = List.of("unshare", "--uts", "--pid", "--fork", "--kill-child", "--mount-proc",
                "sh", "-c", script.toString());
        Path out = root.resolve(host + ".out");
        ProcessBuilder builder = new ProcessBuilder(command).directory(root.toFile())
                .redirectErrorStream(true).redirectOutput(out.toFile());
        // A container's HOSTNAME would name the test's machine; the worker must find its own name.
        builder.environment().remove("HOSTNAME");
        builder.environment().putAll(environment);
        try {
            return new HostWorker(host, dataDir, builder.start(), out);
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /** CI runs as root, where unshare works: its absence is a failure to see, never a reason to skip. */
    static void requireUnshare() {
        try {
            Process probe = new ProcessBuilder("unshare", "--uts", "--pid", "--fork", "--kill-child", "--mount-proc",
                    "sh", "-c", "hostname probe-host").redirectErrorStream(true).start();
            String output = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!probe.waitFor(30, TimeUnit.SECONDS) || probe.exitValue() != 0) {
                throw new AssertionError("these tests run each worker in its own UTS and pid namespace, but "
                        + "'unshare --uts --pid --fork --kill-child --mount-proc' failed (" + output.strip()
                        + "): run them as root on Linux with util-linux's unshare");
            }
        }
        catch (IOException ex) {
            throw new AssertionError("these tests run each worker in its own UTS and pid namespace, but 'unshare' "
                    + "cannot be run (" + ex.getMessage() + "): install util-linux and run them as root on Linux", ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    String host() {
        return host;
    }

    /**
     * The worker's log (its data folder's logs/bes-worker.log), or its console output before that
     * exists: each line once (the console repeats the log's lines), so lines can be counted.
     */
    String log() {
        Path file = dataDir.resolve("logs").resolve("bes-worker.log");
        return Files.exists(file) ? read(file) : read(stdout);
    }

    /** Its log and its console output (the JVM's own messages, a crash's), for a failure's report. */
    String logAndConsole() {
        Path file = dataDir.resolve("logs").resolve("bes-worker.log");
        return (Files.exists(file) ? read(file) : "") + read(stdout);
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /** Waits until serve says it is ready. */
    HostWorker awaitReady(Duration atMost) {
        await().atMost(atMost).pollInterval(Duration.ofMillis(200)).until(() -> {
            if (!process.isAlive()) {
                throw new AssertionError("worker " + host + " exited " + process.exitValue() + ":\n" + logAndConsole());
            }
            return log().contains("serve: ready");
        });
        return this;
    }

    /** The worker's JVM as seen from the test's pid namespace (the child of unshare). */
    ProcessHandle jvm() {
        Optional<ProcessHandle> java = process.toHandle().descendants()
                .filter(p -> p.info().command().map(c -> c.endsWith("java")).orElse(false)).findFirst();
        return java.orElseThrow(() -> new IllegalStateException("no JVM under worker " + host));
    }

    /** SIGKILL of the namespace's init (the JVM), as a machine that dies: nothing of it runs on. */
    void kill() {
        ProcessHandle java = jvm();
        signal("KILL", java.pid());
        await().atMost(Duration.ofSeconds(30)).until(() -> !java.isAlive() && !process.isAlive());
    }

    /** SIGSTOP: frozen, as in a long GC pause or a suspended VM. */
    void pause() {
        signal("STOP", jvm().pid());
    }

    /** SIGCONT: runs on from where it was frozen. */
    void resume() {
        signal("CONT", jvm().pid());
    }

    boolean isAlive() {
        return process.isAlive();
    }

    private static void signal(String signal, long pid) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + signal + " " + pid + " failed");
            }
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    /** SIGTERM, and the wait for a clean stop; killed if it does not stop in time. */
    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        try {
            ProcessHandle java = jvm();
            signal("CONT", java.pid());
            signal("TERM", java.pid());
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                signal("KILL", java.pid());
            }
        }
        catch (RuntimeException ex) {
            // already gone
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        process.destroyForcibly();
    }

    private static String quote(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }
}
