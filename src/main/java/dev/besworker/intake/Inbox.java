package dev.besworker.intake;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * One definition's inbox folder and its bookkeeping sub-folders:
 * <pre>
 * &lt;dir&gt;/               files waiting (dropped by users)
 * &lt;dir&gt;/.processing/   claimed files being scored (hidden, so it is never scanned as input)
 * &lt;dir&gt;/done/          scored files (results are in the definition's output-dir), and duplicates
 * &lt;dir&gt;/failed/        files that could not be scored, each with &lt;name&gt;.error.txt
 * </pre>
 * Every move is a rename within the inbox's file system, so a file is always in exactly one
 * place, and nothing is ever overwritten: a name already taken in {@code done/} or
 * {@code failed/} gets the execution id (and then a counter) before its extension.
 *
 * @param definition the definition the inbox belongs to
 * @param dir the inbox folder, absolute and normalized
 */
public record Inbox(String definition, Path dir) {

    /** Sub-folder of claimed files. */
    public static final String PROCESSING = ".processing";
    /** Sub-folder of scored files. */
    public static final String DONE = "done";
    /** Sub-folder of failed files. */
    public static final String FAILED = "failed";
    /** Suffix of the report written next to a failed file. */
    public static final String ERROR_REPORT = ".error.txt";
    /** Suffix of the report written next to a duplicate in done/. */
    public static final String DUPLICATE_REPORT = ".duplicate.txt";

    public Inbox {
        Objects.requireNonNull(definition, "definition");
        dir = dir.toAbsolutePath().normalize();
    }

    public Path processing() {
        return dir.resolve(PROCESSING);
    }

    public Path done() {
        return dir.resolve(DONE);
    }

    public Path failed() {
        return dir.resolve(FAILED);
    }

    /** Creates the inbox and its sub-folders. */
    public void createFolders() throws IOException {
        Files.createDirectories(processing());
        Files.createDirectories(done());
        Files.createDirectories(failed());
    }

    /**
     * Claims a waiting file by moving it into {@code .processing/} under its own name. Only one
     * claimer can succeed: the rename of the source is atomic.
     *
     * @return the claimed file, or empty when the file is gone (someone else took it) or a file
     *     of the same name is still being processed (it is left waiting for a later attempt)
     */
    public Optional<Path> claim(Path waiting) throws IOException {
        Path target = processing().resolve(waiting.getFileName().toString());
        Files.createDirectories(processing());
        try {
            // No REPLACE_EXISTING: an equal name in processing must never be overwritten.
            return Optional.of(Files.move(waiting, target));
        }
        catch (NoSuchFileException | FileAlreadyExistsException ex) {
            return Optional.empty();
        }
    }

    /** The files left in {@code .processing/}, e.g. by a worker that was killed. */
    public List<Path> claimedFiles() throws IOException {
        if (!Files.isDirectory(processing())) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(processing())) {
            return files.filter(Files::isRegularFile)
                    .filter(f -> !f.getFileName().toString().startsWith("."))
                    .sorted().toList();
        }
    }

    /**
     * Moves a claimed file to {@code done/}. Its modification time becomes the time it was done,
     * which is what retention ages {@code done/} files by.
     *
     * @return where it now is
     */
    public Path moveToDone(Path claimed, Long executionId, Clock clock) throws IOException {
        Path moved = moveUnique(claimed, done(), executionId);
        Files.setLastModifiedTime(moved, FileTime.from(clock.instant()));
        return moved;
    }

    /** Moves a claimed file to {@code failed/}, keeping its bytes and times as they were. */
    public Path moveToFailed(Path claimed, Long executionId) throws IOException {
        return moveUnique(claimed, failed(), executionId);
    }

    /** Writes {@code <file name><suffix>} next to a file, never over an existing one. */
    public static Path writeReport(Path file, String suffix, String text) throws IOException {
        Path report = file.resolveSibling(file.getFileName() + suffix);
        for (int n = 2; Files.exists(report); n++) {
            report = file.resolveSibling(file.getFileName() + "-" + n + suffix);
        }
        Path temp = report.resolveSibling("." + report.getFileName() + ".tmp");
        Files.writeString(temp, text, StandardCharsets.UTF_8);
        return Files.move(temp, report, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Moves a file into a folder under its name, or the first free variant of it. */
    static Path moveUnique(Path file, Path folder, Long executionId) throws IOException {
        Files.createDirectories(folder);
        String name = file.getFileName().toString();
        for (String candidate : candidates(name, executionId)) {
            try {
                // Without REPLACE_EXISTING the move fails rather than overwrite a taken name.
                return Files.move(file, folder.resolve(candidate));
            }
            catch (FileAlreadyExistsException taken) {
                // try the next name
            }
        }
        throw new IOException("no free name for " + name + " in " + folder);
    }

    /** x.csv, then x.42.csv (with an execution id), then x.42-2.csv, x.42-3.csv, ... */
    static List<String> candidates(String name, Long executionId) {
        int dot = name.lastIndexOf('.');
        String stem = dot > 0 ? name.substring(0, dot) : name;
        String extension = dot > 0 ? name.substring(dot) : "";
        String base = executionId != null ? stem + "." + executionId : stem;
        List<String> names = new ArrayList<>();
        names.add(name);
        if (executionId != null) {
            names.add(base + extension);
        }
        for (int n = 2; n < 10_000; n++) {
            names.add(base + "-" + n + extension);
        }
        return names;
    }
}
