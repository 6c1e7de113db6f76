package dev.besworker.pipeline;

import java.util.Base64;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.StepContribution;

import dev.besworker.definition.JobDefinition;
import dev.besworker.staging.BlobStaging;
import dev.besworker.staging.PrestagedBlocks;
import dev.besworker.staging.UploadResult;

/**
 * Step 2: each input goes to the definition's container as
 * {@code <definition>/<run date>/<content hash>/<file name>}, with a whole-blob Content-MD5.
 * The name goes into the ExecutionContext before the first byte moves, so that a restart
 * finds the same blob; a blob already there with the same MD5 is not uploaded again.
 */
class UploadInputTasklet extends ScoringTasklet implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(UploadInputTasklet.class);

    private final BlobStaging staging;

    UploadInputTasklet(JobDefinition definition, JobRepository jobRepository, BlobStaging staging) {
        super(definition, jobRepository);
        this.staging = staging;
    }

    @Override
    protected void execute(RunState state, JobParameters parameters, StepContribution contribution) throws Exception {
        String runDate = state.get(RunKeys.RUN_DATE).orElseThrow();
        for (InputFile input : InputFile.fromParameters(parameters, definition)) {
            String key = RunKeys.STAGING_BLOB + input.name();
            PrestagedBlocks prestaged = PrestagedBlocks.decode(
                    parameters.getString(RunKeys.inputKey(input.name(), RunKeys.PRESTAGED)));
            String blobName = state.get(key).orElse(null);
            if (blobName == null) {
                // Blocks staged while the launcher validated the file name the blob they belong to.
                blobName = prestaged != null ? prestaged.blobName() : input.blobName(definition.name(), runDate);
                state.put(key, blobName);
            }
            byte[] md5 = Base64.getDecoder().decode(input.md5());
            if (!input.unchangedOnDisk() && !staging.exists(blobName)) {
                throw input.changedSinceStart();
            }
            Progress progress = new Progress(log, "upload " + input.name());
            UploadResult result = staging.upload(input.path(), blobName, md5, prestaged, progress, this::stopRequested);
            checkStop("while uploading " + input.path());
            progress.done(result.skipped() ? "already in storage, not sent again:"
                    : result.committedAhead() ? "sent while validating, committed now:" : "uploaded", result.bytes());
            log.info("{}: staged as {}", input.name(), staging.relativeLocation(blobName));
        }
    }

    @Override
    public void close() {
        staging.close();
    }
}
