package dev.besworker.cli;

import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.dao.DataAccessException;
import org.springframework.transaction.TransactionException;

import dev.besworker.ops.OperatorActions;
import dev.besworker.pipeline.RunIndex;

/** Stopping executions from the command line and waiting for them to end. */
final class Executions {

    private static final Logger log = LoggerFactory.getLogger(Executions.class);

    private static final Duration POLL = Duration.ofMillis(250);

    /**
     * Pause after a lost connection: longer than the pool's window (500 ms) within which it hands
     * out a connection again without checking it, so the next read gets a working one.
     */
    static final Duration AFTER_LOST_CONNECTION = Duration.ofMillis(1_000);

    private Executions() {
    }

    /**
     * Stops a running execution for {@code stop} and {@code abandon}: asks the live worker that runs
     * it and waits up to {@code timeout} for it to end (the execution returned may still run), or
     * takes it over from a worker that is gone.
     */
    static OperatorActions.Stop stop(OperatorActions actions, JobRepository repository, JobExecution execution,
            Duration timeout) {
        OperatorActions.Stop stop = actions.stop(execution);
        return stop.requested() ? new OperatorActions.Stop(true, awaitEnd(repository, execution.getId(), timeout))
                : stop;
    }

    /**
     * Polls the repository until the execution no longer runs, or the timeout passes. The process
     * that ends the execution usually exits right after; with the default H2 repository it also
     * serves the database to this process, so a read may lose its connection just then. Such a
     * read is repeated (a new connection opens the database itself) until the timeout passes.
     * That holds for the first read too: with a quick heartbeat the owner may have seen the stop
     * request, ended the execution and exited before this process reads the execution once.
     */
    static JobExecution awaitEnd(JobRepository repository, long executionId, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        JobExecution execution = null;
        while (true) {
            try {
                execution = RunIndex.requireExecution(repository, executionId);
            }
            catch (DataAccessException | TransactionException ex) {
                if (System.nanoTime() >= deadline) {
                    throw ex;
                }
                log.debug("reading execution {} failed ({}); the process that ran it may just have exited, "
                        + "reading again", executionId, ex.getMessage());
                if (!sleep(AFTER_LOST_CONNECTION)) {
                    return execution != null ? execution : RunIndex.requireExecution(repository, executionId);
                }
                continue;
            }
            if (!execution.getStatus().isRunning() || System.nanoTime() >= deadline || !sleep(POLL)) {
                return execution;
            }
        }
    }

    private static boolean sleep(Duration pause) {
        try {
            Thread.sleep(pause.toMillis());
            return true;
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
