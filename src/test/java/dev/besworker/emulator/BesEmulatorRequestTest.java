package dev.besworker.emulator;

import static dev.besworker.emulator.EmulatorHttp.errorCodes;
import static dev.besworker.emulator.EmulatorHttp.service;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Addressing, auth and request validation; no job runs, so no storage is needed. */
class BesEmulatorRequestTest {

    static final String KEY = "test-api-key-1234567890";
    static final String CS = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey="
            + StorageAccount.DEV_KEY + ";BlobEndpoint=http://127.0.0.1:1/devstoreaccount1;";
    static final String REF = "{\"ConnectionString\":\"" + CS + "\",\"RelativeLocation\":\"in/data.csv\"}";

    static BesEmulator emulator;
    static EmulatorHttp http;

    @BeforeAll
    static void startEmulator() {
        emulator = BesEmulator.start(EmulatorSettings.defaults().withApiKey(KEY).withAdmin(true));
        http = new EmulatorHttp(emulator.baseUri(), KEY);
    }

    @AfterAll
    static void stopEmulator() {
        emulator.close();
    }

    @BeforeEach
    void reset() {
        http.admin("POST", "reset", null);
    }

    @Test
    void submit_returnsQuotedHexId_andJobStaysNotStarted() {
        // when
        HttpResponse<String> response = http.submitRaw("{\"Inputs\":{\"input1\":" + REF + "},\"GlobalParameters\":{}}");

        // then
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).matches("\"[0-9a-f]{32}\"");
        String id = response.body().substring(1, 33);
        assertThat(http.status(id).toString()).isEqualTo("{\"StatusCode\":\"NotStarted\",\"Results\":null,\"Details\":null}");
        assertThat(http.counters().get("submitsByInput").get("in/data.csv").asInt()).isEqualTo(1);
    }

    @Test
    void oldSingleInputForm_isAcceptedAsInput1() {
        // when
        String id = http.submit("{\"Input\":" + REF + "}");

        // then
        assertThat(http.admin("GET", "jobs", null).get(0).get("inputs").get("input1").asString()).isEqualTo("in/data.csv");
        assertThat(id).hasSize(32);
    }

    @Test
    void relativeLocationWithLeadingSlash_isAccepted() {
        // when
        http.submit("{\"Inputs\":{\"input1\":{\"ConnectionString\":\"" + CS + "\",\"RelativeLocation\":\"/in/sub/data.csv\"}}}");

        // then
        assertThat(http.counters().get("submitsByInput").get("in/sub/data.csv").asInt()).isEqualTo(1);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            both Input and Inputs        | {"Input":REF,"Inputs":{"input1":REF}}                                  | BadArgument/DuplicateInputInBatchCall
            no inputs                    | {"Outputs":{},"GlobalParameters":{}}                                   | BadArgument/BatchJobInputsNotSpecified
            empty Inputs                 | {"Inputs":{}}                                                          | BadArgument/BatchJobInputsNotSpecified
            unknown input name           | {"Inputs":{"input2":REF}}                                              | BadArgument/InvalidInputNames
            too many inputs              | {"Inputs":{"input1":REF,"input2":REF}}                                 | BadArgument/BatchJobInputsTooManySpecified
            not JSON                     | {"Inputs":                                                             | BadArgument/RequestBodyInvalid
            JSON array                   | []                                                                     | BadArgument/RequestBodyInvalid
            no RelativeLocation          | {"Inputs":{"input1":{"ConnectionString":"CS"}}}                        | BadArgument/RequestBodyInvalid
            output extension .txt        | {"Inputs":{"input1":REF},"Outputs":{"output1":OUT_TXT}}                | BadArgument/InvalidBlobExtension
            unknown output name          | {"Inputs":{"input1":REF},"Outputs":{"output9":OUT_CSV}}                | BadArgument/InvalidOutputOverrideName
            malformed connection string  | {"Inputs":{"input1":{"ConnectionString":"not a connection string","RelativeLocation":"in/a.csv"}}} | BadArgument/InvalidBlobConnectionString
            key that is not base64       | {"Inputs":{"input1":{"ConnectionString":"AccountName=a;AccountKey=***;DefaultEndpointsProtocol=https","RelativeLocation":"in/a.csv"}}} | BadArgument/InvalidBlobConnectionString
            no credentials at all        | {"Inputs":{"input1":{"RelativeLocation":"in/a.csv"}}}                  | BadArgument/InvalidBlobConnectionString
            SAS without BaseLocation     | {"Inputs":{"input1":{"RelativeLocation":"in/a.csv","SasBlobToken":"?sv=1&sig=x"}}} | BadArgument/InvalidBlobConnectionString
            """)
    void invalidSubmit_isRejectedWithDocumentedCode(String why, String body, String expected) {
        // given
        String ref = REF;
        String json = body.replace("OUT_TXT", ref.replace("in/data.csv", "out/result.txt"))
                .replace("OUT_CSV", ref.replace("in/data.csv", "out/result.csv"))
                .replace("REF", ref).replace("\"CS\"", "\"" + CS + "\"");

        // when
        HttpResponse<String> response = http.submitRaw(json);

        // then
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        assertThat(errorCodes(response)).isEqualTo(expected);
        assertThat(response.body()).doesNotContain(StorageAccount.DEV_KEY);
        assertThat(http.counters().get("submits").asInt()).isZero();
    }

    @ParameterizedTest
    @CsvSource({"out/r.csv", "out/r.TSV", "/out/dir/r.arff"})
    void outputOverride_withAllowedExtension_isAccepted(String location) {
        // when
        HttpResponse<String> response = http.submitRaw("{\"Inputs\":{\"input1\":" + REF + "},\"Outputs\":{\"output1\":"
                + REF.replace("in/data.csv", location) + "}}");

        // then
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    }

    @Test
    void sasReference_isAccepted() {
        // when
        HttpResponse<String> response = http.submitRaw("{\"Inputs\":{\"input1\":{\"BaseLocation\":\"http://127.0.0.1:1/devstoreaccount1\","
                + "\"RelativeLocation\":\"in/a.csv\",\"SasBlobToken\":\"?sv=2021&sr=b&sp=r&sig=abc\"}}}");

        // then
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    }

    @Test
    void requiredGlobalParameter_missing_isRejected() {
        // given
        try (BesEmulator strict = BesEmulator.start(EmulatorSettings.defaults().withApiKey(KEY)
                .withRequiredGlobalParameters(Set.of("threshold")))) {
            EmulatorHttp strictHttp = new EmulatorHttp(strict.baseUri(), KEY);

            // when
            HttpResponse<String> missing = strictHttp.submitRaw("{\"Inputs\":{\"input1\":" + REF + "},\"GlobalParameters\":{}}");
            HttpResponse<String> given = strictHttp.submitRaw("{\"Inputs\":{\"input1\":" + REF
                    + "},\"GlobalParameters\":{\"threshold\":\"0.5\"}}");

            // then
            assertThat(errorCodes(missing)).isEqualTo("BadArgument/MissingRequiredGlobalParameters");
            assertThat(given.statusCode()).isEqualTo(200);
        }
    }

    @ParameterizedTest
    @CsvSource(nullValues = "NONE", value = {"NONE", "Bearer wrong-key", "Basic dGVzdA==", "Bearer"})
    void badCredentials_give401(String authorization) {
        // given
        Map<String, String> headers = authorization == null ? Map.of() : Map.of("Authorization", authorization);

        // when
        HttpResponse<String> response = http.call("GET", service("/jobs/" + "a".repeat(32) + "?api-version=2.0"), null, headers);

        // then
        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(errorCodes(response)).isEqualTo("Unauthorized/ScoreRequestUnauthorized");
        assertThat(response.body()).contains("Invalid credentials provided.");
    }

    @Test
    void lowerCaseBearerScheme_isAccepted() {
        // when
        HttpResponse<String> response = http.call("POST", service("/jobs?api-version=2.0"),
                "{\"Inputs\":{\"input1\":" + REF + "}}", Map.of("Authorization", "bearer " + KEY));

        // then
        assertThat(response.statusCode()).isEqualTo(200);
    }

    @ParameterizedTest
    @CsvSource(nullValues = "NONE", value = {"NONE", "1.0", "2.1"})
    void wrongOrMissingApiVersion_givesBadVersionCall(String version) {
        // when
        HttpResponse<String> response = http.call("POST", service("/jobs" + (version == null ? "" : "?api-version=" + version)),
                "{\"Inputs\":{\"input1\":" + REF + "}}");

        // then
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(errorCodes(response)).isEqualTo("BadArgument/BadVersionCall");
    }

    @Test
    void unknownJob_gives404() {
        // when
        HttpResponse<String> status = http.statusRaw("0".repeat(32));
        HttpResponse<String> start = http.start("0".repeat(32));
        HttpResponse<String> delete = http.delete("0".repeat(32));

        // then
        assertThat(status.statusCode()).isEqualTo(404);
        assertThat(start.statusCode()).isEqualTo(404);
        assertThat(delete.statusCode()).isEqualTo(404);
        assertThat(errorCodes(status)).isEqualTo("NotFound/JobNotFound");
    }

    @Test
    void jobOfAnotherService_isNotFoundThere() {
        // given
        String id = http.submit("{\"Inputs\":{\"input1\":" + REF + "}}");

        // when
        HttpResponse<String> response = http.call("GET", "/workspaces/" + EmulatorHttp.WORKSPACE + "/services/"
                + "b".repeat(32) + "/jobs/" + id + "?api-version=2.0", null);

        // then
        assertThat(response.statusCode()).isEqualTo(404);
    }

    @Test
    void gatewayStylePrefix_servesTheSamePaths() {
        // when
        HttpResponse<String> response = http.call("POST", "/bes-gateway/v1" + service("/jobs?api-version=2.0"),
                "{\"Inputs\":{\"input1\":" + REF + "}}");

        // then
        assertThat(response.statusCode()).isEqualTo(200);
        String id = response.body().substring(1, 33);
        assertThat(http.call("GET", "/bes-gateway/v1" + service("/jobs/" + id + "?api-version=2.0"), null).statusCode())
                .isEqualTo(200);
    }

    @Test
    void emptyJobId_givesMissingJobId() {
        // when
        HttpResponse<String> response = http.call("POST", service("/jobs//start?api-version=2.0"), null);

        // then
        assertThat(errorCodes(response)).isEqualTo("BadArgument/MissingJobId");
    }

    @Test
    void workspaceIdThatIsNotHex_givesWorkspaceNotFound() {
        // when
        HttpResponse<String> response = http.call("GET", "/workspaces/my-workspace/services/" + EmulatorHttp.SERVICE
                + "/jobs/" + "a".repeat(32) + "?api-version=2.0", null);

        // then
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(errorCodes(response)).isEqualTo("NotFound/WorkspaceNotFound");
    }

    @Test
    void restrictedIds_serveOnlyThoseListed() {
        // given
        try (BesEmulator restricted = BesEmulator.start(EmulatorSettings.defaults().withApiKey(KEY)
                .withWorkspaces(Set.of(EmulatorHttp.WORKSPACE)).withServices(Set.of(EmulatorHttp.SERVICE.toUpperCase())))) {
            EmulatorHttp restrictedHttp = new EmulatorHttp(restricted.baseUri(), KEY);

            // when
            HttpResponse<String> listed = restrictedHttp.submitRaw("{\"Inputs\":{\"input1\":" + REF + "}}");
            HttpResponse<String> otherService = restrictedHttp.call("POST", "/workspaces/" + EmulatorHttp.WORKSPACE
                    + "/services/" + "c".repeat(32) + "/jobs?api-version=2.0", "{}");
            HttpResponse<String> otherWorkspace = restrictedHttp.call("POST", "/workspaces/" + "c".repeat(32)
                    + "/services/" + EmulatorHttp.SERVICE + "/jobs?api-version=2.0", "{}");

            // then
            assertThat(listed.statusCode()).isEqualTo(200);
            assertThat(errorCodes(otherService)).isEqualTo("NotFound/WebServiceNotFound");
            assertThat(errorCodes(otherWorkspace)).isEqualTo("NotFound/WorkspaceNotFound");
        }
    }

    @Test
    void subscriptionKey_whenConfigured_isRequired() {
        // given
        try (BesEmulator gateway = BesEmulator.start(EmulatorSettings.defaults().withApiKey(KEY)
                .withSubscriptionKey("subscription-key-0001"))) {
            EmulatorHttp gatewayHttp = new EmulatorHttp(gateway.baseUri(), KEY);
            String body = "{\"Inputs\":{\"input1\":" + REF + "}}";

            // when
            HttpResponse<String> without = gatewayHttp.submitRaw(body);
            HttpResponse<String> with = gatewayHttp.call("POST", service("/jobs?api-version=2.0"), body,
                    Map.of("Authorization", "Bearer " + KEY, "Ocp-Apim-Subscription-Key", "subscription-key-0001"));

            // then
            assertThat(without.statusCode()).isEqualTo(401);
            assertThat(without.body()).contains("subscription key");
            assertThat(with.statusCode()).isEqualTo(200);
        }
    }

    @Test
    void everyResponse_carriesRequestId() {
        // when
        HttpResponse<String> ok = http.submitRaw("{\"Inputs\":{\"input1\":" + REF + "}}");
        HttpResponse<String> bad = http.submitRaw("{");
        HttpResponse<String> unauthorized = http.call("GET", service("/jobs/x?api-version=2.0"), null, Map.of());
        HttpResponse<String> unknownPath = http.call("GET", "/nothing/here", null);

        // then
        for (HttpResponse<String> response : new HttpResponse[] {ok, bad, unauthorized, unknownPath}) {
            assertThat(response.headers().firstValue("x-ms-request-id")).as(response.uri().toString())
                    .hasValueSatisfying(id -> assertThat(id).isNotBlank());
        }
    }

    @Test
    void startTwice_givesCannotStartJob() {
        // given
        http.admin("POST", "behaviour", "{\"outcome\":\"stuck-running\"}");
        String id = http.submit("{\"Inputs\":{\"input1\":" + REF + "}}");
        http.start(id);
        http.awaitState(id, Set.of("Running"));

        // when
        HttpResponse<String> again = http.start(id);

        // then
        assertThat(again.statusCode()).isEqualTo(400);
        assertThat(errorCodes(again)).isEqualTo("InvalidOperation/CannotStartJob");
        assertThat(again.body()).contains("The job cannot be started because it is in Running state.");
    }

    @Test
    void delete_cancelsRunningJob_andForgetsIt() {
        // given
        http.admin("POST", "behaviour", "{\"outcome\":\"stuck-running\"}");
        String id = http.submit("{\"Inputs\":{\"input1\":" + REF + "}}");
        http.start(id);
        http.awaitState(id, Set.of("Running"));

        // when
        HttpResponse<String> delete = http.delete(id);

        // then
        assertThat(delete.statusCode()).isEqualTo(200);
        assertThat(http.statusRaw(id).statusCode()).isEqualTo(404);
        assertThat(http.delete(id).statusCode()).isEqualTo(404);
        assertThat(http.counters().get("deletes").asInt()).isEqualTo(1);
        assertThat(http.counters().get("jobs").has(id)).isFalse();
    }

    @Test
    void delete_ofNotStartedJob_removesIt() {
        // given
        String id = http.submit("{\"Inputs\":{\"input1\":" + REF + "}}");

        // when
        HttpResponse<String> delete = http.delete(id);

        // then
        assertThat(delete.statusCode()).isEqualTo(200);
        assertThat(http.start(id).statusCode()).isEqualTo(404);
    }

    @Test
    void failBehaviour_endsFailedWithGivenDetails_andCannotBeStartedAgain() {
        // given
        http.admin("POST", "behaviour", "{\"outcome\":\"fail\",\"failDetails\":\"Module: Reader; Error 1000: boom\"}");
        String id = http.submit("{\"Inputs\":{\"input1\":" + REF + "}}");
        http.start(id);

        // when
        var status = http.awaitEnd(id);

        // then
        assertThat(status.get("StatusCode").asString()).isEqualTo("Failed");
        assertThat(status.get("Details").asString()).isEqualTo("Module: Reader; Error 1000: boom");
        assertThat(status.get("Results").isNull()).isTrue();
        assertThat(http.start(id).body()).contains("it is in Failed state.");
    }

    @Test
    void listJobs_isServedAsExtension() {
        // given
        String id = http.submit("{\"Inputs\":{\"input1\":" + REF + "}}");

        // when
        HttpResponse<String> response = http.call("GET", service("/jobs?api-version=2.0"), null);

        // then
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("[{\"Id\":\"" + id + "\",\"StatusCode\":\"NotStarted\"}]");
    }
}
