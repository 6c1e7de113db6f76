package dev.besworker.definition;

import dev.besworker.secrets.Secret;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Pattern;

/** Validates the bound {@code bes:} section (endpoint, ids, keys, retry, timeout) into {@link BesSettings}. */
record BesSection(Reading r) {

    private static final Pattern HEX32 = Pattern.compile("[0-9a-fA-F]{32}");
    private static final Pattern PATH_SEGMENT = Pattern.compile("[A-Za-z0-9._~-]+");


    /** The settings, or null with the problems reported. */
    BesSettings read(DefinitionFile.Bes bes) {
        if (!r.section("bes", "add a bes: section with endpoint, workspace, service and api-key (see"
                + " jobs/book-reviews.yml)")) {
            return null;
        }
        if (bes == null) {
            bes = new DefinitionFile.Bes(null, null, null, null, null, null, null);
        }
        String endpoint = endpoint(bes.endpoint());
        boolean embedded = BesSettings.EMBEDDED.equals(endpoint);
        String workspace = serviceId("workspace", bes.workspace(), embedded, BesSettings.EMBEDDED_WORKSPACE,
                "workspaces");
        String service = serviceId("service", bes.service(), embedded, BesSettings.EMBEDDED_SERVICE, "services");

        Secret apiKey;
        if (embedded) {
            String key = r.secret(bes.apiKey());
            apiKey = key == null || key.isEmpty() ? Secret.empty() : Secret.of(key);
        } else {
            String key = r.secret(r.requiredText("bes.api-key", bes.apiKey(),
                    "set it to ${BES_API_KEY} and export the service's API key as BES_API_KEY"));
            apiKey = key == null ? null : Secret.of(key);
        }
        String subscription = r.secret(bes.subscriptionKey());
        Secret subscriptionKey = subscription == null || subscription.isEmpty()
                ? Secret.empty() : Secret.of(subscription);

        RetrySettings retry = retry(bes.retry());
        Duration requestTimeout = r.orDefault("bes.request-timeout", bes.requestTimeout(),
                BesSettings.DEFAULT_REQUEST_TIMEOUT);
        Durations.requirePositive(r, "bes.request-timeout", requestTimeout);
        if (endpoint == null || workspace == null || service == null || apiKey == null || retry == null) {
            return null;
        }
        return new BesSettings(endpoint, workspace, service, apiKey, subscriptionKey, retry, requestTimeout);
    }

    private String endpoint(String written) {
        String path = "bes.endpoint";
        String fix = "set the service root URL, a gateway URL or \"embedded\"";
        String value = r.requiredText(path, written, fix);
        if (value == null) {
            return null;
        }
        if (value.equalsIgnoreCase(BesSettings.EMBEDDED)) {
            return BesSettings.EMBEDDED;
        }
        URI uri = Urls.httpUri(value);
        if (uri == null) {
            r.problem(path, (value.contains("@") ? "the value" : "\"" + value + "\"") + " is not an http(s) URL; "
                    + fix + ", e.g. https://ussouthcentral.services.azureml.net");
            return null;
        }
        if (uri.getRawUserInfo() != null) {
            r.problem(path, "must not carry user credentials; remove the user:password@ part and set bes.api-key");
            return null;
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            r.problem(path, "must not have a query or fragment; remove everything from the ? or #");
            return null;
        }
        String rawPath = uri.getRawPath() == null ? "" : uri.getRawPath();
        if (rawPath.toLowerCase(Locale.ROOT).contains("/workspaces/")) {
            r.problem(path, "includes /workspaces/...; set only the service root (https://host, plus a gateway's"
                    + " path if any) and put the ids into bes.workspace and bes.service");
            return null;
        }
        if (uri.getScheme().equalsIgnoreCase("http") && !Urls.isLoopback(uri.getHost())) {
            r.problem(path, "http:// to " + uri.getHost() + " would send the API key in clear; use https://"
                    + " (plain http is allowed only for localhost, 127.x.x.x and [::1])");
            return null;
        }
        // BesEndpoint appends /workspaces/...: a trailing slash would double it.
        String normalized = value.strip();
        while (normalized.endsWith("/")) {
            normalized = normalized.substring(0, normalized.length() - 1);
        }
        return normalized;
    }

    private String serviceId(String key, String written, boolean embedded, String embeddedDefault,
            String urlSegment) {
        String path = "bes." + key;
        if (embedded) {
            if (written == null || written.isEmpty()) {
                return r.failed(path) ? null : embeddedDefault;
            }
            if (!PATH_SEGMENT.matcher(written).matches()) {
                r.problem(path, "\"" + written + "\" cannot be part of a URL path; use letters, digits, '.', '_', '~'"
                        + " and '-' (or leave it out: the embedded service takes any id)");
                return null;
            }
            return written;
        }
        String value = r.requiredText(path, written, "set the 32-hex-character " + key + " id (the part after /"
                + urlSegment + "/ in the service's request URL)");
        if (value == null) {
            return null;
        }
        if (!HEX32.matcher(value).matches()) {
            r.problem(path, "\"" + value + "\" is not a " + key + " id; it must be 32 hexadecimal characters (the part"
                    + " after /" + urlSegment + "/ in the service's request URL)");
            return null;
        }
        return value;
    }

    private RetrySettings retry(DefinitionFile.Retry retry) {
        RetrySettings defaults = RetrySettings.defaults();
        if (r.failed("bes.retry")) {
            return null;
        }
        if (retry == null) {
            return defaults;
        }
        Integer maxAttempts = r.orDefault("bes.retry.max-attempts", retry.maxAttempts(), defaults.maxAttempts());
        if (maxAttempts != null && maxAttempts < 1) {
            r.problem("bes.retry.max-attempts", "must be at least 1 (1 means no retries)");
            maxAttempts = null;
        }
        Duration initial = r.orDefault("bes.retry.initial-backoff", retry.initialBackoff(), defaults.initialBackoff());
        Duration max = r.orDefault("bes.retry.max-backoff", retry.maxBackoff(), defaults.maxBackoff());
        Duration budget = r.orDefault("bes.retry.budget", retry.budget(), defaults.budget());
        boolean ok = Durations.requireBackoff(r, "bes.retry", "initial-backoff", initial, "max-backoff", max,
                "budget", budget);
        if (!ok || maxAttempts == null || initial == null || max == null || budget == null) {
            return null;
        }
        return new RetrySettings(maxAttempts, initial, max, budget);
    }
}
