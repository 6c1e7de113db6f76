package dev.besworker.embedded;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local Azurite blob service, started from the project's pinned npm package as a child
 * process on a free loopback port, and stopped by {@link #close()}.
 * <p>
 * The executable is looked up as {@code node_modules/.bin/azurite-blob} in the directory named
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

    private static final String GUARD = String.join("\n",
            "const {spawn} = require('child_process');",
            "const [parent, exe, ...args] = process.argv.slice(1);",
            "const child = spawn(exe, args, {stdio: 'inherit'});",
            "const stop = () => { try { child.kill('SIGTERM'); } catch (e) {} setTimeout(() => process.exit(0), 3000).unref(); };",
            "setInterval(() => { try { process.kill(Number(parent), 0); } catch (e) { stop(); } }, 1000);",
            "process.on('SIGTERM', stop); process.on('SIGINT', stop);",
            "child.on('exit', (code) => process.exit(code === null ? 0 : code));");

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
        Path executable = findExecutable();
        int chosen = port == 0 ? freePort() : port;
        // Through a small node guard that ends Azurite when this JVM dies, even by kill -9:
        // an orphan would hold the data folder and the next run's Azurite would fight it.
        List<String> command = new ArrayList<>(List.of("node", "-e", GUARD,
                Long.toString(ProcessHandle.current().pid()), executable.toString(),
                "--blobHost", "127.0.0.1", "--blobPort", Integer.toString(chosen),
                "--silent", "--skipApiVersionCheck", "--loose"));
        if (location == null) {
            command.add("--inMemoryPersistence");
        } else {
            Files.createDirectories(location);
            command.add("--location");
            command.add(location.toString());
        }
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        Path logFile = location == null ? null : location.resolve("azurite.log");
        builder.redirectOutput(logFile == null ? ProcessBuilder.Redirect.DISCARD
                : ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        Process process = builder.start();
        AzuriteProcess azurite = new AzuriteProcess(process, chosen, location);
        azurite.awaitListening(Duration.ofSeconds(30));
        log.debug("Azurite listening on 127.0.0.1:{} (data: {})", chosen, location == null ? "memory" : location);
        return azurite;
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
     * Stops Azurite and waits for it to exit; its data under the location stays. Only the guard
     * is asked (SIGTERM), which passes one SIGTERM on to Azurite so that it saves its metadata
     * and closes (about a tenth of a second); whatever still runs after five seconds is killed,
     * since Azurite otherwise waits for every idle keep-alive connection of an SDK client.
     */
    @Override
    public void close() {
        List<ProcessHandle> all = new ArrayList<>(process.descendants().toList());
        all.add(process.toHandle());
        process.destroy();
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadline && all.stream().anyMatch(ProcessHandle::isAlive)) {
            sleep(25);
        }
        all.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    private void awaitListening(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("Azurite exited with code " + process.exitValue()
                        + " before listening on port " + port
                        + (location == null ? "" : "; see " + location.resolve("azurite.log")));
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            }
            catch (IOException notYet) {
                sleep(100);
            }
        }
        close();
        throw new IOException("Azurite did not listen on port " + port + " within " + timeout.toSeconds() + "s");
    }

    static Path findExecutable() throws IOException {
        String home = System.getProperty("besworker.azurite.home", System.getenv("BES_WORKER_AZURITE_HOME"));
        List<Path> candidates = new ArrayList<>();
        if (home != null && !home.isBlank()) {
            candidates.add(Path.of(home));
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            candidates.add(dir);
        }
        for (Path dir : candidates) {
            Path executable = dir.resolve("node_modules/.bin/azurite-blob");
            if (Files.isExecutable(executable)) {
                return executable;
            }
        }
        throw new IOException("Azurite is not installed: run 'npm ci' in the bes-worker folder "
                + "(it installs the pinned azurite package), or set BES_WORKER_AZURITE_HOME to the folder "
                + "that holds node_modules/.bin/azurite-blob");
    }

    /** A currently free loopback port. */
    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }
}
