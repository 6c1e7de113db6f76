package dev.besworker.pipeline;

/**
 * The BES job of a run ended without results: it Failed, was Cancelled, timed out or was
 * forgotten by the service. The run fails restartable, and the restart submits a new BES job.
 */
public class RemoteJobException extends RuntimeException {

    public RemoteJobException(String message) {
        super(message);
    }
}
