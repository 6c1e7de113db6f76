package dev.besworker.staging;

/**
 * A transfer ended early because the caller's {@code stopRequested} answered true. Nothing is
 * wrong with the data: the same transfer can be run again (an upload then reuses the blocks it
 * had already staged).
 */
public class TransferStoppedException extends TransferException {

    /** @param message what was stopped */
    public TransferStoppedException(String message) {
        super(message, true);
    }
}
