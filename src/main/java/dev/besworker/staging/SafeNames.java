package dev.besworker.staging;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Turns user-supplied names (input file names, output names) into names that are safe as one
 * blob path segment or one file name: no separators, no {@code ..}, no hidden-file dot, nothing a
 * shell or a URL needs to escape beyond Unicode letters.
 */
public final class SafeNames {

    /** The longest segment {@link #blobSegment} returns, in characters. */
    public static final int MAX_SEGMENT = 200;

    /** Most file systems allow 255 bytes per name; leave room for a temporary suffix. */
    private static final int MAX_FILE_NAME_BYTES = 240;

    private static final Set<String> WINDOWS_DEVICES = Set.of("con", "prn", "aux", "nul",
            "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8", "com9",
            "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9");

    private SafeNames() {
    }

    /**
     * A safe blob path segment for {@code fileName}: NFC-normalized; Unicode letters, digits and
     * combining marks, {@code .}, {@code -} and {@code _} are kept, anything else (spaces,
     * slashes, backslashes, colons, control characters...) becomes {@code -}; a run of {@code -}
     * and {@code .} collapses to one character ({@code .} if the run has one); leading and
     * trailing dots and hyphens are dropped; at most
     * {@value #MAX_SEGMENT} characters. Never empty (then {@code "file"}), never {@code .} or
     * {@code ..}.
     */
    public static String blobSegment(String fileName) {
        return sanitize(fileName, MAX_SEGMENT, "file");
    }

    /**
     * Where the output {@code outputName} of the input {@code inputStem} goes:
     * {@code <outputDir>/<stem>.<output>.csv}, both parts sanitized as by {@link #blobSegment}
     * (a trailing {@code .csv} of the output name is not doubled), the whole file name kept
     * within 240 bytes of UTF-8.
     *
     * @throws IllegalArgumentException if the result would not lie directly inside {@code outputDir}
     *         (it cannot, after sanitizing; the check guards against future changes)
     */
    public static Path outputPath(Path outputDir, String inputStem, String outputName) {
        Objects.requireNonNull(outputDir, "outputDir");
        String output = sanitize(outputName, 60, "output");
        if (output.toLowerCase(Locale.ROOT).endsWith(".csv") && output.length() > 4) {
            output = sanitize(output.substring(0, output.length() - 4), 60, "output");
        }
        String suffix = "." + output + ".csv";
        int stemBudget = MAX_FILE_NAME_BYTES - suffix.getBytes(StandardCharsets.UTF_8).length;
        String stem = truncateUtf8(sanitize(inputStem, MAX_SEGMENT, "input"), stemBudget);
        if (WINDOWS_DEVICES.contains(stem.toLowerCase(Locale.ROOT))) {
            stem = "_" + stem;
        }
        Path dir = outputDir.toAbsolutePath().normalize();
        Path result = dir.resolve(stem + suffix).normalize();
        if (!dir.equals(result.getParent())) {
            throw new IllegalArgumentException("the output name " + stem + suffix + " would escape " + dir);
        }
        return result;
    }

    private static String sanitize(String raw, int maxChars, String fallback) {
        String text = Normalizer.normalize(raw == null ? "" : raw, Normalizer.Form.NFC);
        StringBuilder out = new StringBuilder(text.length());
        text.codePoints().forEach(cp -> {
            char last = out.length() == 0 ? 0 : out.charAt(out.length() - 1);
            // Runs of dots and hyphens collapse to one character, a dot winning over a hyphen:
            // no "..", no "--", no "-." before an extension.
            if (cp == '_') {
                out.append('_');
            }
            else if (cp == '.') {
                if (last == '-') {
                    out.setCharAt(out.length() - 1, '.');
                }
                else if (last != '.') {
                    out.append('.');
                }
            }
            else if (cp != '-' && keep(cp, out.length() == 0)) {
                out.appendCodePoint(cp);
            }
            else if (last != '-' && last != '.') {
                out.append('-');
            }
        });
        String result = trim(out.toString());
        if (result.codePointCount(0, result.length()) > maxChars) {
            result = trim(result.substring(0, result.offsetByCodePoints(0, maxChars)));
        }
        return result.isEmpty() ? fallback : result;
    }

    private static boolean keep(int cp, boolean first) {
        if (Character.isLetterOrDigit(cp)) {
            return true;
        }
        int type = Character.getType(cp);
        // Combining marks belong to the letter before them (Devanagari vowel signs, accents
        // without a precomposed form); alone at the start they would only decorate nothing.
        return !first && (type == Character.NON_SPACING_MARK || type == Character.COMBINING_SPACING_MARK
                || type == Character.ENCLOSING_MARK);
    }

    private static String trim(String text) {
        int start = 0;
        int end = text.length();
        while (start < end && (text.charAt(start) == '.' || text.charAt(start) == '-')) {
            start++;
        }
        while (end > start && (text.charAt(end - 1) == '.' || text.charAt(end - 1) == '-')) {
            end--;
        }
        return text.substring(start, end);
    }

    private static String truncateUtf8(String text, int maxBytes) {
        if (text.getBytes(StandardCharsets.UTF_8).length <= maxBytes) {
            return text;
        }
        int bytes = 0;
        int end = 0;
        while (end < text.length()) {
            int cp = text.codePointAt(end);
            int size = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
            if (bytes + size > maxBytes) {
                break;
            }
            bytes += size;
            end += Character.charCount(cp);
        }
        String cut = trim(text.substring(0, end));
        return cut.isEmpty() ? "input" : cut;
    }
}
