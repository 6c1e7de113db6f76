package dev.besworker.emulator;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * A validated batch job request.
 *
 * @param inputs           by input name
 * @param outputs          output overrides by output name (may be empty)
 * @param globalParameters as sent
 */
record JobSpec(Map<String, BlobRef> inputs, Map<String, BlobRef> outputs, Map<String, String> globalParameters) {

    private static final Set<String> OUTPUT_EXTENSIONS = Set.of(".csv", ".tsv", ".arff");

    /**
     * Parses and validates a submit body against the service's input and output names.
     *
     * @throws ApiError 400 with the specific code bes-api.md lists
     */
    static JobSpec parse(byte[] body, Set<String> inputNames, Set<String> outputNames, Set<String> requiredGlobals) {
        JsonNode root;
        try {
            root = body == null || body.length == 0 ? null : Reply.JSON.readTree(body);
        }
        catch (JacksonException ex) {
            throw ApiError.badArgument("RequestBodyInvalid", "The request body is not valid JSON: "
                    + ex.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw ApiError.badArgument("RequestBodyInvalid",
                    "The request body must be a JSON object with Inputs, Outputs and GlobalParameters.");
        }
        JsonNode inputsNode = field(root, "Inputs");
        JsonNode inputNode = field(root, "Input");
        boolean hasInputs = inputsNode != null && !inputsNode.isNull();
        boolean hasInput = inputNode != null && !inputNode.isNull();
        if (hasInputs && hasInput) {
            throw ApiError.badArgument("DuplicateInputInBatchCall",
                    "Both 'Input' and 'Inputs' are specified; use only 'Inputs'.");
        }
        Map<String, BlobRef> inputs = new LinkedHashMap<>();
        if (hasInput) {
            if (!inputNode.isObject()) {
                throw ApiError.badArgument("RequestBodyInvalid", "'Input' must be a blob reference object.");
            }
            if (inputNames.size() != 1) {
                throw ApiError.badArgument("BatchJobInputsTooManySpecified",
                        "The service has several inputs; name them in 'Inputs'.");
            }
            String name = inputNames.iterator().next();
            inputs.put(name, blobRef(inputNode, "Input", false));
        }
        else if (hasInputs) {
            if (!inputsNode.isObject()) {
                throw ApiError.badArgument("RequestBodyInvalid", "'Inputs' must be an object of blob references by input name.");
            }
            if (inputsNode.size() > inputNames.size()) {
                throw ApiError.badArgument("BatchJobInputsTooManySpecified", "The service takes " + inputNames.size()
                        + " input(s) (" + String.join(", ", inputNames) + ") but " + inputsNode.size() + " were given.");
            }
            for (var entry : inputsNode.properties()) {
                if (!inputNames.contains(entry.getKey())) {
                    throw ApiError.badArgument("InvalidInputNames", "Input name '" + entry.getKey()
                            + "' is not an input of this service; expected: " + String.join(", ", inputNames) + ".");
                }
                if (!entry.getValue().isObject()) {
                    throw ApiError.badArgument("RequestBodyInvalid", "Input '" + entry.getKey()
                            + "' must be a blob reference object.");
                }
                inputs.put(entry.getKey(), blobRef(entry.getValue(), "Input '" + entry.getKey() + "'", false));
            }
        }
        if (inputs.isEmpty()) {
            throw ApiError.badArgument("BatchJobInputsNotSpecified", "No inputs are specified; the service takes "
                    + String.join(", ", inputNames) + ".");
        }
        if (!inputs.keySet().containsAll(inputNames)) {
            throw ApiError.badArgument("InvalidInputNames", "Every input must be given: "
                    + String.join(", ", inputNames) + ".");
        }
        Map<String, BlobRef> outputs = new LinkedHashMap<>();
        JsonNode outputsNode = field(root, "Outputs");
        if (outputsNode != null && !outputsNode.isNull()) {
            if (!outputsNode.isObject()) {
                throw ApiError.badArgument("RequestBodyInvalid", "'Outputs' must be an object of blob references by output name.");
            }
            for (var entry : outputsNode.properties()) {
                if (!outputNames.contains(entry.getKey())) {
                    throw ApiError.badArgument("InvalidOutputOverrideName", "Output name '" + entry.getKey()
                            + "' is not an output of this service; expected: " + String.join(", ", outputNames) + ".");
                }
                if (!entry.getValue().isObject()) {
                    throw ApiError.badArgument("RequestBodyInvalid", "Output '" + entry.getKey()
                            + "' must be a blob reference object.");
                }
                outputs.put(entry.getKey(), blobRef(entry.getValue(), "Output '" + entry.getKey() + "'", true));
            }
        }
        Map<String, String> globals = new LinkedHashMap<>();
        JsonNode globalsNode = field(root, "GlobalParameters");
        if (globalsNode != null && !globalsNode.isNull()) {
            if (!globalsNode.isObject()) {
                throw ApiError.badArgument("RequestBodyInvalid", "'GlobalParameters' must be an object of strings.");
            }
            for (var entry : globalsNode.properties()) {
                globals.put(entry.getKey(), entry.getValue().isNull() ? null : entry.getValue().asString());
            }
        }
        for (String required : requiredGlobals) {
            if (globals.get(required) == null) {
                throw ApiError.badArgument("MissingRequiredGlobalParameters", "Global parameter '" + required
                        + "' is required.");
            }
        }
        return new JobSpec(inputs, outputs, globals);
    }

    private static BlobRef blobRef(JsonNode node, String what, boolean output) {
        String connectionString = text(node, "ConnectionString");
        String relative = text(node, "RelativeLocation");
        String base = text(node, "BaseLocation");
        String sas = text(node, "SasBlobToken");
        if (relative == null || relative.isBlank()) {
            throw ApiError.badArgument("RequestBodyInvalid", what + " has no RelativeLocation (container/blob).");
        }
        String[] parts = BlobRef.split(relative);
        if (output) {
            String lower = relative.trim().toLowerCase(Locale.ROOT);
            if (OUTPUT_EXTENSIONS.stream().noneMatch(lower::endsWith)) {
                throw ApiError.badArgument("InvalidBlobExtension", what + " RelativeLocation '" + relative
                        + "' must end in .csv, .tsv or .arff.");
            }
        }
        if (parts == null) {
            throw ApiError.badArgument("RequestBodyInvalid", what + " RelativeLocation '" + relative
                    + "' must be container/blob.");
        }
        if (connectionString != null && !connectionString.isBlank()) {
            StorageAccount account;
            try {
                account = StorageAccount.parse(connectionString);
            }
            catch (IllegalArgumentException ex) {
                throw ApiError.badArgument("InvalidBlobConnectionString", what + " ConnectionString is invalid: "
                        + ex.getMessage() + ".");
            }
            return new BlobRef(account, account.baseLocation(), account.sas(), parts[0], parts[1]);
        }
        if (base == null || base.isBlank() || sas == null || sas.isBlank()) {
            throw ApiError.badArgument("InvalidBlobConnectionString", what
                    + " needs a ConnectionString, or a BaseLocation with a SasBlobToken.");
        }
        String normalised = BlobRef.normaliseBase(base);
        if (normalised == null) {
            throw ApiError.badArgument("RequestBodyInvalid", what + " BaseLocation is not an http(s) URL.");
        }
        return new BlobRef(null, normalised, StorageAccount.stripQuestionMark(sas.trim()), parts[0], parts[1]);
    }

    /** A field by name, ignoring case, as the service's .NET deserialiser did. */
    static JsonNode field(JsonNode node, String name) {
        JsonNode exact = node.get(name);
        if (exact != null) {
            return exact;
        }
        for (var entry : node.properties()) {
            if (entry.getKey().equalsIgnoreCase(name)) {
                return entry.getValue();
            }
        }
        return null;
    }

    private static String text(JsonNode node, String name) {
        JsonNode value = field(node, name);
        return value == null || value.isNull() ? null : value.asString();
    }
}
