package dev.besworker.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.task.SimpleAsyncTaskExecutor;

import dev.besworker.secrets.Secret;

/**
 * The local stand-ins a definition gets with {@code embedded}: Azurite keeping its blobs under
 * {@code <data-dir>/azurite} (so a restart finds its uploads), a child process on a free port,
 * and the BES emulator in this JVM ({@link EmulatorLauncher}), started together and stopped
 * together. A command that knows early that it will need them {@linkplain #begin(Path) begins}
 * their start beside its own.
 */
public final class EmbeddedServices implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedServices.class);

    private final AzuriteProcess azurite;
    private final EmulatorLauncher.RunningEmulator emulator;
    private final Secret apiKey;

    private EmbeddedServices(AzuriteProcess azurite, EmulatorLauncher.RunningEmulator emulator, Secret apiKey) {
        this.azurite = azurite;
        this.emulator = emulator;
        this.apiKey = apiKey;
    }

    /** Starts Azurite and the emulator for a run whose data lives under {@code dataDir}. */
    public static EmbeddedServices start(Path dataDir) throws IOException {
        try (Starting starting = begin(dataDir)) {
            return starting.await();
        }
    }

    /** Starts Azurite and the emulator in the background; {@link Starting#await()} returns the services. */
    public static Starting begin(Path dataDir) {
        return new Starting(dataDir.resolve("azurite"));
    }

    /**
     * Embedded services on their way up, each on a thread of its own beside the caller's start
     * (Spring's context): Azurite (a node process loading its modules) and the emulator (an HTTP
     * server in this JVM). Closing it stops them unless {@link #await()} handed them on.
     */
    public static final class Starting implements AutoCloseable {

        /** Daemon threads, named {@code embedded-start-<n>}. */
        private static final SimpleAsyncTaskExecutor STARTER = starter();

        private final long started = System.nanoTime();
        private final Secret apiKey = newApiKey();
        private final CompletableFuture<Ready<AzuriteProcess>> azurite;
        private final CompletableFuture<Ready<EmulatorLauncher.RunningEmulator>> emulator;
        private boolean handedOn;

        /** A service and how long after the start's beginning it was ready. */
        private record Ready<T>(T service, long millis) {
        }

        private Starting(Path location) {
            azurite = CompletableFuture.supplyAsync(() -> {
                try {
                    return ready(AzuriteProcess.start(location));
                }
                catch (IOException ex) {
                    throw new UncheckedIOException(ex);
                }
            }, STARTER);
            emulator = CompletableFuture.supplyAsync(() -> ready(EmulatorLauncher.installed().start(apiKey)), STARTER);
        }

        private <T> Ready<T> ready(T service) {
            return new Ready<>(service, (System.nanoTime() - started) / 1_000_000);
        }

        /** Waits for both and hands them on. */
        public EmbeddedServices await() throws IOException {
            long waitFrom = System.nanoTime();
            try {
                Ready<AzuriteProcess> storage = join(azurite);
                Ready<EmulatorLauncher.RunningEmulator> bes = join(emulator);
                handedOn = true;
                log.info("embedded services up: Azurite on port {} (ready after {} ms), BES emulator at {} (ready after "
                        + "{} ms); waited {} ms for them", storage.service().port(), storage.millis(),
                        bes.service().baseUrl(), bes.millis(), (System.nanoTime() - waitFrom) / 1_000_000);
                return new EmbeddedServices(storage.service(), bes.service(), apiKey);
            }
            catch (IOException | RuntimeException ex) {
                close();
                throw ex;
            }
        }

        private static <T> Ready<T> join(CompletableFuture<Ready<T>> starting) throws IOException {
            try {
                return starting.join();
            }
            catch (CompletionException ex) {
                if (ex.getCause() instanceof UncheckedIOException io) {
                    throw io.getCause();
                }
                throw ex;
            }
        }

        @Override
        public void close() {
            if (!handedOn) {
                handedOn = true;
                emulator.thenAccept(bes -> bes.service().close());
                azurite.thenAccept(storage -> storage.service().close());
                try {
                    CompletableFuture.allOf(azurite, emulator).join();
                }
                catch (CompletionException ignored) {
                    // what did not start has nothing to stop
                }
            }
        }

        private static Secret newApiKey() {
            byte[] key = new byte[32];
            new SecureRandom().nextBytes(key);
            return Secret.of(HexFormat.of().formatHex(key));
        }

        private static SimpleAsyncTaskExecutor starter() {
            SimpleAsyncTaskExecutor starter = new SimpleAsyncTaskExecutor("embedded-start-");
            starter.setDaemon(true);
            return starter;
        }
    }

    public String besEndpoint() {
        return emulator.baseUrl();
    }

    public Secret apiKey() {
        return apiKey;
    }

    public Secret connectionString() {
        return Secret.of(azurite.connectionString());
    }

    @Override
    public void close() {
        long started = System.nanoTime();
        emulator.close();
        azurite.close();
        log.info("embedded services stopped in {} ms", (System.nanoTime() - started) / 1_000_000);
    }
}
