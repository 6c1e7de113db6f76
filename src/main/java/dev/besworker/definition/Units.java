package dev.besworker.definition;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations and sizes as job definitions write them. Durations: a number with a unit ({@code ms},
 * {@code s}, {@code m}, {@code h}, {@code d}), several in a row ({@code 1h30m}), or ISO-8601
 * ({@code PT2S}). Sizes: plain bytes ({@code 1048576}) or a number with {@code B}, {@code KiB},
 * {@code MiB}, {@code GiB} (powers of 1024) or {@code KB}, {@code MB}, {@code GB} (powers of 1000).
 */
public final class Units {

    private static final Pattern DURATION_PART = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)", Pattern.CASE_INSENSITIVE);
    private static final Pattern DURATION = Pattern.compile("(?:\\d+\\s*(?:ms|s|m|h|d)\\s*)+", Pattern.CASE_INSENSITIVE);
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([a-z]*)", Pattern.CASE_INSENSITIVE);

    /** How a duration may be written, for error messages. */
    public static final String DURATION_FORMS = "use e.g. 500ms, 2s, 10m, 6h, 1d or PT2S";

    /** How a size may be written, for error messages. */
    public static final String SIZE_FORMS = "use bytes (1048576) or a unit, e.g. 512KiB or 1MiB";

    private Units() {
    }

    /**
     * Parses a duration.
     *
     * @throws IllegalArgumentException when the text is not a duration, the message saying why
     */
    public static Duration duration(String text) {
        String t = text == null ? "" : text.strip();
        if (t.isEmpty()) {
            throw new IllegalArgumentException("empty duration");
        }
        if (t.regionMatches(true, 0, "P", 0, 1) || t.regionMatches(true, 0, "-P", 0, 2)) {
            try {
                return Duration.parse(t);
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("\"" + t + "\" is not an ISO-8601 duration");
            }
        }
        if (t.chars().allMatch(Character::isDigit)) {
            throw new IllegalArgumentException("\"" + t + "\" has no unit");
        }
        if (!DURATION.matcher(t).matches()) {
            throw new IllegalArgumentException("\"" + t + "\" is not a duration");
        }
        Duration total = Duration.ZERO;
        Matcher m = DURATION_PART.matcher(t);
        try {
            while (m.find()) {
                long n = Long.parseLong(m.group(1));
                total = total.plus(switch (m.group(2).toLowerCase(Locale.ROOT)) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    default -> Duration.ofDays(n);
                });
            }
        } catch (ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException("\"" + t + "\" is too long a duration");
        }
        return total;
    }

    /**
     * Parses a size in bytes.
     *
     * @throws IllegalArgumentException when the text is not a size, the message saying why
     */
    public static long bytes(String text) {
        String t = text == null ? "" : text.strip();
        Matcher m = SIZE.matcher(t);
        if (!m.matches()) {
            throw new IllegalArgumentException("\"" + t + "\" is not a size");
        }
        long multiplier = switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "", "b" -> 1L;
            case "kib", "k" -> 1L << 10;
            case "mib", "m" -> 1L << 20;
            case "gib", "g" -> 1L << 30;
            case "kb" -> 1_000L;
            case "mb" -> 1_000_000L;
            case "gb" -> 1_000_000_000L;
            default -> throw new IllegalArgumentException("\"" + t + "\" has an unknown unit \"" + m.group(2) + "\"");
        };
        try {
            return Math.multiplyExact(Long.parseLong(m.group(1)), multiplier);
        } catch (ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException("\"" + t + "\" is too large");
        }
    }

    /**
     * The one way bes-worker writes a duration, in logs, messages and settings alike, in the form
     * {@link #duration} reads: {@code 500ms}, {@code 2s}, {@code 1s500ms}, {@code 10m},
     * {@code 1h30m}, {@code 1d}. Milliseconds are written only under a minute (an elapsed
     * {@code 3m5.12s} reads {@code 3m5s}); shorter durations read back exactly.
     */
    public static String format(Duration d) {
        if (d.isNegative()) {
            return "-" + format(d.negated());
        }
        if (d.isZero()) {
            return "0s";
        }
        StringBuilder out = new StringBuilder();
        long days = d.toDays();
        int hours = d.toHoursPart();
        int minutes = d.toMinutesPart();
        int seconds = d.toSecondsPart();
        int millis = d.toMillisPart();
        if (days > 0) {
            out.append(days).append('d');
        }
        if (hours > 0) {
            out.append(hours).append('h');
        }
        if (minutes > 0) {
            out.append(minutes).append('m');
        }
        if (seconds > 0) {
            out.append(seconds).append('s');
        }
        if ((millis > 0 && d.compareTo(Duration.ofMinutes(1)) < 0) || out.isEmpty()) {
            out.append(millis).append("ms");
        }
        return out.toString();
    }
}
