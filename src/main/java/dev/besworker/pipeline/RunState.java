package dev.besworker.pipeline;

import java.util.Optional;

import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.infrastructure.item.ExecutionContext;

/**
 * The job-level ExecutionContext of one run, written through to the job repository at once:
 * a remote id recorded here survives a crash one instruction later. Values are plain strings,
 * never secrets.
 */
public final class RunState {

    private final JobExecution jobExecution;
    private final JobRepository jobRepository;
    private final ExecutionGuard guard;

    public RunState(JobExecution jobExecution, JobRepository jobRepository) {
        this(jobExecution, jobRepository, ExecutionGuard.NONE);
    }

    /** Writes only while the guard says this worker still owns the execution. */
    public RunState(JobExecution jobExecution, JobRepository jobRepository, ExecutionGuard guard) {
        this.jobExecution = jobExecution;
        this.jobRepository = jobRepository;
        this.guard = guard;
    }

    public Optional<String> get(String key) {
        ExecutionContext context = jobExecution.getExecutionContext();
        return context.containsKey(key) ? Optional.ofNullable(context.getString(key)) : Optional.empty();
    }

    public boolean has(String key) {
        return jobExecution.getExecutionContext().containsKey(key);
    }

    /** Records the value and persists the job's context before returning. */
    public void put(String key, String value) {
        checkOwned();
        jobExecution.getExecutionContext().putString(key, value);
        jobRepository.updateExecutionContext(jobExecution);
    }

    /** Forgets the keys and persists the job's context before returning. */
    public void remove(String... keys) {
        checkOwned();
        for (String key : keys) {
            jobExecution.getExecutionContext().remove(key);
        }
        jobRepository.updateExecutionContext(jobExecution);
    }

    /** Refuses the write when another worker has taken the execution over. */
    private void checkOwned() {
        if (!guard.stillOwns(jobExecution.getId())) {
            throw OwnedExecutionException.because(jobExecution.getId(), "execution " + jobExecution.getId()
                    + " was taken over by another worker; this worker stood down and did not write it");
        }
    }

    public JobExecution jobExecution() {
        return jobExecution;
    }

    public long executionId() {
        return jobExecution.getId();
    }
}
