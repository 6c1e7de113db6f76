package dev.besworker.bes;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Waits between retries. The client never sleeps on its own, so tests pass a recording sleeper
 * that returns at once, and stop-aware callers pass one that wakes up (throws
 * {@link InterruptedException}) when the worker is asked to stop.
 */
@FunctionalInterface
public interface Sleeper {

    /** Waits for {@code duration} (zero or positive); throws when interrupted. */
    void sleep(Duration duration) throws InterruptedException;

    /** The plain thread sleep; an interrupt ends it early with {@link InterruptedException}. */
    static Sleeper system() {
        return duration -> {
            if (!duration.isNegative() && !duration.isZero()) {
                TimeUnit.NANOSECONDS.sleep(duration.toNanos());
            }
        };
    }
}
