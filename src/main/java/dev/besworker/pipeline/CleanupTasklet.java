package dev.besworker.pipeline;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.StepContribution;

import dev.besworker.bes.BesClient;
import dev.besworker.bes.BesException;
import dev.besworker.definition.JobDefinition;
import dev.besworker.staging.BlobStaging;

/**
 * Step 7: removes the finished BES job and, if the definition says so, the staging blobs. The
 * results are already safe on disk, so a cleanup that fails is logged and does not fail the run.
 */
class CleanupTasklet extends ScoringTasklet implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CleanupTasklet.class);

    private final BesClient bes;
    private final BlobStaging staging;

    CleanupTasklet(JobDefinition definition, JobRepository jobRepository, BesClient bes, BlobStaging staging, StopFlag stop) {
        super(definition, jobRepository, stop);
        this.bes = bes;
        this.staging = staging;
    }

    @Override
    protected void execute(RunState state, JobParameters parameters, StepContribution contribution) {
        state.get(RunKeys.BES_JOB_ID).ifPresent(jobId -> {
            try {
                bes.cancel(jobId);
                log.info("removed BES job {}", jobId);
            }
            catch (BesException ex) {
                log.warn("could not remove BES job {} ({}); it is finished and harmless", jobId, ex.getMessage());
            }
        });
        if (!definition.storage().deleteStagingBlobs()) {
            return;
        }
        for (var entry : state.jobExecution().getExecutionContext().entrySet()) {
            String key = entry.getKey();
            if (key.startsWith(RunKeys.STAGING_BLOB) || key.startsWith(RunKeys.STAGING_OUTPUT)) {
                String blob = String.valueOf(entry.getValue());
                try {
                    staging.delete(blob);
                    log.info("deleted staging blob {}", staging.relativeLocation(blob));
                }
                catch (RuntimeException ex) {
                    log.warn("could not delete staging blob {}: {}", blob, ex.getMessage());
                }
            }
        }
    }

    @Override
    public void close() {
        bes.close();
        staging.close();
    }
}
