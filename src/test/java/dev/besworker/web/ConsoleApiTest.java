package dev.besworker.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

import dev.besworker.runs.ScoringRuns;
import dev.besworker.runs.ScoringRuns.RunOutcome;
import dev.besworker.runs.ScoringRuns.RunRequest;
import dev.besworker.support.WorkerFixture;

/** The console's JSON API over real HTTP against a running serve: every endpoint, each role, bad input. */
class ConsoleApiTest extends ConsoleTestSupport {

    private static long completed;

    @BeforeAll
    static void start() throws IOException {
        startServe(twoUsers());
        fixture.admin.reset();
        Path input = fixture.input("done-first.csv", "a quiet day");
        Files.move(input, inbox().resolve("done-first.csv"));
        await().atMost(Duration.ofSeconds(60)).until(() -> count(inbox().resolve("done")) == 1);
        completed = json(get("/api/executions?status=COMPLETED", OPERATOR, OPERATOR_PASSWORD)).at("/items/0/executionId")
                .asLong();
    }

    /** Every endpoint: method and path (on a COMPLETED execution, so that no action changes anything). */
    static Stream<Arguments> endpoints() {
        return Stream.of(
                Arguments.of("GET", "/api/executions"),
                Arguments.of("GET", "/api/executions?definition=reviews&status=COMPLETED&from=2000-01-01&to=2999-12-31&input=done&page=0&size=5"),
                Arguments.of("GET", "/api/executions/{id}"),
                Arguments.of("GET", "/api/executions/{id}/steps"),
                Arguments.of("GET", "/api/executions/{id}/log"),
                Arguments.of("GET", "/api/executions/{id}/audit"),
                Arguments.of("GET", "/api/definitions"),
                Arguments.of("GET", "/api/definitions/reviews/files"),
                Arguments.of("GET", "/api/audit"),
                Arguments.of("GET", "/api/workers"),
                Arguments.of("GET", "/api/openapi"),
                Arguments.of("POST", "/api/executions/{id}/restart"),
                Arguments.of("POST", "/api/executions/{id}/stop"),
                Arguments.of("POST", "/api/executions/{id}/abandon"),
                Arguments.of("POST", "/api/executions/restart?ids={id}"),
                Arguments.of("POST", "/api/definitions/reviews/files/none.csv/retry"));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("endpoints")
    void endpoint_needsALogin_viewersRead_operatorsAct(String method, String template) {
        String path = template.replace("{id}", Long.toString(completed));
        boolean action = method.equals("POST");

        // anonymous: 401 with a JSON message and a Basic challenge
        HttpResponse<String> anonymous = call(method, path, null, null);
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Basic"));
        assertThat(json(anonymous).get("message").asString()).isNotBlank();

        // wrong password: 401 too
        assertThat(call(method, path, VIEWER, "wrong").statusCode()).isEqualTo(401);

        // viewer: reads, may not act
        HttpResponse<String> viewer = call(method, path, VIEWER, VIEWER_PASSWORD);
        assertThat(viewer.statusCode()).isEqualTo(action ? 403 : 200);

        // operator: reads, and acts (here refused by the state: a COMPLETED run, a file that is not there)
        HttpResponse<String> operator = call(method, path, OPERATOR, OPERATOR_PASSWORD);
        if (action) {
            assertThat(operator.statusCode()).isIn(200, 404, 409);
            assertThat(json(operator).isObject()).isTrue();
        }
        else {
            assertThat(operator.statusCode()).isEqualTo(200);
            assertThat(operator.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v)
                    .contains("json"));
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = { "/api/executions?status=bogus", "/api/executions?page=-1", "/api/executions?size=abc",
            "/api/executions?size=100000", "/api/executions?from=yesterday", "/api/executions?from=2024-02-02&to=2024-01-01",
            "/api/executions/abc", "/api/executions/abc/steps", "/api/executions/abc/log", "/api/executions/abc/audit",
            "/api/executions/-5", "/api/executions/99999999999999999999", "/api/audit?limit=zero" })
    void badParameters_are400WithAMessage_neverAServerError(String path) {
        HttpResponse<String> response = get(path, VIEWER, VIEWER_PASSWORD);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        assertThat(json(response).get("message").asString()).isNotBlank();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = { "/api/executions/abc/restart", "/api/executions/abc/stop", "/api/executions/abc/abandon",
            "/api/executions/restart?ids=1,abc", "/api/executions/restart" })
    void badParametersOfActions_are400(String path) {
        assertThat(post(path, OPERATOR, OPERATOR_PASSWORD).statusCode()).isEqualTo(400);
    }

    @Test
    void unknownIds_are404() {
        assertThat(get("/api/executions/987654", VIEWER, VIEWER_PASSWORD).statusCode()).isEqualTo(404);
        assertThat(get("/api/executions/987654/log", VIEWER, VIEWER_PASSWORD).statusCode()).isEqualTo(404);
        assertThat(post("/api/executions/987654/restart", OPERATOR, OPERATOR_PASSWORD).statusCode()).isEqualTo(404);
        assertThat(get("/api/definitions/nope/files", VIEWER, VIEWER_PASSWORD).statusCode()).isEqualTo(404);
        assertThat(json(get("/api/executions/987654", VIEWER, VIEWER_PASSWORD)).get("message").asString())
                .contains("987654");
    }

    @Test
    void actionsTheStateDoesNotAllow_are409_andAudited() {
        HttpResponse<String> restart = post("/api/executions/" + completed + "/restart", OPERATOR, OPERATOR_PASSWORD);

        assertThat(restart.statusCode()).isEqualTo(409);
        assertThat(json(restart).get("message").asString()).contains("completed");
        JsonNode audit = json(get("/api/executions/" + completed + "/audit", VIEWER, VIEWER_PASSWORD));
        assertThat(audit.findValuesAsString("result")).contains("REFUSED");
        assertThat(audit.findValuesAsString("user")).contains(OPERATOR);
    }

    @Test
    void restartOfAFailedInboxRun_movesItsFileBack_andTheRunCompletes_audited() throws IOException {
        // given a file whose run failed at BES
        long failed = failedInboxRun("restart-me.csv");
        assertThat(status(failed)).isEqualTo("FAILED");
        assertThat(json(get("/api/executions/" + failed, VIEWER, VIEWER_PASSWORD)).at("/summary/error").asString())
                .contains("canary");

        // when the operator restarts it
        HttpResponse<String> restart = post("/api/executions/" + failed + "/restart", OPERATOR, OPERATOR_PASSWORD);

        // then the file goes back through the inbox and the work completes, without a second BES submission
        assertThat(restart.statusCode()).as(restart.body()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(inbox().resolve("done").resolve("restart-me.csv")));
        JsonNode attempts = json(get("/api/executions?input=restart-me", VIEWER, VIEWER_PASSWORD)).get("items");
        assertThat(attempts.findValuesAsString("status")).contains("COMPLETED", "FAILED");
        JsonNode audit = json(get("/api/executions/" + failed + "/audit", VIEWER, VIEWER_PASSWORD)).get(0);
        assertThat(audit.get("user").asString()).isEqualTo(OPERATOR);
        assertThat(audit.get("action").asString()).isEqualTo("RESTART");
        assertThat(audit.get("result").asString()).isEqualTo("DONE");
    }

    @Test
    void restartsOfRunsOutsideAnInbox_waitInServesQueue_andEndAudited() {
        // given two runs (started as by 'run', not from the inbox) that failed at BES
        fixture.admin.reset();
        fixture.admin.behaviour("{\"outcome\":\"fail\",\"failDetails\":\"Module: Reader; boom\",\"times\":2}");
        ScoringRuns runs = serve.bean(ScoringRuns.class);
        long first = runOnce(runs, "outside-1.csv");
        long second = runOnce(runs, "outside-2.csv");

        // when the operator restarts both at once
        HttpResponse<String> restart = post("/api/executions/restart?ids=" + first + "," + second, OPERATOR,
                OPERATOR_PASSWORD);

        // then both are queued, then run to completion, and the audit says how they ended
        assertThat(restart.statusCode()).as(restart.body()).isEqualTo(200);
        assertThat(json(restart).at("/restarted/" + first + "/result").asString()).isEqualTo("QUEUED");
        assertThat(json(restart).at("/restarted/" + second + "/result").asString()).isEqualTo("QUEUED");
        for (long id : List.of(first, second)) {
            await().atMost(Duration.ofSeconds(60)).until(() -> json(get("/api/executions/" + id + "/audit", VIEWER,
                    VIEWER_PASSWORD)).get(0).get("result").asString().equals("DONE"));
            assertThat(json(get("/api/executions/" + id + "/audit", VIEWER, VIEWER_PASSWORD)).get(0).get("message")
                    .asString()).contains("COMPLETED");
        }
    }

    @Test
    void aRunningRun_isStoppedThenAbandoned_andEachActionIsAudited() throws IOException {
        // given a run whose BES job takes long
        fixture.admin.reset();
        fixture.admin.behaviour("{\"jobDurationMillis\":60000,\"times\":1}");
        Files.move(fixture.input("slow.csv", "a slow day"), inbox().resolve("slow.csv"));
        await().atMost(Duration.ofSeconds(60)).until(() -> json(get("/api/executions?input=slow&status=STARTED", VIEWER,
                VIEWER_PASSWORD)).get("total").asLong() == 1);
        long running = json(get("/api/executions?input=slow", VIEWER, VIEWER_PASSWORD)).at("/items/0/executionId").asLong();
        assertThat(post("/api/executions/" + running + "/abandon", OPERATOR, OPERATOR_PASSWORD).statusCode())
                .as("a running execution is stopped before it is abandoned").isEqualTo(409);

        // when the operator stops it, then abandons it
        HttpResponse<String> stop = post("/api/executions/" + running + "/stop", OPERATOR, OPERATOR_PASSWORD);
        assertThat(stop.statusCode()).as(stop.body()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(30)).until(() -> status(running).equals("STOPPED"));
        HttpResponse<String> abandon = post("/api/executions/" + running + "/abandon", OPERATOR, OPERATOR_PASSWORD);

        // then it is ABANDONED for good, and the audit holds both actions
        assertThat(abandon.statusCode()).as(abandon.body()).isEqualTo(202);
        assertThat(status(running)).isEqualTo("ABANDONED");
        assertThat(post("/api/executions/" + running + "/restart", OPERATOR, OPERATOR_PASSWORD).statusCode()).isEqualTo(409);
        JsonNode audit = json(get("/api/executions/" + running + "/audit", VIEWER, VIEWER_PASSWORD));
        assertThat(audit.findValuesAsString("action")).contains("STOP", "ABANDON", "RESTART");
        assertThat(audit.findValuesAsString("result")).contains("DONE", "REFUSED");
    }

    @Test
    void aRunsLog_holdsItsOwnLines_withoutSecrets() {
        JsonNode lines = json(get("/api/executions/" + completed + "/log", VIEWER, VIEWER_PASSWORD));

        List<String> messages = lines.findValuesAsString("message");
        assertThat(messages).anySatisfy(m -> assertThat(m).contains("step").contains("COMPLETED"));
        assertThat(messages).anySatisfy(m -> assertThat(m).contains("BES job"));
        assertThat(String.join("\n", messages)).doesNotContain(WorkerFixture.API_KEY)
                .doesNotContain(fixture.azurite.connectionString());
    }

    @Test
    void health_isOpenWithoutDetails_andTheRestOfTheActuatorIsForOperators() {
        HttpResponse<String> anonymous = get("/actuator/health", null, null);
        assertThat(anonymous.statusCode()).isEqualTo(200);
        assertThat(json(anonymous).at("/components/jobRepository/status").asString()).isEqualTo("UP");
        assertThat(anonymous.body()).doesNotContain("details");
        assertThat(get("/actuator/health", VIEWER, VIEWER_PASSWORD).body()).contains("details");

        assertThat(get("/actuator/metrics", null, null).statusCode()).isEqualTo(401);
        assertThat(get("/actuator/metrics", VIEWER, VIEWER_PASSWORD).statusCode()).isEqualTo(403);
        assertThat(get("/actuator/metrics", OPERATOR, OPERATOR_PASSWORD).statusCode()).isEqualTo(200);
    }

    @Test
    void pages_needALogin_andCarrySecurityHeaders() {
        HttpResponse<String> runs = get("/runs", null, null);
        assertThat(runs.statusCode()).isEqualTo(302);
        assertThat(runs.headers().firstValue("Location")).hasValueSatisfying(v -> assertThat(v).endsWith("/login"));

        HttpResponse<String> login = get("/login", null, null);
        assertThat(login.statusCode()).isEqualTo(200);
        assertThat(login.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(v -> assertThat(v)
                .contains("frame-ancestors 'none'"));
        assertThat(login.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(login.headers().firstValue("X-Frame-Options")).hasValue("DENY");
        assertThat(login.body()).contains("name=\"_csrf\"");
    }

    @Test
    void theOpenApiDescription_listsTheEndpoints() {
        JsonNode api = json(get("/api/openapi", VIEWER, VIEWER_PASSWORD));

        assertThat(api.get("openapi").asString()).startsWith("3.");
        assertThat(api.get("paths").propertyNames()).contains("/api/executions", "/api/executions/{id}",
                "/api/executions/{id}/restart", "/api/definitions", "/api/definitions/{name}/files");
    }

    private static long runOnce(ScoringRuns runs, String name) {
        try {
            RunOutcome outcome = runs.run(new RunRequest(DEFINITION, Collections.singletonMap(null,
                    fixture.input(name, "text of " + name)), null, Map.of(), false));
            assertThat(outcome.status().name()).isEqualTo("FAILED");
            return outcome.executionId();
        }
        catch (IOException ex) {
            throw new java.io.UncheckedIOException(ex);
        }
    }

    @Test
    void aFailedLogin_isLoggedWithTheUserName_neverThePassword() {
        // given the console's security logger, listened to
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory
                .getLogger(ConsoleSecurityConfiguration.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> events =
                new ch.qos.logback.core.read.ListAppender<>();
        events.start();
        logger.addAppender(events);
        try {
            // when someone tries a wrong password
            get("/api/executions", VIEWER, "guessed-Secret-77");

            // then the failure is logged, naming the user but not the password
            await().atMost(Duration.ofSeconds(5)).until(() -> !events.list.isEmpty());
            String logged = events.list.get(0).getFormattedMessage();
            assertThat(logged).contains("failed login").contains(VIEWER).doesNotContain("guessed-Secret-77");
        }
        finally {
            logger.detachAppender(events);
        }
    }

    @Test
    void workers_listThisServe_asLive() {
        // (serve joins the workers with its first run: the completed one of start())
        JsonNode workers = json(get("/api/workers", VIEWER, VIEWER_PASSWORD));

        assertThat(workers.isArray()).isTrue();
        assertThat(workers.get(0).get("live").asBoolean()).isTrue();
        assertThat(workers.get(0).get("pid").asLong()).isEqualTo(ProcessHandle.current().pid());
    }

    private static HttpResponse<String> call(String method, String path, String user, String password) {
        return method.equals("GET") ? get(path, user, password) : post(path, user, password);
    }
}
