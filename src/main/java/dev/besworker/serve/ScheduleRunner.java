package dev.besworker.serve;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.ToIntFunction;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.scheduling.support.CronTrigger;

import dev.besworker.definition.ScheduleSettings;

/**
 * Fires the definitions' schedules, once per cluster: every worker's timer goes off at each time,
 * and the worker whose record of that time goes into the database first ({@link ScheduleState})
 * fires it. A firing releases the files waiting in the definition's inbox (see
 * {@code InboxFileFilters.ScheduleGate}); the other workers release the files waiting in their
 * view of the inbox too, without firing, so that the files are shared out (each is claimed by one
 * worker). At start-up, a time that was due while no worker was up is made up by one firing right
 * away when the definition says {@code catch-up: true}, however many times were missed.
 */
public final class ScheduleRunner {

    private static final Logger log = LoggerFactory.getLogger(ScheduleRunner.class);

    /** Why a schedule fired. */
    public enum Trigger {
        CRON, CATCH_UP
    }

    /** One firing, for metrics and tests. */
    public record Firing(String definition, Trigger trigger, Instant at, int released) {
    }

    /** Hears of each firing. */
    @FunctionalInterface
    public interface Listener {
        void fired(Firing firing);
    }

    private final TaskScheduler scheduler;
    private final ScheduleState state;
    private final ToIntFunction<String> release;
    private final Listener listener;
    private final Clock clock;
    private final List<ScheduledFuture<?>> futures = new ArrayList<>();
    private final List<Firing> firings = new CopyOnWriteArrayList<>();
    private final Map<String, ScheduleSettings> schedules = new ConcurrentHashMap<>();

    /**
     * @param release releases a definition's waiting files, returning how many
     */
    public ScheduleRunner(TaskScheduler scheduler, ScheduleState state, ToIntFunction<String> release,
            Listener listener, Clock clock) {
        this.scheduler = scheduler;
        this.state = state;
        this.release = release;
        this.listener = listener;
        this.clock = clock;
    }

    /** Adds a definition's schedule (started by {@link #start()}). */
    public void add(String definition, ScheduleSettings schedule) {
        schedules.put(definition, schedule);
    }

    /** Catches up missed times, then schedules every definition's next times. */
    public synchronized void start() {
        Instant now = clock.instant();
        schedules.forEach((definition, schedule) -> {
            Optional<Instant> last = state.last(definition);
            Optional<ZonedDateTime> missed = last.flatMap(l -> ScheduleState.missed(schedule, l, now));
            if (missed.isPresent() && schedule.catchUp()) {
                // Keyed on the first missed time: workers starting together catch it up once.
                if (state.claim(definition, missed.get().toInstant(), now, ScheduleState.Kind.CATCH_UP, now)) {
                    log.info("schedule {}: {} was missed while no worker was up; catching up once now", definition,
                            missed.get());
                    fire(definition, Trigger.CATCH_UP, missed.get().toInstant(), now);
                }
                else {
                    log.info("schedule {}: {} was missed; another worker catches it up", definition, missed.get());
                }
            }
            else {
                missed.ifPresent(m -> log.info("schedule {}: {} was missed while no worker was up; not caught up"
                        + " (catch-up: false); the next time is as usual", definition, m));
                if (last.isEmpty() || missed.isPresent()) {
                    // Watched from now on: a time missed before this start is never caught up later.
                    state.claim(definition, now, now, ScheduleState.Kind.WATCH, now);
                }
            }
            futures.add(scheduleOnce(definition, schedule, at -> onTime(definition, at)));
            log.info("schedule {}: \"{}\" in {}", definition, schedule.cron(), schedule.zone());
        });
    }

    /**
     * Runs a task at each time of a cron, on one worker of the cluster only (the daily purge).
     *
     * @param name the name its firings are recorded under
     */
    public synchronized void addClusterTask(String name, String cron, ZoneId zone, Runnable task) {
        futures.add(scheduleOnce(name, new ScheduleSettings(cron, zone, false), at -> {
            if (state.claim(name, at, at, ScheduleState.Kind.CRON, clock.instant())) {
                task.run();
            }
            else {
                log.debug("{}: the time {} was taken by another worker", name, at);
            }
        }));
    }

    /**
     * Schedules {@code action} at each time of the cron; the action gets the time as the cron
     * gives it (the same on every worker), not the moment this worker's timer went off.
     */
    private ScheduledFuture<?> scheduleOnce(String name, ScheduleSettings schedule,
            Consumer<Instant> action) {
        CronTrigger cron = new CronTrigger(schedule.cron(), schedule.zone());
        AtomicReference<Instant> due = new AtomicReference<>();
        // The scheduler asks for the next time before it schedules each run, and runs one at a time.
        org.springframework.scheduling.Trigger remembering = context -> {
            Instant next = cron.nextExecution(context);
            due.set(next);
            return next;
        };
        return scheduler.schedule(() -> {
            try {
                action.accept(due.get());
            }
            catch (RuntimeException ex) {
                log.warn("schedule {}: {}", name, ex.toString());
            }
        }, remembering);
    }

    /** Cancels every schedule. */
    public synchronized void stop() {
        futures.forEach(future -> future.cancel(false));
        futures.clear();
    }

    /** The firings so far, oldest first. */
    public List<Firing> firings() {
        return List.copyOf(firings);
    }

    private void onTime(String definition, Instant scheduledAt) {
        if (state.claim(definition, scheduledAt, scheduledAt, ScheduleState.Kind.CRON, clock.instant())) {
            fire(definition, Trigger.CRON, scheduledAt, clock.instant());
        }
        else {
            // Fired by another worker: the files waiting here are released all the same, for this worker to share.
            int released = release.applyAsInt(definition);
            log.info("schedule {}: {} fired on another worker; {} file(s) waiting here released too", definition,
                    scheduledAt, released);
        }
    }

    private void fire(String definition, Trigger trigger, Instant scheduledAt, Instant at) {
        int released = release.applyAsInt(definition);
        Firing firing = new Firing(definition, trigger, at, released);
        firings.add(firing);
        log.info("schedule {}: fired ({}) for {}; {} file(s) waiting in its inbox released", definition,
                trigger == Trigger.CRON ? "on time" : "catch-up", scheduledAt, released);
        try {
            listener.fired(firing);
        }
        catch (RuntimeException ex) {
            log.warn("schedule {}: {}", definition, ex.toString());
        }
    }
}
