package dev.besworker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import picocli.CommandLine;

import dev.besworker.emulator.BesEmulator;
import dev.besworker.emulator.EmulatorSettings;

/** The {@code emulator} command: the one way to run the emulator on its own. */
class EmulatorCommandTest {

    static final String KEY = "main-test-secret-key-7731";

    private static EmulatorCommand parse(String... args) {
        EmulatorCommand command = new EmulatorCommand();
        new CommandLine(command).parseArgs(args);
        return command;
    }

    /** Runs the command in-process as picocli would, returning the exit code; its stderr goes to {@code err}. */
    private static int execute(StringWriter err, String... args) {
        return new CommandLine(new EmulatorCommand()).setErr(new PrintWriter(err, true)).execute(args);
    }

    @Test
    void emulatorCommand_printsTheReadyLineOnly_servesTheAdminApi_andNeverLogsTheKey(@TempDir Path dir) throws Exception {
        // given
        Path stderrFile = dir.resolve("stderr.txt");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
                BesWorkerApplication.class.getName(), "--data-dir", dir.toString(), "emulator", "--port", "0", "--admin"));
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(stderrFile.toFile());
        builder.environment().put("BES_EMULATOR_API_KEY", KEY);
        Process process = builder.start();
        BlockingQueue<String> stdout = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8)).lines().forEach(stdout::add));
        reader.start();
        HttpClient http = HttpClient.newHttpClient();
        try {
            // when
            String line = stdout.poll(60, TimeUnit.SECONDS);

            // then
            assertThat(line).matches("BES emulator listening on http://127\\.0\\.0\\.1:\\d+");
            URI base = URI.create(line.substring("BES emulator listening on ".length()));
            HttpResponse<String> counters = http.send(HttpRequest.newBuilder(base.resolve("/_emulator/counters"))
                    .header("Authorization", "Bearer " + KEY).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(counters.statusCode()).isEqualTo(200);
            URI job = base.resolve("/workspaces/" + "a".repeat(32) + "/services/" + "b".repeat(32) + "/jobs/"
                    + "c".repeat(32) + "?api-version=2.0");
            HttpResponse<String> wrongKey = http.send(HttpRequest.newBuilder(job).header("Authorization", "Bearer wrong")
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(wrongKey.statusCode()).isEqualTo(401);
        }
        finally {
            process.destroy();
            process.waitFor(10, TimeUnit.SECONDS);
            reader.join(10_000);
        }
        assertThat(stdout).isEmpty();
        assertThat(Files.readString(stderrFile)).doesNotContain(KEY);
        try (Stream<Path> logs = Files.walk(dir.resolve("logs"))) {
            for (Path log : logs.filter(Files::isRegularFile).toList()) {
                assertThat(Files.readString(log)).doesNotContain(KEY);
            }
        }
    }

    @Test
    void options_setEverySetting_withDurationsWrittenAsEverywhereElse() {
        // when
        EmulatorSettings settings = parse("--port", "8123", "--api-key=k-123456789", "--admin",
                "--max-concurrent-jobs", "3", "--job-duration", "1500ms", "--column", "Text", "--bits", "10",
                "--ngrams", "1", "--workspace", "A".repeat(32), "--service", "b".repeat(32), "--required-global", "g",
                "--max-concurrent-requests", "5", "--result-sas-validity", "2h")
                .settings(Map.of("BES_EMULATOR_SUBSCRIPTION_KEY", "sub-key-12345",
                        "BES_EMULATOR_DEFAULT_STORAGE", "UseDevelopmentStorage=true"));

        // then
        assertThat(settings.port()).isEqualTo(8123);
        assertThat(settings.apiKey()).isEqualTo("k-123456789");
        assertThat(settings.admin()).isTrue();
        assertThat(settings.maxConcurrentJobs()).isEqualTo(3);
        assertThat(settings.jobDuration()).isEqualTo(Duration.ofMillis(1500));
        assertThat(settings.hashColumn()).isEqualTo("Text");
        assertThat(settings.bits()).isEqualTo(10);
        assertThat(settings.ngrams()).isEqualTo(1);
        assertThat(settings.workspaces()).containsExactly("a".repeat(32));
        assertThat(settings.services()).containsExactly("b".repeat(32));
        assertThat(settings.requiredGlobalParameters()).containsExactly("g");
        assertThat(settings.maxConcurrentRequests()).isEqualTo(5);
        assertThat(settings.resultSasValidity()).isEqualTo(Duration.ofHours(2));
        assertThat(settings.subscriptionKey()).isEqualTo("sub-key-12345");
        assertThat(settings.defaultStorageConnectionString()).isEqualTo("UseDevelopmentStorage=true");
        assertThat(settings.toString()).doesNotContain("k-123456789", "sub-key-12345");
    }

    @Test
    void withoutOptions_theKeyComesFromTheEnvironment_elseTheDocumentedDefault() {
        // when
        EmulatorSettings fromEnv = parse().settings(Map.of("BES_EMULATOR_API_KEY", "env-key-123"));
        EmulatorSettings bare = parse().settings(Map.of());

        // then
        assertThat(fromEnv.apiKey()).isEqualTo("env-key-123");
        assertThat(fromEnv.admin()).isFalse();
        assertThat(fromEnv.port()).isEqualTo(8090);
        assertThat(bare.apiKey()).isEqualTo(EmulatorCommand.DEFAULT_API_KEY);
        assertThat(bare.withPort(0)).isEqualTo(EmulatorSettings.defaults().withApiKey(EmulatorCommand.DEFAULT_API_KEY));
    }

    @Test
    void badOptions_exitWith2_namingTheProblem() {
        // given
        StringWriter unknown = new StringWriter();
        StringWriter bits = new StringWriter();
        StringWriter duration = new StringWriter();

        // when
        int unknownCode = execute(unknown, "--port", "0", "--nope", "1");
        int bitsCode = execute(bits, "--port", "0", "--bits", "99");
        int durationCode = execute(duration, "--port", "0", "--job-duration", "500");

        // then
        assertThat(unknownCode).isEqualTo(2);
        assertThat(unknown.toString()).contains("--nope");
        assertThat(bitsCode).isEqualTo(2);
        assertThat(bits.toString()).contains("bits must be");
        // A bare number is refused, as in definitions: no second duration grammar.
        assertThat(durationCode).isEqualTo(2);
        assertThat(duration.toString()).contains("--job-duration", "has no unit");
    }

    @Test
    void startOnTakenPort_failsClearly() {
        // given
        try (BesEmulator first = BesEmulator.start(EmulatorSettings.defaults())) {

            // when / then
            assertThatThrownBy(() -> BesEmulator.start(EmulatorSettings.defaults().withPort(first.port())))
                    .hasMessageContaining("Cannot start the BES emulator on 127.0.0.1:" + first.port());
        }
    }
}
