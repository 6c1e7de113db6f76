package dev.besworker.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.security.SecureRandom;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.besworker.embedded.AzuriteProcess;
import dev.besworker.emulator.BesEmulator;
import dev.besworker.emulator.EmulatorSettings;
import dev.besworker.reliability.WorkerJvm.Result;
import dev.besworker.support.EmulatorAdmin;
import tools.jackson.databind.JsonNode;

/**
 * Whole runs of the real jar, one that completes and one that fails, with canary secrets: an API
 * key and a gateway subscription key the emulator insists on, a secret global parameter, the
 * storage account key, and the SAS tokens the worker signs. None may appear in the logs, on the
 * console, in the job parameters or in any table of the job repository.
 */
class SecretsIT {

    private static final String API_KEY = "canary-api-key-" + random();
    private static final String SUBSCRIPTION_KEY = "canary-subscription-" + random();
    private static final String PARAM_SECRET = "canary-param-" + random();
    /** A SAS signature left readable: {@code sig=} followed by anything but the mask. */
    private static final Pattern UNMASKED_SIG = Pattern.compile("(?i)sig(=|%3D)(?!\\*\\*\\*)[A-Za-z0-9%+/]{6,}");

    private static AzuriteProcess azurite;
    private static BesEmulator emulator;
    private static EmulatorAdmin admin;
    private static Path workDir;

    @BeforeAll
    static void startServices() throws Exception {
        azurite = AzuriteProcess.start(null);
        emulator = BesEmulator.start(EmulatorSettings.defaults().withApiKey(API_KEY).withSubscriptionKey(SUBSCRIPTION_KEY)
                .withAdmin(true));
        admin = new EmulatorAdmin(emulator.baseUri());
        workDir = Scenario.workDir(SecretsIT.class);
    }

    @AfterAll
    static void stopServices() {
        emulator.close();
        azurite.close();
    }

    @Test
    void aCompletedAndAFailedRun_leaveNoSecretInLogsConsoleParametersOrRepository() throws Exception {
        // given
        Scenario scenario = scenario("text");
        WorkerJvm worker = worker(scenario);

        // when / then
        Map<String, String> artifacts = twoRunsLeaveNoSecret(scenario, worker);
        assertThat(artifacts.get("console 0 stderr")).contains("execution 1: STARTED of secret (new run)");
    }

    @Test
    void withJsonLogs_aCompletedAndAFailedRun_leaveNoSecret_andEachLineNamesItsRun() throws Exception {
        // given JSON on the console (ECS) and in the file (Logstash)
        Scenario scenario = scenario("json");
        WorkerJvm worker = worker(scenario).env("LOGGING_STRUCTURED_FORMAT_CONSOLE", "ecs")
                .systemProperty("logging.structured.format.file=logstash");

        // when / then
        Map<String, String> artifacts = twoRunsLeaveNoSecret(scenario, worker);
        List<JsonNode> lines = new ArrayList<>();
        for (var artifact : artifacts.entrySet()) {
            if (artifact.getKey().endsWith("bes-worker.log") || artifact.getKey().equals("console 1 stderr")) {
                for (String line : artifact.getValue().split("\n")) {
                    if (!line.isBlank()) {
                        lines.add(EmulatorAdmin.JSON.readTree(line));
                    }
                }
            }
        }
        assertThat(lines).as("every line of the log file and the console is a JSON object").isNotEmpty()
                .allMatch(JsonNode::isObject);
        assertThat(lines).as("the failed run's lines carry its execution id and definition")
                .anyMatch(line -> line.path("message").asString().contains("execution 2: FAILED")
                        && line.path("execution").asString().equals("2")
                        && line.path("definition").asString().equals("secret"));
        assertThat(lines).as("ECS on the console").anyMatch(line -> line.has("ecs"));
        assertThat(lines).as("Logstash in the file").anyMatch(line -> line.has("@version"));
    }

    private static Scenario scenario(String name) throws IOException {
        Scenario scenario = new Scenario(Files.createDirectories(workDir.resolve(name)));
        admin.reset();
        // every secret comes from the environment, as the sample definition advises
        Files.write(scenario.jobsDir.resolve("secret.yml"), List.of(
                "bes:",
                "  endpoint: " + emulator.baseUri(),
                "  workspace: " + Scenario.WORKSPACE,
                "  service: " + Scenario.SERVICE,
                "  api-key: ${BES_API_KEY}",
                "  subscription-key: ${APIM_KEY}",
                "  retry: {max-attempts: 3, initial-backoff: 50ms, max-backoff: 100ms, budget: 5s}",
                "input: {name: input1, required-columns: [Col2]}",
                "outputs: [output1]",
                "global-parameters: {Model Token: \"${MODEL_TOKEN}\"}",
                "storage:",
                "  connection-string: ${AZURE_STORAGE_CONNECTION_STRING}",
                "  container: " + Scenario.CONTAINER,
                "poll: {initial-interval: 100ms, max-interval: 300ms, timeout: 2m}",
                "output-dir: \"" + scenario.outputDir + "\""), StandardCharsets.UTF_8);
        return scenario;
    }

    private static WorkerJvm worker(Scenario scenario) {
        return new WorkerJvm(scenario).env("BES_API_KEY", API_KEY).env("APIM_KEY", SUBSCRIPTION_KEY)
                .env("MODEL_TOKEN", PARAM_SECRET).env("AZURE_STORAGE_CONNECTION_STRING", azurite.connectionString())
                // the most talkative setting a user may choose
                .systemProperty("besworker.log-level=DEBUG");
    }

    /** Runs one good and one failing input, checks no secret is anywhere, and returns what it checked by name. */
    private static Map<String, String> twoRunsLeaveNoSecret(Scenario scenario, WorkerJvm worker) throws Exception {
        List<Result> console = new ArrayList<>();
        Path good = Files.writeString(scenario.root.resolve("good.csv"), "Id,Col2\n1,This is a good day\n");
        Path bad = Files.writeString(scenario.root.resolve("bad.csv"), "Id,Col2\n1,This is a bad day\n");

        // when: a run that completes, and one whose status calls are refused (401) after submit and start
        Result completed = worker.run("run", "secret", "--input", good.toString());
        admin.faults("{\"operation\":\"status\",\"status\":401,\"code\":\"ScoreRequestUnauthorized\",\"times\":-1}");
        Result failed = worker.run("run", "secret", "--input", bad.toString());
        console.add(completed);
        console.add(failed);
        console.add(Cli.run(scenario, "list", "--json"));
        console.add(Cli.run(scenario, "show", "--json", "1"));
        console.add(Cli.run(scenario, "show", "2"));

        // then: the secrets were really in play
        assertThat(completed.exitCode()).as(completed.toString()).isZero();
        assertThat(failed.exitCode()).as(failed.toString()).isEqualTo(2);
        assertThat(failed.stdout()).contains("check the definition's bes.api-key");
        assertThat(EmulatorAdmin.JSON.readTree(adminJobs()).toString()).as("the secret global parameter reached BES")
                .contains(PARAM_SECRET);
        assertThat(admin.counter("starts")).as("both runs used their SAS tokens").isEqualTo(2);

        // and none of them is anywhere the worker writes
        Map<String, String> artifacts = new LinkedHashMap<>();
        try (Stream<Path> logs = Files.walk(scenario.dataDir.resolve("logs"))) {
            for (Path log : logs.filter(Files::isRegularFile).toList()) {
                artifacts.put(log.toString(), Files.readString(log, StandardCharsets.UTF_8));
            }
        }
        for (int i = 0; i < console.size(); i++) {
            artifacts.put("console " + i + " stdout", console.get(i).stdout());
            artifacts.put("console " + i + " stderr", console.get(i).stderr());
        }
        List<String> repository = Repository.h2(scenario.dataDir).dumpText("PUBLIC");
        artifacts.put("job repository", String.join("\n", repository));
        assertThat(repository).as("the repository dump covers the job parameters and contexts")
                .anyMatch(line -> line.startsWith("BATCH_JOB_EXECUTION_PARAMS.PARAMETER_VALUE"))
                .anyMatch(line -> line.startsWith("BATCH_JOB_EXECUTION_CONTEXT.SHORT_CONTEXT"))
                .anyMatch(line -> line.startsWith("BATCH_STEP_EXECUTION.EXIT_MESSAGE") && line.contains("401"));
        for (var artifact : artifacts.entrySet()) {
            assertThat(artifact.getValue()).as(artifact.getKey())
                    .doesNotContain(API_KEY, SUBSCRIPTION_KEY, PARAM_SECRET, AzuriteProcess.ACCOUNT_KEY);
            Matcher sig = UNMASKED_SIG.matcher(artifact.getValue());
            assertThat(sig.find()).as("%s shows a SAS signature: %s", artifact.getKey(),
                    sig.find(0) ? excerpt(artifact.getValue(), sig.start()) : "").isFalse();
        }
        return artifacts;
    }

    private static String adminJobs() throws IOException, InterruptedException {
        var response = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(emulator.baseUri().resolve("/_emulator/jobs")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        return response.body();
    }

    private static String excerpt(String text, int at) {
        return text.substring(Math.max(0, at - 80), Math.min(text.length(), at + 80));
    }

    private static String random() {
        byte[] bytes = new byte[12];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
