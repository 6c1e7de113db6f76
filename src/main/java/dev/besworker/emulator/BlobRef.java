package dev.besworker.emulator;

import java.net.URI;

/**
 * A validated blob reference from a request: key (or account SAS) access through a
 * connection string's {@link StorageAccount}, or SAS access through BaseLocation + SasBlobToken.
 * {@link #toString()} shows only the location.
 *
 * @param account      the account, for ConnectionString references; null for SAS references
 * @param baseLocation the blob endpoint ending in "/"
 * @param sasToken     the SAS without "?", for SAS references (or an account SAS); else null
 * @param container    the container
 * @param blobName     the blob path inside the container
 */
record BlobRef(StorageAccount account, String baseLocation, String sasToken, String container, String blobName) {

    /** {@code container/blob}, the form results and counters use. */
    String relativeLocation() {
        return container + "/" + blobName;
    }

    /** Whether the emulator can sign a fresh read SAS for this blob. */
    boolean canSign() {
        return account != null && account.canSign();
    }

    /** The same credentials, another blob in the same container. */
    BlobRef sibling(String otherBlobName) {
        return new BlobRef(account, baseLocation, sasToken, container, otherBlobName);
    }

    /** Splits {@code [/]container/path/blob}; null when it has no container or no blob name. */
    static String[] split(String relativeLocation) {
        String path = relativeLocation.trim();
        while (path.startsWith("/")) {
            path = path.substring(1);
        }
        int slash = path.indexOf('/');
        if (slash <= 0 || slash == path.length() - 1) {
            return null;
        }
        return new String[] {path.substring(0, slash), path.substring(slash + 1)};
    }

    /** BaseLocation normalised to end in "/"; null when it is not an http(s) URL. */
    static String normaliseBase(String baseLocation) {
        try {
            URI uri = URI.create(baseLocation.trim());
            if (uri.getScheme() == null || uri.getHost() == null
                    || !(uri.getScheme().equalsIgnoreCase("http") || uri.getScheme().equalsIgnoreCase("https"))) {
                return null;
            }
        }
        catch (IllegalArgumentException ex) {
            return null;
        }
        String base = baseLocation.trim();
        return base.endsWith("/") ? base : base + "/";
    }

    @Override
    public String toString() {
        return "BlobRef[" + baseLocation + relativeLocation() + "]";
    }
}
