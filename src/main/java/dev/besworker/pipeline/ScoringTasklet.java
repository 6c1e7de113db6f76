package dev.besworker.pipeline;

import java.time.Duration;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobInterruptedException;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.core.step.tasklet.StoppableTasklet;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;
import org.springframework.beans.factory.annotation.Autowired;

import dev.besworker.bes.BesException;
import dev.besworker.definition.JobDefinition;
import dev.besworker.staging.TransferStoppedException;

/**
 * What every scoring step shares: its definition, the run's write-through state, and a stop
 * flag that long waits and transfers check, so that a stop request ends the step STOPPED
 * (restartable) within a second or so instead of at the end of a six-hour poll.
 */
abstract class ScoringTasklet implements StoppableTasklet {

    protected final JobDefinition definition;
    private final JobRepository jobRepository;
    private final StopFlag stopFlag;
    private ExecutionGuard guard = ExecutionGuard.NONE;
    private volatile long executionId = -1;

    ScoringTasklet(JobDefinition definition, JobRepository jobRepository) {
        this(definition, jobRepository, new StopFlag());
    }

    /** With the stop flag that the step's clients also watch. */
    ScoringTasklet(JobDefinition definition, JobRepository jobRepository, StopFlag stopFlag) {
        this.definition = definition;
        this.jobRepository = jobRepository;
        this.stopFlag = stopFlag;
    }

    /**
     * The owner records, when there are any (a setter rather than a constructor argument: it
     * reaches every step's tasklet without threading it through each step-scoped bean).
     */
    @Autowired(required = false)
    void guardedBy(ExecutionGuard guard) {
        this.guard = guard;
    }

    @Override
    public RepeatStatus execute(StepContribution contribution, ChunkContext chunkContext) throws Exception {
        StepExecution stepExecution = chunkContext.getStepContext().getStepExecution();
        executionId = stepExecution.getJobExecutionId();
        // A stop may also arrive as a flag on the live step or job execution (ExecutionOwners).
        stopFlag.alsoWhen(() -> stepExecution.isTerminateOnly() || stepExecution.getJobExecution().isStopping());
        fence("before step " + stepExecution.getStepName());
        RunState state = new RunState(stepExecution.getJobExecution(), jobRepository, guard);
        try {
            execute(state, stepExecution.getJobParameters(), contribution);
        }
        catch (TransferStoppedException ex) {
            throw new JobInterruptedException(ex.getMessage() + "; restart resumes from here", BatchStatus.STOPPED);
        }
        catch (OwnedExecutionException ex) {
            // A state write refused because another worker took the execution over: this worker
            // stands down (STOPPED here, as at a check before a remote call), it did not fail.
            throw new JobInterruptedException(ex.getMessage(), BatchStatus.STOPPED);
        }
        catch (BesException ex) {
            if (ex.wasInterrupted() && stopRequested()) {
                throw new JobInterruptedException("stopped while waiting to retry a BES call; restart resumes from here",
                        BatchStatus.STOPPED);
            }
            throw ex;
        }
        finally {
            if (stopRequested()) {
                // A stop wakes a BES retry wait by interrupting it, and the client re-asserts the
                // interrupt. Left set, it would fail the repository write that records the stop:
                // H2 closes its file when an interrupted thread writes to it.
                Thread.interrupted();
            }
        }
        return RepeatStatus.FINISHED;
    }

    /** The step's work; throw to fail it, {@link #checkStop(String)} to stop it. */
    protected abstract void execute(RunState state, JobParameters parameters, StepContribution contribution)
            throws Exception;

    @Override
    public void stop() {
        stopFlag.request();
    }

    /** Whether this step was asked to stop, by this process or through the job repository. */
    protected boolean stopRequested() {
        return stopFlag.getAsBoolean();
    }

    /**
     * Ends the step STOPPED, saying where it was, if a stop was requested, or if another worker
     * has taken the execution over (checked in the database: called before remote calls).
     */
    protected void checkStop(String where) throws JobInterruptedException {
        if (stopRequested()) {
            throw new JobInterruptedException("stopped " + where + "; restart resumes from here", BatchStatus.STOPPED);
        }
        fence(where);
    }

    /** Stands down, writing nothing more, when this worker no longer owns the execution. */
    private void fence(String where) throws JobInterruptedException {
        if (executionId >= 0 && !guard.stillOwns(executionId)) {
            throw new JobInterruptedException("execution " + executionId + " was taken over by another worker; "
                    + "this worker stood down " + where, BatchStatus.STOPPED);
        }
    }

    /** Sleeps, waking early for a stop request; returns false if it was woken by one. */
    protected boolean sleepUnlessStopped(Duration duration) throws InterruptedException {
        long deadline = System.nanoTime() + duration.toNanos();
        while (System.nanoTime() < deadline) {
            if (stopRequested()) {
                return false;
            }
            long left = deadline - System.nanoTime();
            Thread.sleep(Math.max(1, Math.min(200, left / 1_000_000)));
        }
        return !stopRequested();
    }
}
