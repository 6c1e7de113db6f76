package dev.besworker.staging;

import java.util.List;

/**
 * What an input CSV must look like before it is staged.
 *
 * @param requiredColumns header names that must be present (exact, case-sensitive); may be empty
 * @param delimiter the field separator; must be an ASCII character other than the quote, CR and LF
 * @param maxRecordBytes the largest record (header or data row, quoted line breaks included) in
 *        bytes; zero or negative means {@link #DEFAULT_MAX_RECORD_BYTES}
 */
public record InputRules(List<String> requiredColumns, char delimiter, int maxRecordBytes) {

    /** The record size limit when none is configured: 1 MiB. */
    public static final int DEFAULT_MAX_RECORD_BYTES = 1 << 20;

    /** Normalizes the defaults and rejects delimiters the byte-level scanner cannot honour. */
    public InputRules {
        requiredColumns = requiredColumns == null ? List.of() : List.copyOf(requiredColumns);
        if (maxRecordBytes <= 0) {
            maxRecordBytes = DEFAULT_MAX_RECORD_BYTES;
        }
        // The validator scans raw bytes; a non-ASCII delimiter would be several bytes of UTF-8.
        if (delimiter == 0 || delimiter > 0x7F || delimiter == '"' || delimiter == '\r' || delimiter == '\n') {
            throw new IllegalArgumentException("the input delimiter must be a single ASCII character other than "
                    + "the quote and line breaks, got U+" + String.format("%04X", (int) delimiter));
        }
    }

    /** Comma-separated, the given required columns, the default record size limit. */
    public static InputRules csv(List<String> requiredColumns) {
        return new InputRules(requiredColumns, ',', DEFAULT_MAX_RECORD_BYTES);
    }
}
