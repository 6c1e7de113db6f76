package dev.besworker.pipeline;

/** An execution belongs to a process that is alive: it must not be touched from here. */
public class OwnedExecutionException extends RuntimeException {

    private final long executionId;

    public OwnedExecutionException(long executionId, String owner) {
        super("execution " + executionId + " is running in " + owner + "; stop it there, or with 'stop "
                + executionId + "', before restarting it");
        this.executionId = executionId;
    }

    public long executionId() {
        return executionId;
    }
}
