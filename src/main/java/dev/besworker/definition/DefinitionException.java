package dev.besworker.definition;

import java.util.List;

/**
 * A job definition that cannot be used. Each problem is one complete line naming the file, the
 * key and what to do, e.g. {@code jobs/x.yml: bes.endpoint: missing; set the service root URL, a
 * gateway URL or "embedded"}; the message is the problems, one per line. No problem line carries
 * a secret's value.
 */
public class DefinitionException extends RuntimeException {

    private final List<String> problems;

    /** An exception listing the given problems (at least one). */
    public DefinitionException(List<String> problems) {
        super(String.join(System.lineSeparator(), requireSome(problems)));
        this.problems = List.copyOf(problems);
    }

    /** An exception with a single problem line. */
    public DefinitionException(String problem) {
        this(List.of(problem));
    }

    /** The problems, one complete line each, in the order they were found. */
    public List<String> problems() {
        return problems;
    }

    private static List<String> requireSome(List<String> problems) {
        if (problems == null || problems.isEmpty()) {
            throw new IllegalArgumentException("a DefinitionException needs at least one problem");
        }
        return problems;
    }
}
