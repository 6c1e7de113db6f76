package dev.besworker.definition;

/**
 * What the worker hands the service so it can read inputs and write outputs
 * ({@code storage.credentials-to-bes}).
 */
public enum CredentialsToBes {
    /** Blob-scoped, short-lived SAS tokens (YAML {@code sas}); the account key stays local. */
    SAS,
    /** The storage connection string itself (YAML {@code connection-string}), as older clients did. */
    CONNECTION_STRING;

    /** The spelling used in job definitions: {@code sas} or {@code connection-string}. */
    public String yamlName() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
