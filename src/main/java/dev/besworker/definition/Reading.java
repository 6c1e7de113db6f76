package dev.besworker.definition;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * What the section readers share while validating one bound definition: the file's source (for
 * presence and lines), the problems, the placeholders (to tell values from the environment) and
 * the working directory (for relative paths).
 */
record Reading(YamlSource source, Problems problems, EnvironmentPlaceholders placeholders, Path workingDir) {

    /** Whether the key is present with a value other than null. */
    boolean has(String path) {
        return source.has(path);
    }

    /**
     * Whether a section is there to be read: present and usable. When it is absent and
     * {@code fixWhenMissing} is not null, that is a problem ({@code missing; fix}).
     */
    boolean section(String path, String fixWhenMissing) {
        if (failed(path)) {
            return false;
        }
        if (!has(path)) {
            if (fixWhenMissing != null) {
                problem(path, "missing; " + fixWhenMissing);
            }
            return false;
        }
        return true;
    }

    /** Whether the key is present but its problem is already reported. */
    boolean failed(String path) {
        return problems.failed(path);
    }

    int line(String path) {
        return source.line(path);
    }

    /** A problem at the line of the key's value. */
    void problem(String path, String message) {
        problems.add(path, source.line(path), message);
    }

    /** A problem comparing values of one section, reported after each value's own problems. */
    void crossCheckProblem(String path, String message) {
        problems.addAfterSection(path, message, source.line(path));
    }

    /** A problem at the given line (0: none). */
    void problem(String path, int line, String message) {
        problems.add(path, line, message);
    }

    /** A problem that marks the key as unusable. */
    void fail(String path, String message) {
        problem(path, message);
        problems.fail(path);
    }

    /** Remembers a value that no problem line may show. */
    String secret(String value) {
        return problems.secret(value);
    }

    /** Whether the value at the key takes anything from the environment. */
    boolean fromEnvironment(String path) {
        return placeholders.fromEnvironment(source.raw(path));
    }

    /** The bound value, the fallback when the key is absent, or null when it is present but failed. */
    <T> T orDefault(String path, T value, T fallback) {
        return value != null ? value : failed(path) ? null : fallback;
    }

    /** A value that must be there and not blank, stripped; null (reported) otherwise. */
    String requiredText(String path, String value, String fix) {
        if (failed(path)) {
            return null;
        }
        if (!has(path)) {
            problem(path, "missing; " + fix);
            return null;
        }
        if (value == null) {
            return null;
        }
        if (value.isBlank()) {
            fail(path, (fromEnvironment(path) ? "is empty after substituting environment variables; " : "is empty; ")
                    + fix);
            return null;
        }
        return value.strip();
    }

    /** A folder path against the working directory, absolute and normalized; null (reported) when invalid. */
    Path resolve(String path, int line, String value) {
        try {
            return workingDir.resolve(Path.of(value)).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            problem(path, line, "\"" + value + "\" is not a valid path (" + e.getReason() + "); use a folder path"
                    + " relative to the working directory or absolute");
            return null;
        }
    }
}
