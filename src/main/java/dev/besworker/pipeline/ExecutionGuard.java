package dev.besworker.pipeline;

import org.springframework.batch.core.job.JobExecution;

/**
 * Who may touch an execution. One that the repository shows as running may be taken over only
 * when its owner's lease has expired (a live owner's is refused); a worker that lost an
 * execution to another stands down from it; and restarts of one job instance are serialised.
 */
public interface ExecutionGuard {

    /** A guard that takes every execution at its word (no owner records). */
    ExecutionGuard NONE = execution -> execution;

    /** Held while a restart checks and creates the next execution; closing it releases it. */
    interface RestartLock extends AutoCloseable {

        @Override
        void close();
    }

    /**
     * Returns the execution ready for a restart: unchanged when it is not running, recovered
     * (FAILED) when its owner is gone.
     *
     * @throws OwnedExecutionException when a live worker owns it
     */
    JobExecution takeOver(JobExecution execution);

    /**
     * Whether this worker still owns the execution: true while it runs it under its own current
     * lease (and after it ended it itself); false once another worker took it over, after which
     * this worker must not write it, touch its BES job or move its files. Checked in the database.
     */
    default boolean stillOwns(long executionId) {
        return true;
    }

    /**
     * Serialises restarts of one job instance across workers, until the restart has created its
     * execution (or failed to): the lock is released when the new execution starts, or on close.
     *
     * @throws OwnedExecutionException when another worker is restarting it and does not let go
     */
    default RestartLock lockRestarts(long jobInstanceId) {
        return () -> {
        };
    }
}
