package dev.besworker.emulator;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The active fault rules; thread-safe. */
final class Faults {

    private final List<FaultRule> rules = new ArrayList<>();

    synchronized void add(List<FaultRule> added) {
        rules.addAll(added);
    }

    synchronized void clear() {
        rules.clear();
    }

    /**
     * Counts the call against every rule for its operation and returns the first rule that
     * fires, or null. A rule fires once its {@code afterCalls} matching calls have passed and
     * while it has {@code times} left.
     */
    synchronized FaultRule decide(String operation) {
        FaultRule chosen = null;
        for (FaultRule rule : rules) {
            if (!rule.matches(operation)) {
                continue;
            }
            rule.seen++;
            if (chosen == null && rule.seen > rule.afterCalls && rule.remaining != 0) {
                if (rule.remaining > 0) {
                    rule.remaining--;
                }
                rule.fired++;
                chosen = rule;
            }
        }
        return chosen;
    }

    synchronized List<Map<String, Object>> toJson() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (FaultRule rule : rules) {
            out.add(rule.toJson());
        }
        return out;
    }
}
