package dev.besworker.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.jdbc.core.JdbcTemplate;

import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.models.BlobListDetails;
import com.azure.storage.blob.models.ListBlobsOptions;

import dev.besworker.ops.ExecutionOwners;
import dev.besworker.runs.ScoringRuns.PreparedRun;
import dev.besworker.runs.ScoringRuns.RunOutcome;
import dev.besworker.runs.ScoringRuns.RunRequest;
import dev.besworker.runs.ScoringRuns;
import dev.besworker.staging.InputRejectedException;
import dev.besworker.staging.PrestagedBlocks;
import dev.besworker.support.ScoredCsv;
import dev.besworker.support.WorkerFixture;

/**
 * The scoring job end to end, in process: real Azurite, the emulator over HTTP, H2 in a file.
 */
class ScoringPipelineTest {

    private static WorkerFixture fixture;

    @BeforeAll
    static void startServices() throws Exception {
        fixture = new WorkerFixture();
        fixture.definition("reviews");
        fixture.definition("short-timeout", "poll: {initial-interval: 100ms, max-interval: 200ms, timeout: 1s}");
        fixture.definition("keyed", "storage.credentials-to-bes: connection-string");
        fixture.definition("patient", "bes.retry: {max-attempts: 50, initial-backoff: 20s, max-backoff: 60s, budget: 30m}");
    }

    @AfterAll
    static void stopServices() {
        fixture.close();
    }

    @BeforeEach
    void resetEmulator() {
        fixture.admin.reset();
    }

    private static RunOutcome run(String definition, Path input) {
        return runs().run(new RunRequest(definition, single(input), null, Map.of(), false));
    }

    /** The inputs of a run of a one-input definition. */
    static Map<String, Path> single(Path input) {
        return java.util.Collections.singletonMap(null, input);
    }

    private static ScoringRuns runs() {
        return fixture.bean(ScoringRuns.class);
    }

    @Test
    void run_writesEveryInputColumnAndTheExactFeatureHashingCounts() throws Exception {
        // given
        Path input = fixture.input("good days.csv", "This is a good day", "", "naïve café — déjà vu",
                "tabs\tand  double  spaces", "A \"quoted\" word, and a comma", "multi\nline\ntext");

        // when
        RunOutcome outcome = run("reviews", input);

        // then
        assertThat(outcome.status()).isEqualTo(BatchStatus.COMPLETED);
        assertThat(outcome.outputs()).containsExactly(fixture.outputDir.resolve("good-days.output1.csv"));
        ScoredCsv.assertScored(input, outcome.outputs().get(0), "Col2", 3);
        assertThat(fixture.admin.counter("submits")).isEqualTo(1);
        assertThat(fixture.admin.counter("deletes")).as("the finished BES job is removed").isEqualTo(1);
        try (var stream = Files.list(fixture.outputDir)) {
            assertThat(stream.map(p -> p.getFileName().toString())).noneMatch(name -> name.endsWith(".part"));
        }
    }

    @Test
    void runAgainOnTheSameInput_reportsTheEarlierRun_withoutScoringTwice() throws Exception {
        // given
        Path input = fixture.input("twice.csv", "score me once");
        RunOutcome first = run("reviews", input);

        // when
        RunOutcome second = run("reviews", input);

        // then
        assertThat(second.earlier()).isTrue();
        assertThat(second.executionId()).isEqualTo(first.executionId());
        assertThat(second.outputs()).isEqualTo(first.outputs());
        assertThat(fixture.admin.counter("submits")).isEqualTo(1);
    }

    @Test
    void force_scoresTheSameInputAgain() throws Exception {
        // given
        Path input = fixture.input("forced.csv", "score me twice");
        RunOutcome first = run("reviews", input);

        // when
        RunOutcome forced = runs().run(new RunRequest("reviews", single(input), null,
                Map.of(), true));

        // then
        assertThat(forced.status()).isEqualTo(BatchStatus.COMPLETED);
        assertThat(forced.earlier()).isFalse();
        assertThat(forced.executionId()).isNotEqualTo(first.executionId());
        assertThat(fixture.admin.counter("submits")).isEqualTo(2);
    }

    @Test
    void remoteJobFailed_failsWithTheServiceDetails_andRestartSubmitsANewJob() throws Exception {
        // given
        fixture.admin.behaviour("{\"outcome\":\"fail\",\"failDetails\":\"Module: Reader; Error 1000: canary detail\",\"times\":1}");
        Path input = fixture.input("fails-once.csv", "a text");

        // when
        RunOutcome failed = run("reviews", input);
        RunOutcome restarted = runs().restart(failed.executionId());

        // then
        assertThat(failed.status()).isEqualTo(BatchStatus.FAILED);
        assertThat(RunLogListener.reason(failed.failure())).contains("failed").contains("Error 1000: canary detail");
        assertThat(restarted.status()).isEqualTo(BatchStatus.COMPLETED);
        assertThat(fixture.admin.counter("submits")).as("a failed remote job is submitted anew").isEqualTo(2);
        ScoredCsv.assertScored(input, restarted.outputs().get(0), "Col2", 3);
    }

    @Test
    void pollTimeout_cancelsTheRemoteJob_andFailsSayingSo() throws Exception {
        // given
        fixture.admin.behaviour("{\"outcome\":\"stuck-running\",\"times\":1}");
        Path input = fixture.input("stuck.csv", "never finishes");

        // when
        RunOutcome outcome = run("short-timeout", input);

        // then
        assertThat(outcome.status()).isEqualTo(BatchStatus.FAILED);
        assertThat(RunLogListener.reason(outcome.failure())).contains("did not finish within").contains("cancelled");
        assertThat(fixture.admin.counter("deletes")).isEqualTo(1);
        JobExecution execution = fixture.bean(JobRepository.class).getJobExecution(outcome.executionId());
        assertThat(execution.getExecutionContext().containsKey(RunKeys.BES_JOB_ID))
                .as("the cancelled job is forgotten so that a restart submits anew").isFalse();
    }

    @Test
    void expiredResultSas_isRefreshedFromAFreshStatus() throws Exception {
        // given: with key access the service signs its own read SAS for results, expired the first time
        // the await step spends the first expired status on seeing Finished; the download gets the second
        fixture.admin.behaviour("{\"expiredSas\":true,\"expiredSasCalls\":2,\"times\":1}");
        Path input = fixture.input("expired-sas.csv", "results behind an expired SAS");

        // when
        RunOutcome outcome = run("keyed", input);

        // then
        assertThat(outcome.status()).isEqualTo(BatchStatus.COMPLETED);
        ScoredCsv.assertScored(input, outcome.outputs().get(0), "Col2", 3);
        assertThat(fixture.admin.counter("statusCalls")).as("a status call after the refusal").isGreaterThanOrEqualTo(3);
    }

    @Test
    void stopWhilePolling_endsStopped_andRestartResumesPollingWithoutResubmitting() throws Exception {
        // given
        fixture.admin.behaviour("{\"jobDurationMillis\":3000,\"times\":1}");
        Path input = fixture.input("stopped.csv", "a slow job");
        JobRepository repository = fixture.bean(JobRepository.class);
        ExecutionOwners owners = fixture.bean(ExecutionOwners.class);
        CompletableFuture<RunOutcome> running = CompletableFuture.supplyAsync(() -> run("reviews", input));
        long executionId = await().atMost(Duration.ofSeconds(30)).until(
                () -> owners.running().keySet().stream().findFirst().orElse(null), id -> id != null);
        await().atMost(Duration.ofSeconds(30)).until(() -> repository.getJobExecution(executionId)
                .getStepExecutions().stream().anyMatch(s -> s.getStepName().equals("await") && s.getStatus().isRunning()));

        // when
        assertThat(owners.requestStop(executionId)).isTrue();
        RunOutcome stopped = running.get();
        RunOutcome restarted = runs().restart(executionId);

        // then
        assertThat(stopped.status()).isEqualTo(BatchStatus.STOPPED);
        assertThat(restarted.status()).isEqualTo(BatchStatus.COMPLETED);
        assertThat(fixture.admin.counter("submits")).isEqualTo(1);
        assertThat(fixture.admin.counter("starts")).isEqualTo(1);
        ScoredCsv.assertScored(input, restarted.outputs().get(0), "Col2", 3);
    }

    @Test
    void aRunTakenOverByAnotherWorker_standsDown_andLeavesTheOwnerRowToIt() throws Exception {
        // given: a run polling a slow BES job
        fixture.admin.behaviour("{\"jobDurationMillis\":5000,\"times\":1}");
        Path input = fixture.input("taken-over.csv", "a run another worker takes over");
        JobRepository repository = fixture.bean(JobRepository.class);
        ExecutionOwners owners = fixture.bean(ExecutionOwners.class);
        JdbcTemplate jdbc = fixture.bean(JdbcTemplate.class);
        CompletableFuture<RunOutcome> running = CompletableFuture.supplyAsync(() -> run("reviews", input));
        long executionId = await().atMost(Duration.ofSeconds(30)).until(
                () -> owners.running().keySet().stream().findFirst().orElse(null), id -> id != null);
        await().atMost(Duration.ofSeconds(30)).until(() -> repository.getJobExecution(executionId)
                .getStepExecutions().stream().anyMatch(s -> s.getStepName().equals("await") && s.getStatus().isRunning()));

        // when: another worker takes its owner row, as a take-over does
        jdbc.update("UPDATE BES_WORKER_OWNER SET INSTANCE_ID = 'another-worker' WHERE JOB_EXECUTION_ID = ?", executionId);

        // then: this worker stands down at its next check, and leaves the row (and the job) to the other
        RunOutcome outcome = running.get();
        assertThat(outcome.status()).isEqualTo(BatchStatus.STOPPED);
        assertThat(owners.stillOwns(executionId)).isFalse();
        assertThat(jdbc.queryForObject("SELECT INSTANCE_ID FROM BES_WORKER_OWNER WHERE JOB_EXECUTION_ID = ?",
                String.class, executionId)).isEqualTo("another-worker");
        assertThat(fixture.admin.counter("deletes")).as("its BES job was left alone").isZero();
        jdbc.update("DELETE FROM BES_WORKER_OWNER WHERE JOB_EXECUTION_ID = ?", executionId);
    }

    @Test
    void globalParameter_isPartOfTheRunsIdentity_andTravelsWithTheRun() throws Exception {
        // given
        Path input = fixture.input("with-param.csv", "parameterised");
        RunOutcome plain = run("reviews", input);

        // when
        RunOutcome withParameter = runs().run(new RunRequest("reviews", single(input), null,
                Map.of("threshold", "0.5"), false));

        // then
        assertThat(withParameter.earlier()).as("another request is other work").isFalse();
        assertThat(withParameter.executionId()).isNotEqualTo(plain.executionId());
        assertThat(fixture.admin.counter("submits")).isEqualTo(2);
        JobExecution execution = fixture.bean(JobRepository.class).getJobExecution(withParameter.executionId());
        assertThat(execution.getJobParameters().getString("param.threshold")).isEqualTo("0.5");
        assertThat(SubmitJobTasklet.globalParameters(fixture.bean(ScoringEnvironment.class).definition("reviews"),
                execution.getJobParameters())).containsEntry("threshold", "0.5");
    }

    @Test
    void stopWhileARetryWaitsOutItsBackoff_endsStopped_withoutWaitingTheBackoffOut() throws Exception {
        // given: every status call is throttled, and the client would wait 20 s and more between tries
        fixture.admin.faults("{\"operation\":\"status\",\"kind\":\"http\",\"status\":503,\"times\":-1}");
        Path input = fixture.input("throttled.csv", "status calls are throttled");
        ExecutionOwners owners = fixture.bean(ExecutionOwners.class);
        CompletableFuture<RunOutcome> running = CompletableFuture.supplyAsync(() -> run("patient", input));
        await().atMost(Duration.ofSeconds(30))
                .until(() -> fixture.admin.counters().path("requests").path("status").asLong() >= 1);
        long executionId = owners.running().keySet().iterator().next();

        // when
        owners.requestStop(executionId);

        // then
        RunOutcome stopped = running.get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(stopped.status()).isEqualTo(BatchStatus.STOPPED);
        fixture.admin.reset();
        RunOutcome restarted = runs().restart(executionId);
        assertThat(restarted.status()).isEqualTo(BatchStatus.COMPLETED);
    }

    @Test
    void restartOfAnUnknownExecution_saysThereIsNone() {
        assertThatThrownBy(() -> runs().restart(987654L)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no execution 987654");
    }

    @Test
    void largeInput_isUploadedWhileItIsValidated_andTheUploadStepCommitsThoseBlocks() throws Exception {
        // given: about 300 KB, five blocks of the fixture's 64 KB
        Path input = fixture.input("large.csv", manyTexts(6000));
        ScoringRuns runs = runs();

        // when
        PreparedRun prepared = runs.prepare(new RunRequest("reviews", single(input), null, Map.of(), false));

        // then: the blocks are in storage, uncommitted, before anything was launched
        PrestagedBlocks staged = prepared.prestaged().get("input1");
        assertThat(staged).isNotNull();
        assertThat(staged.bytes()).isEqualTo(Files.size(input));
        assertThat(staged.blocks()).isGreaterThan(1);
        assertThat(uncommittedBlobs(staged.blobName())).containsExactly(staged.blobName());

        // when
        RunOutcome outcome = runs.run(prepared);

        // then: the run used those blocks' blob, and scored every row
        assertThat(outcome.status()).isEqualTo(BatchStatus.COMPLETED);
        ScoredCsv.assertScored(input, outcome.outputs().get(0), "Col2", 3);
        JobExecution execution = fixture.bean(JobRepository.class).getJobExecution(outcome.executionId());
        assertThat(execution.getExecutionContext().getString(RunKeys.STAGING_BLOB + "input1")).isEqualTo(staged.blobName());
    }

    @Test
    void largeInputInvalidNearItsEnd_isRejected_andLeavesNoStagedBlocks() throws Exception {
        // given: a valid start of several blocks, then a row with a stray quote
        Path input = fixture.input("broken-late.csv", manyTexts(6000));
        Files.writeString(input, "99999,\"unterminated\n", StandardOpenOption.APPEND);

        // when / then
        assertThatThrownBy(() -> runs().prepare(new RunRequest("reviews", single(input), null, Map.of(), false)))
                .isInstanceOf(InputRejectedException.class).hasMessageContaining("broken-late.csv");
        assertThat(uncommittedBlobs("reviews/")).noneMatch(name -> name.endsWith("/broken-late.csv"));
    }

    private static String[] manyTexts(int count) {
        String[] texts = new String[count];
        for (int i = 0; i < count; i++) {
            texts[i] = "review number " + i + ": a good book, I would read it again";
        }
        return texts;
    }

    /** Blob names under {@code prefix}, uncommitted ones included. */
    private static List<String> uncommittedBlobs(String prefix) {
        var container = new BlobServiceClientBuilder().connectionString(fixture.azurite.connectionString()).buildClient()
                .getBlobContainerClient("bes-staging");
        return container.listBlobs(new ListBlobsOptions().setPrefix(prefix)
                .setDetails(new BlobListDetails().setRetrieveUncommittedBlobs(true)), null).stream()
                .map(BlobItem::getName).toList();
    }

    @Test
    void invalidInput_isRejectedNamingFileLineAndFix_beforeAnyBesCall() throws Exception {
        // given
        Path input = fixture.inputDir.resolve("no-col2.csv");
        Files.writeString(input, "Id,Text\n1,hello\n");

        // when / then
        assertThatThrownBy(() -> run("reviews", input))
                .isInstanceOf(InputRejectedException.class)
                .hasMessageContaining("no-col2.csv").hasMessageContaining("line 1").hasMessageContaining("Col2")
                .hasMessageContaining("Fix");
        assertThat(fixture.admin.counter("submits")).isZero();
        assertThat(fixture.admin.counters().path("requests").path("submit").asLong()).isZero();
    }
}
