package dev.besworker.definition;

import java.time.ZoneId;
import java.util.Objects;

/**
 * When the job runs by itself ({@code schedule:} in a job definition).
 *
 * @param cron a Spring cron expression with six fields (second minute hour day month weekday)
 *     or a macro such as {@code @daily}
 * @param zone the time zone the expression is read in
 * @param catchUp whether a run missed while the worker was down is made up once at start
 */
public record ScheduleSettings(String cron, ZoneId zone, boolean catchUp) {

    public ScheduleSettings {
        Objects.requireNonNull(cron, "cron");
        zone = zone == null ? ZoneId.systemDefault() : zone;
    }
}
