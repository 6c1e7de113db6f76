package dev.besworker.definition;

import java.time.Duration;
import java.util.Objects;

/**
 * How a started job is watched ({@code poll:} in a job definition): status calls start
 * {@code initialInterval} apart and back off up to {@code maxInterval}; a job still running after
 * {@code timeout} is cancelled.
 */
public record PollSettings(Duration initialInterval, Duration maxInterval, Duration timeout) {

    /** Defaults: 2 s initial interval, 60 s maximum interval, 6 h timeout. */
    public static PollSettings defaults() {
        return new PollSettings(Duration.ofSeconds(2), Duration.ofSeconds(60), Duration.ofHours(6));
    }

    public PollSettings {
        Objects.requireNonNull(initialInterval, "initialInterval");
        Objects.requireNonNull(maxInterval, "maxInterval");
        Objects.requireNonNull(timeout, "timeout");
    }
}
