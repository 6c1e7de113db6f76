package dev.besworker.definition;

import java.util.List;
import java.util.Objects;

/**
 * One input of the service ({@code input:} or an item of {@code inputs:}) and the rules a local
 * CSV must pass before it is uploaded for it.
 *
 * @param name the service's input name, e.g. {@code input1}
 * @param requiredColumns header columns the file must have (empty: any header)
 * @param delimiter the field delimiter, {@code ','} or {@code '\t'} for instance
 * @param maxRecordBytes the largest record (row) accepted, in bytes
 */
public record InputSpec(String name, List<String> requiredColumns, char delimiter, int maxRecordBytes) {

    /** The delimiter when the definition gives none. */
    public static final char DEFAULT_DELIMITER = ',';

    /** The record size limit when the definition gives none: 1 MiB. */
    public static final int DEFAULT_MAX_RECORD_BYTES = 1024 * 1024;

    public InputSpec {
        Objects.requireNonNull(name, "name");
        requiredColumns = requiredColumns == null ? List.of() : List.copyOf(requiredColumns);
    }
}
