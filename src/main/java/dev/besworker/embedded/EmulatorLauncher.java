package dev.besworker.embedded;

import java.util.ServiceLoader;

import dev.besworker.secrets.Secret;

/**
 * Starts the BES emulator inside this JVM for the embedded services. The worker packages do not
 * depend on the emulator: the root package implements this interface and registers it in
 * {@code META-INF/services}, and {@link #installed()} finds it there.
 */
public interface EmulatorLauncher {

    /** Starts an emulator on a free loopback port that accepts only {@code apiKey}; it listens on return. */
    RunningEmulator start(Secret apiKey);

    /** A started emulator. */
    interface RunningEmulator extends AutoCloseable {

        /** Its base URL, e.g. {@code http://127.0.0.1:41234}. */
        String baseUrl();

        /** Stops it: it no longer listens, and its jobs are cancelled. */
        @Override
        void close();
    }

    /** The launcher this application registers (the one in the root package). */
    static EmulatorLauncher installed() {
        return ServiceLoader.load(EmulatorLauncher.class, EmulatorLauncher.class.getClassLoader()).findFirst()
                .orElseThrow(() -> new IllegalStateException("no BES emulator is installed in this application "
                        + "(META-INF/services/" + EmulatorLauncher.class.getName() + " is missing)"));
    }
}
