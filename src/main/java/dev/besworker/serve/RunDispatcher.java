package dev.besworker.serve;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.besworker.intake.InboxProcessor.Outcome;
import dev.besworker.intake.InboxProcessor.Result;
import dev.besworker.intake.InboxWork;

/**
 * The run queue of {@code serve}: work waits here, first come first served, until a slot is free
 * both worker-wide ({@code besworker.max-concurrent-jobs}) and for its definition
 * ({@code max-concurrent-jobs:} in the definition); then it runs on one of the dispatcher's
 * own threads (as many as the worker-wide limit). A run occupies its slot from the claim of its
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

    /** Inbox work, or (work null) another task of a definition that takes a slot: a restart asked for by an operator. */
    private record Pending(InboxWork work, String definition, Runnable task, Instant notBefore) {

        Pending(InboxWork work, Instant notBefore) {
            this(work, work.definition(), null, notBefore);
        }
    }

    private final int globalLimit;
    private final Map<String, Integer> limits;
    private final Processor processor;
    private final Listener listener;
    private final Clock clock;
    private final Duration retryDelay;

    private final Object lock = new Object();
    private final Deque<Pending> queue = new ArrayDeque<>();
    private final Set<Path> queuedFiles = new HashSet<>();
    private final Map<String, Integer> running = new HashMap<>();
    private final Map<String, Integer> peaks = new HashMap<>();
    private int runningTotal;
    private int peakTotal;
    private volatile boolean stopping;

    private final ExecutorService workers;
    private final Thread loop;

    /**
     * @param globalLimit runs at once over all definitions
     * @param limits runs at once per definition (definitions not named have only the global limit)
     * @param processor scores a work item
     * @param listener hears of each result
     * @param clock the clock for retry delays
     * @param retryDelay how long deferred work waits before it is tried again
     */
    public RunDispatcher(int globalLimit, Map<String, Integer> limits, Processor processor, Listener listener,
            Clock clock, Duration retryDelay) {
        this.globalLimit = globalLimit;
        this.limits = Map.copyOf(limits);
        this.processor = processor;
        this.listener = listener;
        this.clock = clock;
        this.retryDelay = retryDelay;
        AtomicInteger threads = new AtomicInteger();
        this.workers = Executors.newFixedThreadPool(globalLimit, runnable -> {
            Thread thread = new Thread(runnable, "run-" + threads.incrementAndGet());
            thread.setDaemon(false);
            return thread;
        });
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
            queue.addLast(new Pending(work, notBefore));
            lock.notifyAll();
        }
    }

    /**
     * Queues a task of {@code definition} (the console's restart of an execution): it waits for a
     * slot like inbox work, worker-wide and for its definition, and runs on a dispatcher thread.
     *
     * @return false if serve is stopping and the task was not queued
     */
    public boolean submitRestart(String definition, Runnable restart) {
        synchronized (lock) {
            if (stopping) {
                return false;
            }
            queue.addLast(new Pending(null, definition, restart, clock.instant()));
            lock.notifyAll();
            return true;
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
        synchronized (lock) {
            stopping = true;
            if (!queue.isEmpty()) {
                log.info("{} queued file(s) left waiting for the next start", queue.size());
            }
            queue.clear();
            queuedFiles.clear();
            lock.notifyAll();
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
            Pending next;
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
                String definition = next.definition();
                runningTotal++;
                int now = running.merge(definition, 1, Integer::sum);
                peakTotal = Math.max(peakTotal, runningTotal);
                peaks.merge(definition, now, Math::max);
            }
            Pending work = next;
            workers.execute(() -> run(work));
        }
    }

    /** The first queued work whose time has come and whose definition has a free slot. Holds the lock. */
    private Pending pick() {
        if (stopping || runningTotal >= globalLimit) {
            return null;
        }
        Instant now = clock.instant();
        for (Iterator<Pending> it = queue.iterator(); it.hasNext();) {
            Pending pending = it.next();
            String definition = pending.definition();
            int limit = Math.min(globalLimit, limits.getOrDefault(definition, globalLimit));
            if (!pending.notBefore().isAfter(now) && running.getOrDefault(definition, 0) < limit) {
                it.remove();
                if (pending.work() != null) {
                    queuedFiles.remove(pending.work().file());
                }
                return pending;
            }
        }
        return null;
    }

    private void release(String definition) {
        synchronized (lock) {
            runningTotal--;
            running.merge(definition, -1, Integer::sum);
            lock.notifyAll();
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

    private void run(Pending pending) {
        if (pending.task() != null) {
            try {
                pending.task().run();
            }
            catch (RuntimeException | Error ex) {
                log.error("{}: a queued restart failed: {}", pending.definition(), ex.toString(), ex);
            }
            finally {
                release(pending.definition());
            }
            return;
        }
        InboxWork work = pending.work();
        Result result = null;
        try {
            result = processor.process(work, this::stopping);
        }
        catch (RuntimeException | Error ex) {
            log.error("inbox {}: {} could not be processed; it stays where it is: {}", work.definition(),
                    work.fileName(), ex.toString(), ex);
        }
        finally {
            release(work.definition());
        }
        if (result == null) {
            return;
        }
        if (result.outcome() == Outcome.DEFERRED) {
            submit(result.work(), clock.instant().plus(retryDelay));
        }
        try {
            listener.finished(result);
        }
        catch (RuntimeException ex) {
            log.warn("after {}: {}", work.fileName(), ex.toString());
        }
    }
}
