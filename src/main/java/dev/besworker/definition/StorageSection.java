package dev.besworker.definition;

import dev.besworker.secrets.Secret;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Validates the bound {@code storage:} section into {@link StorageSettings}. */
record StorageSection(Reading r) {

    /** The settings, or null with the problems reported. */
    StorageSettings read(DefinitionFile.Storage storage) {
        if (!r.section("storage", "add a storage: section with connection-string and container (see"
                + " jobs/book-reviews.yml)")) {
            return null;
        }
        if (storage == null) {
            storage = new DefinitionFile.Storage(null, null, null, null);
        }
        Secret connectionString = connectionString(storage.connectionString());
        String container = container(storage.container());
        Boolean delete = r.orDefault("storage.delete-staging-blobs", storage.deleteStagingBlobs(), false);
        CredentialsToBes credentials = credentialsToBes(storage.credentialsToBes());
        if (connectionString == null || container == null || delete == null || credentials == null) {
            return null;
        }
        return new StorageSettings(connectionString, container, delete, credentials);
    }

    private Secret connectionString(String written) {
        String path = "storage.connection-string";
        String value = r.requiredText(path, r.secret(written), "set it to ${AZURE_STORAGE_CONNECTION_STRING} (and"
                + " export the storage account's connection string) or to \"embedded\"");
        if (value == null) {
            return null;
        }
        if (value.equalsIgnoreCase(StorageSettings.EMBEDDED)) {
            // The empty secret stands for embedded: Secret.of("embedded") would have the Redactor
            // mask the word "embedded" in every log line.
            return Secret.empty();
        }
        Secret secret = Secret.of(r.secret(value));
        String problem = problem(value);
        if (problem != null) {
            r.problem(path, problem);
            return null;
        }
        return secret;
    }

    /** What is wrong with a connection string, never quoting it; null when it is usable. */
    static String problem(String value) {
        Map<String, String> parts = new LinkedHashMap<>();
        for (String part : value.split(";")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                parts.put(part.substring(0, eq).strip().toLowerCase(Locale.ROOT), part.substring(eq + 1).strip());
            }
        }
        if ("true".equalsIgnoreCase(parts.get("usedevelopmentstorage"))) {
            return null;
        }
        boolean accountKey = !parts.getOrDefault("accountname", "").isEmpty()
                && !parts.getOrDefault("accountkey", "").isEmpty();
        boolean sas = !parts.getOrDefault("blobendpoint", "").isEmpty()
                && !parts.getOrDefault("sharedaccesssignature", "").isEmpty();
        if (accountKey || sas) {
            String endpoint = parts.get("blobendpoint");
            if (endpoint != null && !endpoint.isEmpty() && Urls.httpUri(endpoint) == null) {
                return "its BlobEndpoint is not an http(s) URL; copy the connection string again from the portal"
                        + " (Storage account > Access keys) (the value is not shown)";
            }
            return null;
        }
        // Only recognized key names are listed: an unrecognized segment could be a pasted key.
        List<String> known = new ArrayList<>();
        for (String name : List.of("DefaultEndpointsProtocol", "AccountName", "AccountKey", "BlobEndpoint",
                "SharedAccessSignature", "EndpointSuffix", "UseDevelopmentStorage")) {
            if (parts.containsKey(name.toLowerCase(Locale.ROOT))) {
                known.add(name);
            }
        }
        return "is not a usable storage connection string" + (known.isEmpty() ? "" : " (it has " + String.join(", ",
                known) + ")") + "; it needs AccountName and AccountKey, or BlobEndpoint and SharedAccessSignature, or"
                + " UseDevelopmentStorage=true, or \"embedded\"; copy it from the portal (Storage account > Access"
                + " keys) (the value is not shown)";
    }

    private String container(String value) {
        String path = "storage.container";
        if (value == null) {
            return r.failed(path) ? null : StorageSettings.DEFAULT_CONTAINER;
        }
        if (!ContainerNames.isValid(value)) {
            r.problem(path, "\"" + value + "\" is not a valid container name; " + ContainerNames.RULE);
            return null;
        }
        return value;
    }

    private CredentialsToBes credentialsToBes(String value) {
        String path = "storage.credentials-to-bes";
        if (value == null) {
            return r.failed(path) ? null : CredentialsToBes.SAS;
        }
        for (CredentialsToBes candidate : CredentialsToBes.values()) {
            if (candidate.yamlName().equalsIgnoreCase(value) || candidate.name().equalsIgnoreCase(value)) {
                return candidate;
            }
        }
        r.problem(path, "\"" + value + "\" is not one of sas, connection-string; use sas (short-lived blob tokens, the"
                + " account key stays here) or connection-string");
        return null;
    }
}
