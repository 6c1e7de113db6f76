package dev.besworker.emulator;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

import dev.besworker.secrets.Redactor;

/**
 * Holds the jobs, runs started ones on worker threads with at most
 * {@link EmulatorSettings#maxConcurrentJobs()} running per service (the rest wait FIFO, reported
 * as NotStarted), and answers status.
 */
final class JobEngine implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(JobEngine.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final EmulatorSettings settings;
    private final BlobAccess blobs;
    private final Counters counters;
    private final FeatureHashingTransform transform;
    private final Map<String, Job> jobs = new ConcurrentHashMap<>();
    private final Map<String, Deque<Job>> waiting = new HashMap<>();
    private final Map<String, Integer> running = new HashMap<>();
    private final List<JobBehaviour.Entry> behaviours = new ArrayList<>();
    private final AtomicLong sequence = new AtomicLong();
    private final ExecutorService workers = Executors.newCachedThreadPool(daemon("bes-emulator-job"));
    private int maxRunning;

    JobEngine(EmulatorSettings settings, BlobAccess blobs, Counters counters) {
        this.settings = settings;
        this.blobs = blobs;
        this.counters = counters;
        this.transform = new FeatureHashingTransform(settings.hashColumn(), settings.bits(), settings.ngrams());
    }

    static String newId() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    Job submit(String workspace, String service, JobSpec spec) {
        Job job = new Job(newId(), workspace, service, spec, nextBehaviour(), sequence.incrementAndGet());
        jobs.put(job.id, job);
        counters.submitted(spec);
        return job;
    }

    /** The job, or null when unknown or deleted. */
    Job get(String id) {
        return id == null ? null : jobs.get(id.toLowerCase(java.util.Locale.ROOT));
    }

    /** Starts a NotStarted job: it runs when its service has a free slot. */
    void start(Job job) {
        synchronized (this) {
            Job.State state = job.state();
            if (state != Job.State.NOT_STARTED) {
                throw new ApiError(400, "InvalidOperation", "CannotStartJob",
                        "The job cannot be started because it is in " + state.adminName + " state.");
            }
            job.state(Job.State.QUEUED);
            counters.starts.incrementAndGet();
            if (job.behaviour.outcome() == JobBehaviour.Outcome.STUCK_NOT_STARTED) {
                return;
            }
            waiting.computeIfAbsent(job.serviceKey(), k -> new ArrayDeque<>()).addLast(job);
            dispatch(job.serviceKey());
        }
    }

    /** Cancels the job if it has not ended and forgets it; false when it was unknown. */
    boolean delete(Job job) {
        synchronized (this) {
            if (jobs.remove(job.id) == null) {
                return false;
            }
            Deque<Job> queue = waiting.get(job.serviceKey());
            if (queue != null) {
                queue.remove(job);
            }
        }
        job.end(Job.State.CANCELLED, null, "The job was cancelled.");
        job.cancel();
        counters.deletes.incrementAndGet();
        return true;
    }

    /**
     * The status JSON: {@code {"StatusCode":..,"Results":..|null,"Details":..|null}}; with the
     * job's legacy behaviours StatusCode is a number and/or {@code "Result"} replaces {@code "Results"}.
     */
    Map<String, Object> status(Job job) {
        Map<String, Object> out = new LinkedHashMap<>();
        Job.State state = job.state();
        out.put("StatusCode", job.behaviour.numericStatusCode() ? state.number : state.wireName);
        String resultsField = job.behaviour.legacyResult() ? "Result" : "Results";
        Map<String, BlobRef> results = job.results();
        if (state == Job.State.FINISHED && results != null) {
            boolean expired = job.takeExpiredSas();
            Map<String, Object> resultJson = new LinkedHashMap<>();
            for (var entry : results.entrySet()) {
                BlobRef ref = entry.getValue();
                Map<String, Object> blob = new LinkedHashMap<>();
                blob.put("ConnectionString", null);
                blob.put("RelativeLocation", ref.relativeLocation());
                blob.put("BaseLocation", ref.baseLocation());
                blob.put("SasBlobToken", blobs.resultSas(ref, settings.resultSasValidity(), expired));
                resultJson.put(entry.getKey(), blob);
            }
            out.put(resultsField, job.behaviour.legacyResult() ? resultJson.values().iterator().next() : resultJson);
        }
        else {
            out.put(resultsField, null);
        }
        out.put("Details", job.details());
        return out;
    }

    List<Job> jobs() {
        List<Job> list = new ArrayList<>(jobs.values());
        list.sort(Comparator.comparingLong(j -> j.sequence));
        return list;
    }

    synchronized int maxRunning() {
        return maxRunning;
    }

    synchronized void addBehaviours(List<JobBehaviour.Entry> entries) {
        behaviours.addAll(entries);
    }

    synchronized void clearBehaviours() {
        behaviours.clear();
    }

    synchronized List<Map<String, Object>> behavioursJson() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (JobBehaviour.Entry entry : behaviours) {
            Map<String, Object> json = new LinkedHashMap<>(entry.behaviour.toJson());
            json.put("times", entry.remaining);
            out.add(json);
        }
        return out;
    }

    /** Cancels and forgets every job and behaviour. */
    void reset() {
        List<Job> all;
        synchronized (this) {
            all = new ArrayList<>(jobs.values());
            jobs.clear();
            waiting.clear();
            behaviours.clear();
            maxRunning = 0;
        }
        for (Job job : all) {
            job.end(Job.State.CANCELLED, null, "The job was cancelled.");
            job.cancel();
        }
    }

    private synchronized JobBehaviour nextBehaviour() {
        for (var it = behaviours.iterator(); it.hasNext();) {
            JobBehaviour.Entry entry = it.next();
            if (entry.remaining > 0) {
                entry.remaining--;
                if (entry.remaining == 0) {
                    it.remove();
                }
            }
            return entry.behaviour;
        }
        return JobBehaviour.NORMAL;
    }

    // Caller holds the lock.
    private void dispatch(String serviceKey) {
        Deque<Job> queue = waiting.get(serviceKey);
        int busy = running.getOrDefault(serviceKey, 0);
        while (queue != null && !queue.isEmpty() && busy < settings.maxConcurrentJobs()) {
            Job job = queue.pollFirst();
            if (job.state() != Job.State.QUEUED) {
                continue;
            }
            busy++;
            job.state(Job.State.RUNNING);
            maxRunning = Math.max(maxRunning, busy);
            workers.execute(() -> run(job));
        }
        running.put(serviceKey, busy);
    }

    private void run(Job job) {
        long startNanos = System.nanoTime();
        try {
            JobBehaviour behaviour = job.behaviour;
            Duration duration = behaviour.jobDuration() != null ? behaviour.jobDuration() : settings.jobDuration();
            switch (behaviour.outcome()) {
                case STUCK_RUNNING -> job.awaitCancel(-1);
                case FAIL -> {
                    if (!waitOut(job, startNanos, duration)) {
                        job.end(Job.State.FAILED, null, behaviour.failDetails());
                    }
                }
                default -> execute(job, startNanos, duration);
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            job.end(Job.State.CANCELLED, null, "The job was cancelled.");
        }
        catch (RuntimeException ex) {
            log.warn("Emulated job {} failed unexpectedly: {}", job.id, Redactor.scrub(String.valueOf(ex)));
            job.end(Job.State.FAILED, null, "Module: Feature Hashing; ModuleExecutionError: taskStatusCode=500; "
                    + "Error 1000: Internal error in the emulator: " + Redactor.scrub(String.valueOf(ex.getMessage())));
        }
        finally {
            synchronized (this) {
                running.merge(job.serviceKey(), -1, Integer::sum);
                dispatch(job.serviceKey());
            }
        }
    }

    private void execute(Job job, long startNanos, Duration duration) throws InterruptedException {
        ServiceShape shape = ServiceShape.of(job.service);
        Map<String, BlobRef> results = new LinkedHashMap<>();
        try {
            for (int i = 0; i < shape.inputs().size(); i++) {
                BlobRef input = job.spec.inputs().get(shape.inputs().get(i));
                BlobRef output = job.spec.outputs().get(shape.outputs().get(i));
                if (output == null) {
                    output = defaultOutput(input);
                }
                blobs.transform(input, output, transform, job::isCancelled);
                results.put(shape.outputs().get(i), output);
            }
        }
        catch (ModuleException ex) {
            if (!waitOut(job, startNanos, duration)) {
                job.end(Job.State.FAILED, null, ex.details());
            }
            return;
        }
        catch (CancellationException ex) {
            return;
        }
        if (!waitOut(job, startNanos, duration)) {
            job.end(Job.State.FINISHED, results, null);
        }
    }

    private BlobRef defaultOutput(BlobRef input) {
        String name = newId() + ".csv";
        if (settings.defaultStorageConnectionString() != null && !input.canSign()) {
            StorageAccount account = StorageAccount.parse(settings.defaultStorageConnectionString());
            return new BlobRef(account, account.baseLocation(), account.sas(), input.container(), name);
        }
        return input.sibling(name);
    }

    /** Waits until the job has run for {@code duration}; true when it was cancelled meanwhile. */
    private static boolean waitOut(Job job, long startNanos, Duration duration) throws InterruptedException {
        long left = TimeUnit.NANOSECONDS.toMillis(duration.toNanos() - (System.nanoTime() - startNanos));
        if (left > 0) {
            return job.awaitCancel(left) || job.isCancelled();
        }
        return job.isCancelled();
    }

    /** Daemon threads named {@code <prefix>-<n>}. */
    static ThreadFactory daemon(String prefix) {
        CustomizableThreadFactory threads = new CustomizableThreadFactory(prefix + "-");
        threads.setDaemon(true);
        return threads;
    }

    @Override
    public void close() {
        reset();
        workers.shutdownNow();
        try {
            workers.awaitTermination(5, TimeUnit.SECONDS);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }
}
