package dev.besworker.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.besworker.embedded.AzuriteProcess;
import dev.besworker.emulator.BesEmulator;
import dev.besworker.emulator.EmulatorSettings;
import dev.besworker.reliability.Scenario.Definition;
import dev.besworker.reliability.WorkerJvm.Result;
import dev.besworker.support.EmulatorAdmin;

/**
 * Blob storage failing under the worker (the command line, in this JVM): Azurite stopped in the
 * middle of an upload and of a download, then started again on the same port and data folder;
 * and a result damaged on the way, which the MD5 check must catch. Each run either finishes or
 * fails restartable, and the restart finishes it with the right bytes and one submission.
 */
class BlobStorageFaultsIT {

    private static final String KEY = "storage-fault-test-key";
    private static final long MIB = 1024 * 1024;
    private static final Pattern EXECUTION = Pattern.compile("execution (\\d+) (COMPLETED|FAILED|STOPPED)");

    private static Path azuriteData;
    private static int azuritePort;
    private static volatile AzuriteProcess azurite;
    private static TcpProxy proxy;
    private static BesEmulator emulator;
    private static EmulatorAdmin admin;
    private static Blobs blobs;
    private static Scenario scenario;
    private static Path small;
    private static Path big;
    private static Path smallReference;
    private static Path bigReference;

    @BeforeAll
    static void startServicesAndScoreTheReferences() throws Exception {
        LogCapture.install();
        Path work = Scenario.workDir(BlobStorageFaultsIT.class);
        azuriteData = work.resolve("azurite");
        azuritePort = AzuriteProcess.freePort();
        azurite = AzuriteProcess.start(azuriteData, azuritePort);
        emulator = BesEmulator.start(EmulatorSettings.defaults().withApiKey(KEY).withAdmin(true));
        admin = new EmulatorAdmin(emulator.baseUri());
        proxy = TcpProxy.start(azuritePort);
        // through the proxy too, so that an outage leaves Azurite without clients (see outage)
        blobs = new Blobs(proxy.connectionString(azurite.connectionString(), azuritePort));
        scenario = new Scenario(work.resolve("scenario"));
        small = Files.copy(Path.of("sample-data/book-reviews.csv"), scenario.root.resolve("book-reviews.csv"));
        big = Scenario.reviews(scenario.root.resolve("big-reviews.csv"), 9 * MIB);
        Definition definition = definition("reference", "sas");
        for (Path input : new Path[] {small, big}) {
            Result result = Cli.run(scenario, "run", "reference", "--input", input.toString());
            assertThat(result.exitCode()).as(result.toString()).isZero();
        }
        smallReference = definition.output("book-reviews");
        bigReference = definition.output("big-reviews");
    }

    @AfterAll
    static void stopServices() {
        LogCapture.uninstall();
        emulator.close();
        proxy.close();
        azurite.close();
    }

    @BeforeEach
    void resetServices() {
        admin.reset();
        proxy.throttle(0);
        proxy.throttleDownloads(null, 0);
        proxy.corruptNextDownload(null);
        proxy.refuse(false);
    }

    @Test
    void azuriteStoppedMidUpload_andStartedAgain_theRunFinishesOrTheRestartDoes() throws Exception {
        // given: an upload slow enough to be cut
        Definition definition = definition("storage-down-upload", "sas");
        proxy.throttle(4 * MIB);

        // when: storage goes away with a block staged, and comes back on the same port and data
        CompletableFuture<Result> run = runInBackground(definition, big);
        outage(() -> blobs.uncommittedBlocks("storage-down-upload/") >= 1, run);

        // then
        Result result = finish(run.get(3, TimeUnit.MINUTES));
        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertCompletedOnce(definition, "big-reviews", bigReference);
    }

    @Test
    void azuriteStoppedMidDownload_andStartedAgain_theRunFinishesOrTheRestartDoes() throws Exception {
        // given: results sent back slowly
        Definition definition = definition("storage-down-download", "sas");
        proxy.throttleDownloads("results", 4 * MIB);

        // when: storage goes away with part of the result received
        CompletableFuture<Result> run = runInBackground(definition, big);
        outage(() -> proxy.markedDownstreamBytes() >= 3 * MIB, run);

        // then
        Result result = finish(run.get(3, TimeUnit.MINUTES));
        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertCompletedOnce(definition, "big-reviews", bigReference);
    }

    @ParameterizedTest
    @ValueSource(strings = {"sas", "connection-string"})
    void resultDamagedOnTheWay_isCaughtByTheMd5Check_andTheRestartGetsTheRightBytes(String credentials)
            throws Exception {
        // given: one byte of the result flipped between storage and the worker
        Definition definition = definition("corrupt-" + credentials, credentials);
        proxy.corruptNextDownload("results");
        int mark = LogCapture.mark();

        // when
        Result failed = Cli.run(scenario, "run", definition.name, "--input", small.toString());

        // then
        assertThat(proxy.corruptedResponses()).isPositive();
        assertThat(failed.exitCode()).as(failed.toString()).isEqualTo(1);
        assertThat(failed.stdout()).contains("corrupted transfer").contains("restart with: ");
        assertThat(definition.output("book-reviews")).as("no damaged file at the final path").doesNotExist();
        assertThat(LogCapture.since(mark)).contains("Content-MD5");
        Result restart = Cli.run(scenario, "restart", Long.toString(executionId(failed)));
        assertThat(restart.exitCode()).as(restart.toString()).isZero();
        assertCompletedOnce(definition, "book-reviews", smallReference);
    }

    // ------------------------------------------------------------------ helpers

    private static Definition definition(String name, String credentials) throws IOException {
        Definition definition = scenario.definition(name, emulator.baseUri().toString(), KEY,
                proxy.connectionString(azurite.connectionString(), azuritePort)).credentialsToBes(credentials);
        definition.write(scenario.jobsDir);
        return definition;
    }

    private static CompletableFuture<Result> runInBackground(Definition definition, Path input) {
        return CompletableFuture.supplyAsync(() -> Cli.run(scenario, "run", definition.name, "--input", input.toString()));
    }

    /**
     * Waits for the moment, then stops Azurite (SIGTERM, with every connection to it cut, so that
     * it shuts down in order and keeps what it acknowledged) and starts it again on the same port
     * and data folder. Every client reaches Azurite through the proxy, which refuses connections
     * while Azurite is down.
     */
    private static void outage(BooleanSupplier moment, CompletableFuture<Result> run) throws IOException {
        try {
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(50))
                    .until(() -> moment.getAsBoolean() || run.isDone());
            assertThat(run.isDone()).as("the outage hits the run in the middle of the transfer").isFalse();
            proxy.refuse(true);
            proxy.dropConnections();
            stopGracefully(azurite);
            proxy.throttle(0);
            proxy.throttleDownloads(null, 0);
        }
        finally {
            if (!azurite.isAlive()) {
                azurite = AzuriteProcess.start(azuriteData, azuritePort);
            }
            proxy.refuse(false);
        }
    }

    /**
     * SIGTERM to Azurite, which is one node process now (no npm shim, no children): on SIGTERM it
     * closes its blob server, saving its metadata, and exits. Its exit is the sign that it closed
     * (it prints nothing then); it is killed only if it has not exited within a minute.
     */
    private static void stopGracefully(AzuriteProcess process) {
        long started = System.nanoTime();
        ProcessHandle node = ProcessHandle.of(process.pid()).orElseThrow();
        node.destroy();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> !node.isAlive());
        process.close();
        System.out.println("Azurite stopped in " + (System.nanoTime() - started) / 1_000_000 + " ms");
    }

    /** The run's result, or, when it failed restartable, the result of restarting it. */
    private static Result finish(Result run) {
        if (run.exitCode() == 0) {
            return run;
        }
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(run.stdout()).as("a restartable failure").contains("restart with: ");
        return Cli.run(scenario, "restart", Long.toString(executionId(run)));
    }

    private static long executionId(Result result) {
        Matcher matcher = EXECUTION.matcher(result.stdout());
        assertThat(matcher.find()).as("an execution id in " + result).isTrue();
        return Long.parseLong(matcher.group(1));
    }

    private static void assertCompletedOnce(Definition definition, String stem, Path reference) throws IOException {
        assertThat(admin.submitsByInput("/" + definition.name + "/").values()).as("one BES submission")
                .containsExactly(1L);
        Path output = definition.output(stem);
        assertThat(output).hasSameBinaryContentAs(reference);
        try (Stream<Path> files = Files.list(definition.outputDir)) {
            assertThat(files.map(p -> p.getFileName().toString()).toList()).as("no partial files left behind")
                    .containsExactly(output.getFileName().toString());
        }
    }
}
