package dev.besworker.serve;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.dao.EmptyResultDataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;

import dev.besworker.definition.DefinitionException;
import dev.besworker.definition.JobDefinition;
import dev.besworker.pipeline.RunKeys;
import dev.besworker.pipeline.ScoringEnvironment;
import dev.besworker.secrets.Redactor;
import dev.besworker.staging.BlobStaging;

/**
 * Removes what is older than a limit: job instances whose executions all ended before it (with
 * their executions, steps, contexts and the run logs serve kept of them), the staging blobs those
 * executions left, the console's audit entries, and files in the inboxes' {@code done/} folders. Never touches anything younger than the limit, executions
 * without an end (running, or left by a crash: abandon them first), nor {@code failed/} folders
 * (a failed file is evidence someone has to act on). An instance whose staging blobs cannot be
 * deleted now (storage unreachable) is kept, so that a later purge tries again.
 */
public final class Retention {

    private static final Logger log = LoggerFactory.getLogger(Retention.class);

    private static final String OLD_INSTANCES = """
            SELECT i.JOB_INSTANCE_ID FROM BATCH_JOB_INSTANCE i
            WHERE EXISTS (SELECT 1 FROM BATCH_JOB_EXECUTION e WHERE e.JOB_INSTANCE_ID = i.JOB_INSTANCE_ID)
              AND NOT EXISTS (SELECT 1 FROM BATCH_JOB_EXECUTION e WHERE e.JOB_INSTANCE_ID = i.JOB_INSTANCE_ID
                              AND (e.END_TIME IS NULL OR e.END_TIME >= ?))
            ORDER BY i.JOB_INSTANCE_ID
            """;

    /**
     * What a purge removed (or, for a dry run, would remove).
     *
     * @param cutoff everything older than this
     * @param executions executions removed
     * @param blobs staging blobs deleted
     * @param doneFiles files removed from done/ folders
     * @param auditEntries console audit entries removed
     * @param kept why some old executions were kept, one line each
     * @param dryRun whether nothing was actually removed
     */
    public record Report(Instant cutoff, int executions, int blobs, int doneFiles, int auditEntries, List<String> kept,
            boolean dryRun) {

        /** One line for the log and the command line. */
        public String summary() {
            String verb = dryRun ? "would remove" : "removed";
            return "purge of everything before " + cutoff + ": " + verb + " " + executions + " execution(s), "
                    + blobs + " staging blob(s), " + doneFiles + " file(s) in done/, " + auditEntries
                    + " console audit entr" + (auditEntries == 1 ? "y" : "ies")
                    + (kept.isEmpty() ? "" : "; kept " + kept.size() + " old execution(s) (see the log)");
        }
    }

    private final JdbcTemplate jdbc;
    private final JobRepository jobRepository;
    private final ScoringEnvironment environment;
    private final Clock clock;

    public Retention(JdbcTemplate jdbc, JobRepository jobRepository, ScoringEnvironment environment, Clock clock) {
        this.jdbc = jdbc;
        this.jobRepository = jobRepository;
        this.environment = environment;
        this.clock = clock;
    }

    /**
     * Purges what is older than {@code olderThan}.
     *
     * @param doneFolders the inboxes' done/ folders
     * @param dryRun only count what would go
     */
    public Report purge(Duration olderThan, List<Path> doneFolders, boolean dryRun) {
        Instant cutoff = clock.instant().minus(olderThan);
        LocalDateTime cutoffLocal = LocalDateTime.ofInstant(cutoff, ZoneId.systemDefault());
        List<Long> instanceIds = jdbc.queryForList(OLD_INSTANCES, Long.class, Timestamp.valueOf(cutoffLocal));
        Map<String, BlobStaging> stagings = new HashMap<>();
        List<String> kept = new ArrayList<>();
        int executions = 0;
        int blobs = 0;
        try {
            for (long instanceId : instanceIds) {
                JobInstance instance;
                try {
                    instance = jobRepository.getJobInstance(instanceId);
                }
                catch (EmptyResultDataAccessException ex) {
                    // purged meanwhile by another purge (serve's daily one and the command, say)
                    continue;
                }
                if (instance == null) {
                    continue;
                }
                List<JobExecution> instanceExecutions = jobRepository.getJobExecutions(instance);
                try {
                    int deleted = deleteBlobs(instanceExecutions, stagings, dryRun);
                    if (!dryRun) {
                        for (JobExecution execution : instanceExecutions) {
                            jdbc.update("DELETE FROM BES_WORKER_RUN_LOG WHERE JOB_EXECUTION_ID = ?", execution.getId());
                        }
                        jobRepository.deleteJobInstance(instance);
                    }
                    blobs += deleted;
                    executions += instanceExecutions.size();
                }
                catch (RuntimeException ex) {
                    String ids = instanceExecutions.stream().map(e -> String.valueOf(e.getId())).toList().toString();
                    String reason = "execution(s) " + ids + " kept: " + Redactor.scrub(String.valueOf(ex.getMessage()));
                    kept.add(reason);
                    log.warn("purge: {}", reason);
                }
            }
        }
        finally {
            stagings.values().forEach(BlobStaging::close);
        }
        int doneFiles = purgeDone(doneFolders, cutoff, dryRun);
        int auditEntries = purgeAudit(cutoff, dryRun);
        Report report = new Report(cutoff, executions, blobs, doneFiles, auditEntries, kept, dryRun);
        log.info(report.summary());
        return report;
    }

    private int deleteBlobs(List<JobExecution> executions, Map<String, BlobStaging> stagings, boolean dryRun) {
        Map<String, Set<String>> blobsByDefinition = new HashMap<>();
        for (JobExecution execution : executions) {
            String definition = execution.getJobParameters().getString(RunKeys.DEFINITION);
            execution.getExecutionContext().entrySet().stream()
                    .filter(e -> e.getKey().startsWith(RunKeys.STAGING_BLOB) || e.getKey().startsWith(RunKeys.STAGING_OUTPUT))
                    .forEach(e -> blobsByDefinition.computeIfAbsent(definition, d -> new LinkedHashSet<>())
                            .add(String.valueOf(e.getValue())));
        }
        if (dryRun) {
            return blobsByDefinition.values().stream().mapToInt(Set::size).sum();
        }
        int deleted = 0;
        for (Map.Entry<String, Set<String>> entry : blobsByDefinition.entrySet()) {
            BlobStaging staging = staging(entry.getKey(), stagings);
            if (staging == null) {
                log.warn("purge: definition '{}' is gone; its staging blobs {} are left for you to delete",
                        entry.getKey(), entry.getValue());
                continue;
            }
            for (String blob : entry.getValue()) {
                staging.delete(blob);
                deleted++;
            }
        }
        return deleted;
    }

    /** The staging of a definition, or null if the definition no longer exists. */
    private BlobStaging staging(String definition, Map<String, BlobStaging> stagings) {
        if (stagings.containsKey(definition)) {
            return stagings.get(definition);
        }
        JobDefinition raw;
        try {
            raw = environment.rawDefinition(definition);
        }
        catch (DefinitionException ex) {
            stagings.put(definition, null);
            return null;
        }
        BlobStaging staging = environment.openStaging(environment.effective(raw));
        stagings.put(definition, staging);
        return staging;
    }

    private int purgeAudit(Instant cutoff, boolean dryRun) {
        Integer count = dryRun
                ? jdbc.queryForObject("SELECT COUNT(*) FROM BES_WORKER_CONSOLE_AUDIT WHERE AT_MILLIS < ?", Integer.class,
                        cutoff.toEpochMilli())
                : Integer.valueOf(jdbc.update("DELETE FROM BES_WORKER_CONSOLE_AUDIT WHERE AT_MILLIS < ?",
                        cutoff.toEpochMilli()));
        return count == null ? 0 : count;
    }

    private static int purgeDone(List<Path> doneFolders, Instant cutoff, boolean dryRun) {
        int removed = 0;
        for (Path folder : doneFolders) {
            if (!Files.isDirectory(folder)) {
                continue;
            }
            try (Stream<Path> files = Files.list(folder)) {
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    if (Files.getLastModifiedTime(file).toInstant().isBefore(cutoff)) {
                        if (!dryRun) {
                            Files.deleteIfExists(file);
                        }
                        removed++;
                    }
                }
            }
            catch (IOException ex) {
                log.warn("purge: cannot clean {}: {}", folder, ex.getMessage());
            }
        }
        return removed;
    }
}
