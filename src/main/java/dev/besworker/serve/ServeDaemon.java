package dev.besworker.serve;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.parameters.JobParameter;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.scheduling.TaskScheduler;

import dev.besworker.WorkerProperties;
import dev.besworker.definition.JobDefinition;
import dev.besworker.intake.Inbox;
import dev.besworker.intake.InboxIntake;
import dev.besworker.intake.InboxProcessor;
import dev.besworker.intake.InboxProcessor.Outcome;
import dev.besworker.intake.InboxProcessor.Result;
import dev.besworker.intake.InboxWork;
import dev.besworker.notify.Notification;
import dev.besworker.notify.WebhookNotifier;
import dev.besworker.ops.ExecutionOwners;
import dev.besworker.pipeline.OwnedExecutionException;
import dev.besworker.pipeline.RunIndex;
import dev.besworker.pipeline.RunKeys;
import dev.besworker.runs.ProcessMemory;
import dev.besworker.runs.ScoringRuns;
import dev.besworker.runs.ScoringRuns.RunOutcome;

/**
 * What {@code serve} does once its context is up: resumes the files a previous worker left in
 * {@code .processing/}, watches the inboxes, fires the schedules, purges daily when configured,
 * takes over, every {@code besworker.cluster.scan-interval}, what a dead worker of the cluster
 * left (its claimed inbox files, its executions), and reports each outcome (metrics, webhooks);
 * and, on shutdown, stops in the order that loses nothing: intake first, then the queue, then the
 * running executions (which end STOPPED and resume at the next start, on any worker).
 */
public final class ServeDaemon {

    private static final Logger log = LoggerFactory.getLogger(ServeDaemon.class);

    /** The name the daily purge's times are recorded under, beside the definitions' schedules. */
    static final String PURGE = "besworker.purge";

    private final ServeDefinitions definitions;
    private final WorkerProperties properties;
    private final InboxIntake intake;
    private final InboxProcessor processor;
    private final WebhookNotifier notifier;
    private final ServeMetrics metrics;
    private final Retention retention;
    private final ScheduleState scheduleState;
    private final TaskScheduler scheduler;
    private final ExecutionOwners owners;
    private final ServeCluster cluster;
    private final ScoringRuns runs;
    private final JobRepository jobRepository;
    private final Clock clock;
    private final String host = ServeLock.hostName();
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean stopped = new AtomicBoolean();

    private RunDispatcher dispatcher;
    private ServeMemory memory;
    private ScheduleRunner schedules;
    private ScheduledFuture<?> scan;

    public ServeDaemon(ServeDefinitions definitions, WorkerProperties properties, InboxIntake intake,
            InboxProcessor processor, WebhookNotifier notifier, ServeMetrics metrics, Retention retention,
            ScheduleState scheduleState, TaskScheduler scheduler, ExecutionOwners owners, ServeCluster cluster,
            ScoringRuns runs, JobRepository jobRepository, Clock clock) {
        this.definitions = definitions;
        this.properties = properties;
        this.intake = intake;
        this.processor = processor;
        this.notifier = notifier;
        this.metrics = metrics;
        this.retention = retention;
        this.scheduleState = scheduleState;
        this.scheduler = scheduler;
        this.owners = owners;
        this.cluster = cluster;
        this.runs = runs;
        this.jobRepository = jobRepository;
        this.clock = clock;
    }

    /** Starts resuming, watching, scheduling and purging. */
    public synchronized void start() throws IOException {
        if (!started.compareAndSet(false, true)) {
            return;
        }
        definitions.invalid().forEach(entry -> entry.problems()
                .forEach(problem -> log.error("definition {} is left out: {}", entry.name(), problem)));
        Map<String, Integer> limits = new LinkedHashMap<>();
        definitions.valid().stream().filter(d -> d.maxConcurrentJobs() != null)
                .forEach(d -> limits.put(d.name(), d.maxConcurrentJobs()));
        dispatcher = new RunDispatcher(properties.maxConcurrentJobs(), limits, cluster.limits(), processor::process,
                this::restart, this::finished, clock, Duration.ofSeconds(2));
        metrics.bind(dispatcher);
        memory = new ServeMemory(dispatcher::running, ProcessMemory::trimNativeHeap);
        memory.start(scheduler, clock);
        metrics.bind(notifier);
        schedules = new ScheduleRunner(scheduler, scheduleState, intake::release, metrics::firing, clock);

        List<String> watched = new ArrayList<>();
        for (JobDefinition definition : definitions.valid()) {
            if (definition.inbox() != null) {
                if (definition.inputs().size() != 1) {
                    log.error("definition {}: an inbox feeds one file per run, but the service has {} inputs; its inbox"
                            + " is not watched", definition.name(), definition.inputs().size());
                }
                else {
                    Inbox inbox = intake.watch(definition.name(), definition.inbox(), definition.schedule() != null,
                            dispatcher::submit);
                    resume(inbox);
                    watched.add(definition.name());
                }
            }
            if (definition.schedule() != null) {
                if (definition.inbox() == null) {
                    log.warn("definition {} has a schedule but no inbox: there is nothing for its schedule to run",
                            definition.name());
                }
                schedules.add(definition.name(), definition.schedule());
            }
        }
        dispatcher.start();
        intake.start();
        schedules.start();
        if (properties.purgeOlderThan() != null) {
            List<Path> doneFolders = intake.inboxes().stream().map(Inbox::done).toList();
            // once per cluster: the worker whose record of the time wins purges for all
            schedules.addClusterTask(PURGE, properties.purgeCron(), ZoneId.systemDefault(), () -> {
                try {
                    retention.purge(properties.purgeOlderThan(), doneFolders, false);
                }
                catch (RuntimeException ex) {
                    log.warn("daily purge failed: {}", ex.getMessage());
                }
            });
            log.info("purging daily at \"{}\" what is older than {} (one worker of the cluster does)",
                    properties.purgeCron(), properties.purgeOlderThan());
        }
        scan = scheduler.scheduleWithFixedDelay(this::scan, clock.instant().plus(cluster.scanInterval()),
                cluster.scanInterval());
        log.info("serve: watching {} inbox(es) {}, {} schedule(s), at most {} run(s) at once", watched.size(), watched,
                definitions.valid().stream().filter(d -> d.schedule() != null).count(),
                properties.maxConcurrentJobs());
    }

    /** At start-up: the files in .processing/ that no live worker holds are resumed here. */
    private void resume(Inbox inbox) throws IOException {
        for (Path file : inbox.claimedFiles()) {
            if (cluster.claims().claimable(inbox, file)) {
                log.info("inbox {}: {} was left in {} by an earlier worker; resuming it", inbox.definition(),
                        file.getFileName(), Inbox.PROCESSING);
                dispatcher.submit(InboxWork.leftInProcessing(inbox, file));
            }
        }
    }

    /**
     * Takes over what dead workers left: inbox files in {@code .processing/} whose claim is free
     * or held by a dead worker (their runs resume at their step), and executions whose owner's
     * lease expired that no inbox file stands for (restarted through the normal restart path).
     * Both go through the run queue and its limits; the claim (or the restart's take-over) decides
     * which live worker gets each.
     */
    void scan() {
        if (stopped.get()) {
            return;
        }
        Map<Path, Inbox> processingFolders = new LinkedHashMap<>();
        for (Inbox inbox : intake.inboxes()) {
            processingFolders.put(inbox.processing(), inbox);
            try {
                for (Path file : inbox.claimedFiles()) {
                    if (!dispatcher.holds(file) && cluster.claims().claimable(inbox, file)) {
                        log.info("inbox {}: {} was left in {} by an earlier worker, which is gone; resuming it",
                                inbox.definition(), file.getFileName(), Inbox.PROCESSING);
                        dispatcher.submit(InboxWork.leftInProcessing(inbox, file));
                    }
                }
            }
            catch (IOException | RuntimeException ex) {
                log.warn("inbox {}: cannot look for files left by dead workers: {}", inbox.definition(), ex.getMessage());
            }
        }
        List<Long> orphaned;
        try {
            orphaned = cluster.orphans().get();
        }
        catch (RuntimeException ex) {
            log.warn("cannot look for executions left by dead workers: {}", ex.getMessage());
            return;
        }
        for (long id : orphaned) {
            restartOrphan(id, processingFolders);
        }
    }

    private void restartOrphan(long id, Map<Path, Inbox> processingFolders) {
        JobExecution execution = RunIndex.findExecution(jobRepository, id).orElse(null);
        if (execution == null) {
            return;
        }
        String definition = execution.getJobParameters().getString(RunKeys.DEFINITION);
        Path input = null;
        for (JobParameter<?> parameter : execution.getJobParameters()) {
            if (parameter.name().startsWith(RunKeys.INPUT_PREFIX) && parameter.name().endsWith(RunKeys.PATH)) {
                input = Path.of(String.valueOf(parameter.value()));
            }
        }
        if (input != null && processingFolders.containsKey(input.getParent())) {
            // an inbox file stands for it: the file's take-over restarts it, at the file's claim
            return;
        }
        if (definitions.valid().stream().noneMatch(d -> d.name().equals(definition))) {
            log.debug("execution {} of definition {}, unknown here, is left to a worker that has it", id, definition);
            return;
        }
        dispatcher.submitRestart(id, definition);
    }

    private void restart(long executionId, BooleanSupplier stopping) {
        if (stopping.getAsBoolean()) {
            return;
        }
        try {
            log.info("execution {}: restarting it here (left by a worker that is gone, or asked for in the console)",
                    executionId);
            RunOutcome outcome = runs.restart(executionId);
            log.info("execution {} restarted as execution {}: {}", executionId, outcome.executionId(), outcome.status());
        }
        catch (OwnedExecutionException ex) {
            log.info("execution {}: {}; left to its owner", executionId, ex.getMessage());
        }
    }

    /** The run queue (null before {@link #start()}). */
    public RunDispatcher dispatcher() {
        return dispatcher;
    }

    /** The schedules (null before {@link #start()}). */
    public ScheduleRunner schedules() {
        return schedules;
    }

    /**
     * Stops in order: no more files are taken and no schedule fires; queued files stay where they
     * are; running executions are stopped (they end STOPPED, and their files stay in
     * {@code .processing/} for the next start), waiting up to {@code timeout}.
     *
     * @return true if everything running had ended within the timeout
     */
    public boolean shutdown(Duration timeout) {
        if (!stopped.compareAndSet(false, true) || !started.get()) {
            return true;
        }
        log.info("serve: shutting down: no new files are taken; running executions are stopped and resume at the"
                + " next start");
        intake.stop();
        schedules.stop();
        if (scan != null) {
            scan.cancel(false);
        }
        if (memory != null) {
            memory.stop();
        }
        dispatcher.stopDispatching();
        boolean idle = false;
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (!idle && System.nanoTime() < deadline) {
                // Again on every turn: a run that was launching when the first stop went out is caught by the next.
                owners.stopAll();
                idle = dispatcher.awaitIdle(Duration.ofMillis(500));
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        if (!idle) {
            log.warn("serve: executions {} did not stop within {}; the next start recovers them",
                    owners.running().keySet(), timeout);
        }
        notifier.close();
        intake.close();
        return idle;
    }

    private void finished(Result result) {
        metrics.inboxFile(result);
        Outcome outcome = result.outcome();
        if (outcome != Outcome.DONE && outcome != Outcome.DUPLICATE && outcome != Outcome.FAILED
                && outcome != Outcome.REJECTED) {
            return;
        }
        JobDefinition definition = definitions.valid().stream().filter(d -> d.name().equals(result.work().definition()))
                .findFirst().orElse(null);
        Notification notification = new Notification(result.work().definition(), result.file().getFileName().toString(),
                result.executionId(), outcome.name().toLowerCase(Locale.ROOT), result.error(), result.retryCommand(),
                host, Instant.now(clock));
        notifier.notify(notification, definition == null ? null : definition.notification());
    }
}
