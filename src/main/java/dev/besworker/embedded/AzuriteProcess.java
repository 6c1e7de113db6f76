package dev.besworker.embedded;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

/**
 * A local Azurite blob service, started from the project's pinned npm package as a child
 * process on a free loopback port, and stopped by {@link #close()}.
 * <p>
 * The package is looked up as {@code node_modules/azurite} in the directory named
 * by the system property {@code besworker.azurite.home} or the environment variable
 * {@code BES_WORKER_AZURITE_HOME}, else in the working directory and its parents.
 */
public final class AzuriteProcess implements AutoCloseable {

    /** Azurite's well-known development account. */
    public static final String ACCOUNT = "devstoreaccount1";

    /** The well-known, publicly documented key of {@link #ACCOUNT}; not a secret. */
    public static final String ACCOUNT_KEY =
            "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private static final Logger log = LoggerFactory.getLogger(AzuriteProcess.class);

    /**
     * The node script that runs Azurite's blob server (see the script for why it is not Azurite's
     * own entry point); it prints one line when it listens, naming the port.
     */
    private static final String RUNNER = runner();

    /** Daemon threads that read the runner's output: they must never keep the JVM up. */
    private static final CustomizableThreadFactory THREADS = daemonThreads();

    private static final Pattern READY = Pattern.compile("azurite-listening (\\d+)");

    private final Process process;
    private final int port;
    private final Path location;

    private AzuriteProcess(Process process, int port, Path location) {
        this.process = process;
        this.port = port;
        this.location = location;
    }

    /**
     * Starts Azurite keeping its data under {@code location}, or in memory when it is null.
     * Returns once the port accepts connections.
     */
    public static AzuriteProcess start(Path location) throws IOException {
        return start(location, 0);
    }

    /** As {@link #start(Path)}, on the given port (0 picks a free one). */
    public static AzuriteProcess start(Path location, int port) throws IOException {
        Path module = findModule();
        List<String> command = new ArrayList<>(List.of("node", "-e", RUNNER, "azurite-blob",
                "--blobHost", "127.0.0.1", "--blobPort", Integer.toString(port),
                "--silent", "--skipApiVersionCheck", "--loose"));
        if (location == null) {
            command.add("--inMemoryPersistence");
        } else {
            Files.createDirectories(location);
            command.add("--location");
            command.add(location.toString());
        }
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("BES_WORKER_PARENT_PID", Long.toString(ProcessHandle.current().pid()));
        builder.environment().put("BES_WORKER_AZURITE_MODULE", module.toString());
        Path logFile = location == null ? null : location.resolve("azurite.log");
        builder.redirectError(logFile == null ? ProcessBuilder.Redirect.DISCARD
                : ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        long started = System.nanoTime();
        Process process = builder.start();
        int chosen = awaitListening(process, location, Duration.ofSeconds(60));
        log.debug("Azurite listening on 127.0.0.1:{} after {} ms (data: {})", chosen,
                (System.nanoTime() - started) / 1_000_000, location == null ? "memory" : location);
        return new AzuriteProcess(process, chosen, location);
    }

    /** The port the blob service listens on. */
    public int port() {
        return port;
    }

    /** The blob endpoint, e.g. {@code http://127.0.0.1:10000/devstoreaccount1}. */
    public String blobEndpoint() {
        return "http://127.0.0.1:" + port + "/" + ACCOUNT;
    }

    /** A connection string for the well-known account on this instance. */
    public String connectionString() {
        return "DefaultEndpointsProtocol=http;AccountName=" + ACCOUNT + ";AccountKey=" + ACCOUNT_KEY
                + ";BlobEndpoint=" + blobEndpoint() + ";";
    }

    /** Whether the child process is still alive. */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** The child's process id, for tests that kill it the hard way. */
    public long pid() {
        return process.pid();
    }

    /**
     * Stops Azurite and waits for it to exit; its data under the location stays. SIGTERM makes
     * it close its server (saving its metadata) and exit, in about a tenth of a second; if it
     * has not ended within five seconds it is killed.
     */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    /** Reads the runner's ready line; its stdout is drained from then on. Returns the port. */
    private static int awaitListening(Process process, Path location, Duration timeout) throws IOException {
        BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<Integer> ready = CompletableFuture.supplyAsync(() -> {
            try {
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                    Matcher matcher = READY.matcher(line);
                    if (matcher.find()) {
                        THREADS.newThread(() -> drain(reader)).start();
                        return Integer.parseInt(matcher.group(1));
                    }
                }
                return null;
            }
            catch (IOException ex) {
                return null;
            }
        }, runnable -> THREADS.newThread(runnable).start());
        String see = location == null ? "" : "; see " + location.resolve("azurite.log");
        try {
            Integer port = ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (port == null) {
                process.waitFor(5, TimeUnit.SECONDS);
                throw new IOException("Azurite exited" + (process.isAlive() ? "" : " with code " + process.exitValue())
                        + " before listening" + see);
            }
            return port;
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IOException("interrupted while starting Azurite", ex);
        }
        catch (ExecutionException | TimeoutException ex) {
            process.destroyForcibly();
            throw new IOException("Azurite did not listen within " + timeout.toSeconds() + "s" + see, ex);
        }
    }

    private static void drain(BufferedReader reader) {
        try {
            while (reader.readLine() != null) {
                // nothing after the ready line matters; keep the pipe from filling
            }
        }
        catch (IOException ignored) {
            // Azurite ended
        }
    }

    private static CustomizableThreadFactory daemonThreads() {
        CustomizableThreadFactory threads = new CustomizableThreadFactory("azurite-");
        threads.setDaemon(true);
        return threads;
    }

    private static String runner() {
        try (var in = AzuriteProcess.class.getResourceAsStream("azurite-runner.js")) {
            if (in == null) {
                throw new IllegalStateException("azurite-runner.js is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /** The pinned azurite npm package's folder, {@code node_modules/azurite}. */
    static Path findModule() throws IOException {
        String home = System.getProperty("besworker.azurite.home", System.getenv("BES_WORKER_AZURITE_HOME"));
        List<Path> candidates = new ArrayList<>();
        if (home != null && !home.isBlank()) {
            candidates.add(Path.of(home));
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            candidates.add(dir);
        }
        for (Path dir : candidates) {
            Path module = dir.resolve("node_modules/azurite");
            if (Files.isRegularFile(module.resolve("dist/src/blob/BlobServer.js"))) {
                return module;
            }
        }
        throw new IOException("Azurite is not installed: run 'npm ci' in the bes-worker folder "
                + "(it installs the pinned azurite package), or set BES_WORKER_AZURITE_HOME to the folder "
                + "that holds node_modules/azurite");
    }

    /** A currently free loopback port. */
    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }
}
