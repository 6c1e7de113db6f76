package dev.besworker.staging;

import java.nio.file.Path;
import java.util.List;

/**
 * The outcome of a successful {@link CsvValidator#validate validation}: the file's facts as read
 * in one pass.
 *
 * @param file the file as given
 * @param bytes the file's size in bytes (a byte-order mark included)
 * @param dataRows records after the header, blank lines not counted
 * @param header the column names of the header record, in order
 * @param sha256Hex SHA-256 of the exact file bytes, lower-case hex
 * @param md5Base64 MD5 of the exact file bytes, base64 (the form of a blob's Content-MD5)
 */
public record CsvCheck(Path file, long bytes, long dataRows, List<String> header, String sha256Hex, String md5Base64) {

    /** Copies the header. */
    public CsvCheck {
        header = List.copyOf(header);
    }

    /** The MD5 as raw bytes, as {@link BlobStaging#upload} takes it. */
    public byte[] md5() {
        return java.util.Base64.getDecoder().decode(md5Base64);
    }
}
