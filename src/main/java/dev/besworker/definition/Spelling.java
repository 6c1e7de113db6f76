package dev.besworker.definition;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * "Did you mean" for unknown keys and time zones. Hand-written because neither Spring nor the JDK
 * offers an edit distance, and the messages name where a misplaced key belongs.
 */
final class Spelling {

    private Spelling() {
    }

    /**
     * The problem for an unknown key in the section at {@code sectionPath}: the near spelling, or
     * the section where such a key belongs, or the keys that the section has.
     */
    static String unknownKey(String sectionPath, String key, List<String> known) {
        String prefix = sectionPath.isEmpty() ? "" : sectionPath + ".";
        String kebab = DefinitionSchema.kebab(key);
        String near = closest(kebab, known, Function.identity());
        if (near != null) {
            return "unknown key (did you mean " + prefix + near + "?)";
        }
        List<String> elsewhere = new ArrayList<>();
        for (Map.Entry<String, DefinitionSchema> section : DefinitionSchema.sections().entrySet()) {
            if (!section.getKey().equals(sectionPath) && section.getValue().key(kebab) != null) {
                elsewhere.add(section.getKey().isEmpty() ? kebab : section.getKey() + "." + kebab);
            }
        }
        if (!elsewhere.isEmpty()) {
            return "unknown key here (did you mean " + String.join(" or ", elsewhere) + "? check the indentation)";
        }
        return "unknown key; the keys " + (sectionPath.isEmpty() ? "at the top level" : "of " + sectionPath)
                + " are " + String.join(", ", known);
    }

    /** The candidate nearest to {@code word} by edit distance, if it is near enough to be a typo. */
    static String closest(String word, Iterable<String> candidates, Function<String, String> fold) {
        String target = fold.apply(word);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : candidates) {
            int d = editDistance(target, fold.apply(candidate));
            if (d < bestDistance || (d == bestDistance && best != null && candidate.compareTo(best) < 0)) {
                best = candidate;
                bestDistance = d;
            }
        }
        int allowed = Math.max(2, target.length() / 3);
        return bestDistance <= allowed ? best : null;
    }

    /** Levenshtein distance. */
    static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
