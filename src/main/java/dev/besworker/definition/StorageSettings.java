package dev.besworker.definition;

import dev.besworker.secrets.Secret;
import java.util.Objects;

/**
 * The Azure Storage account where inputs are staged ({@code storage:} in a job definition).
 *
 * <p>An embedded storage (the literal {@code embedded} in the file: the worker starts its own
 * Azurite) is held as the empty secret, because registering the word {@code embedded} with the
 * Redactor would mask it in every log line; {@link #embedded()} recognizes both forms.
 *
 * @param connectionString the account's connection string; empty for embedded storage
 * @param container the staging container (Azure naming rules)
 * @param deleteStagingBlobs whether staged inputs are deleted once the job's results are safe
 * @param credentialsToBes what the service is given to reach the blobs
 */
public record StorageSettings(Secret connectionString, String container, boolean deleteStagingBlobs,
        CredentialsToBes credentialsToBes) {

    /** The literal connection string that asks for the embedded Azurite. */
    public static final String EMBEDDED = "embedded";

    /** The staging container when the definition gives none. */
    public static final String DEFAULT_CONTAINER = "bes-staging";

    public StorageSettings {
        connectionString = connectionString == null ? Secret.empty() : connectionString;
        Objects.requireNonNull(container, "container");
        credentialsToBes = credentialsToBes == null ? CredentialsToBes.SAS : credentialsToBes;
    }

    /** Whether the connection string is the literal {@code embedded} (or absent, which means the same). */
    public boolean embedded() {
        return connectionString.isEmpty() || EMBEDDED.equals(connectionString.reveal());
    }

    /** A copy using another connection string; everything else is kept. */
    public StorageSettings withConnectionString(Secret newConnectionString) {
        return new StorageSettings(newConnectionString, container, deleteStagingBlobs, credentialsToBes);
    }
}
