package dev.besworker.pipeline;

import java.time.Instant;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.StepContribution;

import dev.besworker.bes.BesClient;
import dev.besworker.bes.BesException;
import dev.besworker.definition.JobDefinition;

/**
 * Step 4: starts the submitted BES job. A start that BES refuses because the job already runs
 * (a crash between the start and its checkpoint) counts as started.
 */
class StartJobTasklet extends ScoringTasklet implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(StartJobTasklet.class);

    private final BesClient bes;

    StartJobTasklet(JobDefinition definition, JobRepository jobRepository, BesClient bes, StopFlag stop) {
        super(definition, jobRepository, stop);
        this.bes = bes;
    }

    @Override
    protected void execute(RunState state, JobParameters parameters, StepContribution contribution) throws Exception {
        String jobId = state.get(RunKeys.BES_JOB_ID).orElseThrow(
                () -> new IllegalStateException("no BES job id recorded; the submit step did not finish"));
        if (state.has(RunKeys.BES_STARTED)) {
            log.info("BES job {} was started earlier; not starting again", jobId);
            return;
        }
        try {
            bes.start(jobId);
            log.info("started BES job {}", jobId);
        }
        catch (BesException ex) {
            if (!BesClient.isAlreadyStarted(ex)) {
                throw ex;
            }
            log.info("BES says job {} is already past NotStarted ({}); counting it as started", jobId, ex.getMessage());
        }
        state.put(RunKeys.BES_STARTED, Instant.now().toString());
    }

    @Override
    public void close() {
        bes.close();
    }
}
