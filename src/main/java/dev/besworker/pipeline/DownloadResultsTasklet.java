package dev.besworker.pipeline;

import java.io.IOException;
import java.net.URI;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.StepContribution;

import dev.besworker.bes.BesClient;
import dev.besworker.bes.BlobReference;
import dev.besworker.definition.CredentialsToBes;
import dev.besworker.definition.JobDefinition;
import dev.besworker.secrets.Secret;
import dev.besworker.staging.BlobStaging;
import dev.besworker.staging.ResultDownloader;
import dev.besworker.staging.SafeNames;
import dev.besworker.staging.SasExpiredException;
import dev.besworker.staging.TransferException;

/**
 * Step 6: copies every result through the SAS URL BES gave (the result may live in storage the
 * worker has no key for) into a temporary file beside its final name, then moves it there
 * atomically: a final output path never holds a partial file, and a restart after a crash
 * reuses the temporary file's name, so none is left behind. Result URLs are fetched fresh
 * from BES rather than stored, since they carry a SAS. When BES's SAS is refused even after a
 * fresh status, a result in the worker's own container is read with the worker's credentials.
 */
class DownloadResultsTasklet extends ScoringTasklet implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DownloadResultsTasklet.class);

    private final BesClient bes;
    private final BlobStaging staging;
    private final ResultDownloader downloader;

    DownloadResultsTasklet(JobDefinition definition, JobRepository jobRepository, BesClient bes,
            BlobStaging staging, ResultDownloader downloader, StopFlag stop) {
        super(definition, jobRepository, stop);
        this.bes = bes;
        this.staging = staging;
        this.downloader = downloader;
    }

    @Override
    protected void execute(RunState state, JobParameters parameters, StepContribution contribution) throws Exception {
        String jobId = state.get(RunKeys.BES_JOB_ID).orElseThrow();
        List<InputFile> inputs = InputFile.fromParameters(parameters, definition);
        Path outputDir = Path.of(parameters.getString(RunKeys.OUTPUT_DIR, definition.outputDir().toString()));
        Files.createDirectories(outputDir);
        Map<String, BlobReference> results = null;
        for (String output : definition.outputs()) {
            Path target = SafeNames.outputPath(outputDir, inputs.get(0).stem(), output);
            String doneKey = RunKeys.DOWNLOADED + output;
            if (state.get(doneKey).map(p -> Files.exists(Path.of(p))).orElse(false)) {
                log.info("{}: already downloaded to {}", output, target);
                continue;
            }
            if (results == null) {
                results = bes.status(jobId).results();
            }
            // Named after the job instance, not the execution: the restart of a killed run writes
            // over the partial file the dead process left instead of leaving it behind for good.
            long instance = state.jobExecution().getJobInstance().getInstanceId();
            Path partial = target.resolveSibling("." + target.getFileName() + "." + instance + ".part");
            Progress progress = new Progress(log, "download " + output);
            long bytes;
            try {
                bytes = downloader.download(readUrl(result(results, output, jobId), output, state), partial, progress,
                        this::stopRequested);
            }
            catch (SasExpiredException expired) {
                log.warn("{}: the result's SAS was refused ({}); asking BES for a fresh one", output,
                        expired.getMessage());
                results = bes.status(jobId).results();
                bytes = downloadAgain(result(results, output, jobId), output, partial, progress, state);
            }
            checkStop("while downloading " + output);
            moveAtomically(partial, target);
            state.put(doneKey, target.toString());
            contribution.incrementWriteCount(1);
            progress.done("wrote " + target + ",", bytes);
        }
    }

    /**
     * Where to read a result from. When BES got SAS tokens and the result is the blob this run
     * named in its own container, a fresh read-only SAS of the worker's own signs it: the token
     * the run gave BES for it allows writing only, and a service may hand that very token back
     * as the result's, which would cost a refused request, a second status call and the slower
     * fallback. Anything else (and every result when BES got the connection string and signs its
     * own read tokens) is read through the URL BES gave.
     */
    private URI readUrl(BlobReference result, String output, RunState state) {
        if (definition.storage().credentialsToBes() != CredentialsToBes.SAS) {
            return result.resultUri();
        }
        String ownBlob = state.get(RunKeys.STAGING_OUTPUT + output).orElse(null);
        String relative = result.relativeLocation() == null ? null : result.relativeLocation().strip().replaceFirst("^/", "");
        String base = result.baseLocation() == null ? null : result.baseLocation().strip();
        if (ownBlob != null && staging.relativeLocation(ownBlob).equals(relative) && staging.baseLocation().equals(
                base == null || base.endsWith("/") ? base : base + "/")) {
            try {
                Secret sas = staging.sasToken(ownBlob, false, OffsetDateTime.now(ZoneOffset.UTC).plusHours(2));
                return new BlobReference(null, staging.relativeLocation(ownBlob), staging.baseLocation(), sas).resultUri();
            }
            catch (TransferException ex) {
                log.debug("{}: cannot sign a read SAS of our own ({}); using the URL BES gave", output, ex.getMessage());
            }
        }
        return result.resultUri();
    }

    private long downloadAgain(BlobReference result, String output, Path partial, Progress progress, RunState state)
            throws IOException {
        try {
            return downloader.download(result.resultUri(), partial, progress, this::stopRequested);
        }
        catch (SasExpiredException stillExpired) {
            String ownBlob = state.get(RunKeys.STAGING_OUTPUT + output).orElse(null);
            String container = definition.storage().container() + "/";
            String relative = result.relativeLocation() == null ? "" : result.relativeLocation().replaceFirst("^/", "");
            if (ownBlob != null && relative.startsWith(container)) {
                log.warn("{}: BES's SAS is still refused; reading the result from the worker's own container", output);
                return readOwn(relative.substring(container.length()), partial, progress);
            }
            throw new RemoteJobException("the result '" + output + "' cannot be read: BES's SAS was refused even "
                    + "after a fresh status, and the result is not in the worker's container. Restart to try again; "
                    + "if it keeps failing, the results have expired and the run must be scored again (run --force)");
        }
    }

    /**
     * Reads a result in the worker's own container through a URL it signs itself, so that the
     * same stop-aware, MD5-checking downloader serves it: a stop ends the transfer within a
     * second instead of after the whole result.
     */
    private long readOwn(String blobName, Path partial, Progress progress) {
        // With the account key the URL carries a SAS signed here; with a SAS connection string, that SAS.
        Secret url = staging.readUrl(blobName, OffsetDateTime.now(ZoneOffset.UTC).plusHours(1));
        return downloader.download(URI.create(url.reveal()), partial, progress, this::stopRequested);
    }

    private static BlobReference result(Map<String, BlobReference> results, String output, String jobId) {
        BlobReference reference = results.get(output);
        if (reference == null) {
            throw new RemoteJobException("BES job " + jobId + " finished without a result named '" + output
                    + "' (it gave " + results.keySet() + "); check the definition's outputs");
        }
        return reference;
    }

    static void moveAtomically(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        catch (AtomicMoveNotSupportedException ex) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    @Override
    public void close() {
        bes.close();
        staging.close();
    }

}
