package dev.besworker.notify;

import java.time.Instant;

/**
 * What a webhook is told about one outcome.
 *
 * @param definition the job definition
 * @param file the input file's name
 * @param executionId the execution, or null when the file was refused before any run
 * @param outcome {@code done}, {@code duplicate}, {@code failed} or {@code rejected}
 * @param error why it failed (scrubbed), or null
 * @param retryCommand the shell command that retries it, or null
 * @param host the worker's host
 * @param time when it ended
 */
public record Notification(String definition, String file, Long executionId, String outcome, String error,
        String retryCommand, String host, Instant time) {

    /** Whether this tells of a failure (always posted) rather than a success (posted on request). */
    public boolean failure() {
        return "failed".equals(outcome) || "rejected".equals(outcome);
    }

    /** One line for chat tools (Slack and Teams show the {@code text} field). */
    public String text() {
        String execution = executionId == null ? "" : " (execution " + executionId + ")";
        if (!failure()) {
            return "bes-worker on " + host + ": " + definition + " scored " + file + execution
                    + ("duplicate".equals(outcome) ? ": same content as an earlier run, not scored again." : ".");
        }
        return "bes-worker on " + host + ": " + definition + " FAILED on " + file + execution + ": " + error
                + (retryCommand == null ? "" : " To retry: " + retryCommand);
    }
}
