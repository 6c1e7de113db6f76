package dev.besworker.cli;

import java.time.Duration;

import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.repository.JobRepository;

import dev.besworker.pipeline.RunIndex;

/** Looking up and waiting for executions. */
final class Executions {

    private Executions() {
    }

    static JobExecution find(JobRepository repository, long executionId) {
        JobExecution execution = RunIndex.findExecution(repository, executionId).orElse(null);
        if (execution == null) {
            throw new IllegalArgumentException("there is no execution " + executionId + " (see 'list')");
        }
        return execution;
    }

    /** Polls the repository until the execution no longer runs, or the timeout passes. */
    static JobExecution awaitEnd(JobRepository repository, long executionId, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        JobExecution execution = find(repository, executionId);
        while (execution.getStatus().isRunning() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(250);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                break;
            }
            execution = find(repository, executionId);
        }
        return execution;
    }
}
