package dev.besworker.bes;

import java.util.Locale;
import tools.jackson.databind.JsonNode;

/**
 * The state of a BES job, as {@code StatusCode} reports it. Services send the names
 * ({@code "NotStarted"} ... {@code "Finished"}); old ones sent the numbers 0..4. Both are accepted.
 */
public enum BesJobState {
    /** Submitted, waiting for a start call or queued behind other jobs (code 0). */
    NOT_STARTED(0, "NotStarted"),
    /** Running (code 1). */
    RUNNING(1, "Running"),
    /** Ended with an error; the status's details say why (code 2). */
    FAILED(2, "Failed"),
    /** Cancelled by a DELETE (code 3). */
    CANCELLED(3, "Cancelled"),
    /** Ended successfully; the status's results name the output blobs (code 4). */
    FINISHED(4, "Finished");

    private final int code;
    private final String wireName;

    BesJobState(int code, String wireName) {
        this.code = code;
        this.wireName = wireName;
    }

    /** The numeric code (NotStarted=0 ... Finished=4). */
    public int code() {
        return code;
    }

    /** The name the service sends, e.g. {@code NotStarted}. */
    public String wireName() {
        return wireName;
    }

    /** Whether the job has ended and will not change any more (Failed, Cancelled, Finished). */
    public boolean isTerminal() {
        return this == FAILED || this == CANCELLED || this == FINISHED;
    }

    /** The state for a numeric code 0..4. */
    public static BesJobState ofCode(int code) {
        for (BesJobState state : values()) {
            if (state.code == code) {
                return state;
            }
        }
        throw new IllegalArgumentException("unknown BES job status code " + code + " (expected 0..4)");
    }

    /**
     * Parses a {@code StatusCode} value: a string name in any case ({@code "Finished"},
     * {@code "finished"}, {@code "NOT_STARTED"}, {@code "Canceled"}), a numeric string, or a
     * number 0..4.
     *
     * @throws IllegalArgumentException for anything else (including null)
     */
    public static BesJobState parse(JsonNode value) {
        if (value == null || value.isNull() || value.isMissingNode()) {
            throw new IllegalArgumentException("no BES job status code");
        }
        if (value.isString()) {
            return parse(value.stringValue());
        }
        if (value.isNumber() && value.canConvertToExactIntegral() && value.canConvertToInt()) {
            return ofCode(value.intValue());
        }
        throw new IllegalArgumentException("unknown BES job status code " + value);
    }

    /**
     * Parses a {@code StatusCode} given as a {@link String}, a {@link Number}, a {@link JsonNode}
     * or a {@link BesJobState}; see {@link #parse(JsonNode)}.
     *
     * @throws IllegalArgumentException for anything else (including null)
     */
    public static BesJobState parse(Object value) {
        if (value instanceof BesJobState state) {
            return state;
        }
        if (value instanceof JsonNode node) {
            return parse(node);
        }
        if (value instanceof Number number) {
            double asDouble = number.doubleValue();
            if (asDouble != Math.rint(asDouble)) {
                throw new IllegalArgumentException("unknown BES job status code " + number);
            }
            return ofCode(number.intValue());
        }
        if (value instanceof CharSequence text) {
            return parseName(text.toString());
        }
        throw new IllegalArgumentException("unknown BES job status code " + value);
    }

    private static BesJobState parseName(String text) {
        String key = text.strip().toLowerCase(Locale.ROOT).replace("_", "").replace("-", "").replace(" ", "");
        if (!key.isEmpty() && key.chars().allMatch(Character::isDigit) && key.length() <= 2) {
            return ofCode(Integer.parseInt(key));
        }
        return switch (key) {
            case "notstarted" -> NOT_STARTED;
            case "running" -> RUNNING;
            case "failed" -> FAILED;
            case "cancelled", "canceled" -> CANCELLED;
            case "finished" -> FINISHED;
            default -> throw new IllegalArgumentException("unknown BES job status code '" + text + "'");
        };
    }
}
