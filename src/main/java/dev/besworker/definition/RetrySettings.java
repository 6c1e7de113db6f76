package dev.besworker.definition;

import java.time.Duration;
import java.util.Objects;

/**
 * How the BES client retries transient failures ({@code bes.retry} in a job definition):
 * at most {@code maxAttempts} attempts per call, capped exponential backoff from
 * {@code initialBackoff} up to {@code maxBackoff}, and no new attempt once {@code budget}
 * has been spent on the call.
 */
public record RetrySettings(int maxAttempts, Duration initialBackoff, Duration maxBackoff, Duration budget) {

    /** Defaults: 8 attempts, 1 s initial backoff, 60 s maximum backoff, 10 min budget. */
    public static RetrySettings defaults() {
        return new RetrySettings(8, Duration.ofSeconds(1), Duration.ofSeconds(60), Duration.ofMinutes(10));
    }

    public RetrySettings {
        Objects.requireNonNull(initialBackoff, "initialBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        Objects.requireNonNull(budget, "budget");
    }
}
