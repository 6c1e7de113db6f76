package dev.besworker.pipeline;

import dev.besworker.secrets.Secret;

/**
 * The BES endpoint and blob storage that stand in for a definition's {@code embedded} values:
 * the emulator and Azurite that the command line starts for the run.
 *
 * @param besEndpoint the emulator's base URL, e.g. {@code http://127.0.0.1:41234}
 * @param apiKey the key the emulator was started with
 * @param connectionString Azurite's connection string
 */
public record LocalServices(String besEndpoint, Secret apiKey, Secret connectionString) {
}
