package dev.besworker.bes;

import dev.besworker.secrets.Redactor;
import dev.besworker.secrets.Secret;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** The BES wire format: request bodies out, job ids, statuses and error bodies in. */
final class BesJson {

    /** The output name a single legacy {@code Result} is given. */
    static final String LEGACY_OUTPUT_NAME = "output1";

    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    private static final List<String> BLOB_FIELDS =
            List.of("connectionstring", "relativelocation", "baselocation", "sasblobtoken");

    private BesJson() {
    }

    /** The submit body; null fields are left out, secrets are revealed into it. */
    static String requestBody(BatchJobRequest request) {
        ObjectNode root = MAPPER.createObjectNode();
        ObjectNode inputs = root.putObject("Inputs");
        request.inputs().forEach((name, reference) -> inputs.set(name, blobNode(reference)));
        ObjectNode outputs = root.putObject("Outputs");
        request.outputs().forEach((name, reference) -> outputs.set(name, blobNode(reference)));
        ObjectNode parameters = root.putObject("GlobalParameters");
        request.globalParameters().forEach(parameters::put);
        return MAPPER.writeValueAsString(root);
    }

    private static ObjectNode blobNode(BlobReference reference) {
        ObjectNode node = MAPPER.createObjectNode();
        if (reference.connectionString() != null) {
            node.put("ConnectionString", reference.connectionString().reveal());
        }
        if (reference.relativeLocation() != null) {
            node.put("RelativeLocation", reference.relativeLocation());
        }
        if (reference.baseLocation() != null) {
            node.put("BaseLocation", reference.baseLocation());
        }
        if (reference.sasBlobToken() != null) {
            node.put("SasBlobToken", reference.sasBlobToken().reveal());
        }
        return node;
    }

    /**
     * The job id from a submit answer: a JSON string ({@code "abc"}), a bare id ({@code abc}), or
     * (tolerated) an object with an id field. Null when the body holds none.
     */
    static String jobId(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        String text = body.strip();
        String id;
        if (text.startsWith("\"") || text.startsWith("{")) {
            JsonNode node = tryParse(text);
            if (node == null) {
                return null;
            }
            if (node.isString()) {
                id = node.stringValue();
            } else if (node.isObject()) {
                JsonNode field = firstField(node, "JobId", "Id", "jobid", "id");
                id = field != null && field.isString() ? field.stringValue() : null;
            } else {
                return null;
            }
        } else {
            id = text;
        }
        if (id == null) {
            return null;
        }
        id = id.strip();
        if (id.isEmpty() || id.length() > 256 || id.chars().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c)
                || c == '/' || c == '?' || c == '#' || c == '"' || c == '<' || c == '>')) {
            return null;
        }
        return id;
    }

    /**
     * A status answer: {@code StatusCode} as a name or number, {@code Results} (or the old single
     * {@code Result}, named {@value #LEGACY_OUTPUT_NAME}), {@code Details}. Field names are
     * matched case-insensitively; unknown fields are ignored.
     *
     * @throws IllegalArgumentException when the body is not a status
     */
    static BesJobStatus status(String body) {
        JsonNode root = tryParse(body);
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("the answer is not a JSON object");
        }
        JsonNode code = field(root, "StatusCode");
        if (code == null || code.isNull()) {
            throw new IllegalArgumentException("the answer has no StatusCode");
        }
        BesJobState state = BesJobState.parse(code);
        JsonNode results = field(root, "Results");
        if (results == null || results.isNull()) {
            results = field(root, "Result");
        }
        JsonNode details = field(root, "Details");
        String detailsText = null;
        if (details != null && !details.isNull()) {
            detailsText = Redactor.scrub(details.isString() ? details.stringValue() : details.toString());
        }
        return new BesJobStatus(state, results(results), detailsText);
    }

    private static Map<String, BlobReference> results(JsonNode results) {
        Map<String, BlobReference> map = new LinkedHashMap<>();
        if (results == null || results.isNull()) {
            return map;
        }
        if (results.isObject() && looksLikeBlob(results)) {
            map.put(LEGACY_OUTPUT_NAME, blob(results));
        } else if (results.isObject()) {
            for (Map.Entry<String, JsonNode> entry : results.properties()) {
                if (entry.getValue().isObject()) {
                    map.put(entry.getKey(), blob(entry.getValue()));
                }
            }
        } else if (results.isArray()) {
            int index = 1;
            for (JsonNode element : results) {
                if (element.isObject()) {
                    map.put("output" + index, blob(element));
                }
                index++;
            }
        }
        return map;
    }

    private static boolean looksLikeBlob(JsonNode node) {
        for (String name : node.propertyNames()) {
            if (BLOB_FIELDS.contains(name.toLowerCase(Locale.ROOT))) {
                return true;
            }
        }
        return false;
    }

    private static BlobReference blob(JsonNode node) {
        String connectionString = text(node, "ConnectionString");
        String token = text(node, "SasBlobToken");
        return new BlobReference(connectionString == null ? null : Secret.of(connectionString),
                text(node, "RelativeLocation"), text(node, "BaseLocation"),
                token == null ? null : Secret.of(token));
    }

    /** What an error body says; every part may be null. */
    record ErrorBody(String errorClass, String message, String detailCode, String detailMessage) {

        static final ErrorBody NONE = new ErrorBody(null, null, null, null);

        /** The specific code, else the class. */
        String code() {
            return detailCode != null ? detailCode : errorClass;
        }

        /** The service's words: the message and, when it adds something, the detail's message. */
        String text() {
            if (message == null) {
                return detailMessage;
            }
            if (detailMessage == null || message.contains(detailMessage)) {
                return message;
            }
            return message + " " + detailMessage;
        }
    }

    /**
     * Reads {@code {"error":{"code","message","details":[{"code","message"}]}}}, tolerating a
     * flat {@code {"code","message"}} (gateways), a non-JSON body (its first line, or an HTML
     * page's title, becomes the message) and an empty one.
     */
    static ErrorBody error(String body) {
        if (body == null || body.isBlank()) {
            return ErrorBody.NONE;
        }
        JsonNode root = tryParse(body);
        if (root == null || !root.isObject()) {
            if (root != null && root.isString()) {
                return new ErrorBody(null, shorten(root.stringValue()), null, null);
            }
            return new ErrorBody(null, plainText(body), null, null);
        }
        JsonNode error = field(root, "error");
        if (error != null && error.isString()) {
            return new ErrorBody(null, shorten(error.stringValue()), null, null);
        }
        JsonNode holder = error != null && error.isObject() ? error : root;
        String errorClass = text(holder, "code");
        String message = text(holder, "message");
        String detailCode = null;
        String detailMessage = null;
        JsonNode details = field(holder, "details");
        JsonNode detail = null;
        if (details != null && details.isArray() && !details.isEmpty()) {
            detail = details.get(0);
        } else if (details != null && details.isObject()) {
            detail = details;
        }
        if (detail != null && detail.isObject()) {
            detailCode = text(detail, "code");
            detailMessage = text(detail, "message");
        }
        return new ErrorBody(errorClass, shorten(message), detailCode, shorten(detailMessage));
    }

    /** A short, single-line excerpt of a body, for messages. */
    static String excerpt(String body) {
        return body == null || body.isBlank() ? "(empty)" : plainText(body);
    }

    private static String plainText(String body) {
        String text = body.strip();
        int title = text.toLowerCase(Locale.ROOT).indexOf("<title>");
        if (text.startsWith("<") && title >= 0) {
            int end = text.toLowerCase(Locale.ROOT).indexOf("</title>", title);
            if (end > title) {
                return shorten(text.substring(title + "<title>".length(), end));
            }
        }
        return shorten(text);
    }

    private static String shorten(String text) {
        if (text == null) {
            return null;
        }
        String oneLine = text.strip().replaceAll("\\s+", " ");
        if (oneLine.isEmpty()) {
            return null;
        }
        return oneLine.length() <= 400 ? oneLine : oneLine.substring(0, 400) + "...";
    }

    private static JsonNode tryParse(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return MAPPER.readTree(text);
        } catch (JacksonException e) {
            return null;
        }
    }

    /** A field by name, ignoring case; null when absent. */
    static JsonNode field(JsonNode node, String name) {
        JsonNode exact = node.get(name);
        if (exact != null) {
            return exact;
        }
        for (Map.Entry<String, JsonNode> entry : node.properties()) {
            if (entry.getKey().equalsIgnoreCase(name)) {
                return entry.getValue();
            }
        }
        return null;
    }

    private static JsonNode firstField(JsonNode node, String... names) {
        for (String name : names) {
            JsonNode value = field(node, name);
            if (value != null && !value.isNull()) {
                return value;
            }
        }
        return null;
    }

    private static String text(JsonNode node, String name) {
        JsonNode value = field(node, name);
        if (value == null || value.isNull() || value.isContainer()) {
            return null;
        }
        return value.isString() ? value.stringValue() : value.asString();
    }
}
