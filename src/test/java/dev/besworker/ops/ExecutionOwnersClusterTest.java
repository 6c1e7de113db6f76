package dev.besworker.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.listener.JobExecutionListener;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.dao.OptimisticLockingFailureException;
import org.springframework.jdbc.core.JdbcTemplate;

import dev.besworker.BesWorkerApplication;
import dev.besworker.WorkerApplication;
import dev.besworker.cluster.RestartLocks;
import dev.besworker.cluster.WorkerIdentity;
import dev.besworker.cluster.WorkerLease;
import dev.besworker.pipeline.OwnedExecutionException;
import dev.besworker.pipeline.RunKeys;
import dev.besworker.pipeline.RunState;
import dev.besworker.runs.ScoringRuns;
import dev.besworker.runs.ScoringRuns.RunOutcome;

/**
 * Two workers in one JVM against one PostgreSQL database (fresh for this class): same host and
 * pid, one with its clock ten minutes ahead. Liveness is the lease, judged by the database's
 * clock; a third, hand-made worker whose lease is never renewed plays the dead or paused one.
 */
class ExecutionOwnersClusterTest {

    /** Holds a job that this test arms at its start, so that it stays running while others look. */
    static final class Hold {
        static volatile CountDownLatch gate;
    }

    @Configuration(proxyBeanMethods = false)
    static class HoldingListener {
        @Bean
        JobExecutionListener holdAtStart() {
            return new JobExecutionListener() {
                @Override
                public void beforeJob(JobExecution execution) {
                    CountDownLatch gate = Hold.gate;
                    if (gate != null) {
                        try {
                            gate.await(60, TimeUnit.SECONDS);
                        }
                        catch (InterruptedException ex) {
                            Thread.currentThread().interrupt();
                        }
                    }
                }
            };
        }
    }

    private static ClusterDatabase database;
    private static Path root;
    private static ConfigurableApplicationContext workerA;
    private static ConfigurableApplicationContext workerB;

    @BeforeAll
    static void startTwoWorkers() throws Exception {
        database = new ClusterDatabase();
        root = Files.createTempDirectory("cluster-test");
        Files.createDirectories(root.resolve("jobs"));
        workerA = worker("a", "0s");
        workerB = worker("b", "10m");
    }

    private static ConfigurableApplicationContext worker(String name, String clockOffset) {
        return new SpringApplicationBuilder(WorkerApplication.class, HoldingListener.class)
                .web(WebApplicationType.NONE).registerShutdownHook(false)
                .run("--spring.datasource.url=" + database.url(), "--spring.datasource.username=" + database.user,
                        "--spring.datasource.password=", "--besworker.data-dir=" + root.resolve(name),
                        "--besworker.jobs-dir=" + root.resolve("jobs"), "--besworker.heartbeat-interval=200ms",
                        "--besworker.cluster.lease-duration=2s", "--besworker.cluster.test-clock-offset=" + clockOffset);
    }

    @AfterAll
    static void stopWorkers() throws Exception {
        for (ConfigurableApplicationContext worker : new ConfigurableApplicationContext[] {workerA, workerB}) {
            if (worker != null) {
                worker.getBean(ExecutionOwners.class).close();
                worker.close();
            }
        }
        if (database != null) {
            database.close();
        }
    }

    @Test
    void aLiveOwner_isNeverTakenOver_althoughHostAndPidAreTheSame_andTheOtherClockIsTenMinutesAhead() throws Exception {
        // given: an execution run by worker A; B shares A's host and pid, and its clock is 10 minutes ahead
        ExecutionOwners a = workerA.getBean(ExecutionOwners.class);
        ExecutionOwners b = workerB.getBean(ExecutionOwners.class);
        assertThat(b.identity().host()).isEqualTo(a.identity().host());
        assertThat(b.identity().pid()).isEqualTo(a.identity().pid());
        JobExecution execution = startedExecution(a);
        long id = execution.getId();

        // when: B looks for orphans for longer than a lease, and tries to take it over
        Thread.sleep(Duration.ofSeconds(3).toMillis());
        List<Long> orphans = b.orphans();

        // then
        assertThat(orphans).doesNotContain(id);
        assertThatThrownBy(() -> b.takeOver(repository().getJobExecution(id)))
                .isInstanceOf(OwnedExecutionException.class)
                .hasMessageContaining("execution " + id + " is running in process " + a.identity().pid() + " on "
                        + a.identity().host() + " (worker " + a.identity().shortId());
        assertThat(status(id)).isEqualTo("STARTED");
        assertThat(ownerOf(id)).isEqualTo(a.identity().instanceId());
        assertThat(workerB.getBean(ExecutionReports.class).show(id).orElseThrow().owner())
                .as("show, from the other worker, names the owner").startsWith("process " + a.identity().pid() + " on "
                        + a.identity().host() + " (worker " + a.identity().shortId() + ", lease until ");

        // and a stop asked through B reaches A, which stops it itself
        assertThat(b.requestStop(id)).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> a.running().get(id).isStopping());
        a.afterJob(execution);
    }

    @Test
    void anExpiredLease_makesItsExecutionAnOrphan_whichAnotherWorkerTakesOver() throws Exception {
        // given: an execution of a worker that stops renewing its lease (killed, or paused)
        ExecutionOwners b = workerB.getBean(ExecutionOwners.class);
        ExecutionOwners silent = silentWorker(Duration.ofSeconds(3));
        long id = startedExecution(silent).getId();
        assertThat(b.orphans()).as("its lease is current yet").doesNotContain(id);

        // when: its lease runs out
        await().atMost(Duration.ofSeconds(20)).until(() -> b.orphans().contains(id));
        JobExecution recovered = b.takeOver(repository().getJobExecution(id));

        // then
        assertThat(recovered.getStatus()).isEqualTo(BatchStatus.FAILED);
        assertThat(status(id)).isEqualTo("FAILED");
        assertThat(ownerOf(id)).as("the owner row went with the take-over").isNull();
        assertThat(b.orphans()).doesNotContain(id);
    }

    @Test
    void aWorkerThatLostItsLease_standsDown_andItsWritesAreRefused_afterAnotherTookItsExecutionOver() throws Exception {
        // given: a paused worker's execution, taken over by B once the lease ran out
        ExecutionOwners b = workerB.getBean(ExecutionOwners.class);
        WorkerLease pausedLease = silentLease(Duration.ofSeconds(2));
        ExecutionOwners paused = owners(pausedLease);
        JobExecution stale = startedExecution(paused);
        long id = stale.getId();
        assertThat(paused.stillOwns(id)).as("owned while the lease is current").isTrue();
        await().atMost(Duration.ofSeconds(20)).until(() -> b.orphans().contains(id));
        b.takeOver(repository().getJobExecution(id));

        // when: the paused worker wakes up and renews its lease
        boolean wasCurrent = pausedLease.renew();

        // then: it no longer owns the execution, stands down, and what it would write is refused
        assertThat(wasCurrent).isFalse();
        assertThat(paused.stillOwns(id)).isFalse();
        assertThat(paused.running().get(id).isStopping()).as("stood down in memory").isTrue();
        assertThatThrownBy(() -> new RunState(stale, repository(), paused).put(RunKeys.BES_JOB_ID, "late"))
                .isInstanceOf(OwnedExecutionException.class).hasMessageContaining("taken over by another worker");
        // and Spring Batch's version check, the second line of defence, keeps the take-over's FAILED
        stale.setStatus(BatchStatus.COMPLETED);
        try {
            repository().update(stale);
        }
        catch (OptimisticLockingFailureException expected) {
            // refused outright: fine too
        }
        assertThat(status(id)).isEqualTo("FAILED");
        paused.afterJob(stale);
        assertThat(paused.stillOwns(id)).isFalse();
    }

    @Test
    void twoConcurrentRestarts_ofOneFailedExecution_createOneExecution_andTheOtherIsToldItRuns() throws Exception {
        // given: a failed execution, and a hold that keeps its restart running
        JobExecution failed = failedExecution();
        Hold.gate = new CountDownLatch(1);
        CountDownLatch go = new CountDownLatch(1);
        try {
            // when: A and B restart it at once
            CompletableFuture<RunOutcome> viaA = CompletableFuture.supplyAsync(() -> restartAfter(go, workerA, failed));
            CompletableFuture<RunOutcome> viaB = CompletableFuture.supplyAsync(() -> restartAfter(go, workerB, failed));
            go.countDown();
            await().atMost(Duration.ofSeconds(30)).until(() -> viaA.isCompletedExceptionally()
                    || viaB.isCompletedExceptionally());
            CompletableFuture<RunOutcome> refused = viaA.isCompletedExceptionally() ? viaA : viaB;
            CompletableFuture<RunOutcome> restarted = refused == viaA ? viaB : viaA;

            // then: one was told the execution runs; the other runs it, one new execution
            assertThatThrownBy(refused::join).hasCauseInstanceOf(OwnedExecutionException.class)
                    .hasMessageContaining("is running in");
            assertThat(restarted).isNotDone();
            Hold.gate.countDown();
            restarted.get(60, TimeUnit.SECONDS);
            assertThat(repository().getJobExecutions(failed.getJobInstance())).hasSize(2);
        }
        finally {
            Hold.gate.countDown();
            Hold.gate = null;
        }
    }

    @Test
    void workersJson_listsTheLiveWorkers_withTheirHostPidAndLease() throws Exception {
        // given: both workers have joined
        workerA.getBean(WorkerLease.class).join("test");
        workerB.getBean(WorkerLease.class).join("test");
        String a = workerA.getBean(WorkerIdentity.class).instanceId();
        String b = workerB.getBean(WorkerIdentity.class).instanceId();

        // when
        String json = cli("workers", "--json");

        // then
        assertThat(json).contains("\"instanceId\" : \"" + a + "\"").contains("\"instanceId\" : \"" + b + "\"")
                .contains("\"host\" : \"" + WorkerIdentity.hostName() + "\"").contains("\"live\" : true")
                .contains("\"leaseExpiresAt\"");
    }

    // ------------------------------------------------------------------ helpers

    private static RunOutcome restartAfter(CountDownLatch go, ConfigurableApplicationContext worker, JobExecution failed) {
        try {
            go.await();
        }
        catch (InterruptedException ex) {
            throw new IllegalStateException(ex);
        }
        return worker.getBean(ScoringRuns.class).restart(failed.getId());
    }

    /** A worker whose lease is never renewed (its heartbeat is an hour): dead or paused, to the others. */
    private static WorkerLease silentLease(Duration lease) {
        return new WorkerLease(workerB.getBean(JdbcTemplate.class), WorkerIdentity.create(Clock.systemUTC()), lease,
                Duration.ofHours(1));
    }

    private static ExecutionOwners silentWorker(Duration lease) {
        return owners(silentLease(lease));
    }

    private static ExecutionOwners owners(WorkerLease lease) {
        return new ExecutionOwners(workerB.getBean(JdbcTemplate.class), repository(), workerB.getBean(JobOperator.class),
                lease, new RestartLocks(workerB.getBean(DataSource.class)), Clock.systemUTC());
    }

    private static JobRepository repository() {
        return workerB.getBean(JobRepository.class);
    }

    /** A STARTED execution recorded as its owner's, as the job's start does. */
    private static JobExecution startedExecution(ExecutionOwners owner) {
        JobExecution execution = newExecution();
        execution.setStatus(BatchStatus.STARTED);
        execution.setStartTime(LocalDateTime.now());
        repository().update(execution);
        owner.beforeJob(execution);
        return execution;
    }

    /** A FAILED execution of the scoring job, of a definition that does not exist (its restart fails fast). */
    private static JobExecution failedExecution() {
        JobExecution execution = newExecution();
        execution.setStatus(BatchStatus.FAILED);
        execution.setStartTime(LocalDateTime.now());
        execution.setEndTime(LocalDateTime.now());
        repository().update(execution);
        return execution;
    }

    private static JobExecution newExecution() {
        var parameters = new JobParametersBuilder().addString(RunKeys.DEFINITION, "nowhere")
                .addString(RunKeys.NONCE, UUID.randomUUID().toString()).toJobParameters();
        JobInstance instance = repository().createJobInstance(RunKeys.JOB_NAME, parameters);
        return repository().createJobExecution(instance, parameters, new ExecutionContext());
    }

    private static String status(long id) throws SQLException {
        return single("SELECT STATUS FROM BATCH_JOB_EXECUTION WHERE JOB_EXECUTION_ID = ?", id);
    }

    private static String ownerOf(long id) throws SQLException {
        return single("SELECT INSTANCE_ID FROM BES_WORKER_OWNER WHERE JOB_EXECUTION_ID = ?", id);
    }

    private static String single(String sql, long id) throws SQLException {
        try (Connection connection = database.connect(); PreparedStatement query = connection.prepareStatement(sql)) {
            query.setLong(1, id);
            try (ResultSet rs = query.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    /** Runs the command line in this JVM against the test's database; returns its stdout. */
    private static String cli(String... args) throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setProperty("spring.datasource.url", database.url());
        System.setProperty("spring.datasource.username", database.user);
        System.setProperty("spring.datasource.password", "");
        try {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            String[] all = new String[args.length + 4];
            all[0] = "--jobs-dir";
            all[1] = root.resolve("jobs").toString();
            all[2] = "--data-dir";
            all[3] = root.resolve("cli").toString();
            System.arraycopy(args, 0, all, 4, args.length);
            int exit = BesWorkerApplication.execute(all);
            assertThat(exit).as(captured.toString(StandardCharsets.UTF_8)).isZero();
        }
        finally {
            System.setOut(original);
            System.clearProperty("spring.datasource.url");
            System.clearProperty("spring.datasource.username");
            System.clearProperty("spring.datasource.password");
            System.clearProperty("besworker.data-dir");
            System.clearProperty("besworker.log-name");
        }
        return captured.toString(StandardCharsets.UTF_8);
    }
}
