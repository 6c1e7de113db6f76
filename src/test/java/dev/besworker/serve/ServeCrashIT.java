package dev.besworker.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.besworker.embedded.AzuriteProcess;
import dev.besworker.emulator.BesEmulator;
import dev.besworker.emulator.EmulatorSettings;
import dev.besworker.intake.Inbox;

/** {@code serve} as a real process (the jar), killed with SIGKILL while files are being scored. */
class ServeCrashIT {

    private static final String API_KEY = "serve-crash-key-0123456789";

    private static AzuriteProcess azurite;
    private static BesEmulator emulator;

    @TempDir
    Path root;

    private final List<Process> processes = new ArrayList<>();

    @BeforeAll
    static void services() throws IOException {
        azurite = AzuriteProcess.start(null);
        // Jobs that take a while, so that the kill finds runs waiting on BES.
        emulator = BesEmulator.start(EmulatorSettings.defaults().withAdmin(true).withApiKey(API_KEY)
                .withJobDuration(Duration.ofSeconds(3)));
    }

    @AfterAll
    static void stopServices() {
        emulator.close();
        azurite.close();
    }

    @AfterEach
    void killLeftovers() {
        processes.forEach(Process::destroyForcibly);
    }

    @Test
    void killMinus9_withFilesInProcessing_losesNothing_andTheNextServeFinishesThem() throws Exception {
        // given a serve process scoring four files, two at a time
        Path inbox = root.resolve("inbox");
        Path output = root.resolve("out");
        writeDefinition(inbox, output);
        Process first = serve("first");
        for (int i = 1; i <= 4; i++) {
            Files.writeString(inbox.resolve("file-" + i + ".csv"), ServeTestSupport.csv("crash " + i, 3));
        }
        await().atMost(Duration.ofSeconds(90)).until(() -> ServeTestSupport.names(inbox.resolve(Inbox.PROCESSING))
                .size() == 2 && counter("starts") >= 2);

        // when it is killed without warning while two files are in processing/ and their BES jobs run
        first.destroyForcibly();
        assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(ServeTestSupport.names(inbox.resolve(Inbox.PROCESSING))).hasSize(2);
        assertThat(csvFiles(inbox).size() + ServeTestSupport.names(inbox.resolve(Inbox.DONE)).size()).isEqualTo(2);

        // then the next serve finishes every file without submitting any twice
        Process next = serve("next");
        Process second = serve("second");
        assertThat(second.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(second.exitValue()).isEqualTo(4);
        assertThat(Files.readString(root.resolve("second.log")))
                .contains("another serve is already running for data folder", "process " + next.pid());
        ServeTestSupport.awaitFiles(inbox.resolve(Inbox.DONE), 4, Duration.ofMinutes(2));
        assertThat(ServeTestSupport.names(inbox.resolve(Inbox.DONE)))
                .containsExactly("file-1.csv", "file-2.csv", "file-3.csv", "file-4.csv");
        assertThat(ServeTestSupport.names(output)).hasSize(4)
                .allSatisfy(name -> assertThat(ServeTestSupport.dataRows(output.resolve(name))).isEqualTo(3));
        assertThat(ServeTestSupport.names(inbox.resolve(Inbox.FAILED))).isEmpty();
        assertThat(ServeTestSupport.names(inbox.resolve(Inbox.PROCESSING))).isEmpty();
        assertThat(counter("submits")).isEqualTo(4);
        assertThat(Files.readString(root.resolve("next.log"))).contains("was left in .processing by an earlier worker");

        // and SIGTERM stops it cleanly
        next.destroy();
        assertThat(next.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(next.exitValue()).isZero();
    }

    private void writeDefinition(Path inbox, Path output) throws IOException {
        Path jobs = Files.createDirectories(root.resolve("jobs"));
        Files.writeString(jobs.resolve("crash.yml"), """
                bes:
                  endpoint: %s
                  workspace: 0123456789abcdef0123456789abcdef
                  service: fedcba9876543210fedcba9876543210
                  api-key: %s
                input: {name: input1, required-columns: [Col2]}
                outputs: [output1]
                storage:
                  connection-string: "%s"
                  container: serve-crash
                  credentials-to-bes: connection-string
                poll: {initial-interval: 200ms, max-interval: 500ms, timeout: 2m}
                output-dir: %s
                inbox: {dir: %s, settle: 300ms}
                max-concurrent-jobs: 2
                """.formatted(emulator.baseUri(), API_KEY, azurite.connectionString(), output, inbox),
                StandardCharsets.UTF_8);
    }

    /** Starts {@code java -jar target/bes-worker.jar serve}, output to NAME.log, and waits until it is ready or gone. */
    private Process serve(String name) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        Path log = root.resolve(name + ".log");
        Process process = new ProcessBuilder(java,
                // the start-up flags of the other process tests (WorkerJvm): C1 only and one GC thread
                // spend far less CPU starting Spring, which matters on a busy 2-core machine
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto", "-Dbesworker.inbox-poll-interval=100ms",
                "-Dbesworker.heartbeat-interval=1s", "-jar", Path.of("target/bes-worker.jar").toAbsolutePath().toString(),
                "--jobs-dir", root.resolve("jobs").toString(), "--data-dir", root.resolve("data").toString(),
                "serve", "--http-port", "-1")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        processes.add(process);
        await().atMost(Duration.ofSeconds(90)).until(() -> !process.isAlive()
                || Files.readString(log).contains("serve: ready"));
        return process;
    }

    private static List<Path> csvFiles(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".csv")).toList();
        }
    }

    private static int counter(String name) {
        try {
            var response = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(emulator.baseUri().resolve("/_emulator/counters")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            return ServeTestSupport.JSON.readTree(response.body()).get(name).asInt();
        }
        catch (IOException ex) {
            throw new java.io.UncheckedIOException(ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }
}
