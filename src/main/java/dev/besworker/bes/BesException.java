package dev.besworker.bes;

import dev.besworker.secrets.Redactor;

/**
 * A BES call failed. The message is short, says what to do, and has been scrubbed of secrets.
 *
 * <p>{@link #httpStatus()} is 0 when no HTTP answer arrived (connection refused or lost,
 * timeout, interrupt); {@link #errorClass()} is then a transport name ({@code ConnectFailed},
 * {@code ConnectionLost}, {@code Timeout}, {@code Interrupted}). For HTTP errors it is the
 * service's {@code error.code} (e.g. {@code BadArgument}) and {@link #errorCode()} the first
 * {@code error.details[].code} (e.g. {@code CannotStartJob}) or, without details, the class.
 * Both are null when the body named none.
 *
 * <p>{@link #isTransient()}: trying again later may succeed (throttling, 5xx, timeouts, network);
 * the client already retried within its policy. {@link #submitOutcomeUnknown()}: a submit failed
 * after its request may have reached the service, so a remote job may exist that this worker
 * never learned the id of; the client did not retry it, and resubmitting would create a second
 * job.
 */
public class BesException extends RuntimeException {

    private final int httpStatus;
    private final String errorClass;
    private final String errorCode;
    private final String requestId;
    private final String serviceMessage;
    private final boolean transientFailure;
    private final boolean submitOutcomeUnknown;
    private final int attempts;

    /**
     * @param message              human text; it is scrubbed here
     * @param httpStatus           the HTTP status, 0 when none arrived
     * @param errorClass           {@code error.code} or a transport name; may be null
     * @param errorCode            the specific code; may be null
     * @param requestId            the request id of the failed answer; may be null
     * @param serviceMessage       the service's own message; scrubbed here; may be null
     * @param transientFailure     whether trying again later may succeed
     * @param submitOutcomeUnknown whether a submit may have created a job anyway
     * @param attempts             how many attempts were made (at least 1)
     * @param cause                the underlying exception; may be null
     */
    public BesException(String message, int httpStatus, String errorClass, String errorCode, String requestId,
                        String serviceMessage, boolean transientFailure, boolean submitOutcomeUnknown, int attempts,
                        Throwable cause) {
        super(Redactor.scrub(message), cause);
        this.httpStatus = httpStatus;
        this.errorClass = errorClass;
        this.errorCode = errorCode;
        this.requestId = requestId;
        this.serviceMessage = Redactor.scrub(serviceMessage);
        this.transientFailure = transientFailure;
        this.submitOutcomeUnknown = submitOutcomeUnknown;
        this.attempts = Math.max(1, attempts);
    }

    /** The HTTP status of the failed answer, or 0 when no answer arrived. */
    public int httpStatus() {
        return httpStatus;
    }

    /** The error class ({@code error.code}, e.g. {@code BadArgument}), a transport name, or null. */
    public String errorClass() {
        return errorClass;
    }

    /** The specific error code (e.g. {@code CannotStartJob}), else the class, or null. */
    public String errorCode() {
        return errorCode;
    }

    /**
     * The request id of the failed call: the service's ({@code x-ms-request-id},
     * {@code x-ms-client-request-id}, {@code request-id} or {@code apim-request-id}), or the
     * {@code x-ms-client-request-id} this client sent when the service returned none.
     */
    public String requestId() {
        return requestId;
    }

    /** The service's own error message (scrubbed), or null. */
    public String serviceMessage() {
        return serviceMessage;
    }

    /** Whether trying again later may succeed. */
    public boolean isTransient() {
        return transientFailure;
    }

    /**
     * Whether this failed submit may nevertheless have created a job at BES (its request may have
     * been processed: read timeout, connection lost after sending, 500/502/504, or a success
     * answer without a job id). Always false for other calls.
     */
    public boolean submitOutcomeUnknown() {
        return submitOutcomeUnknown;
    }

    /** Whether BES refused the credentials (401, or 403 from a gateway). */
    public boolean isAuthFailure() {
        return httpStatus == 401 || httpStatus == 403;
    }

    /** Whether BES answered 404 (unknown service, workspace or job). */
    public boolean isNotFound() {
        return httpStatus == 404;
    }

    /**
     * Whether BES answered 404 because the web service or workspace itself is unknown
     * (WebServiceNotFound, WorkspaceNotFound): a wrong address, not an unknown job.
     */
    public boolean isServiceNotFound() {
        return isNotFound() && (namesMissingService(errorCode) || namesMissingService(errorClass));
    }

    /** Whether an error code says the web service or workspace is unknown (rather than the job). */
    static boolean namesMissingService(String code) {
        return code != null && (code.equalsIgnoreCase("WebServiceNotFound") || code.equalsIgnoreCase("WorkspaceNotFound"));
    }

    /** Whether the call was given up because the calling thread was interrupted. */
    public boolean wasInterrupted() {
        return getCause() instanceof InterruptedException;
    }

    /** How many attempts the client made before giving up (1 when it did not retry). */
    public int attempts() {
        return attempts;
    }
}
