package dev.besworker.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The standalone entry point a parent process starts. */
class BesEmulatorMainTest {

    static final String KEY = "main-test-secret-key-7731";

    private static ProcessBuilder emulatorProcess(String... args) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new java.util.ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
                BesEmulator.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().remove("BES_EMULATOR_API_KEY");
        return builder;
    }

    @Test
    void main_printsTheReadyLineOnly_andServes(@TempDir Path dir) throws Exception {
        // given
        Path stderrFile = dir.resolve("stderr.txt");
        ProcessBuilder builder = emulatorProcess("--port", "0", "--admin").redirectError(stderrFile.toFile());
        builder.environment().put("BES_EMULATOR_API_KEY", KEY);
        Process process = builder.start();
        BlockingQueue<String> stdout = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8)).lines().forEach(stdout::add));
        reader.start();
        try {
            // when
            String line = stdout.poll(30, TimeUnit.SECONDS);

            // then
            assertThat(line).matches("BES emulator listening on http://127\\.0\\.0\\.1:\\d+");
            URI base = URI.create(line.substring("BES emulator listening on ".length()));
            EmulatorHttp http = new EmulatorHttp(base, KEY);
            HttpResponse<String> counters = http.call("GET", "/_emulator/counters", null, Map.of());
            assertThat(counters.statusCode()).isEqualTo(200);
            HttpResponse<String> wrongKey = new EmulatorHttp(base, "wrong").call("GET",
                    EmulatorHttp.service("/jobs/" + "a".repeat(32) + "?api-version=2.0"), null);
            assertThat(wrongKey.statusCode()).isEqualTo(401);
        }
        finally {
            process.destroy();
            process.waitFor(10, TimeUnit.SECONDS);
            reader.join(10_000);
        }
        assertThat(stdout).isEmpty();
        assertThat(Files.readString(stderrFile)).doesNotContain(KEY);
    }

    @Test
    void main_withoutApiKey_exitsWithUsage() throws Exception {
        // given
        Process process = emulatorProcess("--port", "0").start();

        // when
        boolean exited = process.waitFor(30, TimeUnit.SECONDS);

        // then
        assertThat(exited).isTrue();
        assertThat(process.exitValue()).isEqualTo(2);
        assertThat(new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isEmpty();
        assertThat(new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8))
                .contains("no API key", "BES_EMULATOR_API_KEY");
    }

    @Test
    void parseArgs_readsEveryOption() {
        // when
        EmulatorSettings settings = BesEmulator.parseArgs(new String[] {"--port", "8123", "--api-key=k-123456789",
                "--admin", "--max-concurrent-jobs", "3", "--job-duration", "1500ms", "--column", "Text", "--bits", "10",
                "--ngrams", "1", "--workspace", "A".repeat(32), "--service", "b".repeat(32), "--required-global", "g",
                "--max-concurrent-requests", "5", "--result-sas-validity", "2h"},
                Map.of("BES_EMULATOR_SUBSCRIPTION_KEY", "sub-key-12345"));

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
        assertThat(settings.toString()).doesNotContain("k-123456789", "sub-key-12345");
    }

    @Test
    void parseArgs_takesKeyFromEnvironment_andRejectsUnknownOptions() {
        // when
        EmulatorSettings settings = BesEmulator.parseArgs(new String[0], Map.of("BES_EMULATOR_API_KEY", "env-key-123"));

        // then
        assertThat(settings.apiKey()).isEqualTo("env-key-123");
        assertThat(settings.admin()).isFalse();
        assertThatThrownBy(() -> BesEmulator.parseArgs(new String[] {"--nope", "1"}, Map.of("BES_EMULATOR_API_KEY", "k")))
                .hasMessageContaining("unknown option --nope");
        assertThatThrownBy(() -> BesEmulator.parseArgs(new String[] {"--bits", "99"}, Map.of("BES_EMULATOR_API_KEY", "k")))
                .hasMessageContaining("bits must be");
        assertThatThrownBy(() -> BesEmulator.parseArgs(new String[] {"--job-duration", "soon"}, Map.of("BES_EMULATOR_API_KEY", "k")))
                .hasMessageContaining("--job-duration must be a duration");
    }

    @Test
    void startOnTakenPort_failsClearly() throws IOException {
        // given
        try (BesEmulator first = BesEmulator.start(EmulatorSettings.defaults())) {

            // when / then
            assertThatThrownBy(() -> BesEmulator.start(EmulatorSettings.defaults().withPort(first.port())))
                    .hasMessageContaining("Cannot start the BES emulator on 127.0.0.1:" + first.port());
        }
    }
}
