package dev.besworker.emulator;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * RRS {@code /execute}: scores the rows of each of the service's inputs ({@link ServiceShape}) with
 * its Feature Hashing into the matching output, at most
 * {@link EmulatorSettings#maxConcurrentRequests()} at once (more get 503).
 */
final class RrsApi {

    private final EmulatorSettings settings;
    private final Counters counters;
    private final FeatureHashingTransform transform;
    private final Semaphore rrsSlots;

    RrsApi(EmulatorSettings settings, Counters counters, FeatureHashingTransform transform) {
        this.settings = settings;
        this.counters = counters;
        this.transform = transform;
        this.rrsSlots = new Semaphore(settings.maxConcurrentRequests());
    }

    /** Scores each of the service's inputs into its output. */
    Reply execute(EmulatorRequest call, ServiceShape shape) {
        if (!rrsSlots.tryAcquire()) {
            throw new ApiError(503, "ServiceUnavailable", "TooManyConcurrentRequests",
                    ApiError.defaultMessageFor(503, "TooManyConcurrentRequests", settings.maxConcurrentRequests()));
        }
        try {
            counters.executes.incrementAndGet();
            return Reply.json(200, score(call, shape));
        }
        finally {
            rrsSlots.release();
        }
    }

    private Map<String, Object> score(EmulatorRequest call, ServiceShape shape) {
        JsonNode root;
        try {
            root = call.body().length == 0 ? null : Reply.JSON.readTree(call.body());
        }
        catch (JacksonException ex) {
            throw ApiError.badArgument("RequestBodyInvalid", "The request body is not valid JSON: " + ex.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw ApiError.badArgument("RequestBodyInvalid", "The request body must be a JSON object with Inputs.");
        }
        String expected = String.join(", ", shape.inputs());
        JsonNode inputs = JobSpec.field(root, "Inputs");
        if (inputs == null || !inputs.isObject() || inputs.isEmpty()) {
            throw ApiError.badArgument("BatchJobInputsNotSpecified", "No inputs are specified; the service takes "
                    + expected + ".");
        }
        for (String name : inputs.propertyNames()) {
            if (!shape.inputs().contains(name)) {
                throw ApiError.badArgument("InvalidInputNames", "Input name '" + name
                        + "' is not an input of this service; expected: " + expected + ".");
            }
        }
        boolean details = !"false".equalsIgnoreCase(call.query().get("details"));
        Map<String, Object> results = new LinkedHashMap<>();
        for (int i = 0; i < shape.inputs().size(); i++) {
            results.put(shape.outputs().get(i), scoreTable(shape.inputs().get(i), inputs.get(shape.inputs().get(i)),
                    details));
        }
        return Map.of("Results", results);
    }

    /** One input's table, scored into its output's. */
    private Map<String, Object> scoreTable(String input, JsonNode table, boolean details) {
        if (table == null || !table.isObject()) {
            throw ApiError.badArgument("InvalidInputNames", "Input '" + input + "' is required.");
        }
        JsonNode names = JobSpec.field(table, "ColumnNames");
        JsonNode values = JobSpec.field(table, "Values");
        if (names == null || !names.isArray() || values == null || !values.isArray()) {
            throw new ApiError(400, "BadUserArgument", "InputParseError",
                    "Input '" + input + "' needs ColumnNames (array of strings) and Values (array of rows).");
        }
        List<String> columns = new ArrayList<>();
        for (JsonNode name : names) {
            columns.add(name.isNull() ? "" : name.asString());
        }
        int textIndex = columns.indexOf(settings.hashColumn());
        if (textIndex < 0) {
            throw new ApiError(400, "BadUserArgument", "InputMismatchError", "Column '" + settings.hashColumn()
                    + "' is missing from input '" + input + "' (columns: " + String.join(", ", columns) + ").");
        }
        List<List<String>> rows = new ArrayList<>();
        int[] counts = new int[transform.hasher().dimension()];
        int rowNumber = 0;
        for (JsonNode row : values) {
            rowNumber++;
            if (!row.isArray() || row.size() != columns.size()) {
                throw new ApiError(400, "BadUserArgument", "InputMismatchError", "Row " + rowNumber + " of input '"
                        + input + "' has " + (row.isArray() ? row.size() : 0)
                        + " values but there are " + columns.size() + " columns.");
            }
            List<String> out = new ArrayList<>(columns.size() + counts.length);
            for (JsonNode value : row) {
                out.add(value.isNull() ? "" : value.asString());
            }
            Arrays.fill(counts, 0);
            transform.hasher().addFeatures(out.get(textIndex), counts);
            for (int count : counts) {
                out.add(FeatureHashingTransform.number(count));
            }
            rows.add(out);
        }
        List<String> outputColumns = transform.outputColumns(columns);
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("ColumnNames", outputColumns);
        if (details) {
            List<String> types = new ArrayList<>();
            for (int i = 0; i < outputColumns.size(); i++) {
                types.add(i < columns.size() ? "String" : "Int32");
            }
            value.put("ColumnTypes", types);
        }
        value.put("Values", rows);
        Map<String, Object> output = new LinkedHashMap<>();
        output.put("type", "table");
        output.put("value", value);
        return output;
    }
}
