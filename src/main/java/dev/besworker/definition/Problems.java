package dev.besworker.definition;

import dev.besworker.secrets.Redactor;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The problems found in one definition file, each a complete line {@code file: key: problem (line N)}.
 * They come out in the order of the file format ({@link DefinitionSchema#rank}), whichever check
 * found them, with every secret value read from the file masked. Also remembers which keys failed,
 * so that a reader does not add "missing" on top of a key that is there but unreadable.
 */
final class Problems {

    private record Problem(List<Integer> rank, int sequence, String line) {
    }

    private static final Comparator<List<Integer>> BY_RANK = (a, b) -> {
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            int c = Integer.compare(a.get(i), b.get(i));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(a.size(), b.size());
    };

    private final String display;
    private final List<Problem> problems = new ArrayList<>();
    private final Set<String> failed = new HashSet<>();
    private final Set<String> secretValues = new HashSet<>();

    Problems(String display) {
        this.display = display;
    }

    /** A problem with the value at {@code path}; {@code line} 0 when there is no line to point at. */
    void add(String path, int line, String message) {
        add(DefinitionSchema.rank(path, false), path, line, message);
    }

    /** A problem of the section at {@code sectionPath} itself (an unknown or repeated key), reported before its keys'. */
    void addToSection(String sectionPath, String path, int line, String message) {
        add(DefinitionSchema.rank(sectionPath, true), path, line, message);
    }

    /** A problem found by comparing a section's values, reported after the problems of each value. */
    void addAfterSection(String path, String message, int line) {
        int dot = path.lastIndexOf('.');
        List<Integer> rank = new ArrayList<>(DefinitionSchema.rank(dot < 0 ? "" : path.substring(0, dot), false));
        rank.add(Integer.MAX_VALUE);
        add(rank, path, line, message);
    }

    private void add(List<Integer> rank, String path, int line, String message) {
        problems.add(new Problem(rank, problems.size(), display + ": " + (path.isEmpty() ? "" : path + ": ")
                + message + (line > 0 ? " (line " + line + ")" : "")));
    }

    /** Marks a key as present but unusable (its problem is reported). */
    void fail(String path) {
        failed.add(path);
    }

    boolean failed(String path) {
        return failed.contains(path);
    }

    boolean isEmpty() {
        return problems.isEmpty();
    }

    /** Remembers a value that must never be shown; returns it. */
    String secret(String value) {
        // Short values would mask ordinary words in messages; the Redactor draws the same line.
        if (value != null && value.length() >= 8) {
            secretValues.add(value);
        }
        return value;
    }

    /**
     * The problem lines in file-format order, every secret masked. Messages are written not to
     * quote secrets; this is the second net. Redactor.scrub is not used because its
     * {@code api-key:} shape would mask the word after every {@code bes.api-key:} key path.
     */
    List<String> lines() {
        List<String> lines = new ArrayList<>(problems.size());
        problems.stream()
                .sorted(Comparator.comparing(Problem::rank, BY_RANK).thenComparingInt(Problem::sequence))
                .forEach(problem -> {
                    String line = problem.line();
                    for (String secret : secretValues) {
                        line = line.replace(secret, Redactor.MASK);
                    }
                    lines.add(line);
                });
        return lines;
    }
}
