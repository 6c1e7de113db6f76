package dev.besworker.staging;

/**
 * The storage service refused a SAS URL with 403 (AuthenticationFailed or AuthorizationFailure):
 * the token expired or is no longer valid. The caller should ask for a fresh URL (for a BES
 * result: read the job status again) and retry with it.
 */
public class SasExpiredException extends TransferException {

    /** @param message what was refused, without the token */
    public SasExpiredException(String message, int httpStatus) {
        super(message, true, httpStatus, null);
    }
}
