package dev.besworker.bes;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The body of a BES submit: {@code {"Inputs":{...},"Outputs":{...},"GlobalParameters":{...}}}.
 * Maps keep their insertion order and are copied unmodifiable; a null map is empty. Names and
 * references must not be null; a global parameter whose value is null is left out of the body.
 *
 * @param inputs           input name (as the service names it, e.g. {@code input1}) to blob
 * @param outputs          output name (e.g. {@code output1}) to the blob to write; may be empty
 *                         (BES then picks random blob names)
 * @param globalParameters the web service parameters; may be empty
 */
public record BatchJobRequest(Map<String, BlobReference> inputs, Map<String, BlobReference> outputs,
                              Map<String, String> globalParameters) {

    public BatchJobRequest {
        inputs = copy(inputs, "input");
        outputs = copy(outputs, "output");
        globalParameters = copyParameters(globalParameters);
    }

    private static Map<String, BlobReference> copy(Map<String, BlobReference> map, String what) {
        if (map == null || map.isEmpty()) {
            return Map.of();
        }
        Map<String, BlobReference> copy = new LinkedHashMap<>();
        map.forEach((name, reference) -> {
            Objects.requireNonNull(name, () -> "an " + what + " name is null");
            Objects.requireNonNull(reference, () -> what + " '" + name + "' has no blob reference");
            copy.put(name, reference);
        });
        return Collections.unmodifiableMap(copy);
    }

    private static Map<String, String> copyParameters(Map<String, String> map) {
        if (map == null || map.isEmpty()) {
            return Map.of();
        }
        Map<String, String> copy = new LinkedHashMap<>();
        map.forEach((name, value) -> {
            Objects.requireNonNull(name, "a global parameter name is null");
            if (value != null) {
                copy.put(name, value);
            }
        });
        return Collections.unmodifiableMap(copy);
    }
}
