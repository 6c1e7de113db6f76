package dev.besworker.embedded;

import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.besworker.secrets.Secret;

/**
 * The local stand-ins a definition gets with {@code embedded}: Azurite keeping its blobs under
 * {@code <data-dir>/azurite} (so a restart finds its uploads) and the BES emulator, each a child
 * process on a free port, started together and stopped together.
 */
public final class EmbeddedServices implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedServices.class);

    private final AzuriteProcess azurite;
    private final EmulatorProcess emulator;
    private final Secret apiKey;

    private EmbeddedServices(AzuriteProcess azurite, EmulatorProcess emulator, Secret apiKey) {
        this.azurite = azurite;
        this.emulator = emulator;
        this.apiKey = apiKey;
    }

    /** Starts Azurite and the emulator for a run whose data lives under {@code dataDir}. */
    public static EmbeddedServices start(Path dataDir) throws IOException {
        long started = System.nanoTime();
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        Secret apiKey = Secret.of(HexFormat.of().formatHex(key));
        AzuriteProcess azurite = AzuriteProcess.start(dataDir.resolve("azurite"));
        try {
            EmulatorProcess emulator = EmulatorProcess.start(apiKey, dataDir.resolve("logs/emulator.log"), List.of());
            log.info("embedded services up in {} ms: Azurite on port {}, BES emulator at {}",
                    (System.nanoTime() - started) / 1_000_000, azurite.port(), emulator.baseUrl());
            return new EmbeddedServices(azurite, emulator, apiKey);
        }
        catch (IOException | RuntimeException ex) {
            azurite.close();
            throw ex;
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
        emulator.close();
        azurite.close();
    }
}
