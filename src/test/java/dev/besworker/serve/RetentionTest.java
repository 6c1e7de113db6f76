package dev.besworker.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.jdbc.core.JdbcTemplate;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;

import dev.besworker.pipeline.RunKeys;
import dev.besworker.pipeline.ScoringEnvironment;
import dev.besworker.runs.ScoringRuns;
import dev.besworker.runs.ScoringRuns.RunOutcome;
import dev.besworker.runs.ScoringRuns.RunRequest;
import dev.besworker.support.WorkerFixture;

/**
 * {@code purge} (and serve's daily purge) on real runs: real Azurite, the emulator over HTTP, H2
 * in a file. What is older than the limit goes, with its blobs and run logs; nothing younger,
 * and never a {@code failed/} file.
 */
class RetentionTest {

    private static WorkerFixture fixture;

    @BeforeAll
    static void startServices() throws Exception {
        fixture = new WorkerFixture();
        fixture.definition("reviews");
    }

    @AfterAll
    static void stopServices() {
        fixture.close();
    }

    @Test
    void purge_removesRunsEndedBeforeTheLimit_withTheirBlobsAndRunLogs_andOldDoneFiles_butNoFailedFile()
            throws Exception {
        // given: two completed runs with run-log lines and staging blobs; done/ and failed/ files ten days old
        RunOutcome first = run("first.csv");
        RunOutcome second = run("second.csv");
        List<String> blobs = new ArrayList<>(stagingBlobs(first.executionId()));
        blobs.addAll(stagingBlobs(second.executionId()));
        assertThat(blobs).isNotEmpty().allMatch(blob -> container().getBlobClient(blob).exists());
        logLine(first.executionId());
        logLine(second.executionId());
        Path inbox = Files.createDirectories(fixture.root.resolve("inbox-" + System.nanoTime()));
        Path done = Files.createDirectories(inbox.resolve("done"));
        Path failed = Files.createDirectories(inbox.resolve("failed"));
        Path oldDone = aged(done.resolve("old.csv"), Duration.ofDays(10));
        Path oldFailed = aged(failed.resolve("old.csv"), Duration.ofDays(10));
        // two days from now, a limit of one day: both runs ended before it
        Retention retention = retention(Clock.offset(Clock.systemUTC(), Duration.ofDays(2)));

        // when: a dry run
        Retention.Report dry = retention.purge(Duration.ofDays(1), List.of(done), true);

        // then: it counts, and removes nothing
        assertThat(dry.dryRun()).isTrue();
        assertThat(dry.executions()).isGreaterThanOrEqualTo(2);
        assertThat(dry.blobs()).isGreaterThanOrEqualTo(blobs.size());
        assertThat(dry.doneFiles()).isEqualTo(1);
        assertThat(exists(first.executionId())).isTrue();
        assertThat(oldDone).exists();
        assertThat(blobs).allMatch(blob -> container().getBlobClient(blob).exists());

        // when
        Retention.Report report = retention.purge(Duration.ofDays(1), List.of(done), false);

        // then
        assertThat(report.kept()).isEmpty();
        assertThat(report.executions()).isGreaterThanOrEqualTo(2);
        assertThat(exists(first.executionId())).isFalse();
        assertThat(exists(second.executionId())).isFalse();
        assertThat(blobs).noneMatch(blob -> container().getBlobClient(blob).exists());
        assertThat(runLogLines(first.executionId()) + runLogLines(second.executionId())).isZero();
        assertThat(oldDone).doesNotExist();
        assertThat(oldFailed).as("a failed file is evidence someone must act on").exists();
        assertThat(first.outputs()).allMatch(Files::exists);
    }

    @Test
    void purge_keepsRunsThatEndedWithinTheLimit_andRemovesOnlyOlderAuditEntries() throws Exception {
        // given: a run that has just ended, and console audit entries of ten days ago and of now
        RunOutcome recent = run("recent.csv");
        long now = System.currentTimeMillis();
        long oldEntry = audit(now - Duration.ofDays(10).toMillis());
        long newEntry = audit(now);
        Path done = Files.createDirectories(fixture.root.resolve("done-" + System.nanoTime()));
        Path newDone = Files.writeString(done.resolve("new.csv"), "Id,Col2\n1,x\n");

        // when
        Retention.Report report = retention(Clock.systemUTC()).purge(Duration.ofDays(5), List.of(done), false);

        // then
        assertThat(exists(recent.executionId())).isTrue();
        assertThat(stagingBlobs(recent.executionId())).allMatch(blob -> container().getBlobClient(blob).exists());
        assertThat(newDone).exists();
        assertThat(report.auditEntries()).isGreaterThanOrEqualTo(1);
        assertThat(auditIds()).doesNotContain(oldEntry).contains(newEntry);
    }

    private static RunOutcome run(String name) throws Exception {
        Path input = fixture.input(name, "a good day", "a bad day");
        RunOutcome outcome = fixture.bean(ScoringRuns.class).run(new RunRequest("reviews",
                Collections.singletonMap(null, input), null, Map.of(), false));
        assertThat(outcome.status()).isEqualTo(BatchStatus.COMPLETED);
        return outcome;
    }

    private static Retention retention(Clock clock) {
        return new Retention(fixture.bean(JdbcTemplate.class), fixture.bean(JobRepository.class),
                fixture.bean(ScoringEnvironment.class), clock);
    }

    private static JobExecution execution(long id) {
        return fixture.bean(JobRepository.class).getJobExecution(id);
    }

    private static boolean exists(long executionId) {
        return fixture.bean(JdbcTemplate.class).queryForObject("SELECT COUNT(*) FROM BATCH_JOB_EXECUTION WHERE "
                + "JOB_EXECUTION_ID = ?", Integer.class, executionId) == 1;
    }

    /** The staging blobs the execution recorded (its input and its results). */
    private static List<String> stagingBlobs(long id) {
        return execution(id).getExecutionContext().entrySet().stream()
                .filter(e -> e.getKey().startsWith(RunKeys.STAGING_BLOB) || e.getKey().startsWith(RunKeys.STAGING_OUTPUT))
                .map(e -> String.valueOf(e.getValue())).toList();
    }

    private static BlobContainerClient container() {
        return new BlobServiceClientBuilder().connectionString(fixture.azurite.connectionString()).buildClient()
                .getBlobContainerClient("bes-staging");
    }

    private static void logLine(long executionId) {
        fixture.bean(JdbcTemplate.class).update("INSERT INTO BES_WORKER_RUN_LOG (JOB_EXECUTION_ID, AT_MILLIS, LEVEL, "
                + "THREAD, MESSAGE) VALUES (?, ?, 'INFO', 'main', 'step submit started')", executionId,
                System.currentTimeMillis());
    }

    private static int runLogLines(long executionId) {
        return fixture.bean(JdbcTemplate.class).queryForObject("SELECT COUNT(*) FROM BES_WORKER_RUN_LOG WHERE "
                + "JOB_EXECUTION_ID = ?", Integer.class, executionId);
    }

    private static long audit(long atMillis) {
        JdbcTemplate jdbc = fixture.bean(JdbcTemplate.class);
        jdbc.update("INSERT INTO BES_WORKER_CONSOLE_AUDIT (AT_MILLIS, USER_NAME, ACTION, TARGET, RESULT) VALUES "
                + "(?, 'operator', 'restart', 'execution 1', 'DONE')", atMillis);
        return jdbc.queryForObject("SELECT MAX(ID) FROM BES_WORKER_CONSOLE_AUDIT", Long.class);
    }

    private static List<Long> auditIds() {
        return fixture.bean(JdbcTemplate.class).queryForList("SELECT ID FROM BES_WORKER_CONSOLE_AUDIT", Long.class);
    }

    private static Path aged(Path file, Duration age) throws Exception {
        Files.writeString(file, "Id,Col2\n1,x\n");
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().minus(age)));
        return file;
    }
}
