package dev.besworker.emulator;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import tools.jackson.databind.JsonNode;

/**
 * One injected fault (admin API). JSON:
 * <pre>
 * {"operation":"submit|start|status|delete|list|execute|swagger|any",
 *  "kind":"http|reset|slow|hang", "status":503, "code":"RequestThrottled",
 *  "retryAfterSeconds":N, "delayMillis":N, "times":N, "afterCalls":N, "phase":"before|after"}
 * </pre>
 * Defaults: operation any, kind http, status 503 (code by status: 503 RequestThrottled, 504
 * BackendScoreTimeout, 408 ScoreRequestTimeout, 429 TooManyRequests, 500 none), times 1
 * (-1 forever), afterCalls 0, phase before, delayMillis 1000 for slow and 600000 for hang.
 * Mutable counters are guarded by {@link Faults}.
 */
final class FaultRule {

    enum Kind { HTTP, RESET, SLOW, HANG }

    static final Set<String> OPERATIONS = Set.of("submit", "start", "status", "delete", "list", "execute", "swagger", "any");

    final String operation;
    final Kind kind;
    final int status;
    final String code;
    final Integer retryAfterSeconds;
    final long delayMillis;
    final boolean after;
    final int afterCalls;
    int remaining;
    int seen;
    int fired;

    private FaultRule(String operation, Kind kind, int status, String code, Integer retryAfterSeconds, long delayMillis,
            boolean after, int times, int afterCalls) {
        this.operation = operation;
        this.kind = kind;
        this.status = status;
        this.code = code;
        this.retryAfterSeconds = retryAfterSeconds;
        this.delayMillis = delayMillis;
        this.after = after;
        this.remaining = times;
        this.afterCalls = afterCalls;
    }

    boolean matches(String op) {
        return operation.equals("any") || operation.equals(op);
    }

    /** Parses one rule; IllegalArgumentException names the bad field. */
    static FaultRule parse(JsonNode node) {
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("a fault rule must be a JSON object");
        }
        String operation = string(node, "operation", "any").toLowerCase(Locale.ROOT);
        if (!OPERATIONS.contains(operation)) {
            throw new IllegalArgumentException("operation must be one of " + OPERATIONS + ", was '" + operation + "'");
        }
        Kind kind;
        try {
            kind = Kind.valueOf(string(node, "kind", "http").toUpperCase(Locale.ROOT));
        }
        catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException("kind must be http, reset, slow or hang");
        }
        int status = integer(node, "status", 503);
        if (status < 100 || status > 599) {
            throw new IllegalArgumentException("status must be an HTTP status, was " + status);
        }
        String code = node.has("code") && !node.get("code").isNull() ? node.get("code").asString() : ApiError.defaultCodeFor(status);
        Integer retryAfter = node.has("retryAfterSeconds") && !node.get("retryAfterSeconds").isNull()
                ? integer(node, "retryAfterSeconds", 0) : null;
        long delay = integer(node, "delayMillis", kind == Kind.HANG ? 600_000 : 1_000);
        String phase = string(node, "phase", "before").toLowerCase(Locale.ROOT);
        if (!phase.equals("before") && !phase.equals("after")) {
            throw new IllegalArgumentException("phase must be before or after");
        }
        int times = integer(node, "times", 1);
        int afterCalls = integer(node, "afterCalls", 0);
        if (times == 0 || times < -1 || afterCalls < 0 || delay < 0) {
            throw new IllegalArgumentException("times must be -1 or positive; afterCalls and delayMillis zero or more");
        }
        return new FaultRule(operation, kind, status, code, retryAfter, delay, phase.equals("after"), times, afterCalls);
    }

    Map<String, Object> toJson() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("operation", operation);
        out.put("kind", kind.name().toLowerCase(Locale.ROOT));
        out.put("status", status);
        out.put("code", code);
        out.put("retryAfterSeconds", retryAfterSeconds);
        out.put("delayMillis", delayMillis);
        out.put("phase", after ? "after" : "before");
        out.put("afterCalls", afterCalls);
        out.put("remaining", remaining);
        out.put("seen", seen);
        out.put("fired", fired);
        return out;
    }

    private static String string(JsonNode node, String name, String fallback) {
        JsonNode value = node.get(name);
        return value == null || value.isNull() ? fallback : value.asString();
    }

    private static int integer(JsonNode node, String name, int fallback) {
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) {
            return fallback;
        }
        if (!value.isNumber()) {
            throw new IllegalArgumentException(name + " must be a number");
        }
        return value.asInt();
    }
}
