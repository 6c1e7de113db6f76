package dev.besworker.emulator;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Semaphore;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * RRS {@code /execute}: scores the rows in the request with the service's Feature Hashing, at
 * most {@link EmulatorSettings#maxConcurrentRequests()} at once (more get 503).
 */
final class RrsApi {

    private static final Set<String> INPUTS = Set.of(EmulatorSettings.INPUT_NAME);

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

    Reply execute(EmulatorRequest call) {
        if (!rrsSlots.tryAcquire()) {
            throw new ApiError(503, "ServiceUnavailable", "TooManyConcurrentRequests",
                    ApiError.defaultMessageFor(503, "TooManyConcurrentRequests", settings.maxConcurrentRequests()));
        }
        try {
            counters.executes.incrementAndGet();
            return Reply.json(200, score(call));
        }
        finally {
            rrsSlots.release();
        }
    }

    private Map<String, Object> score(EmulatorRequest call) {
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
        JsonNode inputs = JobSpec.field(root, "Inputs");
        if (inputs == null || !inputs.isObject() || inputs.isEmpty()) {
            throw ApiError.badArgument("BatchJobInputsNotSpecified", "No inputs are specified; the service takes "
                    + EmulatorSettings.INPUT_NAME + ".");
        }
        for (String name : inputs.propertyNames()) {
            if (!INPUTS.contains(name)) {
                throw ApiError.badArgument("InvalidInputNames", "Input name '" + name
                        + "' is not an input of this service; expected: " + EmulatorSettings.INPUT_NAME + ".");
            }
        }
        JsonNode table = inputs.get(EmulatorSettings.INPUT_NAME);
        if (table == null || !table.isObject()) {
            throw ApiError.badArgument("InvalidInputNames", "Input '" + EmulatorSettings.INPUT_NAME + "' is required.");
        }
        JsonNode names = JobSpec.field(table, "ColumnNames");
        JsonNode values = JobSpec.field(table, "Values");
        if (names == null || !names.isArray() || values == null || !values.isArray()) {
            throw new ApiError(400, "BadUserArgument", "InputParseError",
                    "Input '" + EmulatorSettings.INPUT_NAME + "' needs ColumnNames (array of strings) and Values (array of rows).");
        }
        List<String> columns = new ArrayList<>();
        for (JsonNode name : names) {
            columns.add(name.isNull() ? "" : name.asString());
        }
        int textIndex = columns.indexOf(settings.hashColumn());
        if (textIndex < 0) {
            throw new ApiError(400, "BadUserArgument", "InputMismatchError", "Column '" + settings.hashColumn()
                    + "' is missing from input '" + EmulatorSettings.INPUT_NAME + "' (columns: " + String.join(", ", columns) + ").");
        }
        List<List<String>> rows = new ArrayList<>();
        int[] counts = new int[transform.hasher().dimension()];
        int rowNumber = 0;
        for (JsonNode row : values) {
            rowNumber++;
            if (!row.isArray() || row.size() != columns.size()) {
                throw new ApiError(400, "BadUserArgument", "InputMismatchError", "Row " + rowNumber + " of input '"
                        + EmulatorSettings.INPUT_NAME + "' has " + (row.isArray() ? row.size() : 0)
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
        if (!"false".equalsIgnoreCase(call.query().get("details"))) {
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
        return Map.of("Results", Map.of(EmulatorSettings.OUTPUT_NAME, output));
    }
}
