package dev.besworker.pipeline;

/** An execution belongs to a worker that is alive: it must not be touched from here. */
public class OwnedExecutionException extends RuntimeException {

    private final long executionId;

    public OwnedExecutionException(long executionId, String owner) {
        this("execution " + executionId + " is running in " + owner + "; stop it there, or with 'stop "
                + executionId + "', before restarting it", executionId);
    }

    private OwnedExecutionException(String message, long executionId) {
        super(message);
        this.executionId = executionId;
    }

    /** With a message of the caller's (the execution is busy some other way). */
    public static OwnedExecutionException because(long executionId, String message) {
        return new OwnedExecutionException(message, executionId);
    }

    public long executionId() {
        return executionId;
    }
}
