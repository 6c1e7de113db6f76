package dev.besworker.bes;

import dev.besworker.secrets.Secret;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Objects;

/**
 * Where a BES web service lives and how to authenticate to it.
 *
 * @param serviceUri      {@code {endpoint}/workspaces/{workspace}/services/{service}}, no trailing
 *                        slash and no query
 * @param apiKey          the service's API key, sent as {@code Authorization: Bearer}; the empty
 *                        secret sends no Authorization header
 * @param subscriptionKey the API Management subscription key, sent as
 *                        {@code Ocp-Apim-Subscription-Key} when not empty
 */
public record BesEndpoint(URI serviceUri, Secret apiKey, Secret subscriptionKey) {

    public BesEndpoint {
        Objects.requireNonNull(serviceUri, "serviceUri");
        if (!serviceUri.isAbsolute() || serviceUri.getHost() == null) {
            throw new IllegalArgumentException("the BES service URI must be an absolute http(s) URL, was " + serviceUri);
        }
        String text = serviceUri.toString();
        if (text.endsWith("/")) {
            serviceUri = URI.create(text.replaceAll("/+$", ""));
        }
        apiKey = apiKey == null ? Secret.empty() : apiKey;
        subscriptionKey = subscriptionKey == null ? Secret.empty() : subscriptionKey;
    }

    /**
     * Builds the endpoint from a definition's settings.
     *
     * @param endpoint  the service root ({@code https://ussouthcentral.services.azureml.net}), a
     *                  gateway URL with its own path suffix, or {@code http://127.0.0.1:PORT} for
     *                  the emulator; trailing slashes are ignored, and so is a pasted
     *                  {@code /workspaces/{workspace}/services/{service}} tail naming the same ids
     * @param workspace the workspace id
     * @param service   the web service id
     * @throws IllegalArgumentException naming the setting to fix
     */
    public static BesEndpoint of(String endpoint, String workspace, String service, Secret apiKey, Secret subscriptionKey) {
        if (endpoint == null || endpoint.isBlank()) {
            throw new IllegalArgumentException(
                    "bes.endpoint is missing: set it to the service root, e.g. https://ussouthcentral.services.azureml.net");
        }
        if (workspace == null || workspace.isBlank()) {
            throw new IllegalArgumentException("bes.workspace is missing: set it to the workspace id from the service's API help page");
        }
        if (service == null || service.isBlank()) {
            throw new IllegalArgumentException("bes.service is missing: set it to the web service id from the service's API help page");
        }
        String root = endpoint.strip().replaceAll("/+$", "");
        URI rootUri;
        try {
            rootUri = new URI(root);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("bes.endpoint '" + root + "' is not a URL (" + e.getReason()
                    + "): set it to the service root, e.g. https://ussouthcentral.services.azureml.net");
        }
        String scheme = rootUri.getScheme() == null ? "" : rootUri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || rootUri.getHost() == null) {
            throw new IllegalArgumentException("bes.endpoint '" + root
                    + "' is not an http(s) URL: set it to the service root, e.g. https://ussouthcentral.services.azureml.net");
        }
        if (rootUri.getRawQuery() != null || rootUri.getRawFragment() != null) {
            throw new IllegalArgumentException("bes.endpoint '" + root
                    + "' carries a query or fragment: give only the service root (the client adds api-version itself)");
        }
        String tail = "/workspaces/" + segment(workspace.strip()) + "/services/" + segment(service.strip());
        if (root.toLowerCase(Locale.ROOT).endsWith(tail.toLowerCase(Locale.ROOT))) {
            // Someone pasted the service URL from the help page: the ids agree, so use the root part.
            root = root.substring(0, root.length() - tail.length());
        }
        return new BesEndpoint(URI.create(root + tail), apiKey, subscriptionKey);
    }

    /** Whether a gateway subscription key is configured. */
    public boolean hasSubscriptionKey() {
        return subscriptionKey != null && !subscriptionKey.isEmpty();
    }

    /** A path segment, percent-encoded (ids are hex, but a gateway may use other names). */
    static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
