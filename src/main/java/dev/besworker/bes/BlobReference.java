package dev.besworker.bes;

import dev.besworker.secrets.Secret;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * A blob as BES names it in {@code Inputs}, {@code Outputs} and {@code Results}: JSON fields
 * {@code ConnectionString}, {@code RelativeLocation}, {@code BaseLocation}, {@code SasBlobToken}.
 * Key access uses ConnectionString + RelativeLocation; SAS access uses BaseLocation +
 * RelativeLocation + SasBlobToken.
 *
 * <p>Every field is nullable; an empty {@link Secret} or a blank string is stored as null, so null
 * is the only way a field is absent. The connection string and the SAS token are secrets (a
 * result's token grants read access for hours): {@link #toString()} masks them.
 *
 * @param connectionString storage connection string (carries the account key), or null
 * @param relativeLocation {@code container/path/blob.csv}, with or without a leading {@code /}, or null
 * @param baseLocation the blob endpoint, e.g. {@code https://acct.blob.core.windows.net/}, or null
 * @param sasBlobToken a SAS token, normally starting with {@code ?}, or null
 */
public record BlobReference(Secret connectionString, String relativeLocation, String baseLocation, Secret sasBlobToken) {

    public BlobReference {
        connectionString = absentIfEmpty(connectionString);
        sasBlobToken = absentIfEmpty(sasBlobToken);
        relativeLocation = absentIfBlank(relativeLocation);
        baseLocation = absentIfBlank(baseLocation);
    }

    /** A reference for key access: the account's connection string and {@code container/blob}. */
    public static BlobReference withConnectionString(Secret connectionString, String relativeLocation) {
        return new BlobReference(connectionString, relativeLocation, null, null);
    }

    /** A reference for SAS access: blob endpoint, {@code container/blob} and a blob-scoped SAS token. */
    public static BlobReference withSas(String baseLocation, String relativeLocation, Secret sasBlobToken) {
        return new BlobReference(null, relativeLocation, baseLocation, sasBlobToken);
    }

    /**
     * The blob's URL with its SAS token: BaseLocation + RelativeLocation + SasBlobToken, joined
     * tolerantly. Exactly one {@code /} separates base and relative location whether either, both
     * or neither carry it; a token without a leading {@code ?} gets one (or {@code &} when the URL
     * already has a query); a RelativeLocation that is itself an absolute http(s) URL is used as
     * is. Characters that cannot appear in a URL path (spaces, {@code #}, {@code ?} inside a blob
     * name) are percent-encoded. The returned URI carries the token: treat it as a secret.
     *
     * @throws IllegalStateException when there is no RelativeLocation, or no BaseLocation for a
     *                               relative one, or the result is not a URL
     */
    public URI resultUri() {
        if (relativeLocation == null) {
            throw new IllegalStateException("the blob reference has no RelativeLocation, so it names no blob");
        }
        String url;
        if (isAbsoluteHttpUrl(relativeLocation)) {
            url = relativeLocation.strip();
        } else {
            if (baseLocation == null) {
                throw new IllegalStateException("the blob reference has a RelativeLocation ('" + relativeLocation
                        + "') but no BaseLocation to resolve it against");
            }
            String base = baseLocation.strip();
            String relative = encodePath(relativeLocation.strip());
            boolean baseSlash = base.endsWith("/");
            boolean relativeSlash = relative.startsWith("/");
            if (baseSlash && relativeSlash) {
                url = base + relative.substring(1);
            } else if (baseSlash || relativeSlash) {
                url = base + relative;
            } else {
                url = base + "/" + relative;
            }
        }
        if (sasBlobToken != null) {
            String token = sasBlobToken.reveal().strip();
            if (token.startsWith("?") || token.startsWith("&")) {
                token = token.substring(1);
            }
            if (!token.isEmpty()) {
                url = url + (url.contains("?") ? "&" : "?") + token;
            }
        }
        try {
            URI uri = new URI(url);
            if (!uri.isAbsolute() || uri.getHost() == null) {
                throw new IllegalStateException("the blob reference does not make a URL: BaseLocation '"
                        + baseLocation + "' must be like https://account.blob.core.windows.net/");
            }
            return uri;
        } catch (URISyntaxException e) {
            // The reason quotes the input, which carries the token: say where, not what.
            throw new IllegalStateException("the blob reference does not make a valid URL (BaseLocation '"
                    + baseLocation + "', RelativeLocation '" + relativeLocation + "'): " + e.getReason()
                    + " at index " + e.getIndex());
        }
    }

    /** Whether the reference is in SAS form (has a token). */
    public boolean hasSas() {
        return sasBlobToken != null;
    }

    @Override
    public String toString() {
        return "BlobReference[connectionString=" + (connectionString == null ? "null" : connectionString)
                + ", relativeLocation=" + relativeLocation
                + ", baseLocation=" + baseLocation
                + ", sasBlobToken=" + (sasBlobToken == null ? "null" : sasBlobToken) + "]";
    }

    private static Secret absentIfEmpty(Secret secret) {
        return secret == null || secret.isEmpty() ? null : secret;
    }

    private static String absentIfBlank(String text) {
        return text == null || text.isBlank() ? null : text;
    }

    private static boolean isAbsoluteHttpUrl(String text) {
        String lower = text.strip().toLowerCase(Locale.ROOT);
        return lower.startsWith("http://") || lower.startsWith("https://");
    }

    /**
     * Percent-encodes what may not stand in a URL path, keeping {@code /}, existing
     * {@code %XX} escapes and non-ASCII letters (the URI class accepts those as they are).
     */
    private static String encodePath(String path) {
        StringBuilder out = new StringBuilder(path.length() + 16);
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '%' && i + 2 < path.length() && isHex(path.charAt(i + 1)) && isHex(path.charAt(i + 2))) {
                out.append(c);
            } else if (c < 0x80 && !isPathChar(c)) {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xF, 16)));
            } else if (c >= 0x80 && (Character.isISOControl(c) || Character.isSpaceChar(c))) {
                for (byte b : String.valueOf(c).getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
                    out.append('%').append(String.format("%02X", b & 0xFF));
                }
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static boolean isHex(char c) {
        return Character.digit(c, 16) >= 0;
    }

    private static boolean isPathChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || "-._~!$&'()*+,;=:@/".indexOf(c) >= 0;
    }
}
