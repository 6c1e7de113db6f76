package dev.besworker.pipeline;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.job.parameters.JobParameter;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.StepContribution;

import dev.besworker.bes.BatchJobRequest;
import dev.besworker.bes.BesClient;
import dev.besworker.bes.BesException;
import dev.besworker.bes.BesJobStatus;
import dev.besworker.bes.BlobReference;
import dev.besworker.definition.CredentialsToBes;
import dev.besworker.definition.JobDefinition;
import dev.besworker.secrets.Secret;
import dev.besworker.staging.BlobStaging;
import dev.besworker.staging.SafeNames;

/**
 * Step 3: submits the BES job and records its id in the ExecutionContext the moment BES
 * answers. A run that already holds a job id BES still knows is not submitted again; one
 * whose job BES has forgotten (404: an emulator restarted, a job removed) is.
 * <p>
 * The one window no client can close: BES has no idempotency key, so a crash after BES
 * accepted the submit and before the id is written leaves a NotStarted job behind and the
 * restart submits another. That orphan is never started: at most one started job per run.
 */
class SubmitJobTasklet extends ScoringTasklet implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SubmitJobTasklet.class);

    private final BesClient bes;
    private final BlobStaging staging;

    SubmitJobTasklet(JobDefinition definition, JobRepository jobRepository, BesClient bes, BlobStaging staging, StopFlag stop) {
        super(definition, jobRepository, stop);
        this.bes = bes;
        this.staging = staging;
    }

    @Override
    protected void execute(RunState state, JobParameters parameters, StepContribution contribution) throws Exception {
        String existing = state.get(RunKeys.BES_JOB_ID).orElse(null);
        if (existing != null) {
            try {
                BesJobStatus status = bes.status(existing);
                log.info("BES job {} was submitted earlier ({}); not submitting again", existing, status.state());
                return;
            }
            catch (BesException ex) {
                if (!ex.isNotFound()) {
                    throw ex;
                }
                log.warn("BES no longer knows job {} (404); submitting the run again", existing);
                state.remove(RunKeys.BES_JOB_ID, RunKeys.BES_STARTED, RunKeys.BES_LAST_STATE);
            }
        }
        BatchJobRequest request = request(state, parameters);
        checkStop("before submitting");
        int submission = Integer.parseInt(state.get(RunKeys.BES_SUBMISSIONS).orElse("0")) + 1;
        String jobId;
        try {
            jobId = bes.submit(request);
        }
        catch (BesException ex) {
            if (ex.submitOutcomeUnknown()) {
                throw new RemoteJobException("the submit's answer was lost (" + ex.getMessage() + "): BES may or may "
                        + "not have created a job, and it offers no way to ask. A restart submits again; a job the lost "
                        + "submit may have created stays NotStarted and is never started");
            }
            throw ex;
        }
        state.put(RunKeys.BES_JOB_ID, jobId);
        state.put(RunKeys.BES_SUBMISSIONS, Integer.toString(submission));
        log.info("submitted BES job {} (submission {} of this run)", jobId, submission);
    }

    private BatchJobRequest request(RunState state, JobParameters parameters) {
        String runDate = state.get(RunKeys.RUN_DATE).orElseThrow();
        List<InputFile> inputs = InputFile.fromParameters(parameters, definition);
        // SAS must outlive the queue wait and the whole poll timeout, which can both be hours.
        OffsetDateTime expiry = OffsetDateTime.now(ZoneOffset.UTC).plus(definition.poll().timeout()).plusHours(2);
        Map<String, BlobReference> inputRefs = new LinkedHashMap<>();
        for (InputFile input : inputs) {
            String blob = state.get(RunKeys.STAGING_BLOB + input.name()).orElseThrow();
            inputRefs.put(input.name(), reference(blob, false, expiry));
        }
        String stem = SafeNames.blobSegment(inputs.get(0).stem());
        Map<String, BlobReference> outputRefs = new LinkedHashMap<>();
        for (String output : definition.outputs()) {
            String blob = definition.name() + "/" + runDate + "/" + inputs.get(0).sha256().substring(0, 16)
                    + "/results/" + state.executionId() + "/" + stem + "." + SafeNames.blobSegment(output) + ".csv";
            state.put(RunKeys.STAGING_OUTPUT + output, blob);
            outputRefs.put(output, reference(blob, true, expiry));
        }
        return new BatchJobRequest(inputRefs, outputRefs, globalParameters(definition, parameters));
    }

    private BlobReference reference(String blobName, boolean write, OffsetDateTime expiry) {
        String relative = staging.relativeLocation(blobName);
        if (definition.storage().credentialsToBes() == CredentialsToBes.CONNECTION_STRING) {
            return new BlobReference(staging.connectionString(), relative, null, null);
        }
        Secret sas = staging.sasToken(blobName, write, expiry);
        return new BlobReference(null, relative, staging.baseLocation(), sas);
    }

    /** The definition's global parameters with the run's {@code --param} values over them. */
    static Map<String, String> globalParameters(JobDefinition definition, JobParameters parameters) {
        Map<String, String> values = new LinkedHashMap<>(definition.globalParameters());
        for (JobParameter<?> parameter : parameters) {
            if (parameter.name().startsWith(RunKeys.PARAM_PREFIX)) {
                values.put(parameter.name().substring(RunKeys.PARAM_PREFIX.length()), String.valueOf(parameter.value()));
            }
        }
        return values;
    }

    @Override
    public void close() {
        bes.close();
        staging.close();
    }
}
