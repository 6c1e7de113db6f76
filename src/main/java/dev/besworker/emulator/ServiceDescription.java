package dev.besworker.emulator;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The swagger.json of an emulated Feature Hashing service (Swagger 2.0), describing that
 * service's own inputs and outputs ({@link ServiceShape}).
 */
final class ServiceDescription {

    private ServiceDescription() {
    }

    static Map<String, Object> swagger(EmulatorSettings settings, ServiceShape shape, String host, String basePath,
            FeatureHashingTransform transform) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("swagger", "2.0");
        doc.put("info", map("title", "Feature Hashing (BES emulator)",
                "description", "Hashes the text column " + settings.hashColumn() + " into 2^" + settings.bits()
                        + " features (" + settings.ngrams() + "-grams), keeping every input column.",
                "version", "2.0"));
        doc.put("host", host);
        doc.put("basePath", basePath);
        doc.put("schemes", List.of("http"));
        doc.put("consumes", List.of("application/json"));
        doc.put("produces", List.of("application/json"));
        doc.put("securityDefinitions", map("apiKey", map("type", "apiKey", "name", "Authorization", "in", "header",
                "description", "Bearer <api key>")));
        doc.put("security", List.of(map("apiKey", List.of())));

        Map<String, Object> apiVersion = map("name", "api-version", "in", "query", "required", true, "type", "string",
                "enum", List.of("2.0"));
        Map<String, Object> jobId = map("name", "jobId", "in", "path", "required", true, "type", "string");
        Map<String, Object> errors = map("default", map("description", "Error", "schema", ref("ErrorResponse")));

        Map<String, Object> paths = new LinkedHashMap<>();
        paths.put("/execute", map("post", operation("execute", "Request-Response: score rows synchronously",
                List.of(apiVersion, map("name", "details", "in", "query", "required", false, "type", "boolean"),
                        body("ExecutionRequest")),
                "ExecutionResults", errors)));
        paths.put("/jobs", map(
                "post", operation("submitJob", "Batch: submit a job (stays NotStarted until started)",
                        List.of(apiVersion, body("BatchExecutionRequest")), "JobId", errors),
                "get", operation("listJobs", "Batch: list jobs (emulator extension)", List.of(apiVersion),
                        "JobList", errors)));
        paths.put("/jobs/{jobId}/start", map("post", operation("startJob", "Batch: start a submitted job",
                List.of(apiVersion, jobId), null, errors)));
        paths.put("/jobs/{jobId}", map(
                "get", operation("getJobStatus", "Batch: job status", List.of(apiVersion, jobId), "BatchJobStatus", errors),
                "delete", operation("cancelJob", "Batch: cancel and remove a job", List.of(apiVersion, jobId), null, errors)));
        doc.put("paths", paths);

        Map<String, Object> definitions = new LinkedHashMap<>();
        Map<String, Object> inputItem = map("type", "object", "properties",
                map(settings.hashColumn(), map("type", "string")));
        Map<String, Object> outputProperties = new LinkedHashMap<>();
        outputProperties.put(settings.hashColumn(), map("type", "string"));
        for (String feature : transform.featureColumns()) {
            outputProperties.put(feature, map("type", "integer", "format", "int32"));
        }
        Map<String, Object> outputItem = map("type", "object", "properties", outputProperties);
        shape.inputs().forEach(input -> definitions.put(input + "Item", inputItem));
        shape.outputs().forEach(output -> definitions.put(output + "Item", outputItem));
        definitions.put("Table", map("type", "object", "properties", map(
                "ColumnNames", map("type", "array", "items", map("type", "string")),
                "ColumnTypes", map("type", "array", "items", map("type", "string")),
                "Values", map("type", "array", "items", map("type", "array", "items", map("type", "string"))))));
        definitions.put("ExecutionRequest", map("type", "object", "properties", map(
                "Inputs", map("type", "object", "properties", each(shape.inputs(), ref("Table")),
                        "required", shape.inputs()),
                "GlobalParameters", map("type", "object", "additionalProperties", map("type", "string")))));
        definitions.put("ExecutionResults", map("type", "object", "properties", map(
                "Results", map("type", "object", "properties", each(shape.outputs(), map("type", "object",
                        "properties", map("type", map("type", "string"), "value", ref("Table"))))))));
        definitions.put("BlobReference", map("type", "object", "properties", map(
                "ConnectionString", map("type", "string"),
                "RelativeLocation", map("type", "string"),
                "BaseLocation", map("type", "string"),
                "SasBlobToken", map("type", "string"))));
        definitions.put("BatchExecutionRequest", map("type", "object", "properties", map(
                "Inputs", map("type", "object", "properties", each(shape.inputs(), ref("BlobReference")),
                        "required", shape.inputs()),
                "Outputs", map("type", "object", "properties", each(shape.outputs(), ref("BlobReference"))),
                "GlobalParameters", map("type", "object", "additionalProperties", map("type", "string")))));
        definitions.put("JobId", map("type", "string", "description", "32 hex characters"));
        definitions.put("JobList", map("type", "array", "items", map("type", "object", "properties", map(
                "Id", map("type", "string"), "StatusCode", map("type", "string")))));
        definitions.put("BatchJobStatus", map("type", "object", "properties", map(
                "StatusCode", map("type", "string", "enum", List.of("NotStarted", "Running", "Failed", "Cancelled", "Finished")),
                "Results", map("type", "object", "additionalProperties", ref("BlobReference")),
                "Details", map("type", "string"))));
        definitions.put("ErrorResponse", map("type", "object", "properties", map("error", map("type", "object",
                "properties", map("code", map("type", "string"), "message", map("type", "string"),
                        "details", map("type", "array", "items", map("type", "object", "properties",
                                map("code", map("type", "string"), "message", map("type", "string")))))))));
        doc.put("definitions", definitions);
        return doc;
    }

    private static Map<String, Object> operation(String id, String summary, List<Map<String, Object>> parameters,
            String resultDefinition, Map<String, Object> errors) {
        Map<String, Object> responses = new LinkedHashMap<>();
        responses.put("200", resultDefinition == null ? map("description", "OK")
                : map("description", "OK", "schema", ref(resultDefinition)));
        responses.putAll(errors);
        return map("operationId", id, "summary", summary, "parameters", new ArrayList<>(parameters), "responses", responses);
    }

    private static Map<String, Object> body(String definition) {
        return map("name", "body", "in", "body", "required", true, "schema", ref(definition));
    }

    private static Map<String, Object> ref(String definition) {
        return map("$ref", "#/definitions/" + definition);
    }

    /** The same schema under each name. */
    private static Map<String, Object> each(List<String> names, Map<String, Object> schema) {
        Map<String, Object> out = new LinkedHashMap<>();
        names.forEach(name -> out.put(name, schema));
        return out;
    }

    static Map<String, Object> map(Object... keysAndValues) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            out.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return out;
    }
}
