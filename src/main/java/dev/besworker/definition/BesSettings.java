package dev.besworker.definition;

import dev.besworker.secrets.Secret;
import java.time.Duration;

/**
 * Where and how to call the Batch Execution Service ({@code bes:} in a job definition).
 *
 * @param endpoint the service root ({@code https://ussouthcentral.services.azureml.net}), an API
 *     Management gateway URL, a local emulator URL, or the literal {@code embedded} (the worker
 *     starts its own emulator); never ends with {@code /}
 * @param workspace the workspace id (32 hex characters for a real service)
 * @param service the service id (32 hex characters for a real service)
 * @param apiKey the service's API key, sent as {@code Authorization: Bearer}; empty only for an
 *     embedded endpoint
 * @param subscriptionKey the gateway's key, sent as {@code Ocp-Apim-Subscription-Key}; empty when
 *     there is no gateway
 * @param retry the retry policy for transient failures
 * @param requestTimeout how long one HTTP request may take
 */
public record BesSettings(String endpoint, String workspace, String service, Secret apiKey, Secret subscriptionKey,
        RetrySettings retry, Duration requestTimeout) {

    /** The literal endpoint that asks for the embedded emulator. */
    public static final String EMBEDDED = "embedded";

    /** The workspace id used with an embedded endpoint when the definition gives none. */
    public static final String EMBEDDED_WORKSPACE = "0123456789abcdef0123456789abcdef";

    /** The service id used with an embedded endpoint when the definition gives none. */
    public static final String EMBEDDED_SERVICE = "fedcba9876543210fedcba9876543210";

    /** The request timeout when the definition gives none. */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(60);

    /** Null keys become empty secrets, a null retry the defaults, a null timeout 60 s. */
    public BesSettings {
        apiKey = apiKey == null ? Secret.empty() : apiKey;
        subscriptionKey = subscriptionKey == null ? Secret.empty() : subscriptionKey;
        retry = retry == null ? RetrySettings.defaults() : retry;
        requestTimeout = requestTimeout == null ? DEFAULT_REQUEST_TIMEOUT : requestTimeout;
    }

    /** Whether the endpoint is the literal {@code embedded}. */
    public boolean embedded() {
        return EMBEDDED.equals(endpoint);
    }

    /** A copy pointing at another endpoint with another API key; everything else is kept. */
    public BesSettings withEndpoint(String newEndpoint, Secret newApiKey) {
        return new BesSettings(newEndpoint, workspace, service, newApiKey, subscriptionKey, retry, requestTimeout);
    }
}
