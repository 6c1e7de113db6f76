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
 * together. Azurite takes about two seconds to load, so a command that knows early that it will
 * need it {@linkplain #begin(Path) begins} its start beside its own.
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

    /** Starts Azurite in the background; {@link Starting#await()} adds the emulator and returns the services. */
    public static Starting begin(Path dataDir) {
        return new Starting(dataDir.resolve("azurite"));
    }

    /** Embedded services on their way up; closing it stops Azurite unless {@link #await()} handed it on. */
    public static final class Starting implements AutoCloseable {

        /** A daemon thread per start, named {@code embedded-start-<n>}. */
        private static final SimpleAsyncTaskExecutor STARTER = starter();

        private final long started = System.nanoTime();
        private final CompletableFuture<AzuriteProcess> azurite;
        private boolean handedOn;

        private Starting(Path location) {
            azurite = CompletableFuture.supplyAsync(() -> {
                try {
                    return AzuriteProcess.start(location);
                }
                catch (IOException ex) {
                    throw new UncheckedIOException(ex);
                }
            }, STARTER);
        }

        /** Waits for Azurite, starts the emulator, and hands both on. */
        public EmbeddedServices await() throws IOException {
            long waitFrom = System.nanoTime();
            AzuriteProcess storage = azurite();
            byte[] key = new byte[32];
            new SecureRandom().nextBytes(key);
            Secret apiKey = Secret.of(HexFormat.of().formatHex(key));
            try {
                EmulatorLauncher.RunningEmulator emulator = EmulatorLauncher.installed().start(apiKey);
                handedOn = true;
                long now = System.nanoTime();
                log.info("embedded services up: Azurite on port {} (started {} ms ago, waited {} ms), BES emulator at {}",
                        storage.port(), (now - started) / 1_000_000, (now - waitFrom) / 1_000_000, emulator.baseUrl());
                return new EmbeddedServices(storage, emulator, apiKey);
            }
            catch (RuntimeException ex) {
                storage.close();
                throw ex;
            }
        }

        private AzuriteProcess azurite() throws IOException {
            try {
                return azurite.join();
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
                try {
                    azurite().close();
                }
                catch (IOException | RuntimeException ignored) {
                    // it did not start: nothing to stop
                }
            }
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
        log.debug("embedded services stopped in {} ms", (System.nanoTime() - started) / 1_000_000);
    }
}
