package dev.besworker.staging;

/**
 * The outcome of {@link BlobStaging#upload}.
 *
 * @param blobName the blob, relative to the container
 * @param bytes the blob's size
 * @param skipped true when the blob already held the same content (same Content-MD5 and size)
 *        and nothing was sent
 * @param committedAhead true when blocks staged while the file was validated were committed and
 *        nothing was sent now
 */
public record UploadResult(String blobName, long bytes, boolean skipped, boolean committedAhead) {

    /** A result of an upload that sent the file now, or skipped it. */
    public UploadResult(String blobName, long bytes, boolean skipped) {
        this(blobName, bytes, skipped, false);
    }
}
