package dev.besworker.staging;

import java.nio.file.Path;

/**
 * An input file that must not be sent: names the file, the line, the problem and the fix. The
 * message reads {@code "<file>: line <n>: <problem>. Fix: <fix>"}; for problems of the file as a
 * whole (missing, a directory, unreadable, empty) the line is 0 and the message leaves out
 * {@code "line 0: "}.
 */
public class InputRejectedException extends RuntimeException {

    private final transient Path file;
    private final long line;
    private final String problem;
    private final String fix;

    /**
     * @param file the file as the user named it
     * @param line the 1-based line the problem is on, 0 when it concerns the whole file
     * @param problem what is wrong, without a final period
     * @param fix what the user should do, without a final period
     */
    public InputRejectedException(Path file, long line, String problem, String fix) {
        super(file + ": " + (line > 0 ? "line " + line + ": " : "") + problem + ". Fix: " + fix);
        this.file = file;
        this.line = line;
        this.problem = problem;
        this.fix = fix;
    }

    /** The file as given. */
    public Path file() {
        return file;
    }

    /** The 1-based line, or 0 when the problem concerns the whole file. */
    public long line() {
        return line;
    }

    /** What is wrong. */
    public String problem() {
        return problem;
    }

    /** What to do about it. */
    public String fix() {
        return fix;
    }
}
