package dev.besworker.pipeline;

import org.springframework.batch.core.job.JobExecution;

/**
 * Decides whether an execution that the repository shows as running may be taken over: one
 * whose owning process is alive is refused, one left behind by a dead process is recovered.
 */
public interface ExecutionGuard {

    /** A guard that takes every execution at its word (no owner records). */
    ExecutionGuard NONE = execution -> execution;

    /**
     * Returns the execution ready for a restart: unchanged when it is not running, recovered
     * (FAILED) when its owner is gone.
     *
     * @throws OwnedExecutionException when a live process owns it
     */
    JobExecution takeOver(JobExecution execution);
}
