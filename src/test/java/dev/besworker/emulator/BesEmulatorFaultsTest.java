package dev.besworker.emulator;

import static dev.besworker.emulator.EmulatorHttp.errorCodes;
import static dev.besworker.emulator.EmulatorHttp.service;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import tools.jackson.databind.JsonNode;

/** Fault injection and the rest of the admin API; no job runs, so no storage is needed. */
class BesEmulatorFaultsTest {

    static final String KEY = "faults-test-api-key-0001";
    static final String SUBMIT = "{\"Inputs\":{\"input1\":{\"ConnectionString\":\"UseDevelopmentStorage=true\","
            + "\"RelativeLocation\":\"in/data.csv\"}}}";

    static BesEmulator emulator;
    static EmulatorHttp http;

    @BeforeAll
    static void start() {
        emulator = BesEmulator.start(EmulatorSettings.defaults().withApiKey(KEY).withAdmin(true));
        http = new EmulatorHttp(emulator.baseUri(), KEY);
    }

    @AfterAll
    static void stop() {
        emulator.close();
    }

    @BeforeEach
    void reset() {
        http.admin("POST", "reset", null);
    }

    private HttpResponse<String> sendSubmit(Duration timeout) throws IOException {
        return http.send("POST", service("/jobs?api-version=2.0"), SUBMIT, Map.of("Authorization", "Bearer " + KEY), timeout);
    }

    @Test
    void httpFault_answersDocumentedErrorOnce_withRetryAfter() {
        // given
        http.admin("POST", "faults", "[{\"operation\":\"submit\",\"kind\":\"http\",\"status\":503,"
                + "\"code\":\"RequestThrottled\",\"retryAfterSeconds\":7}]");

        // when
        HttpResponse<String> faulted = http.submitRaw(SUBMIT);
        HttpResponse<String> next = http.submitRaw(SUBMIT);

        // then
        assertThat(faulted.statusCode()).isEqualTo(503);
        assertThat(errorCodes(faulted)).isEqualTo("ServiceUnavailable/RequestThrottled");
        assertThat(faulted.body()).contains("The maximum concurrency for the endpoint is 40.");
        assertThat(faulted.headers().firstValue("Retry-After")).hasValue("7");
        assertThat(faulted.headers().firstValue("x-ms-request-id")).isPresent();
        assertThat(next.statusCode()).isEqualTo(200);
        JsonNode counters = http.counters();
        assertThat(counters.get("submits").asInt()).isEqualTo(1);
        assertThat(counters.get("requests").get("submit").asInt()).isEqualTo(2);
        assertThat(counters.get("faultsFired").asInt()).isEqualTo(1);
    }

    @ParameterizedTest
    @CsvSource(nullValues = "NONE", value = {
            "503, TooManyConcurrentRequests, ServiceUnavailable/TooManyConcurrentRequests",
            "503, NoMoreResources,           ServiceUnavailable/NoMoreResources",
            "503, InitializingContainers,    ServiceUnavailable/InitializingContainers",
            "500, NONE,                      InternalError/",
            "504, NONE,                      GatewayTimeout/BackendScoreTimeout",
            "408, NONE,                      RequestTimeout/ScoreRequestTimeout",
            "429, NONE,                      TooManyRequests/TooManyRequests"})
    void httpFault_usesTheErrorClassOfItsStatus(int status, String code, String expected) {
        // given
        http.admin("POST", "faults", "{\"operation\":\"status\",\"status\":" + status
                + (code == null ? "" : ",\"code\":\"" + code + "\"") + "}");

        // when
        HttpResponse<String> response = http.statusRaw("a".repeat(32));

        // then
        assertThat(response.statusCode()).isEqualTo(status);
        assertThat(errorCodes(response)).isEqualTo(expected);
    }

    @Test
    void resetFault_dropsTheConnectionWithoutAnswer() {
        // given
        http.admin("POST", "faults", "{\"operation\":\"submit\",\"kind\":\"reset\"}");

        // when / then
        assertThatThrownBy(() -> sendSubmit(Duration.ofSeconds(10))).isInstanceOf(IOException.class)
                .isNotInstanceOf(HttpTimeoutException.class);
        assertThat(http.counters().get("submits").asInt()).isZero();
    }

    @Test
    void resetFaultAfterSubmit_createsTheJobButLosesTheAnswer() {
        // given
        http.admin("POST", "faults", "{\"operation\":\"submit\",\"kind\":\"reset\",\"phase\":\"after\"}");

        // when / then
        assertThatThrownBy(() -> sendSubmit(Duration.ofSeconds(10))).isInstanceOf(IOException.class);
        JsonNode counters = http.counters();
        assertThat(counters.get("submits").asInt()).isEqualTo(1);
        assertThat(counters.get("submitsByInput").get("in/data.csv").asInt()).isEqualTo(1);
        assertThat(counters.get("jobs").size()).isEqualTo(1);
        assertThat(counters.get("jobs").values().iterator().next().asString()).isEqualTo("NotStarted");
    }

    @Test
    void httpFaultAfterStart_startsTheJobButAnswers503() {
        // given
        http.admin("POST", "behaviour", "{\"outcome\":\"stuck-running\"}");
        String id = http.submit(SUBMIT);
        http.admin("POST", "faults", "{\"operation\":\"start\",\"status\":503,\"phase\":\"after\"}");

        // when
        HttpResponse<String> start = http.start(id);

        // then
        assertThat(start.statusCode()).isEqualTo(503);
        assertThat(http.awaitState(id, java.util.Set.of("Running")).get("StatusCode").asString()).isEqualTo("Running");
        assertThat(errorCodes(http.start(id))).isEqualTo("InvalidOperation/CannotStartJob");
    }

    @Test
    void slowFault_stillAnswersNormally() {
        // given
        http.admin("POST", "faults", "{\"operation\":\"submit\",\"kind\":\"slow\",\"delayMillis\":200}");

        // when
        HttpResponse<String> response = http.submitRaw(SUBMIT);

        // then
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(http.counters().get("faultsFired").asInt()).isEqualTo(1);
    }

    @Test
    void hangFault_outlastsTheClientTimeout() {
        // given
        http.admin("POST", "faults", "{\"operation\":\"submit\",\"kind\":\"hang\"}");

        // when / then
        assertThatThrownBy(() -> sendSubmit(Duration.ofMillis(500))).isInstanceOf(HttpTimeoutException.class);
        assertThat(http.counters().get("submits").asInt()).isZero();
    }

    @Test
    void afterCalls_letsTheFirstCallsThrough() {
        // given
        http.admin("POST", "faults", "{\"operation\":\"submit\",\"status\":500,\"afterCalls\":2,\"times\":1}");

        // when
        int first = http.submitRaw(SUBMIT).statusCode();
        int second = http.submitRaw(SUBMIT).statusCode();
        int third = http.submitRaw(SUBMIT).statusCode();
        int fourth = http.submitRaw(SUBMIT).statusCode();

        // then
        assertThat(new int[] {first, second, third, fourth}).containsExactly(200, 200, 500, 200);
    }

    @Test
    void foreverFault_firesUntilCleared_andOnlyForItsOperation() {
        // given
        String id = http.submit(SUBMIT);
        http.admin("POST", "faults", "{\"operation\":\"status\",\"status\":504,\"times\":-1}");

        // when
        int firstStatus = http.statusRaw(id).statusCode();
        int secondStatus = http.statusRaw(id).statusCode();
        int submit = http.submitRaw(SUBMIT).statusCode();
        JsonNode cleared = http.admin("DELETE", "faults", null);
        int afterClear = http.statusRaw(id).statusCode();

        // then
        assertThat(new int[] {firstStatus, secondStatus, submit, afterClear}).containsExactly(504, 504, 200, 200);
        assertThat(cleared.get("faults").size()).isZero();
    }

    @Test
    void anyOperationFault_hitsEveryServiceCallButNotAdmin() {
        // given
        http.admin("POST", "faults", "{\"operation\":\"any\",\"status\":503,\"times\":2}");

        // when
        int submit = http.submitRaw(SUBMIT).statusCode();
        int swagger = http.call("GET", service("/swagger.json"), null).statusCode();
        JsonNode counters = http.counters();
        int third = http.submitRaw(SUBMIT).statusCode();

        // then
        assertThat(new int[] {submit, swagger, third}).containsExactly(503, 503, 200);
        assertThat(counters.get("faultsFired").asInt()).isEqualTo(2);
    }

    @Test
    void invalidFaultRule_isRejected() {
        // when
        HttpResponse<String> response = http.call("POST", "/_emulator/faults", "{\"kind\":\"explode\"}", Map.of());

        // then
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("kind must be http, reset, slow or hang");
    }

    @Test
    void reset_clearsCountersJobsAndFaults() {
        // given
        http.submit(SUBMIT);
        http.admin("POST", "faults", "{\"operation\":\"submit\",\"times\":-1}");

        // when
        http.admin("POST", "reset", null);

        // then
        JsonNode counters = http.counters();
        assertThat(counters.get("submits").asInt()).isZero();
        assertThat(counters.get("jobs").size()).isZero();
        assertThat(http.submitRaw(SUBMIT).statusCode()).isEqualTo(200);
    }

    @Test
    void counters_countEachOperation() {
        // given
        http.admin("POST", "behaviour", "{\"outcome\":\"stuck-running\"}");
        String id = http.submit(SUBMIT);

        // when
        http.start(id);
        http.status(id);
        http.status(id);
        http.delete(id);

        // then
        JsonNode counters = http.counters();
        assertThat(counters.get("submits").asInt()).isEqualTo(1);
        assertThat(counters.get("starts").asInt()).isEqualTo(1);
        assertThat(counters.get("statusCalls").asInt()).isEqualTo(2);
        assertThat(counters.get("deletes").asInt()).isEqualTo(1);
        assertThat(counters.get("jobs").size()).isZero();
    }

    @Test
    void adminApi_isNotServedWhenDisabled() {
        // given
        try (BesEmulator plain = BesEmulator.start(EmulatorSettings.defaults().withApiKey(KEY))) {
            EmulatorHttp plainHttp = new EmulatorHttp(plain.baseUri(), KEY);

            // when
            HttpResponse<String> counters = plainHttp.call("GET", "/_emulator/counters", null, Map.of());
            HttpResponse<String> faults = plainHttp.call("POST", "/_emulator/faults", "{}", Map.of());

            // then
            assertThat(counters.statusCode()).isEqualTo(404);
            assertThat(faults.statusCode()).isEqualTo(404);
        }
    }
}
