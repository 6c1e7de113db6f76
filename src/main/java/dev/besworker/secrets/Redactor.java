package dev.besworker.secrets;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Scrubs secrets from text bound for a log, the console, an exception message or the job
 * repository. Two nets: every value registered (each {@link Secret} registers itself) is
 * replaced wherever it occurs, and secret-shaped parts are masked by pattern even when their
 * value was never registered: {@code AccountKey=...}, {@code SharedAccessSignature=...}, a SAS
 * {@code sig=...}, and {@code Bearer ...} credentials.
 */
public final class Redactor {

    /** What a scrubbed value is replaced with. */
    public static final String MASK = "***";

    private static final Set<String> known = ConcurrentHashMap.newKeySet();

    private static final Pattern SHAPES = Pattern.compile(
            "(?i)(AccountKey=|SharedAccessSignature=|[?&]sig=|\"sig\"\\s*:\\s*\"|Bearer\\s+|Ocp-Apim-Subscription-Key:\\s*)"
                    + "([^;&\"'\\s,}]+)"
                    // an api-key followed by something key-shaped, not by prose ("api-key: missing; set it")
                    + "|(?i)(api-?key[\"']?\\s*[:=]\\s*[\"']?)([A-Za-z0-9+/_-]{16,}={0,2})");

    private Redactor() {
    }

    /** Remembers a value so that {@link #scrub(String)} masks it; short values are ignored. */
    public static void register(String value) {
        // Values this short would mask ordinary words; nothing real is that short.
        if (value != null && value.length() >= 8) {
            known.add(value);
        }
    }

    /** The text with every known secret and secret-shaped part masked; null stays null. */
    public static String scrub(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String result = text;
        for (String secret : known) {
            if (result.contains(secret)) {
                result = result.replace(secret, MASK);
            }
        }
        Matcher matcher = SHAPES.matcher(result);
        if (!matcher.find()) {
            return result;
        }
        StringBuilder out = new StringBuilder(result.length());
        matcher.reset();
        while (matcher.find()) {
            String prefix = matcher.group(1) != null ? matcher.group(1) : matcher.group(3);
            matcher.appendReplacement(out, Matcher.quoteReplacement(prefix + MASK));
        }
        matcher.appendTail(out);
        return out.toString();
    }
}
