package dev.besworker.emulator;

import static dev.besworker.emulator.EmulatorHttp.errorCodes;
import static dev.besworker.emulator.EmulatorHttp.service;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

/** RRS {@code /execute} and {@code swagger.json}. */
class BesEmulatorRrsTest {

    static final String KEY = "rrs-test-api-key-0001";
    static final String EXAMPLE = "{\"Inputs\":{\"input1\":{\"ColumnNames\":[\"Col2\"],\"Values\":[[\"This is a good day\"]]}},"
            + "\"GlobalParameters\":{}}";

    static BesEmulator emulator;
    static EmulatorHttp http;

    @BeforeAll
    static void start() {
        emulator = BesEmulator.start(EmulatorSettings.defaults().withApiKey(KEY));
        http = new EmulatorHttp(emulator.baseUri(), KEY);
    }

    @AfterAll
    static void stop() {
        emulator.close();
    }

    private static List<String> features(String prefix, int count) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(prefix + "_HashingFeature." + i);
        }
        return out;
    }

    @Test
    void publishedExample_scoresAsDocumented() {
        // when
        HttpResponse<String> response = http.call("POST", service("/execute?api-version=2.0&details=true"), EXAMPLE);

        // then
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode value = EmulatorHttp.JSON.readTree(response.body()).get("Results").get("output1");
        assertThat(value.get("type").asString()).isEqualTo("table");
        List<String> names = new ArrayList<>(List.of("Col2"));
        names.addAll(features("Col2", 8));
        assertThat(value.get("value").get("ColumnNames").toString()).isEqualTo(EmulatorHttp.JSON.writeValueAsString(names));
        assertThat(value.get("value").get("ColumnTypes").toString())
                .isEqualTo("[\"String\",\"Int32\",\"Int32\",\"Int32\",\"Int32\",\"Int32\",\"Int32\",\"Int32\",\"Int32\"]");
        assertThat(value.get("value").get("Values").toString())
                .isEqualTo("[[\"This is a good day\",\"1\",\"1\",\"2\",\"2\",\"0\",\"2\",\"0\",\"1\"]]");
    }

    @Test
    void detailsFalse_leavesColumnTypesOut() {
        // when
        HttpResponse<String> response = http.call("POST", service("/execute?api-version=2.0&details=false"), EXAMPLE);

        // then
        JsonNode table = EmulatorHttp.JSON.readTree(response.body()).get("Results").get("output1").get("value");
        assertThat(table.has("ColumnTypes")).isFalse();
        assertThat(table.has("ColumnNames")).isTrue();
    }

    @Test
    void extraColumnsAndSeveralRows_areKeptAsStrings() {
        // given
        String body = "{\"Inputs\":{\"input1\":{\"ColumnNames\":[\"Id\",\"Col2\"],\"Values\":[[1,\"a b\"],[2,null]]}}}";

        // when
        HttpResponse<String> response = http.call("POST", service("/execute?api-version=2.0"), body);

        // then
        JsonNode values = EmulatorHttp.JSON.readTree(response.body()).get("Results").get("output1").get("value").get("Values");
        int[] expected = new FeatureHasher(3, 2).features("a b");
        assertThat(values.get(0).get(0).asString()).isEqualTo("1");
        assertThat(values.get(0).get(1).asString()).isEqualTo("a b");
        for (int i = 0; i < 8; i++) {
            assertThat(values.get(0).get(2 + i).isString()).isTrue();
            assertThat(values.get(0).get(2 + i).asString()).isEqualTo(Integer.toString(expected[i]));
            assertThat(values.get(1).get(2 + i).asString()).isEqualTo("0");
        }
    }

    @Test
    void missingTextColumn_givesInputMismatchError() {
        // when
        HttpResponse<String> response = http.call("POST", service("/execute?api-version=2.0"),
                "{\"Inputs\":{\"input1\":{\"ColumnNames\":[\"text\"],\"Values\":[[\"x\"]]}}}");

        // then
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(errorCodes(response)).isEqualTo("BadUserArgument/InputMismatchError");
    }

    @Test
    void rowOfWrongWidth_givesInputMismatchError() {
        // when
        HttpResponse<String> response = http.call("POST", service("/execute?api-version=2.0"),
                "{\"Inputs\":{\"input1\":{\"ColumnNames\":[\"Col2\"],\"Values\":[[\"x\",\"y\"]]}}}");

        // then
        assertThat(errorCodes(response)).isEqualTo("BadUserArgument/InputMismatchError");
        assertThat(response.body()).contains("Row 1");
    }

    @Test
    void tableWithoutValues_givesInputParseError() {
        // when
        HttpResponse<String> response = http.call("POST", service("/execute?api-version=2.0"),
                "{\"Inputs\":{\"input1\":{\"ColumnNames\":[\"Col2\"]}}}");

        // then
        assertThat(errorCodes(response)).isEqualTo("BadUserArgument/InputParseError");
    }

    @Test
    void invalidJsonOrUnknownInput_areBadArguments() {
        // when
        HttpResponse<String> notJson = http.call("POST", service("/execute?api-version=2.0"), "{nope");
        HttpResponse<String> unknown = http.call("POST", service("/execute?api-version=2.0"),
                "{\"Inputs\":{\"input7\":{\"ColumnNames\":[\"Col2\"],\"Values\":[]}}}");
        HttpResponse<String> noVersion = http.call("POST", service("/execute"), EXAMPLE);
        HttpResponse<String> noKey = http.call("POST", service("/execute?api-version=2.0"), EXAMPLE, Map.of());

        // then
        assertThat(errorCodes(notJson)).isEqualTo("BadArgument/RequestBodyInvalid");
        assertThat(errorCodes(unknown)).isEqualTo("BadArgument/InvalidInputNames");
        assertThat(errorCodes(noVersion)).isEqualTo("BadArgument/BadVersionCall");
        assertThat(noKey.statusCode()).isEqualTo(401);
    }

    @Test
    void swagger_isServedWithoutAuth_describingInputAndOutput() {
        // when
        HttpResponse<String> response = http.call("GET", service("/swagger.json"), null, Map.of());

        // then
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode swagger = EmulatorHttp.JSON.readTree(response.body());
        assertThat(swagger.get("swagger").asString()).isEqualTo("2.0");
        assertThat(swagger.get("basePath").asString()).isEqualTo("/workspaces/" + EmulatorHttp.WORKSPACE + "/services/"
                + EmulatorHttp.SERVICE);
        assertThat(swagger.get("paths").propertyNames()).contains("/execute", "/jobs", "/jobs/{jobId}", "/jobs/{jobId}/start");
        assertThat(swagger.get("definitions").get("input1Item").get("properties").propertyNames()).containsExactly("Col2");
        List<String> outputs = new ArrayList<>(List.of("Col2"));
        outputs.addAll(features("Col2", 8));
        assertThat(swagger.get("definitions").get("output1Item").get("properties").propertyNames())
                .containsExactlyElementsOf(outputs);
        response.body().lines().forEach(line -> assertThat(line).doesNotContain(KEY));
    }

    @Test
    void swaggerOfTheTwoInputService_listsItsOwnInputsAndOutputs_whereTheOthersListOne() {
        // when
        JsonNode two = EmulatorHttp.JSON.readTree(http.call("GET", twoInputService("/swagger.json"), null, Map.of())
                .body()).get("definitions");
        JsonNode one = EmulatorHttp.JSON.readTree(http.call("GET", service("/swagger.json"), null, Map.of())
                .body()).get("definitions");

        // then
        JsonNode batch = two.get("BatchExecutionRequest").get("properties");
        assertThat(batch.get("Inputs").get("properties").propertyNames()).containsExactly("input1", "input2");
        assertThat(batch.get("Inputs").get("required").toString()).isEqualTo("[\"input1\",\"input2\"]");
        assertThat(batch.get("Outputs").get("properties").propertyNames()).containsExactly("output1", "output2");
        assertThat(two.get("ExecutionRequest").get("properties").get("Inputs").get("properties").propertyNames())
                .containsExactly("input1", "input2");
        assertThat(two.propertyNames()).contains("input1Item", "input2Item", "output1Item", "output2Item");
        assertThat(one.get("BatchExecutionRequest").get("properties").get("Inputs").get("properties").propertyNames())
                .containsExactly("input1");
        assertThat(one.propertyNames()).contains("input1Item", "output1Item").doesNotContain("input2Item", "output2Item");
    }

    @Test
    void executeOnTheTwoInputService_scoresEachInputIntoItsOutput() {
        // given
        String body = "{\"Inputs\":{\"input1\":{\"ColumnNames\":[\"Col2\"],\"Values\":[[\"a b\"]]},"
                + "\"input2\":{\"ColumnNames\":[\"Col2\"],\"Values\":[[\"c\"],[\"d e\"]]}}}";

        // when
        HttpResponse<String> response = http.call("POST", twoInputService("/execute?api-version=2.0"), body);
        HttpResponse<String> onlyOne = http.call("POST", twoInputService("/execute?api-version=2.0"), EXAMPLE);

        // then
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode results = EmulatorHttp.JSON.readTree(response.body()).get("Results");
        assertThat(results.propertyNames()).containsExactly("output1", "output2");
        assertThat(results.get("output1").get("value").get("Values").size()).isEqualTo(1);
        assertThat(results.get("output2").get("value").get("Values").size()).isEqualTo(2);
        assertThat(errorCodes(onlyOne)).isEqualTo("BadArgument/InvalidInputNames");
    }

    private static String twoInputService(String path) {
        return "/workspaces/" + EmulatorHttp.WORKSPACE + "/services/" + EmulatorSettings.TWO_INPUT_SERVICE + path;
    }

    @Test
    void otherHashingSettings_changeTheOutputColumns() {
        // given
        try (BesEmulator wide = BesEmulator.start(EmulatorSettings.defaults().withApiKey(KEY).withHashing("Text", 10, 1))) {
            EmulatorHttp wideHttp = new EmulatorHttp(wide.baseUri(), KEY);

            // when
            HttpResponse<String> response = wideHttp.call("POST", service("/execute?api-version=2.0"),
                    "{\"Inputs\":{\"input1\":{\"ColumnNames\":[\"Text\"],\"Values\":[[\"This is a good day\"]]}}}");

            // then
            JsonNode table = EmulatorHttp.JSON.readTree(response.body()).get("Results").get("output1").get("value");
            assertThat(table.get("ColumnNames").size()).isEqualTo(1 + 1024);
            assertThat(table.get("ColumnNames").get(1024).asString()).isEqualTo("Text_HashingFeature.1023");
            int[] expected = new FeatureHasher(10, 1).features("This is a good day");
            int total = 0;
            for (int i = 0; i < 1024; i++) {
                assertThat(table.get("Values").get(0).get(1 + i).asString()).isEqualTo(Integer.toString(expected[i]));
                total += expected[i];
            }
            assertThat(total).isEqualTo(5);
        }
    }
}
