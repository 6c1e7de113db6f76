package dev.besworker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.besworker.emulator.EmulatorSettings;
import dev.besworker.support.ScoredCsv;
import dev.besworker.support.WorkerFixture;

/**
 * The real jar's command line, as a user runs it: the sample on the embedded services, and a
 * run that fails, printing the restart command that, pasted as printed, then finishes it.
 */
class CommandLineIT {

    private static final Path JAR = Path.of("target/bes-worker.jar").toAbsolutePath();

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

    record Result(int exitCode, String stdout, String stderr) {
    }

    static Result besWorker(Path dataDir, Path jobsDir, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("java", "-jar", JAR.toString(), "--data-dir", dataDir.toString()));
        if (jobsDir != null) {
            command.addAll(List.of("--jobs-dir", jobsDir.toString()));
        }
        Collections.addAll(command, args);
        Path out = Files.createTempFile("stdout", ".txt");
        Path err = Files.createTempFile("stderr", ".txt");
        Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(process.waitFor(5, TimeUnit.MINUTES)).as("bes-worker %s ends", List.of(args)).isTrue();
        return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
    }

    @Test
    void runOnTheSample_withEmbeddedServices_writesExactFeatureHashingCounts_andListShowsIt() throws Exception {
        // given
        Path dataDir = fixture.root.resolve("sample-data-dir");
        Path output = fixture.root.resolve("sample-out");

        // when
        Result run = besWorker(dataDir, null, "run", "book-reviews", "--input", "sample-data/book-reviews.csv",
                "--output-dir", output.toString());
        Result again = besWorker(dataDir, null, "run", "book-reviews", "--input", "sample-data/book-reviews.csv",
                "--output-dir", output.toString());
        Result list = besWorker(dataDir, null, "list", "--json");
        Result show = besWorker(dataDir, null, "show", "1", "--json");

        // then
        assertThat(run.exitCode()).as(run.stderr()).isZero();
        assertThat(run.stdout()).contains("execution 1 COMPLETED").contains("book-reviews.output1.csv");
        ScoredCsv.assertScored(Path.of("sample-data/book-reviews.csv"), output.resolve("book-reviews.output1.csv"),
                "Col2", 3);
        assertThat(again.exitCode()).isZero();
        assertThat(again.stdout()).contains("already scored");
        assertThat(Files.readString(dataDir.resolve("logs/bes-worker.log"))).contains("execution 1: COMPLETED");
        JsonNode executions = JsonMapper.builder().build().readTree(list.stdout());
        assertThat(executions.size()).isEqualTo(1);
        assertThat(executions.get(0).path("summary").path("status").asString()).isEqualTo("COMPLETED");
        assertThat(executions.get(0).path("steps").get(6).path("endTime").asString()).isNotBlank();
        JsonNode detail = JsonMapper.builder().build().readTree(show.stdout());
        assertThat(detail.path("steps").size()).isEqualTo(7);
        assertThat(detail.path("steps").get(0).path("startTime").asString()).isNotBlank();
        assertThat(detail.path("summary").path("besJobId").asString()).matches("[0-9a-f]{32}");
    }

    @Test
    void aDefinitionWithTwoInputs_runsFromRunToBothOutputs() throws Exception {
        // given: the emulator's two-input service (input1 -> output1, input2 -> output2)
        Path outputDir = fixture.root.resolve("two-out");
        Files.write(fixture.jobsDir.resolve("two-inputs.yml"), List.of(
                "bes:",
                "  endpoint: " + fixture.emulator.baseUri(),
                "  workspace: " + WorkerFixture.WORKSPACE,
                "  service: " + EmulatorSettings.TWO_INPUT_SERVICE,
                "  api-key: " + WorkerFixture.API_KEY,
                "inputs:",
                "  - {name: input1, required-columns: [Col2]}",
                "  - {name: input2, required-columns: [Col2]}",
                "outputs: [output1, output2]",
                "storage:",
                "  connection-string: \"" + fixture.azurite.connectionString() + "\"",
                "  container: bes-staging",
                "poll: {initial-interval: 100ms, max-interval: 400ms, timeout: 2m}",
                "output-dir: " + outputDir), StandardCharsets.UTF_8);
        Path first = fixture.input("first.csv", "This is a good day", "another day");
        Path second = fixture.input("second.csv", "a bad day", "This is a good day", "no day at all");
        fixture.admin.reset();

        // when
        Result run = besWorker(fixture.root.resolve("two-data-dir"), fixture.jobsDir, "run", "two-inputs",
                "--input", "input1=" + first, "--input", "input2=" + second);

        // then: one BES job got both inputs, and each output holds its own input's rows, hashed
        assertThat(run.exitCode()).as(run.stdout() + run.stderr()).isZero();
        assertThat(fixture.admin.counter("submits")).isEqualTo(1);
        assertThat(fixture.admin.counter("starts")).isEqualTo(1);
        List<Path> outputs;
        try (var files = Files.list(outputDir)) {
            outputs = files.sorted().toList();
        }
        Path output1 = outputs.stream().filter(p -> p.getFileName().toString().endsWith(".output1.csv")).findFirst()
                .orElseThrow(() -> new AssertionError("no output1 in " + outputs));
        Path output2 = outputs.stream().filter(p -> p.getFileName().toString().endsWith(".output2.csv")).findFirst()
                .orElseThrow(() -> new AssertionError("no output2 in " + outputs));
        assertThat(outputs).hasSize(2);
        assertThat(run.stdout()).contains(output1.getFileName().toString()).contains(output2.getFileName().toString());
        ScoredCsv.assertScored(first, output1, "Col2", 3);
        ScoredCsv.assertScored(second, output2, "Col2", 3);
    }

    @ParameterizedTest(name = "started as {0}")
    @ValueSource(strings = {"java -jar target/bes-worker.jar", "target/bes-worker"})
    void failedRun_printsTheRestartCommandAsItWasStarted_whichPastedAsIsFinishesTheRun_andWorkersNamesBoth(String started)
            throws Exception {
        // given
        fixture.admin.reset();
        fixture.admin.behaviour("{\"outcome\":\"fail\",\"failDetails\":\"Module: Reader; Error 1000: injected\",\"times\":1}");
        String stem = "cli fails once " + started.length();
        Path input = fixture.input(stem + ".csv", "a text to score", "another one");
        Path dataDir = fixture.root.resolve("failure-data-dir-" + started.length());

        // when: the run fails once, and the printed command is pasted into a shell as it is
        Result failed = shell(started + " --data-dir " + Shell.quote(dataDir.toString()) + " --jobs-dir "
                + Shell.quote(fixture.jobsDir.toString()) + " run reviews --input " + Shell.quote(input.toString()));
        Matcher restart = Pattern.compile("restart with: (.* (restart \\d+))").matcher(failed.stdout());
        assertThat(restart.find()).as(failed.stdout()).isTrue();
        Result restarted = shell(restart.group(1));
        Result workers = besWorker(dataDir, fixture.jobsDir, "workers");

        // then
        assertThat(failed.exitCode()).isEqualTo(1);
        assertThat(restart.group(1)).as("the restart command starts the worker as the run was started")
                .startsWith(started + " ");
        assertThat(workers.stdout()).as("workers names what each process was started as")
                .contains("run reviews").contains(restart.group(2));
        assertThat(failed.stdout()).contains("FAILED").contains("Error 1000: injected");
        assertThat(restarted.exitCode()).as(restarted.stderr()).isZero();
        assertThat(restarted.stdout()).contains("COMPLETED");
        ScoredCsv.assertScored(input, fixture.outputDir.resolve(stem.replace(' ', '-') + ".output1.csv"), "Col2", 3);
        assertThat(fixture.admin.counter("submits")).isEqualTo(2);
    }

    /** A command line typed into a shell, from the project's folder as the README's commands are. */
    private static Result shell(String line) throws IOException, InterruptedException {
        Path out = Files.createTempFile("stdout", ".txt");
        Path err = Files.createTempFile("stderr", ".txt");
        Process process = new ProcessBuilder("sh", "-c", line).redirectOutput(out.toFile()).redirectError(err.toFile())
                .start();
        assertThat(process.waitFor(5, TimeUnit.MINUTES)).as("%s ends", line).isTrue();
        return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
    }

    @Test
    void rejectedInput_exits3_namingTheFileLineAndFix_withoutCallingBes() throws Exception {
        // given
        fixture.admin.reset();
        Path input = fixture.inputDir.resolve("ragged.csv");
        Files.writeString(input, "Id,Col2\n1,fine\n2,too,many\n", StandardCharsets.UTF_8);
        byte[] before = Files.readAllBytes(input);

        // when
        Result result = besWorker(fixture.root.resolve("rejected-data-dir"), fixture.jobsDir, "run", "reviews",
                "--input", input.toString());

        // then
        assertThat(result.exitCode()).isEqualTo(3);
        assertThat(result.stderr()).contains("ragged.csv").contains("line 3").contains("Fix");
        assertThat(fixture.admin.counter("submits")).isZero();
        assertThat(Files.readAllBytes(input)).isEqualTo(before);
    }

    @Test
    void check_saysWhatWorks_andWhatDoesNot() throws Exception {
        // given
        fixture.definition("wrong-key");
        String wrong = Files.readString(fixture.jobsDir.resolve("wrong-key.yml"))
                .replace("api-key: " + WorkerFixture.API_KEY, "api-key: not-the-right-key-0123456789");
        Files.writeString(fixture.jobsDir.resolve("wrong-key.yml"), wrong);

        // when
        Result good = besWorker(fixture.root.resolve("check-data-dir"), fixture.jobsDir, "check", "reviews");
        Result bad = besWorker(fixture.root.resolve("check-data-dir"), fixture.jobsDir, "check", "wrong-key");

        // then
        assertThat(good.exitCode()).as(good.stdout() + good.stderr()).isZero();
        assertThat(good.stdout()).contains("storage: OK").contains("swagger.json: OK")
                .contains("authenticated call: OK").contains("all checks passed");
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.stdout()).contains("storage: OK").contains("authenticated call: FAILED").contains("api-key");
        assertThat(bad.stdout() + bad.stderr()).doesNotContain("not-the-right-key-0123456789");
    }

    @Test
    void check_whenTheServiceIsUnknown_failsTheAuthenticatedCall_ratherThanTakingThe404ForAcceptedCredentials()
            throws Exception {
        // given: BES answers the probe as it does for a wrong service id
        fixture.admin.reset();
        fixture.admin.faults("{\"operation\":\"status\",\"status\":404,\"code\":\"WebServiceNotFound\",\"times\":1}");

        // when
        Result result = besWorker(fixture.root.resolve("check-data-dir"), fixture.jobsDir, "check", "reviews");

        // then
        assertThat(result.exitCode()).as(result.stdout() + result.stderr()).isEqualTo(2);
        assertThat(result.stdout()).contains("authenticated call: FAILED").contains("bes.service")
                .doesNotContain("credentials accepted").contains("some checks failed");
        assertThat(fixture.admin.counter("faultsFired")).as("the probe met the 404").isEqualTo(1);
        fixture.admin.reset();
    }

    @Test
    void versionDefinitionsAndHelp_answerWithoutAWorker() throws Exception {
        // when
        Result version = besWorker(fixture.root.resolve("v"), null, "--version");
        Result definitions = besWorker(fixture.root.resolve("v"), null, "definitions");
        Result help = besWorker(fixture.root.resolve("v"), null, "run", "--help");

        // then
        assertThat(version.exitCode()).isZero();
        assertThat(version.stdout()).startsWith("bes-worker ");
        assertThat(definitions.exitCode()).isZero();
        assertThat(definitions.stdout()).contains("book-reviews").contains("valid");
        assertThat(help.exitCode()).isZero();
        assertThat(help.stdout()).contains("--input").contains("--force").contains("--param");
    }
}
