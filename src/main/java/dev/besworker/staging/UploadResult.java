package dev.besworker.staging;

/**
 * The outcome of {@link BlobStaging#upload}.
 *
 * @param blobName the blob, relative to the container
 * @param bytes the blob's size
 * @param skipped true when the blob already held the same content (same Content-MD5 and size)
 *        and nothing was sent
 */
public record UploadResult(String blobName, long bytes, boolean skipped) {
}
