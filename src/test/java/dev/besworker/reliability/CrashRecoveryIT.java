package dev.besworker.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.besworker.embedded.AzuriteProcess;
import dev.besworker.emulator.BesEmulator;
import dev.besworker.emulator.EmulatorSettings;
import dev.besworker.reliability.Scenario.Definition;
import dev.besworker.reliability.WorkerJvm.Result;
import dev.besworker.reliability.WorkerJvm.Running;
import dev.besworker.support.EmulatorAdmin;

/**
 * The worker JVM ({@code target/bes-worker.jar}) killed with SIGKILL at each point of a run, then
 * resumed by {@code restart} (or by {@code run} again): exactly one BES submission per input,
 * outputs byte-identical to an uninterrupted run, never a partial file at a final output path,
 * and an upload that is complete never sent again. Also the owner table (a dead owner is
 * recovered, a live one refused), SIGTERM, {@code stop} and {@code abandon} from another process.
 * <p>
 * The emulator runs in this JVM and Azurite is this JVM's child, so both outlive every killed
 * worker. The worker reaches Azurite through a {@link TcpProxy} that can slow transfers down
 * enough to kill the worker in the middle of one.
 */
class CrashRecoveryIT {

    private static final String KEY = "crash-test-api-key";
    private static final long MIB = 1024 * 1024;

    private static Path work;

    private static AzuriteProcess azurite;
    private static TcpProxy proxy;
    private static BesEmulator emulator;
    private static EmulatorAdmin admin;
    private static Blobs blobs;
    private static Path small;
    private static Path big;
    private static Path smallReference;
    private static Path bigReference;

    @BeforeAll
    static void startServicesAndScoreTheReferences() throws Exception {
        work = Scenario.workDir(CrashRecoveryIT.class);
        azurite = AzuriteProcess.start(null);
        proxy = TcpProxy.start(azurite.port());
        emulator = BesEmulator.start(EmulatorSettings.defaults().withApiKey(KEY).withAdmin(true));
        admin = new EmulatorAdmin(emulator.baseUri());
        blobs = new Blobs(azurite.connectionString());
        Path inputs = Files.createDirectories(work.resolve("inputs"));
        small = Files.copy(Path.of("sample-data/book-reviews.csv"), inputs.resolve("book-reviews.csv"));
        big = Scenario.reviews(inputs.resolve("big reviews.csv"), 9 * MIB);

        // uninterrupted runs of the same bytes: what every resumed run must produce
        Scenario reference = new Scenario(work.resolve("reference"));
        Definition definition = reference.definition("reference", emulator.baseUri().toString(), KEY,
                azurite.connectionString());
        definition.write(reference.jobsDir);
        for (Path input : List.of(small, big)) {
            Result result = Cli.run(reference, "run", "reference", "--input", input.toString());
            assertThat(result.exitCode()).as(result.toString()).isZero();
        }
        smallReference = definition.output("book-reviews");
        bigReference = definition.output("big-reviews");
        assertThat(bigReference).isNotEmptyFile();
    }

    @AfterAll
    static void stopServices() {
        emulator.close();
        proxy.close();
        azurite.close();
    }

    @BeforeEach
    void resetServices() {
        admin.reset();
        proxy.throttle(0);
        proxy.throttleDownloads(null, 0);
    }

    // ------------------------------------------------------------------ kill -9 at each point

    @Test
    void killWhileUploadingDuringValidation_runAgainReusesTheStagedBlocksAndSubmitsOnce() throws Exception {
        // given: a 9 MiB input (blocks of 8 and 1 MiB), uploaded while it is validated, before
        // launch, and sent slowly enough to be interrupted
        proxy.throttle(3 * MIB);

        // when: killed once a block is staged, before anything is committed or launched
        Crashed crashed = killed("crash-upload", big, Duration.ofSeconds(90),
                () -> blobs.uncommittedBlocks("crash-upload/") >= 1);
        proxy.throttle(0);
        assertThat(blobs.inputBlobs("crash-upload/")).as("no blob committed before the kill").isEmpty();
        assertThat(admin.counter("submits")).isZero();
        int logMark = crashed.scenario().logText().length();
        Result again = crashed.worker().run("run", "crash-upload", "--input", big.toString());

        // then: the second pass sends only the block that was missing, and the work is scored once
        assertThat(again.exitCode()).as(again.toString()).isZero();
        String againLog = crashed.scenario().logText().substring(logMark);
        Matcher reused = Pattern.compile("reused (\\d+) of 2 blocks").matcher(againLog);
        assertThat(reused.find()).as("the second run resumes the staged blocks:\n" + againLog).isTrue();
        assertThat(Integer.parseInt(reused.group(1))).isEqualTo(1);
        assertThat(againLog).contains("staged while validating; nothing sent again");
        assertThat(blobs.uncommittedBlocks("crash-upload/")).as("no staged block left uncommitted").isZero();
        assertFinishedOnce(crashed.scenario(), crashed.definition(), "big-reviews", bigReference);
    }

    @Test
    void killRightAfterTheSubmitIsCheckpointed_restartStartsThatJobWithoutSubmittingAgain() throws Exception {
        // given: the start request hangs, so the worker sits right after the checkpointed submit
        admin.faults("{\"operation\":\"start\",\"kind\":\"hang\",\"times\":1}");

        // when
        Crashed crashed = killed("crash-submit", small, Duration.ofSeconds(60), () -> admin.requests("start") >= 1);
        assertThat(admin.jobs()).as("one job, submitted and not started").hasSize(1).containsValue("NotStarted");
        Recovery recovery = recover(crashed);

        // then
        assertThat(recovery.log()).contains("was submitted earlier (NOT_STARTED); not submitting again")
                .contains("started BES job");
        assertThat(admin.counter("starts")).isEqualTo(1);
        assertFinishedOnce(crashed.scenario(), crashed.definition(), "book-reviews", smallReference);
    }

    @Test
    void killBetweenStartAndItsCheckpoint_restartCountsCannotStartJobAsStarted() throws Exception {
        // given: BES starts the job, then its answer never comes (the crash window of the start)
        admin.faults("{\"operation\":\"start\",\"kind\":\"hang\",\"phase\":\"after\",\"times\":1}");

        // when
        Crashed crashed = killed("crash-start", small, Duration.ofSeconds(60), () -> admin.counter("starts") >= 1);
        assertThat(admin.jobs()).hasSize(1).doesNotContainValue("NotStarted");
        Recovery recovery = recover(crashed);

        // then: the second start is refused with CannotStartJob, which counts as started
        assertThat(recovery.log()).contains("is already past NotStarted").contains("counting it as started");
        assertThat(admin.requests("start")).isEqualTo(2);
        assertThat(admin.counter("starts")).as("BES started the job once").isEqualTo(1);
        assertFinishedOnce(crashed.scenario(), crashed.definition(), "book-reviews", smallReference);
    }

    @Test
    void killWhilePolling_runningTheSameInputAgainResumesTheSameBesJob() throws Exception {
        // given: a job that runs for a few seconds
        admin.behaviour("{\"jobDurationMillis\":4000}");

        // when
        Crashed crashed = killed("crash-poll", small, Duration.ofSeconds(60), () -> admin.counter("statusCalls") >= 2);
        assertThat(admin.jobs()).hasSize(1).containsValue("Running");
        String jobId = admin.jobs().keySet().iterator().next();
        Recovery recovery = recover(crashed, "run", "crash-poll", "--input", small.toString());

        // then
        assertThat(recovery.log()).contains("execution " + recovery.id() + " already holds this work (STARTED); restarting it")
                .containsPattern("BES job " + jobId + " was submitted earlier \\((RUNNING|FINISHED)\\); "
                        + "not submitting again").contains("BES job " + jobId + " was started earlier; not starting again");
        assertThat(admin.counter("starts")).isEqualTo(1);
        assertThat(admin.jobs()).as("the one BES job, removed by the cleanup").isEmpty();
        assertThat(admin.counter("deletes")).isEqualTo(1);
        assertFinishedOnce(crashed.scenario(), crashed.definition(), "book-reviews", smallReference);
    }

    @Test
    void killDuringDownload_leavesNoPartialFileAndTheRestartDownloadsAgain() throws Exception {
        // given: results of the 9 MiB input, sent back slowly (the SDK escapes the slashes of
        // blob names, so the marker has none)
        proxy.throttleDownloads("results", 3 * MIB);

        // when: killed with a few MiB of the result written
        Crashed crashed = killed("crash-download", big, Duration.ofSeconds(120),
                () -> proxy.markedDownstreamBytes() >= 3 * MIB);
        proxy.throttleDownloads(null, 0);
        assertThat(crashed.definition().output("big-reviews")).as("no partial file at the final path").doesNotExist();
        recover(crashed);

        // then
        assertFinishedOnce(crashed.scenario(), crashed.definition(), "big-reviews", bigReference);
    }

    // ------------------------------------------------------------------ owners, signals, stop, abandon

    @Test
    void restartOfAnExecutionWhoseOwnerLives_isRefusedWithExit4_andAbandonStopsAndCancelsIt() throws Exception {
        // given: a run polling a long BES job
        Scenario scenario = scenario("owned");
        definition(scenario, "owned");
        WorkerJvm worker = new WorkerJvm(scenario);
        admin.behaviour("{\"jobDurationMillis\":300000}");
        Running run = worker.start("run", "owned", "--input", small.toString());
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> admin.counter("statusCalls") >= 1);
            long id = scenario.startedExecution("owned");

            // when
            Result refused = worker.run("restart", Long.toString(id));
            Result abandoned = worker.run("abandon", Long.toString(id));

            // then
            assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(4);
            assertThat(refused.stderr()).contains("execution " + id + " is running in process " + run.pid() + " on ");
            assertThat(abandoned.exitCode()).as(abandoned.toString()).isZero();
            assertThat(abandoned.stdout()).contains("cancelled BES job").contains("execution " + id + " ABANDONED");
            Result owner = run.await(Duration.ofSeconds(30));
            assertThat(owner.exitCode()).as(owner.toString()).isEqualTo(1);
            assertThat(owner.stdout()).contains("execution " + id + " STOPPED");
            assertThat(Repository.h2(scenario.dataDir).status(id)).isEqualTo("ABANDONED");
            assertThat(admin.counter("deletes")).as("the remote job was cancelled").isEqualTo(1);
            assertThat(admin.jobs()).isEmpty();
            assertThat(admin.counter("submits")).isEqualTo(1);
        }
        finally {
            run.destroyIfAlive();
        }
    }

    @Test
    void sigtermWhilePolling_endsStoppedWithExit1_andTheRestartFinishesTheSameJob() throws Exception {
        // given
        Scenario scenario = scenario("sigterm");
        Definition definition = definition(scenario, "sigterm");
        WorkerJvm worker = new WorkerJvm(scenario);
        admin.behaviour("{\"jobDurationMillis\":5000}");
        Running run = worker.start("run", "sigterm", "--input", small.toString());
        Result stopped;
        long took;
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> admin.counter("statusCalls") >= 2);

            // when
            long before = System.nanoTime();
            run.terminate();
            // the documented bound: the stop timeout (20 s here), after which the watchdog halts
            stopped = run.await(Duration.ofSeconds(25));
            took = (System.nanoTime() - before) / 1_000_000;
        }
        finally {
            run.destroyIfAlive();
        }
        System.out.println("SIGTERM to exit while polling: " + took + " ms");
        long id = scenario.startedExecution("sigterm");

        // then
        assertThat(stopped.exitCode()).as(stopped.toString()).isEqualTo(1);
        assertThat(stopped.stdout()).contains("execution " + id + " STOPPED").contains("restart with:");
        Repository repository = Repository.h2(scenario.dataDir);
        assertThat(repository.status(id)).isEqualTo("STOPPED");
        assertThat(repository.steps(id)).containsEntry("await", "STOPPED");
        assertThat(repository.ownerRows(id)).as("the owner record goes with the run").isZero();
        Result restart = worker.run("restart", Long.toString(id));
        assertThat(restart.exitCode()).as(restart.toString()).isZero();
        assertThat(admin.counter("starts")).isEqualTo(1);
        assertFinishedOnce(scenario, definition, "book-reviews", smallReference);
    }

    @Test
    void sigtermWhileWaitingToRetryABusyService_endsStoppedWithExit1() throws Exception {
        // given: BES answers every status with 503 and asks for 30 s before the next try
        Scenario scenario = scenario("sigterm-retry");
        Definition definition = definition(scenario, "sigterm-retry")
                .retry("{max-attempts: 10, initial-backoff: 50ms, max-backoff: 60s, budget: 10m}");
        definition.write(scenario.jobsDir);
        WorkerJvm worker = new WorkerJvm(scenario);
        admin.faults("{\"operation\":\"status\",\"status\":503,\"code\":\"TooManyConcurrentRequests\","
                + "\"retryAfterSeconds\":30,\"times\":-1}");
        Running run = worker.start("run", "sigterm-retry", "--input", small.toString());
        Result stopped;
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> scenario.logText().contains("retrying in 30s"));

            // when
            run.terminate();
            stopped = run.await(Duration.ofSeconds(25));
        }
        finally {
            run.destroyIfAlive();
        }
        long id = scenario.startedExecution("sigterm-retry");

        // then: the wait is cut short, and the execution ends STOPPED rather than being abandoned by a halt
        assertThat(stopped.exitCode()).as(stopped.toString()).isEqualTo(1);
        assertThat(stopped.stdout()).contains("execution " + id + " STOPPED");
        assertThat(Repository.h2(scenario.dataDir).status(id)).isEqualTo("STOPPED");
        assertThat(admin.requests("status")).as("no retry after the stop").isEqualTo(1);
    }

    @Test
    void sigtermDuringADownload_stopsTheTransferItself_andEndsStopped() throws Exception {
        // given: the 9 MiB input's results, sent back slowly
        Scenario scenario = scenario("sigterm-download");
        definition(scenario, "sigterm-download");
        WorkerJvm worker = new WorkerJvm(scenario);
        proxy.throttleDownloads("results", 2 * MIB);
        Running run = worker.start("run", "sigterm-download", "--input", big.toString());
        Result stopped;
        try {
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(50))
                    .until(() -> proxy.markedDownstreamBytes() >= 2 * MIB);

            // when
            run.terminate();
            stopped = run.await(Duration.ofSeconds(25));
        }
        finally {
            proxy.throttleDownloads(null, 0);
            run.destroyIfAlive();
        }
        long id = scenario.startedExecution("sigterm-download");

        // then: the transfer ended part-way (not after the whole result), and nothing is at the final path
        assertThat(stopped.exitCode()).as(stopped.toString()).isEqualTo(1);
        assertThat(stopped.stdout()).contains("execution " + id + " STOPPED");
        // the downloader's own words, in the log or in the step's stored exit message (which of the
        // job's failure exceptions the log line reports is not fixed)
        String evidence = scenario.logText() + String.join("\n", Repository.h2(scenario.dataDir).dumpText("PUBLIC"));
        assertThat(evidence).containsPattern("download of .* stopped after \\d+ bytes");
        assertThat(Repository.h2(scenario.dataDir).steps(id)).containsEntry("download", "STOPPED");
        try (Stream<Path> files = Files.list(scenario.outputDir.resolve("sigterm-download"))) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.equals("big-reviews.output1.csv"));
        }
    }

    @Test
    void stopFromAnotherProcess_isCarriedOutByTheOwner_whichExits1() throws Exception {
        // given
        Scenario scenario = scenario("stop");
        definition(scenario, "stop");
        WorkerJvm worker = new WorkerJvm(scenario);
        admin.behaviour("{\"jobDurationMillis\":300000}");
        Running run = worker.start("run", "stop", "--input", small.toString());
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> admin.counter("statusCalls") >= 1);
            long id = scenario.startedExecution("stop");

            // when
            Result stop = worker.run("stop", Long.toString(id));

            // then
            assertThat(stop.exitCode()).as(stop.toString()).isZero();
            assertThat(stop.stdout()).contains("execution " + id + " STOPPED").contains("restart with:");
            Result owner = run.await(Duration.ofSeconds(30));
            assertThat(owner.exitCode()).as(owner.toString()).isEqualTo(1);
            assertThat(scenario.logText()).contains("execution " + id + ": another process asked it to stop");
            assertThat(Repository.h2(scenario.dataDir).status(id)).isEqualTo("STOPPED");
            assertThat(admin.jobs()).as("a stop leaves the remote job running for the restart")
                    .containsValue("Running");
        }
        finally {
            run.destroyIfAlive();
        }
    }

    // ------------------------------------------------------------------ helpers

    private static Scenario scenario(String name) throws IOException {
        return new Scenario(work.resolve(name));
    }

    private static Definition definition(Scenario scenario, String name) throws IOException {
        Definition definition = scenario.definition(name, emulator.baseUri().toString(), KEY,
                proxy.connectionString(azurite.connectionString(), azurite.port()))
                // long enough that only the kill ends a hanging call
                .requestTimeout("60s");
        definition.write(scenario.jobsDir);
        return definition;
    }

    /** A run killed with kill -9 part-way, and what its recovery starts from. */
    private record Crashed(Scenario scenario, Definition definition, WorkerJvm worker, long pid) {
    }

    /** What a recovery did: the crashed execution it took over and the log it wrote. */
    private record Recovery(long id, String log) {
    }

    /**
     * Runs {@code input} under a fresh definition {@code name} and kills the JVM (SIGKILL) as
     * soon as {@code reached} holds: the shared set-up of the crash scenarios.
     */
    private static Crashed killed(String name, Path input, Duration within, Callable<Boolean> reached)
            throws IOException {
        Scenario scenario = scenario(name);
        Definition definition = definition(scenario, name);
        // A lease far longer than a recovery takes: the killed worker must be known dead by its
        // process lock (one machine, H2), not by its lease running out.
        // Blocks larger than what the sockets between the worker and Azurite hold (a few MB on
        // loopback), so that a kill interrupts one: a smaller block, already written to the
        // kernel, still arrives whole after the worker is gone.
        WorkerJvm worker = new WorkerJvm(scenario).systemProperty("besworker.cluster.lease-duration=2m")
                .systemProperty("besworker.transfer.block-size=8MB");
        Running run = worker.start("run", name, "--input", input.toString());
        try {
            await().atMost(within).pollInterval(Duration.ofMillis(50)).until(reached);
            run.kill();
        }
        finally {
            run.destroyIfAlive();
        }
        return new Crashed(scenario, definition, worker, run.pid());
    }

    /**
     * Recovers a crashed run with {@code command} ({@code restart <id>} when none is given) and
     * checks what every recovery must do: exit 0, recover the dead owner's execution first (known
     * dead by its free process lock, without waiting for its lease to run out), log
     * the run as a restart, not upload the input again, and leave the execution COMPLETED.
     */
    private static Recovery recover(Crashed crashed, String... command) throws Exception {
        String name = crashed.definition().name;
        Map<String, String> stagedBefore = blobs.inputBlobs(name + "/");
        long id = crashed.scenario().startedExecution(name);
        int logMark = crashed.scenario().logText().length();
        Result result = crashed.worker().run(command.length > 0 ? command : new String[] {"restart", Long.toString(id)});
        assertThat(result.exitCode()).as(result.toString()).isZero();
        String log = crashed.scenario().logText().substring(logMark);
        assertThat(log).contains("execution " + id + " was left STARTED by process " + crashed.pid() + " on ")
                .contains("which is gone; recovering it")
                .as("the killed worker is known dead at once on this machine, not a lease later")
                .contains("has ended without giving its lease up (its process lock on this machine is free)");
        Matcher restarted = Pattern.compile("execution (\\d+): STARTED of " + name + " \\(restart\\)").matcher(log);
        assertThat(restarted.find()).as("the recovery runs as a restart:\n" + log).isTrue();
        assertThat(stagedBefore).as("the input was staged before the crash").hasSize(1);
        assertThat(blobs.inputBlobs(name + "/")).as("the staged blob is untouched (same ETag)").isEqualTo(stagedBefore);
        assertThat(log).doesNotContain("step upload started");
        assertThat(Repository.h2(crashed.scenario().dataDir).status(Long.parseLong(restarted.group(1))))
                .isEqualTo("COMPLETED");
        return new Recovery(id, log);
    }

    /** One submission for the input, the reference bytes at the final path, nothing else in the folder. */
    private static void assertFinishedOnce(Scenario scenario, Definition definition, String stem, Path reference)
            throws IOException {
        Map<String, Long> submits = admin.submitsByInput("/" + definition.name + "/");
        assertThat(submits).as("BES submissions per input blob").hasSize(1);
        assertThat(submits.values()).containsExactly(1L);
        Path output = definition.output(stem);
        assertThat(output).hasSameBinaryContentAs(reference);
        try (Stream<Path> files = Files.list(definition.outputDir)) {
            assertThat(files.map(p -> p.getFileName().toString()).toList()).as("no partial files left behind")
                    .containsExactly(output.getFileName().toString());
        }
        long id = scenario.startedExecution(definition.name);
        assertThat(id).isPositive();
    }
}
