package dev.besworker;

import dev.besworker.embedded.EmulatorLauncher;
import dev.besworker.emulator.BesEmulator;
import dev.besworker.emulator.EmulatorSettings;
import dev.besworker.secrets.Secret;

/**
 * The embedded services' BES emulator, in this JVM: the emulator's programmatic API behind the
 * {@code embedded} package's {@link EmulatorLauncher} (registered in {@code META-INF/services}),
 * so that no worker package imports the emulator. Reference settings, any free port, jobs as
 * fast as they are scored.
 */
public final class InProcessEmulator implements EmulatorLauncher {

    @Override
    public RunningEmulator start(Secret apiKey) {
        BesEmulator emulator = BesEmulator.start(EmulatorSettings.defaults().withPort(0).withApiKey(apiKey.reveal()));
        return new RunningEmulator() {
            @Override
            public String baseUrl() {
                return emulator.baseUri().toString();
            }

            @Override
            public void close() {
                emulator.close();
            }
        };
    }
}
