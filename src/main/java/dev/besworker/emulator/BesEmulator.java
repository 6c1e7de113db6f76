package dev.besworker.emulator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import com.sun.net.httpserver.HttpServer;

/**
 * A local stand-in for an Azure ML Studio (classic) web service running the reference Feature
 * Hashing experiment: the BES job API (submit, start, status, cancel), RRS {@code /execute} and
 * {@code swagger.json}, as {@code /work/shared/bes-api.md} describes them, with real blob I/O
 * through the connection strings or SAS tokens the caller sends (Azurite in tests). Serves
 * loopback only. With {@link EmulatorSettings#admin()} it also serves {@code /_emulator/...}:
 * counters, fault injection and job behaviours for tests.
 * <p>
 * This is the emulator's programmatic API (tests and the in-process embedded emulator start it
 * here); the command line is the root package's {@code emulator} command.
 * <p>
 * Started jobs beyond {@link EmulatorSettings#maxConcurrentJobs()} per service wait FIFO; while
 * waiting their status says NotStarted, and a second start is refused with CannotStartJob
 * ("... in Queued state.").
 */
public final class BesEmulator implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService requestThreads;
    private final JobEngine engine;
    private final CountDownLatch closing = new CountDownLatch(1);
    private final EmulatorSettings settings;

    private BesEmulator(EmulatorSettings settings) throws IOException {
        this.settings = settings;
        Counters counters = new Counters();
        this.engine = new JobEngine(settings, new BlobAccess(), counters);
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), settings.port()), 256);
        this.requestThreads = Executors.newCachedThreadPool(JobEngine.daemon("bes-emulator-http"));
        server.setExecutor(requestThreads);
        server.createContext("/", new EmulatorHandler(settings, engine, counters, new Faults(), closing));
        server.start();
    }

    /**
     * Starts an emulator; it listens when this returns.
     *
     * @throws UncheckedIOException when the port cannot be bound
     */
    public static BesEmulator start(EmulatorSettings settings) {
        try {
            return new BesEmulator(settings);
        }
        catch (IOException ex) {
            throw new UncheckedIOException("Cannot start the BES emulator on 127.0.0.1:" + settings.port()
                    + ": " + ex.getMessage(), ex);
        }
    }

    /** The port it listens on. */
    public int port() {
        return server.getAddress().getPort();
    }

    /** {@code http://127.0.0.1:PORT}, the endpoint a worker definition names. */
    public URI baseUri() {
        return URI.create("http://127.0.0.1:" + port());
    }

    /** The settings it runs with. */
    public EmulatorSettings settings() {
        return settings;
    }

    /** Stops listening, releases hanging requests and cancels running jobs. */
    @Override
    public void close() {
        closing.countDown();
        server.stop(0);
        engine.close();
        requestThreads.shutdownNow();
        try {
            requestThreads.awaitTermination(5, TimeUnit.SECONDS);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }
}
