package dev.besworker.ops;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.launch.JobExecutionAlreadyRunningException;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.repository.JobRepository;

import dev.besworker.bes.BesClient;
import dev.besworker.definition.JobDefinition;
import dev.besworker.pipeline.RunKeys;
import dev.besworker.pipeline.RunLogListener;
import dev.besworker.pipeline.ScoringEnvironment;

/**
 * Stopping and abandoning an execution, wherever it runs: the one implementation behind
 * {@code stop} and {@code abandon} on the command line and in the console. The callers check the
 * state first and say what happened in their own words; this class does it.
 */
public class OperatorActions {

    private static final Logger log = LoggerFactory.getLogger(OperatorActions.class);

    /**
     * How a stop went.
     *
     * @param requested true if a live worker was asked to stop it (it ends STOPPED shortly); false
     *        if no live worker ran it and it was taken over and marked FAILED instead
     * @param execution the execution as it stands after the take-over, or as given
     */
    public record Stop(boolean requested, JobExecution execution) {
    }

    /** What became of an abandoned execution's BES job. */
    public enum Cancel {
        /** It had none (it never got as far as submitting). */
        NO_JOB,
        /** It ran in an embedded emulator, which ended with its run. */
        EMBEDDED,
        CANCELLED,
        /** Cancelling failed; reported, not fatal: an abandoned job is never started again. */
        FAILED
    }

    /**
     * An abandoned execution and its BES job.
     *
     * @param jobId the BES job id, null for {@link Cancel#NO_JOB}
     * @param failure why cancelling failed, for {@link Cancel#FAILED}
     */
    public record Abandoned(long executionId, String jobId, Cancel cancel, String failure) {
    }

    private final JobRepository jobRepository;
    private final JobOperator jobOperator;
    private final ExecutionOwners owners;
    private final ScoringEnvironment environment;

    public OperatorActions(JobRepository jobRepository, JobOperator jobOperator, ExecutionOwners owners,
            ScoringEnvironment environment) {
        this.jobRepository = jobRepository;
        this.jobOperator = jobOperator;
        this.owners = owners;
        this.environment = environment;
    }

    /**
     * Stops a running execution: asks the live worker that runs it (through its owner row, so that
     * only the owner writes it), or, when none does, takes it over and marks it FAILED.
     *
     * @throws dev.besworker.pipeline.OwnedExecutionException if a live worker turned out to own it
     */
    public Stop stop(JobExecution execution) {
        if (owners.requestStop(execution.getId())) {
            return new Stop(true, execution);
        }
        return new Stop(false, owners.takeOver(execution));
    }

    /**
     * Gives an execution up for good: takes it over if it is still marked running (the caller has
     * made sure no live worker runs it), cancels its BES job and marks it ABANDONED.
     *
     * @throws dev.besworker.pipeline.OwnedExecutionException if a live worker turned out to own it
     */
    public Abandoned abandon(JobExecution execution) {
        long executionId = execution.getId();
        JobExecution ready = execution.getStatus().isRunning() ? owners.takeOver(execution) : execution;
        Abandoned abandoned = cancelRemoteJob(ready);
        try {
            jobOperator.abandon(jobRepository.getJobExecution(executionId));
        }
        catch (JobExecutionAlreadyRunningException ex) {
            throw new IllegalStateException(ex.getMessage(), ex);
        }
        return abandoned;
    }

    private Abandoned cancelRemoteJob(JobExecution execution) {
        long executionId = execution.getId();
        String jobId = execution.getExecutionContext().getString(RunKeys.BES_JOB_ID, null);
        if (jobId == null) {
            return new Abandoned(executionId, null, Cancel.NO_JOB, null);
        }
        JobDefinition definition = environment.rawDefinition(execution.getJobParameters().getString(RunKeys.DEFINITION));
        if (definition.bes().embedded()) {
            log.info("BES job {} ran in an embedded emulator, which ended with its run; nothing to cancel", jobId);
            return new Abandoned(executionId, jobId, Cancel.EMBEDDED, null);
        }
        try (BesClient bes = environment.openBes(definition)) {
            bes.cancel(jobId);
            return new Abandoned(executionId, jobId, Cancel.CANCELLED, null);
        }
        catch (RuntimeException ex) {
            String reason = RunLogListener.reason(ex);
            log.warn("could not cancel BES job {}: {}", jobId, reason);
            return new Abandoned(executionId, jobId, Cancel.FAILED, reason);
        }
    }
}
