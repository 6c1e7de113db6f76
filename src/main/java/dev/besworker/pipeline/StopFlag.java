package dev.besworker.pipeline;

import java.util.function.BooleanSupplier;

import dev.besworker.bes.Sleeper;

/**
 * A step's stop request, shared by its tasklet and the clients it uses, so that a retry
 * waiting out a backoff inside a client wakes for the stop too instead of finishing its wait.
 */
final class StopFlag implements BooleanSupplier {

    private volatile boolean requested;
    private volatile BooleanSupplier elsewhere = () -> false;

    void request() {
        requested = true;
    }

    /** Also counts a stop signalled another way, e.g. on the running step or job execution. */
    void alsoWhen(BooleanSupplier other) {
        elsewhere = other;
    }

    @Override
    public boolean getAsBoolean() {
        return requested || elsewhere.getAsBoolean();
    }

    /** Sleeps in short slices, and ends a wait with InterruptedException once a stop is requested. */
    Sleeper sleeper() {
        return duration -> {
            long deadline = System.nanoTime() + duration.toNanos();
            while (System.nanoTime() < deadline) {
                if (getAsBoolean()) {
                    throw new InterruptedException("stop requested");
                }
                long left = deadline - System.nanoTime();
                Thread.sleep(Math.max(1, Math.min(100, left / 1_000_000)));
            }
        };
    }

}
