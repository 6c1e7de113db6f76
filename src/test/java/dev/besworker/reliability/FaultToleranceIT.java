package dev.besworker.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

import dev.besworker.embedded.AzuriteProcess;
import dev.besworker.emulator.BesEmulator;
import dev.besworker.emulator.EmulatorSettings;
import dev.besworker.reliability.Scenario.Definition;
import dev.besworker.reliability.WorkerJvm.Result;
import dev.besworker.support.EmulatorAdmin;

/**
 * BES faults injected by the emulator, seen through the whole worker (the command line, in this
 * JVM): every transient failure is retried and the run completes with the same bytes as an
 * undisturbed run and one submission; past the retry budget the run fails restartable with the
 * last error; errors a retry cannot fix are not retried and say what to fix.
 */
class FaultToleranceIT {

    private static final String KEY = "fault-test-api-key";
    private static final Pattern EXECUTION = Pattern.compile("execution (\\d+) (COMPLETED|FAILED|STOPPED)");

    private static AzuriteProcess azurite;
    private static BesEmulator emulator;
    private static EmulatorAdmin admin;
    private static Scenario scenario;
    private static Path input;
    private static Path reference;

    @BeforeAll
    static void startServicesAndScoreTheReference() throws Exception {
        LogCapture.install();
        azurite = AzuriteProcess.start(null);
        emulator = BesEmulator.start(EmulatorSettings.defaults().withApiKey(KEY).withAdmin(true));
        admin = new EmulatorAdmin(emulator.baseUri());
        scenario = new Scenario(Scenario.workDir(FaultToleranceIT.class));
        StringBuilder csv = new StringBuilder("ReviewId,Col2,Rating\n");
        for (int i = 1; i <= 40; i++) {
            csv.append("R").append(i).append(",\"review number ").append(i).append(" was a good day\",").append(i % 5 + 1)
                    .append('\n');
        }
        input = Files.writeString(scenario.root.resolve("reviews.csv"), csv, StandardCharsets.UTF_8);
        Definition definition = definition("reference", d -> { });
        Result result = Cli.run(scenario, "run", "reference", "--input", input.toString());
        assertThat(result.exitCode()).as(result.toString()).isZero();
        reference = definition.output("reviews");
    }

    @AfterAll
    static void stopServices() {
        LogCapture.uninstall();
        emulator.close();
        azurite.close();
    }

    @BeforeEach
    void resetEmulator() {
        admin.reset();
    }

    // ------------------------------------------------------------------ transient faults: retried

    @ParameterizedTest
    @ValueSource(strings = {"RequestThrottled", "TooManyConcurrentRequests", "NoMoreResources", "InitializingContainers"})
    void serviceUnavailable_isRetriedOnEveryCall_andTheRunCompletes(String code) throws Exception {
        // given: 503 with the code on two submits, a start, a status and the final delete
        Definition definition = definition("busy-" + code.toLowerCase(), d -> { });
        admin.faults("[" + fault("submit", 503, code, 2) + "," + fault("start", 503, code, 1) + ","
                + fault("status", 503, code, 1) + "," + fault("delete", 503, code, 1) + "]");

        // when
        Result result = run(definition);

        // then
        assertCompletedOnce(definition, result);
        assertEveryFaultFired();
        assertThat(admin.requests("submit")).isEqualTo(3);
    }

    @Test
    void internalErrorsGatewayTimeoutsRequestTimeoutsAndTooManyRequests_areRetried_andTheRunCompletes()
            throws Exception {
        // given: 500 and 504 where a retry is safe (start, status), 408 and a gateway's 429 on the
        // submit (not processed)
        Definition definition = definition("transient-statuses", d -> { });
        admin.faults("[" + fault("submit", 408, null, 1) + "," + fault("submit", 429, null, 1) + ","
                + fault("start", 504, null, 1) + "," + fault("status", 500, null, 2) + ","
                + fault("status", 504, null, 1) + "]");

        // when
        Result result = run(definition);

        // then
        assertCompletedOnce(definition, result);
        assertEveryFaultFired();
        assertThat(admin.counter("starts")).isEqualTo(1);
    }

    @Test
    void connectionResets_areRetried_andTheRunCompletes() throws Exception {
        // given
        Definition definition = definition("resets", d -> { });
        admin.faults("[{\"operation\":\"start\",\"kind\":\"reset\",\"times\":1},"
                + "{\"operation\":\"status\",\"kind\":\"reset\",\"times\":2},"
                + "{\"operation\":\"delete\",\"kind\":\"reset\",\"times\":1}]");
        int mark = LogCapture.mark();

        // when
        Result result = run(definition);

        // then
        assertCompletedOnce(definition, result);
        assertEveryFaultFired();
        assertThat(LogCapture.since(mark)).contains("was lost during the job status");
    }

    @Test
    void startAnswerLost_theRetriedStartGetsCannotStartJob_whichCountsAsStarted() throws Exception {
        // given: BES starts the job, then the connection drops before the answer
        Definition definition = definition("lost-start", d -> { });
        admin.faults("{\"operation\":\"start\",\"kind\":\"reset\",\"phase\":\"after\",\"times\":1}");
        int mark = LogCapture.mark();

        // when
        Result result = run(definition);

        // then
        assertCompletedOnce(definition, result);
        assertThat(admin.requests("start")).isEqualTo(2);
        assertThat(admin.counter("starts")).as("BES started the job once").isEqualTo(1);
        assertThat(LogCapture.since(mark)).contains("(400 CannotStartJob)").contains("counting it as started");
    }

    @Test
    void slowResponses_areWaitedFor_andTheRunCompletes() throws Exception {
        // given: answers that take 0.8 s, within the request timeout of 3 s
        Definition definition = definition("slow", d -> d.requestTimeout("3s"));
        admin.faults("[{\"operation\":\"submit\",\"kind\":\"slow\",\"delayMillis\":800,\"times\":1},"
                + "{\"operation\":\"start\",\"kind\":\"slow\",\"delayMillis\":800,\"times\":1},"
                + "{\"operation\":\"status\",\"kind\":\"slow\",\"delayMillis\":800,\"times\":2}]");
        int mark = LogCapture.mark();

        // when
        Result result = run(definition);

        // then
        assertCompletedOnce(definition, result);
        assertEveryFaultFired();
        assertThat(LogCapture.since(mark)).doesNotContain("retrying in");
    }

    @Test
    void hangingResponses_timeOutAndAreRetried_andTheRunCompletes() throws Exception {
        // given: a status and a start that never answer, and a request timeout of one second
        Definition definition = definition("hanging", d -> d.requestTimeout("1s"));
        admin.faults("[{\"operation\":\"status\",\"kind\":\"hang\",\"times\":1},"
                + "{\"operation\":\"start\",\"kind\":\"hang\",\"times\":1}]");
        int mark = LogCapture.mark();

        // when
        Result result = run(definition);

        // then
        assertCompletedOnce(definition, result);
        assertEveryFaultFired();
        assertThat(LogCapture.since(mark)).contains("did not answer the job status within 1s")
                .contains("did not answer the job start within 1s");
        assertThat(admin.counter("starts")).isEqualTo(1);
    }

    @Test
    void retryAfter_isHonouredOverTheShorterBackoff() throws Exception {
        // given: a backoff of 50 ms and a service that asks for 2 s
        Definition definition = definition("retry-after", d -> { });
        admin.faults("{\"operation\":\"status\",\"status\":503,\"code\":\"RequestThrottled\","
                + "\"retryAfterSeconds\":2,\"times\":1}");
        int mark = LogCapture.mark();

        // when
        Result result = run(definition);

        // then
        assertCompletedOnce(definition, result);
        assertThat(LogCapture.since(mark)).containsPattern("BES job status failed: BES is busy or unavailable "
                + "\\(503 RequestThrottled\\).*retrying in 2s");
    }

    @Test
    void pastTheRetryBudget_theRunFailsRestartableWithTheLastError_andTheRestartDoesNotResubmit() throws Exception {
        // given: status answers 503 NoMoreResources for good, three attempts allowed
        Definition definition = definition("budget", d -> d.retry(
                "{max-attempts: 3, initial-backoff: 50ms, max-backoff: 100ms, budget: 10s}"));
        admin.faults("{\"operation\":\"status\",\"status\":503,\"code\":\"NoMoreResources\",\"times\":-1}");

        // when
        Result failed = run(definition);

        // then
        assertThat(failed.exitCode()).as(failed.toString()).isEqualTo(1);
        assertThat(failed.stdout()).contains("FAILED")
                .contains("reason: Gave up on the BES job status after 3 attempts")
                .contains("(503 NoMoreResources)").contains("restart with: ");
        assertThat(admin.requests("status")).isEqualTo(3);
        assertThat(definition.output("reviews")).doesNotExist();

        // and when the service recovers
        admin.clearFaults();
        Result restart = Cli.run(scenario, "restart", Long.toString(executionId(failed)));
        assertCompletedOnce(definition, restart);
        assertThat(admin.counter("starts")).isEqualTo(1);
    }

    @Test
    void submitAnswerLost_failsRestartable_andTheRestartStartsExactlyOneJob() throws Exception {
        // given: BES creates the job, then the connection drops before the answer (the documented window)
        Definition definition = definition("lost-submit", d -> { });
        admin.faults("{\"operation\":\"submit\",\"kind\":\"reset\",\"phase\":\"after\",\"times\":1}");

        // when
        Result failed = run(definition);
        Result restart = Cli.run(scenario, "restart", Long.toString(executionId(failed)));

        // then: the lost submit is not retried blindly; the restart submits once more and starts only that job
        assertThat(failed.exitCode()).as(failed.toString()).isEqualTo(1);
        assertThat(failed.stdout()).contains("the submit's answer was lost").contains("restart with: ");
        assertThat(admin.requests("submit")).isEqualTo(2);
        assertThat(restart.exitCode()).as(restart.toString()).isZero();
        assertThat(admin.submitsByInput("/lost-submit/").values()).containsExactly(2L);
        assertThat(admin.counter("starts")).as("at most one started job per run").isEqualTo(1);
        assertThat(admin.jobs().values()).as("the orphan of the lost answer is never started")
                .containsExactly("NotStarted");
        assertThat(definition.output("reviews")).hasSameBinaryContentAs(reference);
    }

    // ------------------------------------------------------------------ errors a retry cannot fix

    @Test
    void badRequest_isNotRetried_exits2_andSaysWhatToFix() throws Exception {
        // given
        Definition definition = definition("bad-request", d -> { });
        admin.faults("{\"operation\":\"submit\",\"status\":400,\"code\":\"MissingRequiredGlobalParameters\"}");

        // when
        Result result = run(definition);

        // then
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(2);
        assertThat(result.stdout()).contains("BES rejected the job submit (400 MissingRequiredGlobalParameters")
                .contains("set them under global-parameters in the definition");
        assertThat(admin.requests("submit")).isEqualTo(1);
        assertThat(admin.counter("submits")).isZero();
    }

    @Test
    void unauthorized_isNotRetried_exits2_andNamesTheApiKey_withoutPrintingIt() throws Exception {
        // given
        String wrongKey = "wrong-key-7f3a9c1e5b";
        Definition definition = definition("unauthorized", d -> d.apiKey(wrongKey));

        // when
        Result result = run(definition);

        // then
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(2);
        assertThat(result.all()).contains("check the definition's bes.api-key").doesNotContain(wrongKey);
        assertThat(admin.requests("submit")).isEqualTo(1);
        assertThat(admin.counter("submits")).isZero();
    }

    @Test
    void unknownService_isNotRetried_exits2_andNamesTheSettingsToCheck() throws Exception {
        // given
        Definition definition = definition("not-found", d -> { });
        admin.faults("{\"operation\":\"submit\",\"status\":404,\"code\":\"WebServiceNotFound\"}");

        // when
        Result result = run(definition);

        // then
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(2);
        assertThat(result.stdout()).contains("BES found no such web service (404 WebServiceNotFound)")
                .contains("check bes.endpoint, bes.workspace and bes.service");
        assertThat(admin.requests("submit")).isEqualTo(1);
    }

    // ------------------------------------------------------------------ how remote jobs end

    @Test
    void remoteJobFailed_failsTheRunWithTheServiceDetails() throws Exception {
        // given
        Definition definition = definition("remote-failed", d -> { });
        admin.behaviour("{\"outcome\":\"fail\",\"failDetails\":\"Module: Reader; taskStatusCode=400; "
                + "Error 1000: AFx Library library exception: column Col2 is empty\"}");

        // when
        Result result = run(definition);

        // then
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
        assertThat(result.stdout()).containsPattern("reason: BES job \\w+ failed: Module: Reader; taskStatusCode=400; "
                + "Error 1000: AFx Library library exception: column Col2 is empty").contains("restart with: ");
        assertThat(definition.output("reviews")).doesNotExist();
    }

    @ParameterizedTest
    @ValueSource(strings = {"stuck-notstarted", "stuck-running"})
    void stuckJob_isCancelledAtThePollTimeout_andTheRunFailsSayingSo(String outcome) throws Exception {
        // given
        Definition definition = definition(outcome, d -> d.poll("{initial-interval: 100ms, max-interval: 200ms, timeout: 1s}"));
        admin.behaviour("{\"outcome\":\"" + outcome + "\"}");

        // when
        Result result = run(definition);

        // then
        String state = outcome.equals("stuck-notstarted") ? "NOT_STARTED" : "RUNNING";
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
        assertThat(result.stdout()).contains("did not finish within the poll timeout of 1s (still " + state
                + "); it was cancelled").contains("raise poll.timeout");
        assertThat(admin.counter("deletes")).as("the remote job was cancelled").isEqualTo(1);
        assertThat(admin.jobs()).isEmpty();
    }

    @Test
    void oldStatusForms_numericStatusCodeAndSingleResult_areUnderstood() throws Exception {
        // given
        Definition definition = definition("legacy-status", d -> { });
        admin.behaviour("{\"numericStatusCode\":true,\"legacyResult\":true,\"jobDurationMillis\":300}");

        // when
        Result result = run(definition);

        // then
        assertCompletedOnce(definition, result);
    }

    @Test
    void resultSasStillRefusedAfterAFreshStatus_theResultIsReadWithTheWorkersOwnCredentials() throws Exception {
        // given: BES has the connection string and signs read SAS tokens itself, expired ones for every status
        Definition definition = definition("sas-refused", d -> d.credentialsToBes("connection-string"));
        admin.behaviour("{\"expiredSasCalls\":100}");
        int mark = LogCapture.mark();

        // when
        Result result = run(definition);

        // then
        assertCompletedOnce(definition, result);
        assertThat(LogCapture.since(mark)).contains("the result's SAS was refused")
                .contains("asking BES for a fresh one")
                .contains("BES's SAS is still refused; reading the result from the worker's own container");
    }

    // ------------------------------------------------------------------ helpers

    private static Definition definition(String name, Consumer<Definition> tweak) throws IOException {
        Definition definition = scenario.definition(name, emulator.baseUri().toString(), KEY, azurite.connectionString());
        tweak.accept(definition);
        definition.write(scenario.jobsDir);
        return definition;
    }

    private static Result run(Definition definition) {
        return Cli.run(scenario, "run", definition.name, "--input", input.toString());
    }

    private static String fault(String operation, int status, String code, int times) {
        return "{\"operation\":\"" + operation + "\",\"status\":" + status
                + (code == null ? "" : ",\"code\":\"" + code + "\"") + ",\"times\":" + times + "}";
    }

    private static long executionId(Result result) {
        Matcher matcher = EXECUTION.matcher(result.stdout());
        assertThat(matcher.find()).as("an execution id in " + result).isTrue();
        return Long.parseLong(matcher.group(1));
    }

    /** Every injected fault was met (so the run completed despite each of them). */
    private static void assertEveryFaultFired() {
        for (JsonNode rule : admin.faultRules()) {
            assertThat(rule.path("remaining").asInt()).as("fault %s fired every time", rule).isZero();
        }
    }

    private static void assertCompletedOnce(Definition definition, Result result) throws IOException {
        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(admin.submitsByInput("/" + definition.name + "/").values()).as("one BES submission")
                .containsExactly(1L);
        assertThat(definition.output("reviews")).hasSameBinaryContentAs(reference);
    }
}
