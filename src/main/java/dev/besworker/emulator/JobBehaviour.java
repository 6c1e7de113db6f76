package dev.besworker.emulator;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import tools.jackson.databind.JsonNode;

/**
 * How the next submitted jobs behave (admin API). JSON:
 * <pre>
 * {"jobDurationMillis":N, "outcome":"finish|fail|stuck-notstarted|stuck-running",
 *  "failDetails":"...", "expiredSas":true|false, "expiredSasCalls":N,
 *  "numericStatusCode":true|false, "legacyResult":true|false, "times":N}
 * </pre>
 * Defaults: the settings' job duration, outcome finish, a module-level fail text, no expired
 * SAS ({@code expiredSasCalls} defaults to 1 when {@code expiredSas} is true), times 1 (-1: every
 * later job).
 *
 * @param jobDuration     least Running time; null: the settings' duration
 * @param outcome         what the job does
 * @param failDetails     Details of a {@code fail} outcome
 * @param expiredSasCalls how many Finished status answers carry result SAS tokens that have
 *                        already expired (later ones are fresh)
 * @param numericStatusCode status answers carry StatusCode as a number (0..4), as old services did
 * @param legacyResult    status answers carry the very old {@code "Result"} (the one output's blob
 *                        reference) instead of {@code "Results"}
 */
record JobBehaviour(Duration jobDuration, Outcome outcome, String failDetails, int expiredSasCalls,
        boolean numericStatusCode, boolean legacyResult) {

    enum Outcome { FINISH, FAIL, STUCK_NOT_STARTED, STUCK_RUNNING }

    static final String DEFAULT_FAIL_DETAILS = "Module: Feature Hashing; ModuleExecutionError: Module execution "
            + "encountered an error. taskStatusCode=400; Error 1000: Emulated failure (admin behaviour outcome=fail).";

    static final JobBehaviour NORMAL = new JobBehaviour(null, Outcome.FINISH, null, 0, false, false);

    /** A behaviour with the number of jobs it applies to. */
    static final class Entry {
        final JobBehaviour behaviour;
        int remaining;

        Entry(JobBehaviour behaviour, int remaining) {
            this.behaviour = behaviour;
            this.remaining = remaining;
        }
    }

    static Entry parse(JsonNode node) {
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("a behaviour must be a JSON object");
        }
        Duration duration = null;
        JsonNode durationNode = node.get("jobDurationMillis");
        if (durationNode != null && !durationNode.isNull()) {
            if (!durationNode.isNumber() || durationNode.asLong() < 0) {
                throw new IllegalArgumentException("jobDurationMillis must be a number, zero or more");
            }
            duration = Duration.ofMillis(durationNode.asLong());
        }
        Outcome outcome;
        JsonNode outcomeNode = node.get("outcome");
        String outcomeText = outcomeNode == null || outcomeNode.isNull() ? "finish" : outcomeNode.asString();
        outcome = switch (outcomeText.toLowerCase(Locale.ROOT)) {
            case "finish" -> Outcome.FINISH;
            case "fail" -> Outcome.FAIL;
            case "stuck-notstarted" -> Outcome.STUCK_NOT_STARTED;
            case "stuck-running" -> Outcome.STUCK_RUNNING;
            default -> throw new IllegalArgumentException(
                    "outcome must be finish, fail, stuck-notstarted or stuck-running, was '" + outcomeText + "'");
        };
        JsonNode detailsNode = node.get("failDetails");
        String details = detailsNode == null || detailsNode.isNull() ? DEFAULT_FAIL_DETAILS : detailsNode.asString();
        JsonNode expiredNode = node.get("expiredSas");
        boolean expired = expiredNode != null && expiredNode.asBoolean();
        JsonNode expiredCallsNode = node.get("expiredSasCalls");
        int expiredCalls = expiredCallsNode != null && !expiredCallsNode.isNull() ? expiredCallsNode.asInt() : (expired ? 1 : 0);
        if (expiredCalls < 0) {
            throw new IllegalArgumentException("expiredSasCalls must be zero or more");
        }
        JsonNode numericNode = node.get("numericStatusCode");
        JsonNode legacyNode = node.get("legacyResult");
        JsonNode timesNode = node.get("times");
        int times = timesNode == null || timesNode.isNull() ? 1 : timesNode.asInt();
        if (times == 0 || times < -1) {
            throw new IllegalArgumentException("times must be -1 or positive");
        }
        return new Entry(new JobBehaviour(duration, outcome, details, expiredCalls,
                numericNode != null && numericNode.asBoolean(), legacyNode != null && legacyNode.asBoolean()), times);
    }

    Map<String, Object> toJson() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("jobDurationMillis", jobDuration == null ? null : jobDuration.toMillis());
        out.put("outcome", outcome.name().toLowerCase(Locale.ROOT).replace("_", "-").replace("not-started", "notstarted"));
        out.put("failDetails", outcome == Outcome.FAIL ? failDetails : null);
        out.put("expiredSasCalls", expiredSasCalls);
        out.put("numericStatusCode", numericStatusCode);
        out.put("legacyResult", legacyResult);
        return out;
    }
}
