package dev.besworker.serve;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.function.ToIntFunction;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.scheduling.support.CronTrigger;

import dev.besworker.definition.ScheduleSettings;

/**
 * Fires the definitions' schedules. A firing releases the files waiting in the definition's
 * inbox (see {@code InboxFileFilters.ScheduleGate}). At start-up, a time that was due while the
 * worker was down is made up by one firing right away when the definition says
 * {@code catch-up: true}, however many times were missed.
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
                log.info("schedule {}: {} was missed while the worker was down; catching up once now", definition,
                        missed.get());
                fire(definition, Trigger.CATCH_UP);
            }
            else {
                missed.ifPresent(m -> log.info("schedule {}: {} was missed while the worker was down; not caught up"
                        + " (catch-up: false); the next time is as usual", definition, m));
                if (last.isEmpty() || missed.isPresent()) {
                    // Watched from now on: a time missed before this start is never caught up later.
                    record(definition, now);
                }
            }
            futures.add(scheduler.schedule(() -> fire(definition, Trigger.CRON),
                    new CronTrigger(schedule.cron(), schedule.zone())));
            log.info("schedule {}: \"{}\" in {}", definition, schedule.cron(), schedule.zone());
        });
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

    private void fire(String definition, Trigger trigger) {
        Instant at = clock.instant();
        record(definition, at);
        int released = release.applyAsInt(definition);
        Firing firing = new Firing(definition, trigger, at, released);
        firings.add(firing);
        log.info("schedule {}: fired ({}); {} file(s) waiting in its inbox released", definition,
                trigger == Trigger.CRON ? "on time" : "catch-up", released);
        try {
            listener.fired(firing);
        }
        catch (RuntimeException ex) {
            log.warn("schedule {}: {}", definition, ex.toString());
        }
    }

    private void record(String definition, Instant at) {
        try {
            state.record(definition, at);
        }
        catch (IOException ex) {
            log.warn("schedule {}: cannot record its firing time ({}); a restart may catch it up again", definition,
                    ex.getMessage());
        }
    }
}
