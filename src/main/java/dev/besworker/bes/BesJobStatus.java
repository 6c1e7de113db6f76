package dev.besworker.bes;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a status call reports about a job.
 *
 * @param state   the job's state
 * @param results output name to result blob; empty (never null) until the job has finished. The
 *                references carry read SAS tokens valid for hours: copy results promptly.
 * @param details the service's text about the job (the error when Failed), already scrubbed of
 *                secrets; null when the service sent none
 */
public record BesJobStatus(BesJobState state, Map<String, BlobReference> results, String details) {

    public BesJobStatus {
        Objects.requireNonNull(state, "state");
        if (results == null || results.isEmpty()) {
            results = Map.of();
        } else {
            Map<String, BlobReference> copy = new LinkedHashMap<>();
            results.forEach((name, reference) -> {
                if (name != null && reference != null) {
                    copy.put(name, reference);
                }
            });
            results = Collections.unmodifiableMap(copy);
        }
    }

    /** Whether the job has ended (Failed, Cancelled or Finished). */
    public boolean isTerminal() {
        return state.isTerminal();
    }

    /** The result blob of one output, if the service reported it. */
    public Optional<BlobReference> result(String outputName) {
        return Optional.ofNullable(results.get(outputName));
    }
}
