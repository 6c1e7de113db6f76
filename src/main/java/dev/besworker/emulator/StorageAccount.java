package dev.besworker.emulator;

import java.net.URI;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A storage account as a connection string names it: the blob endpoint and either the account
 * key or an account SAS. Accepts {@code DefaultEndpointsProtocol}, {@code AccountName},
 * {@code AccountKey}, {@code EndpointSuffix}, {@code BlobEndpoint} (how Azurite is named),
 * {@code SharedAccessSignature} and {@code UseDevelopmentStorage=true}; other keys are ignored.
 * {@link #toString()} never shows the key or the SAS.
 */
record StorageAccount(String blobEndpoint, String accountName, String accountKey, String sas) {

    static final String DEV_ACCOUNT = "devstoreaccount1";
    static final String DEV_KEY =
            "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    /** Whether this account can sign SAS tokens (it has the key). */
    boolean canSign() {
        return accountKey != null;
    }

    /** The blob endpoint with a trailing slash: a result's BaseLocation. */
    String baseLocation() {
        return blobEndpoint + "/";
    }

    /**
     * Parses a connection string.
     *
     * @throws IllegalArgumentException naming what is wrong, never echoing the string
     */
    static StorageAccount parse(String connectionString) {
        if (connectionString == null || connectionString.isBlank()) {
            throw new IllegalArgumentException("the connection string is empty");
        }
        Map<String, String> parts = new LinkedHashMap<>();
        for (String part : connectionString.split(";")) {
            String trimmed = part.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            int eq = trimmed.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("a part of the connection string is not Key=Value");
            }
            parts.put(trimmed.substring(0, eq).trim().toLowerCase(Locale.ROOT), trimmed.substring(eq + 1).trim());
        }
        if ("true".equalsIgnoreCase(parts.get("usedevelopmentstorage"))) {
            return new StorageAccount("http://127.0.0.1:10000/" + DEV_ACCOUNT, DEV_ACCOUNT, DEV_KEY, null);
        }
        String name = parts.get("accountname");
        String key = parts.get("accountkey");
        String sas = parts.get("sharedaccesssignature");
        String endpoint = parts.get("blobendpoint");
        String protocol = parts.get("defaultendpointsprotocol");
        if (key != null && (name == null || name.isEmpty())) {
            throw new IllegalArgumentException("AccountKey is given without AccountName");
        }
        if (key == null && sas == null) {
            throw new IllegalArgumentException("neither AccountKey nor SharedAccessSignature is given");
        }
        if (key != null) {
            try {
                if (key.isEmpty() || Base64.getDecoder().decode(key).length == 0) {
                    throw new IllegalArgumentException("AccountKey is empty");
                }
            }
            catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException("AccountKey is not valid base64");
            }
        }
        if (endpoint == null) {
            if (name == null || name.isEmpty()) {
                throw new IllegalArgumentException("neither BlobEndpoint nor AccountName is given");
            }
            if (protocol == null) {
                throw new IllegalArgumentException("neither BlobEndpoint nor DefaultEndpointsProtocol is given");
            }
            if (!protocol.equalsIgnoreCase("https") && !protocol.equalsIgnoreCase("http")) {
                throw new IllegalArgumentException("DefaultEndpointsProtocol must be http or https");
            }
            String suffix = parts.getOrDefault("endpointsuffix", "core.windows.net");
            endpoint = protocol.toLowerCase(Locale.ROOT) + "://" + name + ".blob." + suffix;
        }
        else {
            try {
                URI uri = URI.create(endpoint);
                if (uri.getHost() == null || !(uri.getScheme().equalsIgnoreCase("http")
                        || uri.getScheme().equalsIgnoreCase("https"))) {
                    throw new IllegalArgumentException("bad");
                }
            }
            catch (IllegalArgumentException | NullPointerException ex) {
                throw new IllegalArgumentException("BlobEndpoint is not an http(s) URL");
            }
        }
        while (endpoint.endsWith("/")) {
            endpoint = endpoint.substring(0, endpoint.length() - 1);
        }
        if (name == null) {
            name = accountFromEndpoint(endpoint);
        }
        return new StorageAccount(endpoint, name, key, sas == null ? null : stripQuestionMark(sas));
    }

    static String stripQuestionMark(String sas) {
        return sas.startsWith("?") ? sas.substring(1) : sas;
    }

    private static String accountFromEndpoint(String endpoint) {
        URI uri = URI.create(endpoint);
        String host = uri.getHost();
        String path = uri.getPath();
        if (path != null && path.length() > 1) {
            return path.substring(1).split("/")[0];
        }
        int dot = host.indexOf('.');
        return dot > 0 ? host.substring(0, dot) : host;
    }

    @Override
    public String toString() {
        return "StorageAccount[" + blobEndpoint + ", " + accountName + (canSign() ? ", key" : ", sas") + "]";
    }
}
