package dev.besworker.emulator;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** One emulated batch job; state changes are synchronized on the job. */
final class Job {

    /** Internal states; {@link #wireName} is what the status call reports. */
    enum State {
        NOT_STARTED("NotStarted", "NotStarted", 0),
        /** Started, waiting for a free slot (FIFO); reported as NotStarted. */
        QUEUED("NotStarted", "Queued", 0),
        RUNNING("Running", "Running", 1),
        FAILED("Failed", "Failed", 2),
        CANCELLED("Cancelled", "Cancelled", 3),
        FINISHED("Finished", "Finished", 4);

        final String wireName;
        final String adminName;
        final int number;

        State(String wireName, String adminName, int number) {
            this.wireName = wireName;
            this.adminName = adminName;
            this.number = number;
        }

        boolean ended() {
            return this == FAILED || this == CANCELLED || this == FINISHED;
        }
    }

    final String id;
    final String workspace;
    final String service;
    final JobSpec spec;
    final JobBehaviour behaviour;
    final Instant createdAt = Instant.now();
    final long sequence;

    private State state = State.NOT_STARTED;
    private String details;
    private Map<String, BlobRef> results;
    private int expiredSasLeft;
    private volatile boolean cancelled;
    private final CountDownLatch cancelSignal = new CountDownLatch(1);

    Job(String id, String workspace, String service, JobSpec spec, JobBehaviour behaviour, long sequence) {
        this.id = id;
        this.workspace = workspace;
        this.service = service;
        this.spec = spec;
        this.behaviour = behaviour;
        this.sequence = sequence;
        this.expiredSasLeft = behaviour.expiredSasCalls();
    }

    String serviceKey() {
        return workspace + "/" + service;
    }

    synchronized State state() {
        return state;
    }

    synchronized void state(State next) {
        state = next;
    }

    synchronized String details() {
        return details;
    }

    synchronized Map<String, BlobRef> results() {
        return results;
    }

    /** Ends the job unless it already ended (a cancel wins over a late finish). */
    synchronized boolean end(State end, Map<String, BlobRef> outputs, String text) {
        if (state.ended()) {
            return false;
        }
        state = end;
        results = outputs;
        details = text;
        return true;
    }

    /** Whether this Finished status answer gets expired result SAS tokens (counts it down). */
    synchronized boolean takeExpiredSas() {
        if (expiredSasLeft > 0) {
            expiredSasLeft--;
            return true;
        }
        return false;
    }

    void cancel() {
        cancelled = true;
        cancelSignal.countDown();
    }

    boolean isCancelled() {
        return cancelled;
    }

    /** Sleeps up to {@code millis} (forever when negative); returns early, true, when cancelled. */
    boolean awaitCancel(long millis) throws InterruptedException {
        if (millis < 0) {
            cancelSignal.await();
            return true;
        }
        return cancelSignal.await(millis, TimeUnit.MILLISECONDS);
    }
}
