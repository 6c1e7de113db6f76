package dev.besworker.emulator;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** What callers did, for tests that assert on it through {@code GET /_emulator/counters}. */
final class Counters {

    final AtomicLong submits = new AtomicLong();
    final AtomicLong starts = new AtomicLong();
    final AtomicLong statusCalls = new AtomicLong();
    final AtomicLong deletes = new AtomicLong();
    final AtomicLong executes = new AtomicLong();
    final Map<String, AtomicLong> submitsByInput = new ConcurrentHashMap<>();
    final Map<String, AtomicLong> requests = new ConcurrentHashMap<>();
    final AtomicLong faultsFired = new AtomicLong();

    void request(String operation) {
        requests.computeIfAbsent(operation, k -> new AtomicLong()).incrementAndGet();
    }

    void submitted(JobSpec spec) {
        submits.incrementAndGet();
        for (BlobRef input : spec.inputs().values()) {
            submitsByInput.computeIfAbsent(input.relativeLocation(), k -> new AtomicLong()).incrementAndGet();
        }
    }

    void reset() {
        submits.set(0);
        starts.set(0);
        statusCalls.set(0);
        deletes.set(0);
        executes.set(0);
        faultsFired.set(0);
        submitsByInput.clear();
        requests.clear();
    }

    static Map<String, Long> snapshot(Map<String, AtomicLong> counts) {
        Map<String, Long> out = new TreeMap<>();
        counts.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }
}
