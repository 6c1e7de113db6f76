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
            "(?i)(AccountKey=|SharedAccessSignature=|[?&]sig=|\"sig\"\\s*:\\s*\"|Bearer\\s+|Ocp-Apim-Subscription-Key:\\s*|api-key[\"']?\\s*[:=]\\s*[\"']?)"
                    + "([^;&\"'\\s,}]+)");

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
            matcher.appendReplacement(out, Matcher.quoteReplacement(matcher.group(1) + MASK));
        }
        matcher.appendTail(out);
        return out.toString();
    }
}
