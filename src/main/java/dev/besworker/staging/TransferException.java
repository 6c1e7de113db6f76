package dev.besworker.staging;

import dev.besworker.secrets.Redactor;

/**
 * A blob upload or download failed. The message is scrubbed of secrets (account keys, SAS
 * signatures, connection strings), and so is every message in the cause chain: the storage
 * SDK's own exceptions are replaced by scrubbed copies with the same stack traces.
 */
public class TransferException extends RuntimeException {

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
}
