package dev.besworker.emulator;

import static dev.besworker.emulator.EmulatorHttp.errorCodes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

/** The per-service FIFO limit on running jobs; jobs are held by behaviours, so no storage is needed. */
class BesEmulatorQueueTest {

    static final String KEY = "queue-test-api-key-0001";
    static final String REF = "{\"ConnectionString\":\"UseDevelopmentStorage=true\",\"RelativeLocation\":\"in/data.csv\"}";

    BesEmulator emulator;
    EmulatorHttp http;

    @BeforeEach
    void start() {
        emulator = BesEmulator.start(EmulatorSettings.defaults().withApiKey(KEY).withAdmin(true).withMaxConcurrentJobs(2));
        http = new EmulatorHttp(emulator.baseUri(), KEY);
    }

    @AfterEach
    void stop() {
        emulator.close();
    }

    private List<String> submitAndStart(int count) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ids.add(http.submit("{\"Inputs\":{\"input1\":" + REF + "}}"));
        }
        for (String id : ids) {
            assertThat(http.start(id).statusCode()).isEqualTo(200);
        }
        return ids;
    }

    private String state(String id) {
        return http.counters().get("jobs").get(id).asString();
    }

    @Test
    void startedJobsBeyondLimit_waitFifo_reportingNotStarted() {
        // given
        http.admin("POST", "behaviour", "{\"outcome\":\"stuck-running\",\"times\":4}");

        // when
        List<String> ids = submitAndStart(4);
        http.awaitState(ids.get(1), Set.of("Running"));

        // then
        assertThat(List.of(state(ids.get(0)), state(ids.get(1)), state(ids.get(2)), state(ids.get(3))))
                .containsExactly("Running", "Running", "Queued", "Queued");
        assertThat(http.status(ids.get(2)).get("StatusCode").asString()).isEqualTo("NotStarted");
        HttpResponse<String> secondStart = http.start(ids.get(2));
        assertThat(errorCodes(secondStart)).isEqualTo("InvalidOperation/CannotStartJob");
        assertThat(secondStart.body()).contains("because it is in Queued state.");
    }

    @Test
    void freedSlot_goesToTheOldestWaitingJob() {
        // given
        http.admin("POST", "behaviour", "{\"outcome\":\"stuck-running\",\"times\":4}");
        List<String> ids = submitAndStart(4);
        http.awaitState(ids.get(1), Set.of("Running"));

        // when
        http.delete(ids.get(0));
        http.awaitState(ids.get(2), Set.of("Running"));
        String fourthAfterFirstDelete = state(ids.get(3));
        http.delete(ids.get(1));
        http.awaitState(ids.get(3), Set.of("Running"));

        // then
        assertThat(fourthAfterFirstDelete).isEqualTo("Queued");
        assertThat(http.counters().get("maxRunning").asInt()).isEqualTo(2);
    }

    @Test
    void shortJobs_allFinishWithoutExceedingTheLimit() {
        // given
        http.admin("POST", "behaviour", "{\"outcome\":\"fail\",\"jobDurationMillis\":100,\"times\":6}");

        // when
        List<String> ids = submitAndStart(6);
        List<JsonNode> ends = new ArrayList<>();
        for (String id : ids) {
            ends.add(http.awaitEnd(id));
        }

        // then
        assertThat(ends).allSatisfy(end -> assertThat(end.get("StatusCode").asString()).isEqualTo("Failed"));
        assertThat(http.counters().get("maxRunning").asInt()).isEqualTo(2);
    }

    @Test
    void limitIsPerService() {
        // given
        http.admin("POST", "behaviour", "{\"outcome\":\"stuck-running\",\"times\":-1}");
        List<String> first = submitAndStart(2);
        String otherService = "/workspaces/" + EmulatorHttp.WORKSPACE + "/services/" + "d".repeat(32);
        String other = EmulatorHttp.JSON.readTree(http.call("POST", otherService + "/jobs?api-version=2.0",
                "{\"Inputs\":{\"input1\":" + REF + "}}").body()).asString();

        // when
        http.call("POST", otherService + "/jobs/" + other + "/start?api-version=2.0", null);
        http.awaitState(first.get(1), Set.of("Running"));

        // then
        await().until(() -> state(other).equals("Running"));
        assertThat(state(first.get(0))).isEqualTo("Running");
    }

    @Test
    void stuckNotStartedBehaviour_neverRuns() {
        // given
        http.admin("POST", "behaviour", "[{\"outcome\":\"stuck-notstarted\"},{\"outcome\":\"fail\"}]");
        String stuck = http.submit("{\"Inputs\":{\"input1\":" + REF + "}}");
        String normal = http.submit("{\"Inputs\":{\"input1\":" + REF + "}}");

        // when
        http.start(stuck);
        http.start(normal);
        http.awaitEnd(normal);

        // then
        assertThat(http.status(stuck).get("StatusCode").asString()).isEqualTo("NotStarted");
        assertThat(http.start(stuck).statusCode()).isEqualTo(400);
    }
}
