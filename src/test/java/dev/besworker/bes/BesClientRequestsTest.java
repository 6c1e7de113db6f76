package dev.besworker.bes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.besworker.secrets.Secret;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** What the client puts on the wire: paths, query, headers and the submit body. */
class BesClientRequestsTest extends BesClientTestBase {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void submit_sendsBearerKeyApiVersionJsonContentTypeAndSubscriptionKey() {
        // given
        fake.then(FakeBes.json(200, "\"" + JOB_ID + "\""));

        // when
        client().submit(sasRequest());

        // then
        FakeBes.Recorded request = fake.lastRequest();
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.path()).isEqualTo(SERVICE_PATH + "/jobs");
        assertThat(request.query()).isEqualTo("api-version=2.0");
        assertThat(request.header("Authorization")).isEqualTo("Bearer " + API_KEY);
        assertThat(request.header("Content-Type")).isEqualTo("application/json");
        assertThat(request.header("Ocp-Apim-Subscription-Key")).isEqualTo(SUBSCRIPTION_KEY);
        assertThat(request.header("x-ms-client-request-id")).isNotBlank();
    }

    @Test
    void submit_withoutSubscriptionKey_sendsNoSubscriptionHeader() {
        // given
        fake.then(FakeBes.json(200, "\"" + JOB_ID + "\""));
        BesClient client = client(endpoint(fake.baseUri(), Secret.empty()), RetryPolicy.none(), Duration.ofSeconds(5), sleeper);

        // when
        client.submit(sasRequest());

        // then
        assertThat(fake.lastRequest().headers()).doesNotContainKey("ocp-apim-subscription-key");
        assertThat(fake.lastRequest().header("Authorization")).isEqualTo("Bearer " + API_KEY);
    }

    @Test
    void submit_sasForm_sendsBaseRelativeAndTokenWithoutConnectionString() {
        // given
        fake.then(FakeBes.json(200, "\"" + JOB_ID + "\""));
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("bits", "3");
        parameters.put("skipped", null);
        BatchJobRequest request = new BatchJobRequest(
                Map.of("input1", BlobReference.withSas("http://127.0.0.1:10000/devstoreaccount1/", "staging/in.csv", Secret.of(SAS_TOKEN))),
                Map.of("output1", BlobReference.withSas("http://127.0.0.1:10000/devstoreaccount1/", "staging/out.csv", Secret.of(SAS_TOKEN))),
                parameters);

        // when
        client().submit(request);

        // then
        JsonNode body = JSON.readTree(fake.lastRequest().body());
        JsonNode expected = JSON.readTree("""
                {"Inputs":{"input1":{"RelativeLocation":"staging/in.csv",
                                     "BaseLocation":"http://127.0.0.1:10000/devstoreaccount1/",
                                     "SasBlobToken":"%s"}},
                 "Outputs":{"output1":{"RelativeLocation":"staging/out.csv",
                                       "BaseLocation":"http://127.0.0.1:10000/devstoreaccount1/",
                                       "SasBlobToken":"%s"}},
                 "GlobalParameters":{"bits":"3"}}
                """.formatted(SAS_TOKEN, SAS_TOKEN));
        assertThat(body).isEqualTo(expected);
    }

    @Test
    void submit_connectionStringForm_sendsConnectionStringAndRelativeLocationOnly() {
        // given
        fake.then(FakeBes.json(200, "\"" + JOB_ID + "\""));
        BatchJobRequest request = new BatchJobRequest(
                Map.of("input1", BlobReference.withConnectionString(Secret.of(CONNECTION_STRING), "staging/in.csv")),
                Map.of(), null);

        // when
        client().submit(request);

        // then
        JsonNode body = JSON.readTree(fake.lastRequest().body());
        JsonNode expected = JSON.readTree("""
                {"Inputs":{"input1":{"ConnectionString":"%s","RelativeLocation":"staging/in.csv"}},
                 "Outputs":{},
                 "GlobalParameters":{}}
                """.formatted(CONNECTION_STRING));
        assertThat(body).isEqualTo(expected);
    }

    @Test
    void manySubmits_eachOnAFreshConnection_leaveNoThreadPoolBehindPerSubmit() {
        // given: a long-running worker's many submits (each on a client of its own, see the class doc)
        int submits = 12;
        for (int i = 0; i < submits; i++) {
            fake.then(FakeBes.json(200, "\"" + JOB_ID + "\""));
        }
        Set<Long> before = threadIds(name -> true);

        // when
        for (int i = 0; i < submits; i++) {
            client().submit(sasRequest());
        }

        // then: no submit brought a pool of its own (on Java 17 its threads would outlive it by a minute)
        Set<Long> newPoolThreads = threadIds(name -> name.matches("HttpClient-\\d+-Worker-\\d+"));
        newPoolThreads.removeAll(before);
        assertThat(newPoolThreads).isEmpty();
        assertThat(fake.requests()).hasSize(submits);
    }

    private static Set<Long> threadIds(Predicate<String> name) {
        return Thread.getAllStackTraces().keySet().stream().filter(thread -> name.test(thread.getName()))
                .map(Thread::getId).collect(Collectors.toCollection(HashSet::new));
    }

    @Test
    void start_postsAnEmptyBodyToTheJobsStartPath() {
        // given
        fake.then(FakeBes.empty(200));

        // when
        client().start(JOB_ID);

        // then
        FakeBes.Recorded request = fake.lastRequest();
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.path()).isEqualTo(SERVICE_PATH + "/jobs/" + JOB_ID + "/start");
        assertThat(request.query()).isEqualTo("api-version=2.0");
        assertThat(request.body()).isEmpty();
        assertThat(request.header("Authorization")).isEqualTo("Bearer " + API_KEY);
    }

    @Test
    void closingOneStepsClient_leavesTheOtherStepsClientsWorking() {
        // given: two steps' clients for the same service, one of them done and closed
        fake.then(FakeBes.json(200, "{\"StatusCode\":\"Running\",\"Results\":null,\"Details\":null}"));
        fake.then(FakeBes.json(200, "{\"StatusCode\":\"Running\",\"Results\":null,\"Details\":null}"));
        BesClient done = client();
        BesClient running = client();
        done.status(JOB_ID);

        // when
        done.close();

        // then: the other still calls the service; the closed one refuses
        assertThat(running.status(JOB_ID).state()).isEqualTo(BesJobState.RUNNING);
        assertThatThrownBy(() -> done.status(JOB_ID)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void status_getsTheJobPathWithAuth() {
        // given
        fake.then(FakeBes.json(200, "{\"StatusCode\":\"Running\",\"Results\":null,\"Details\":null}"));

        // when
        client().status(JOB_ID);

        // then
        FakeBes.Recorded request = fake.lastRequest();
        assertThat(request.method()).isEqualTo("GET");
        assertThat(request.path()).isEqualTo(SERVICE_PATH + "/jobs/" + JOB_ID);
        assertThat(request.query()).isEqualTo("api-version=2.0");
        assertThat(request.header("Authorization")).isEqualTo("Bearer " + API_KEY);
        assertThat(request.header("Content-Type")).isEqualTo("application/json");
    }

    @Test
    void cancel_deletesTheJob() {
        // given
        fake.then(FakeBes.empty(204));

        // when
        client().cancel(JOB_ID);

        // then
        FakeBes.Recorded request = fake.lastRequest();
        assertThat(request.method()).isEqualTo("DELETE");
        assertThat(request.path()).isEqualTo(SERVICE_PATH + "/jobs/" + JOB_ID);
        assertThat(request.query()).isEqualTo("api-version=2.0");
    }

    @Test
    void swagger_isFetchedWithoutTheApiKey() {
        // given
        fake.then(FakeBes.json(200, "{\"swagger\":\"2.0\"}"));

        // when
        String swagger = client().swagger();

        // then
        assertThat(swagger).isEqualTo("{\"swagger\":\"2.0\"}");
        FakeBes.Recorded request = fake.lastRequest();
        assertThat(request.path()).isEqualTo(SERVICE_PATH + "/swagger.json");
        assertThat(request.query()).isEqualTo("api-version=2.0");
        assertThat(request.headers()).doesNotContainKey("authorization");
    }

    @Test
    void gatewayEndpoint_keepsItsPathSuffixBeforeTheServicePath() {
        // given
        fake.then(FakeBes.json(200, "{\"StatusCode\":\"Running\"}"));
        BesEndpoint gateway = BesEndpoint.of(fake.baseUri() + "/ml/bes-gateway/", WORKSPACE, SERVICE,
                Secret.of(API_KEY), Secret.of(SUBSCRIPTION_KEY));
        BesClient client = client(gateway, RetryPolicy.none(), Duration.ofSeconds(5), sleeper);

        // when
        client.status(JOB_ID);

        // then
        assertThat(fake.lastRequest().path()).isEqualTo("/ml/bes-gateway" + SERVICE_PATH + "/jobs/" + JOB_ID);
    }

    @Test
    void consecutiveCalls_sendAFreshClientRequestIdEachTime() {
        // given
        fake.then(FakeBes.json(200, "{\"StatusCode\":0}"), FakeBes.json(200, "{\"StatusCode\":1}"));
        BesClient client = client();

        // when
        client.status(JOB_ID);
        client.status(JOB_ID);

        // then
        assertThat(fake.requests()).extracting(r -> r.header("x-ms-client-request-id")).doesNotHaveDuplicates();
    }
}
