package dev.besworker.serve;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.besworker.intake.InboxProcessor.Outcome;
import dev.besworker.intake.InboxProcessor.Result;
import dev.besworker.intake.InboxWork;
import dev.besworker.runs.ScoringRuns;

/**
 * The run queue of {@code serve}: work waits here, first come first served, until a slot is free
 * both worker-wide ({@code besworker.max-concurrent-jobs}, this worker's threads) and for its
 * definition ({@code max-concurrent-jobs:} in the definition, counted across every worker of the
 * cluster through {@link SharedLimits}); then it runs on one of the dispatcher's own threads (as
 * many as the worker-wide limit). Work is an inbox file, or the restart of an execution (one left
 * by a worker that died, or one an operator restarts). A run occupies its slot from the claim of its
 * file to the file's final move, because {@code ScoringRuns.run} works in the calling thread.
 * <p>
 * Waiting files stay in their inbox until they get a slot: when the dispatcher stops (shutdown),
 * the queue is simply dropped and nothing has to be put back.
 */
public final class RunDispatcher {

    private static final Logger log = LoggerFactory.getLogger(RunDispatcher.class);

    /** Scores one work item (the inbox processor). */
    @FunctionalInterface
    public interface Processor {
        Result process(InboxWork work, BooleanSupplier stopping);
    }

    /** Hears of every finished work item (metrics, webhooks). */
    @FunctionalInterface
    public interface Listener {
        void finished(Result result);
    }

    /** Restarts an execution (through the normal restart path) in the calling thread. */
    @FunctionalInterface
    public interface Restarter {
        void restart(long executionId, BooleanSupplier stopping);
    }

    /** Run slots of limited definitions, shared by the workers of a cluster. */
    public interface SharedLimits {

        /** Takes one of the definition's {@code limit} slots, if one is free. */
        OptionalInt acquire(String definition, int limit);

        /** Gives a slot back. */
        void release(String definition, int slot);

        /** No sharing: only this worker's own counts apply. */
        SharedLimits NONE = new SharedLimits() {
            @Override
            public OptionalInt acquire(String definition, int limit) {
                return OptionalInt.of(-1);
            }

            @Override
            public void release(String definition, int slot) {
            }
        };
    }

    /** Queued work: an inbox file, or (work null) the restart of an execution. */
    private record Pending(InboxWork work, Long restartId, String definition, Instant notBefore) {

        String describe() {
            return work != null ? work.fileName() : "execution " + restartId;
        }
    }

    private record Picked(Pending pending, int slot) {
    }

    private final int globalLimit;
    private final Map<String, Integer> limits;
    private final Processor processor;
    private final Restarter restarter;
    private final SharedLimits shared;
    private final Listener listener;
    private final Clock clock;
    private final Duration retryDelay;

    private final Object lock = new Object();
    private final Deque<Pending> queue = new ArrayDeque<>();
    private final Set<Path> queuedFiles = new HashSet<>();
    private final Set<Path> runningFiles = new HashSet<>();
    private final Set<Long> restarts = new HashSet<>();
    private final Map<Long, Runnable> afterRestart = new HashMap<>();
    private final Map<Long, Runnable> droppedRestart = new HashMap<>();
    private final Map<String, Integer> running = new HashMap<>();
    private final Map<String, Integer> peaks = new HashMap<>();
    private int runningTotal;
    private int peakTotal;
    private volatile boolean stopping;

    private final ExecutorService workers;
    private final Thread loop;

    /**
     * @param globalLimit runs at once over all definitions
     * @param limits runs at once per definition, across the cluster (definitions not named have only
     *     the global limit)
     * @param shared the slots of limited definitions shared by the cluster ({@link SharedLimits#NONE}: one worker)
     * @param processor scores a work item
     * @param restarter restarts an execution
     * @param listener hears of each result
     * @param clock the clock for retry delays
     * @param retryDelay how long deferred work waits before it is tried again
     */
    public RunDispatcher(int globalLimit, Map<String, Integer> limits, SharedLimits shared, Processor processor,
            Restarter restarter, Listener listener, Clock clock, Duration retryDelay) {
        this.globalLimit = globalLimit;
        this.limits = Map.copyOf(limits);
        this.shared = shared;
        this.processor = processor;
        this.restarter = restarter;
        this.listener = listener;
        this.clock = clock;
        this.retryDelay = retryDelay;
        this.workers = Executors.newFixedThreadPool(globalLimit, new CustomizableThreadFactory("run-"));
        this.loop = new Thread(this::dispatch, "dispatcher");
        this.loop.setDaemon(true);
    }

    /** Starts handing out slots. */
    public void start() {
        loop.start();
    }

    /** Queues work (a file already queued is not queued twice). */
    public void submit(InboxWork work) {
        submit(work, clock.instant());
    }

    private void submit(InboxWork work, Instant notBefore) {
        synchronized (lock) {
            if (stopping) {
                return;
            }
            if (!queuedFiles.add(work.file())) {
                return;
            }
            queue.addLast(new Pending(work, null, work.definition(), notBefore));
            lock.notifyAll();
        }
    }

    /**
     * Queues the restart of an execution, under the same limits as inbox work (an execution
     * queued or restarting already is not queued twice).
     *
     * @param definition the definition the execution ran with
     */
    public void submitRestart(long executionId, String definition) {
        synchronized (lock) {
            if (stopping || !restarts.add(executionId)) {
                return;
            }
            queue.addLast(new Pending(null, executionId, definition, clock.instant()));
            lock.notifyAll();
        }
    }

    /**
     * Like {@link #submitRestart(long, String)}, for the console: {@code after} runs once the
     * restart has run (however it ended), in its slot's thread, and {@code dropped} if serve
     * stops before the restart got a slot, so that the console can record the outcome either way.
     *
     * @return false if the restart was not queued: serve is stopping, or it is queued or running already
     */
    public boolean submitRestart(long executionId, String definition, Runnable after, Runnable dropped) {
        synchronized (lock) {
            if (stopping || !restarts.add(executionId)) {
                return false;
            }
            afterRestart.put(executionId, after);
            droppedRestart.put(executionId, dropped);
            queue.addLast(new Pending(null, executionId, definition, clock.instant()));
            lock.notifyAll();
            return true;
        }
    }

    /** Whether a file is queued or being scored by this worker. */
    public boolean holds(Path file) {
        synchronized (lock) {
            return queuedFiles.contains(file) || runningFiles.contains(file);
        }
    }

    /** Work waiting for a slot. */
    public int queued() {
        synchronized (lock) {
            return queue.size();
        }
    }

    /** Work running now. */
    public int running() {
        synchronized (lock) {
            return runningTotal;
        }
    }

    /** The most work that ran at once so far. */
    public int peakRunning() {
        synchronized (lock) {
            return peakTotal;
        }
    }

    /** The most work of one definition that ran at once so far. */
    public int peakRunning(String definition) {
        synchronized (lock) {
            return peaks.getOrDefault(definition, 0);
        }
    }

    /** Whether the dispatcher is stopping (running work checks it before it starts a run). */
    public boolean stopping() {
        return stopping;
    }

    /**
     * Stops handing out slots; queued work is dropped (its files are still in their inboxes,
     * or, when already claimed, in {@code .processing/}, which the next start resumes).
     */
    public void stopDispatching() {
        List<Runnable> dropped = new ArrayList<>();
        synchronized (lock) {
            stopping = true;
            if (!queue.isEmpty()) {
                log.info("{} queued file(s) left waiting for the next start", queue.size());
            }
            for (Pending pending : queue) {
                if (pending.restartId() != null) {
                    restarts.remove(pending.restartId());
                    afterRestart.remove(pending.restartId());
                    Runnable callback = droppedRestart.remove(pending.restartId());
                    if (callback != null) {
                        dropped.add(callback);
                    }
                }
            }
            queue.clear();
            queuedFiles.clear();
            lock.notifyAll();
        }
        // outside the lock: a callback writes to the database
        for (Runnable callback : dropped) {
            try {
                callback.run();
            }
            catch (RuntimeException ex) {
                log.warn("recording a dropped restart failed: {}", ex.getMessage());
            }
        }
    }

    /** Waits for the running work to end; true if it did within the timeout. */
    public boolean awaitIdle(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (runningTotal > 0) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    return false;
                }
                lock.wait(Math.min(left, 200));
            }
        }
        workers.shutdown();
        return true;
    }

    private void dispatch() {
        while (true) {
            Picked next;
            synchronized (lock) {
                try {
                    while ((next = pick()) == null) {
                        if (stopping) {
                            return;
                        }
                        lock.wait(waitMillis());
                    }
                }
                catch (InterruptedException ex) {
                    return;
                }
                String definition = next.pending().definition();
                if (next.pending().work() != null) {
                    runningFiles.add(next.pending().work().file());
                }
                else {
                    droppedRestart.remove(next.pending().restartId());
                }
                runningTotal++;
                int now = running.merge(definition, 1, Integer::sum);
                peakTotal = Math.max(peakTotal, runningTotal);
                peaks.merge(definition, now, Math::max);
            }
            Picked work = next;
            workers.execute(() -> run(work));
        }
    }

    /**
     * The first queued work whose time has come and whose definition has a free slot, here and,
     * for a limited definition, in the cluster. Holds the lock.
     */
    private Picked pick() {
        if (stopping || runningTotal >= globalLimit) {
            return null;
        }
        Instant now = clock.instant();
        Set<String> full = new HashSet<>();
        for (Iterator<Pending> it = queue.iterator(); it.hasNext();) {
            Pending pending = it.next();
            String definition = pending.definition();
            Integer limit = limits.get(definition);
            int here = limit == null ? globalLimit : Math.min(globalLimit, limit);
            if (pending.notBefore().isAfter(now) || running.getOrDefault(definition, 0) >= here
                    || full.contains(definition)) {
                continue;
            }
            int slot = -1;
            if (limit != null) {
                OptionalInt taken = acquireShared(definition, limit);
                if (taken.isEmpty()) {
                    // every slot is taken in the cluster: try again within a second
                    full.add(definition);
                    continue;
                }
                slot = taken.getAsInt();
            }
            it.remove();
            if (pending.work() != null) {
                queuedFiles.remove(pending.work().file());
            }
            return new Picked(pending, slot);
        }
        return null;
    }

    private OptionalInt acquireShared(String definition, int limit) {
        try {
            return shared.acquire(definition, limit);
        }
        catch (RuntimeException ex) {
            log.warn("{}: cannot take a run slot in the repository: {}; trying again", definition, ex.getMessage());
            return OptionalInt.empty();
        }
    }

    private long waitMillis() {
        Instant now = clock.instant();
        long wait = 1000;
        for (Pending pending : queue) {
            wait = Math.min(wait, Math.max(1, Duration.between(now, pending.notBefore()).toMillis()));
        }
        return wait;
    }

    /**
     * Runs one piece of work and what follows it (the restart's callback, the listener); the work
     * counts as running until those have run too, so {@link #awaitIdle} does not return (and serve
     * does not close what they record into) while they still run.
     */
    private void run(Picked picked) {
        Pending pending = picked.pending();
        try {
            Result result = process(picked);
            Runnable after;
            synchronized (lock) {
                after = pending.work() == null && restarts.remove(pending.restartId())
                        ? afterRestart.remove(pending.restartId()) : null;
            }
            if (after != null) {
                try {
                    after.run();
                }
                catch (RuntimeException ex) {
                    log.warn("after the restart of execution {}: {}", pending.restartId(), ex.toString());
                }
            }
            if (result != null) {
                if (result.outcome() == Outcome.DEFERRED) {
                    submit(result.work(), clock.instant().plus(retryDelay));
                }
                try {
                    listener.finished(result);
                }
                catch (RuntimeException ex) {
                    log.warn("after {}: {}", pending.describe(), ex.toString());
                }
            }
        }
        finally {
            synchronized (lock) {
                runningTotal--;
                running.merge(pending.definition(), -1, Integer::sum);
                lock.notifyAll();
            }
        }
    }

    /** The work itself; its file is no longer running when this returns (a deferred file may queue again). */
    private Result process(Picked picked) {
        Pending pending = picked.pending();
        InboxWork work = pending.work();
        try {
            if (work == null) {
                restarter.restart(pending.restartId(), this::stopping);
                return null;
            }
            return processor.process(work, this::stopping);
        }
        catch (RuntimeException | Error ex) {
            log.error("{}: {} could not be processed; it stays where it is: {}", pending.definition(),
                    pending.describe(), ex.toString(), ex);
            return null;
        }
        finally {
            if (picked.slot() >= 0) {
                try {
                    shared.release(pending.definition(), picked.slot());
                }
                catch (RuntimeException ex) {
                    log.warn("{}: cannot give run slot {} back: {}; it is freed when this worker stops",
                            pending.definition(), picked.slot(), ex.getMessage());
                }
            }
            if (work != null) {
                synchronized (lock) {
                    runningFiles.remove(work.file());
                }
            }
        }
    }
}
