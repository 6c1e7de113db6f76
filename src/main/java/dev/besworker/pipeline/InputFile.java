package dev.besworker.pipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;

import dev.besworker.definition.InputSpec;
import dev.besworker.definition.JobDefinition;
import dev.besworker.staging.CsvCheck;
import dev.besworker.staging.InputRejectedException;
import dev.besworker.staging.SafeNames;

/**
 * One input of a run as checked before launch: where it is and what its bytes were. Travels as
 * non-identifying job parameters {@code input.<name>.*} so that a restart knows the file.
 *
 * @param name the service's input name, e.g. {@code input1}
 * @param path the file as the user named it
 * @param sha256 hex SHA-256 of its bytes
 * @param md5 base64 MD5 of its bytes (the blob's Content-MD5)
 * @param bytes its size
 * @param rows its data rows
 * @param modifiedMillis its modification time when checked
 */
public record InputFile(String name, Path path, String sha256, String md5, long bytes, long rows, long modifiedMillis) {

    /** The input as the validator saw it. */
    public static InputFile of(String name, CsvCheck check, long modifiedMillis) {
        return new InputFile(name, check.file(), check.sha256Hex(), check.md5Base64(), check.bytes(),
                check.dataRows(), modifiedMillis);
    }

    /** Adds the input's non-identifying parameters. */
    public void addTo(JobParametersBuilder builder) {
        builder.addString(RunKeys.inputKey(name, RunKeys.PATH), path.toString(), false);
        builder.addString(RunKeys.inputKey(name, RunKeys.SHA256), sha256, false);
        builder.addString(RunKeys.inputKey(name, RunKeys.MD5), md5, false);
        builder.addLong(RunKeys.inputKey(name, RunKeys.BYTES), bytes, false);
        builder.addLong(RunKeys.inputKey(name, RunKeys.ROWS), rows, false);
        builder.addLong(RunKeys.inputKey(name, RunKeys.MTIME), modifiedMillis, false);
    }

    /** The inputs of a run, in the definition's order. */
    public static List<InputFile> fromParameters(JobParameters parameters, JobDefinition definition) {
        List<InputFile> inputs = new ArrayList<>();
        for (InputSpec spec : definition.inputs()) {
            String name = spec.name();
            String path = parameters.getString(RunKeys.inputKey(name, RunKeys.PATH));
            if (path == null) {
                throw new IllegalStateException("the run has no file for input '" + name
                        + "' (the definition's inputs changed since it started)");
            }
            inputs.add(new InputFile(name, Path.of(path),
                    parameters.getString(RunKeys.inputKey(name, RunKeys.SHA256)),
                    parameters.getString(RunKeys.inputKey(name, RunKeys.MD5)),
                    parameters.getLong(RunKeys.inputKey(name, RunKeys.BYTES), 0L),
                    parameters.getLong(RunKeys.inputKey(name, RunKeys.ROWS), 0L),
                    parameters.getLong(RunKeys.inputKey(name, RunKeys.MTIME), 0L)));
        }
        return inputs;
    }

    /**
     * Whether the file still has the size and modification time it had when checked, so that
     * the check before launch still holds.
     */
    public boolean unchangedOnDisk() {
        try {
            return Files.isRegularFile(path) && Files.size(path) == bytes
                    && Files.getLastModifiedTime(path).toMillis() == modifiedMillis;
        }
        catch (IOException ex) {
            return false;
        }
    }

    /** The refusal of a run whose file is no longer the one it started with. */
    public InputRejectedException changedSinceStart() {
        return new InputRejectedException(path, 0, "the file changed since this run started",
                "put the original file back and restart, or start a new run with 'run'");
    }

    /** The file name without its last extension, for result names. */
    public String stem() {
        String fileName = path.getFileName().toString();
        int dot = fileName.lastIndexOf('.');
        return dot > 0 ? fileName.substring(0, dot) : fileName;
    }

    /** The blob this input is staged as on {@code runDate}: named after its content. */
    public String blobName(String definitionName, String runDate) {
        return blobName(definitionName, runDate, sha256.substring(0, 16), path);
    }

    /** {@code <definition>/<run date>/<16 hex: of the content, or of path, size and time>/<file name>}. */
    public static String blobName(String definitionName, String runDate, String hex16, Path file) {
        return definitionName + "/" + runDate + "/" + hex16 + "/" + SafeNames.blobSegment(file.getFileName().toString());
    }
}
