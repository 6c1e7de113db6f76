package dev.besworker.staging;

import java.io.IOException;
import java.io.UncheckedIOException;

import com.azure.storage.blob.models.BlobStorageException;

import dev.besworker.secrets.Redactor;

/**
 * A blob upload or download failed. The message is scrubbed of secrets (account keys, SAS
 * signatures, connection strings), and so is every message in the cause chain: the storage
 * SDK's own exceptions are replaced by scrubbed copies with the same stack traces.
 */
public class TransferException extends RuntimeException {

    /**
     * What a 403 means and how to fix it. The SDK's own text for a 403 starts with advice to log
     * the string to sign through a context key (nothing a user of this tool can pass), and a HEAD
     * request's 403 has no other text.
     */
    static final String REFUSED = "the storage account refused the credentials: check the account key or SAS token in "
            + "the definition's storage.connection-string (wrong, expired, or lacking a permission the worker needs on "
            + "the container); `check <definition>` tests them";

    private final boolean retryable;
    private final int httpStatus;

    /** A failure without an HTTP status. */
    public TransferException(String message, boolean retryable) {
        this(message, retryable, 0, null);
    }

    /**
     * @param message what failed; scrubbed before it is kept
     * @param retryable whether trying the same transfer again later may succeed
     * @param httpStatus the storage service's HTTP status, or 0
     * @param cause the underlying failure, kept as a scrubbed copy; may be null
     */
    public TransferException(String message, boolean retryable, int httpStatus, Throwable cause) {
        super(Redactor.scrub(message), Scrubbed.copyOf(cause));
        this.retryable = retryable;
        this.httpStatus = httpStatus;
    }

    /** Whether the same transfer may succeed when tried again (I/O errors, 5xx, throttling). */
    public boolean retryable() {
        return retryable;
    }

    /** The HTTP status the storage service answered with, or 0 when there was none. */
    public int httpStatus() {
        return httpStatus;
    }

    /**
     * Maps a failure of the storage SDK to a scrubbed {@code TransferException} whose message
     * starts with {@code what}: the HTTP status, error code and first line of the service's
     * message (for a 403, what it means and the fix: {@link #REFUSED}); retryable for 5xx, 408,
     * 429 and I/O errors. A {@code TransferException} is returned as it is.
     */
    static TransferException of(String what, RuntimeException ex) {
        if (ex instanceof TransferException transfer) {
            return transfer;
        }
        if (ex instanceof BlobStorageException storage) {
            int status = storage.getStatusCode();
            boolean retryable = status >= 500 || status == 408 || status == 429;
            String code = storage.getErrorCode() == null ? "" : " " + storage.getErrorCode();
            String message = status == 403 ? ": " + REFUSED
                    : storage.getServiceMessage() == null ? "" : ": " + storage.getServiceMessage().lines().findFirst().orElse("");
            return new TransferException(what + " (HTTP " + status + code + message + ")", retryable, status, ex);
        }
        boolean io = ex instanceof UncheckedIOException || hasIoCause(ex);
        return new TransferException(what + " (" + ex.getClass().getSimpleName() + ": " + ex.getMessage() + ")", io, 0, ex);
    }

    private static boolean hasIoCause(Throwable ex) {
        for (Throwable t = ex; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof IOException) {
                return true;
            }
        }
        return false;
    }
}
