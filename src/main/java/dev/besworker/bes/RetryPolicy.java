package dev.besworker.bes;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * How {@link BesClient} retries transient failures: at most {@code maxAttempts} attempts in all
 * (the first one included), waiting between them a random time between zero and
 * {@code min(maxBackoff, initialBackoff * 2^retry)} (capped exponential backoff with full
 * jitter), or at least what the service's {@code Retry-After} asks for. The waits together never
 * exceed {@code budget}: when it is used up, the client gives up.
 *
 * @param maxAttempts    attempts in all, at least 1 (1 means no retries)
 * @param initialBackoff the ceiling of the first wait
 * @param maxBackoff     the largest ceiling of any wait
 * @param budget         the most time spent waiting between attempts of one call
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff, Duration budget) {

    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, was " + maxAttempts);
        }
        requireNotNegative(initialBackoff, "initialBackoff");
        requireNotNegative(maxBackoff, "maxBackoff");
        requireNotNegative(budget, "budget");
    }

    /** 6 attempts, waits from up to 1 s growing to up to 30 s, at most 2 minutes waiting in all. */
    public static RetryPolicy defaults() {
        return new RetryPolicy(6, Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofMinutes(2));
    }

    /** A single attempt, no retries. */
    public static RetryPolicy none() {
        return new RetryPolicy(1, Duration.ZERO, Duration.ZERO, Duration.ZERO);
    }

    /**
     * The ceiling of the wait before retry number {@code retry} (0 for the first retry):
     * {@code min(maxBackoff, initialBackoff * 2^retry)}.
     */
    public Duration backoffCeiling(int retry) {
        if (retry < 0) {
            throw new IllegalArgumentException("retry must be >= 0, was " + retry);
        }
        long initial = initialBackoff.toNanos();
        long max = maxBackoff.toNanos();
        // Doubling past 62 bits or past the cap is the cap; checked before shifting to avoid overflow.
        if (initial == 0) {
            return Duration.ZERO;
        }
        if (retry >= 62 || initial > (max >> Math.min(retry, 62))) {
            return Duration.ofNanos(max);
        }
        return Duration.ofNanos(Math.min(max, initial << retry));
    }

    /** A full-jitter wait before retry number {@code retry}: uniform between zero and the ceiling. */
    public Duration backoff(int retry, RandomGenerator random) {
        long ceiling = backoffCeiling(retry).toNanos();
        return ceiling == 0 ? Duration.ZERO : Duration.ofNanos(random.nextLong(ceiling + 1));
    }

    private static void requireNotNegative(Duration duration, String name) {
        Objects.requireNonNull(duration, name);
        if (duration.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative, was " + duration);
        }
    }
}
