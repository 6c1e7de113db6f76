package dev.besworker.web;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.springframework.http.HttpStatus;

import dev.besworker.definition.JobDefinition;
import dev.besworker.intake.Inbox;
import dev.besworker.serve.ServeDefinitions;

/**
 * The files of each definition's inbox as the console shows them (waiting, being processed,
 * failed with their reason), and the retry of a failed file: it moves back into the inbox,
 * exactly as its {@code .error.txt} tells a shell user to, and serve takes it from there
 * (restarting its execution where it failed, if it had one).
 */
public class InboxFiles {

    /**
     * One file.
     *
     * @param name its name
     * @param bytes its size
     * @param modified when it last changed
     * @param reason why it failed (failed files), else null
     * @param executionId the execution it failed in, if any
     */
    public record FileEntry(String name, long bytes, Instant modified, String reason, Long executionId) {
    }

    /** An inbox's files by state. */
    public record InboxContents(String definition, Path dir, List<FileEntry> waiting, List<FileEntry> processing,
            List<FileEntry> failed) {
    }

    /** A failed file of an execution. */
    public record FailedFile(String definition, String name) {
    }

    private static final Pattern EXECUTION = Pattern.compile("(?m)^execution:\\s+(\\d+)");
    private static final Pattern REASON = Pattern.compile("(?m)^reason:\\s+(.*)$");

    private final ServeDefinitions definitions;

    public InboxFiles(ServeDefinitions definitions) {
        this.definitions = definitions;
    }

    /** The inbox of a definition, if it has one. */
    public Optional<Inbox> inbox(String definition) {
        return definitions.valid().stream().filter(d -> d.name().equals(definition) && d.inbox() != null).findFirst()
                .map(d -> new Inbox(d.name(), d.inbox().dir()));
    }

    /** The files of a definition's inbox (404 for an unknown definition, empty lists without an inbox). */
    public InboxContents files(String definition) {
        JobDefinition found = definitions.valid().stream().filter(d -> d.name().equals(definition)).findFirst()
                .orElseThrow(() -> ApiException.notFound("there is no valid definition '" + definition + "'"));
        if (found.inbox() == null) {
            return new InboxContents(definition, null, List.of(), List.of(), List.of());
        }
        Inbox inbox = new Inbox(definition, found.inbox().dir());
        return new InboxContents(definition, inbox.dir(), list(inbox.dir(), false), list(inbox.processing(), false),
                list(inbox.failed(), true));
    }

    /**
     * Moves a failed file back into its inbox.
     *
     * @return where it now is
     */
    public Path retry(String definition, String name) {
        Inbox inbox = inbox(definition)
                .orElseThrow(() -> ApiException.notFound("definition '" + definition + "' has no inbox"));
        if (name == null || name.isBlank() || name.contains("/") || name.contains("\\") || name.startsWith(".")
                || name.endsWith(Inbox.ERROR_REPORT)) {
            throw ApiException.badRequest("'" + name + "' is not the name of a failed file");
        }
        Path failed = inbox.failed().resolve(name);
        Path target = inbox.dir().resolve(name);
        try {
            // No REPLACE_EXISTING: a waiting file of that name is never overwritten.
            return Files.move(failed, target);
        }
        catch (NoSuchFileException ex) {
            throw ApiException.notFound("there is no failed file '" + name + "' in " + inbox.failed());
        }
        catch (FileAlreadyExistsException ex) {
            throw new ApiException(HttpStatus.CONFLICT, "a file named '" + name + "' is already waiting in "
                    + inbox.dir() + "; retry this one once that one is done");
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /** The failed file whose report names this execution, if any. */
    public Optional<FailedFile> failedFileOf(long executionId) {
        for (JobDefinition definition : definitions.valid()) {
            if (definition.inbox() == null) {
                continue;
            }
            Inbox inbox = new Inbox(definition.name(), definition.inbox().dir());
            for (FileEntry entry : list(inbox.failed(), true)) {
                if (entry.executionId() != null && entry.executionId() == executionId) {
                    return Optional.of(new FailedFile(definition.name(), entry.name()));
                }
            }
        }
        return Optional.empty();
    }

    private static List<FileEntry> list(Path folder, boolean withReports) {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(Files::isRegularFile)
                    .filter(f -> !f.getFileName().toString().startsWith("."))
                    .filter(f -> !f.getFileName().toString().endsWith(Inbox.ERROR_REPORT)
                            && !f.getFileName().toString().endsWith(Inbox.DUPLICATE_REPORT))
                    .sorted(Comparator.comparing(Path::getFileName))
                    .map(f -> entry(f, withReports)).toList();
        }
        catch (IOException ex) {
            return List.of();
        }
    }

    private static FileEntry entry(Path file, boolean withReport) {
        long bytes;
        Instant modified;
        try {
            bytes = Files.size(file);
            modified = Files.getLastModifiedTime(file).toInstant();
        }
        catch (IOException ex) {
            bytes = -1;
            modified = null;
        }
        String reason = null;
        Long executionId = null;
        Path report = file.resolveSibling(file.getFileName() + Inbox.ERROR_REPORT);
        if (withReport && Files.isRegularFile(report)) {
            try {
                String text = Files.readString(report);
                Matcher execution = EXECUTION.matcher(text);
                if (execution.find()) {
                    executionId = Long.parseLong(execution.group(1));
                }
                Matcher why = REASON.matcher(text);
                if (why.find()) {
                    reason = why.group(1).strip();
                }
            }
            catch (IOException | RuntimeException ex) {
                reason = "(the report " + report.getFileName() + " cannot be read)";
            }
        }
        return new FileEntry(file.getFileName().toString(), bytes, modified, reason, executionId);
    }
}
