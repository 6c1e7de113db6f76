package dev.besworker.serve;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.scheduling.support.CronTrigger;

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

/**
 * What {@code serve} does once its context is up: resumes the files a previous worker left in
 * {@code .processing/}, watches the inboxes, fires the schedules, purges daily when configured,
 * and reports each outcome (metrics, webhooks); and, on shutdown, stops in the order that loses
 * nothing: intake first, then the queue, then the running executions (which end STOPPED and
 * resume at the next start).
 */
public final class ServeDaemon {

    private static final Logger log = LoggerFactory.getLogger(ServeDaemon.class);

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
    private final Clock clock;
    private final String host = ServeLock.hostName();
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean stopped = new AtomicBoolean();

    private RunDispatcher dispatcher;
    private ScheduleRunner schedules;
    private ScheduledFuture<?> purge;

    public ServeDaemon(ServeDefinitions definitions, WorkerProperties properties, InboxIntake intake,
            InboxProcessor processor, WebhookNotifier notifier, ServeMetrics metrics, Retention retention,
            ScheduleState scheduleState, TaskScheduler scheduler, ExecutionOwners owners, Clock clock) {
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
        dispatcher = new RunDispatcher(properties.maxConcurrentJobs(), limits, processor::process, this::finished,
                clock, Duration.ofSeconds(2));
        metrics.bind(dispatcher);
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
            List<java.nio.file.Path> doneFolders = intake.inboxes().stream().map(Inbox::done).toList();
            purge = scheduler.schedule(() -> {
                try {
                    retention.purge(properties.purgeOlderThan(), doneFolders, false);
                }
                catch (RuntimeException ex) {
                    log.warn("daily purge failed: {}", ex.getMessage());
                }
            }, new CronTrigger(properties.purgeCron()));
            log.info("purging daily at \"{}\" what is older than {}", properties.purgeCron(),
                    properties.purgeOlderThan());
        }
        log.info("serve: watching {} inbox(es) {}, {} schedule(s), at most {} run(s) at once", watched.size(), watched,
                definitions.valid().stream().filter(d -> d.schedule() != null).count(),
                properties.maxConcurrentJobs());
    }

    private void resume(Inbox inbox) throws IOException {
        for (java.nio.file.Path file : inbox.claimedFiles()) {
            log.info("inbox {}: {} was left in {} by an earlier worker; resuming it", inbox.definition(),
                    file.getFileName(), Inbox.PROCESSING);
            dispatcher.submit(InboxWork.leftInProcessing(inbox, file));
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
        if (purge != null) {
            purge.cancel(false);
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
